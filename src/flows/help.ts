import { buildCommandHelpMessage, buildHelpMessage, type CommandHelp } from '../blocks/help.js';
import { inlineCode } from '../blocks/kit.js';
import type { Subcommand } from './subcommand.js';

/** `/spcs help [command]`: the command list, or one command's usage and examples. */
export function createHelpCommand(catalog: () => readonly CommandHelp[]): Subcommand {
  const self: Subcommand = {
    name: 'help',
    usage: '/spcs help [command]',
    summary: 'List the commands, or show one command with examples.',
    examples: ['/spcs help', '/spcs help deploy'],
    async run({ ack, argv }) {
      const all = [...catalog(), self];
      const wanted = argv[0]?.toLowerCase();
      if (wanted === undefined) return ack(buildHelpMessage(all));
      const command = all.find((c) => c.name === wanted);
      if (command) return ack(buildCommandHelpMessage(command));
      return ack(buildHelpMessage(all, `There is no ${inlineCode(`/spcs ${wanted}`)} command. These are the ones I know:`));
    },
  };
  return self;
}
