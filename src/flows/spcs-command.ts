import type { App } from '@slack/bolt';
import { buildHelpMessage } from '../blocks/help.js';
import { inlineCode } from '../blocks/kit.js';
import { createHelpCommand } from './help.js';
import { splitCommandText, type Subcommand } from './subcommand.js';

export const SPCS_COMMAND = '/spcs';

/**
 * Routes `/spcs <subcommand> ...` to the module that owns it. A bare `/spcs` shows help; an
 * unknown subcommand shows help with a notice naming what was typed.
 */
export function registerSpcsCommand(app: App, subcommands: readonly Subcommand[]): void {
  const help = createHelpCommand(() => subcommands);
  const byName = new Map<string, Subcommand>([...subcommands, help].map((s) => [s.name, s]));
  const catalog = [...subcommands, help];

  app.command(SPCS_COMMAND, async (args) => {
    const [name, ...argv] = splitCommandText(args.command.text);
    if (name === undefined) return help.run({ ...args, argv: [] });
    const subcommand = byName.get(name.toLowerCase());
    if (subcommand) return subcommand.run({ ...args, argv });
    await args.ack(buildHelpMessage(catalog, `I don't know ${inlineCode(`${SPCS_COMMAND} ${name}`)}. These are the commands:`));
  });
}
