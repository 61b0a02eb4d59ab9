import type { KnownBlock } from '@slack/types';

/** What the help message knows about one subcommand. */
export interface CommandHelp {
  readonly name: string;
  /** e.g. `/spcs logs <service> [container] [--lines N]` */
  readonly usage: string;
  readonly summary: string;
  readonly examples?: readonly string[];
}

export interface HelpMessage {
  readonly response_type: 'ephemeral';
  readonly text: string;
  readonly blocks: KnownBlock[];
}

const mrkdwn = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** Every command with its one-line usage; `notice` goes first (e.g. "I don't know `/spcs foo`"). */
export function buildHelpMessage(commands: readonly CommandHelp[], notice?: string): HelpMessage {
  const lines = commands.map((c) => `\`${c.usage}\` – ${c.summary}`);
  const blocks: KnownBlock[] = [];
  if (notice) blocks.push(mrkdwn(notice));
  blocks.push({ type: 'header', text: { type: 'plain_text', text: 'spcs-chatops commands' } }, mrkdwn(lines.join('\n')), {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: 'Type `/spcs help <command>` for examples. Only you can see this message.' }],
  });
  const text = [notice, 'spcs-chatops commands:', ...lines].filter(Boolean).join('\n');
  return { response_type: 'ephemeral', text, blocks };
}

/** Usage and examples for one command. */
export function buildCommandHelpMessage(command: CommandHelp): HelpMessage {
  const examples = command.examples ?? [];
  const body = [`*\`${command.usage}\`*`, command.summary];
  if (examples.length > 0) body.push('', '*Examples*', ...examples.map((e) => `\`${e}\``));
  return { response_type: 'ephemeral', text: `${command.usage}: ${command.summary}`, blocks: [mrkdwn(body.join('\n'))] };
}
