import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { CommandHelp } from '../blocks/help.js';

/** What Bolt hands the /spcs listener, plus the words after the subcommand name. */
export type SubcommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs & { readonly argv: readonly string[] };

/** One `/spcs <name> ...` command. Each lives in its own module under src/flows/. */
export interface Subcommand extends CommandHelp {
  run(args: SubcommandArgs): Promise<void>;
}

/** Splits command text on whitespace; "double quotes" keep spaces together. */
export function splitCommandText(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|(\S+)/g)) words.push(match[1] ?? match[2] ?? '');
  return words;
}
