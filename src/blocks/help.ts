import type { KnownBlock } from '@slack/types';
import { context, header, message, section, type EphemeralMessage } from './kit.js';

/** What the help message knows about one subcommand. */
export interface CommandHelp {
  readonly name: string;
  /** e.g. `/spcs logs <service> [container] [--lines N]` */
  readonly usage: string;
  readonly summary: string;
  readonly examples?: readonly string[];
}

export type HelpMessage = EphemeralMessage;

/** Every command with its one-line usage; `notice` goes first (e.g. "I don't know `/spcs foo`"). */
export function buildHelpMessage(commands: readonly CommandHelp[], notice?: string): HelpMessage {
  const lines = commands.map((c) => `\`${c.usage}\` – ${c.summary}`);
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push(section(notice));
  blocks.push(
    header('spcs-chatops commands'),
    section(lines.join('\n')),
    context('Type `/spcs help <command>` for examples. Only you can see this message.'),
  );
  return message([notice, 'spcs-chatops commands:', ...lines].filter(Boolean).join('\n'), blocks);
}

/** Usage and examples for one command. */
export function buildCommandHelpMessage(command: CommandHelp): HelpMessage {
  const examples = command.examples ?? [];
  const body = [`*\`${command.usage}\`*`, command.summary];
  if (examples.length > 0) body.push('', '*Examples*', ...examples.map((e) => `\`${e}\``));
  return message(`${command.usage}: ${command.summary}`, [section(body.join('\n'))]);
}
