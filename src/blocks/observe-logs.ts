import type { KnownBlock } from '@slack/types';
import { context, header, message, section, tailCodeBlock, type ObserveMessage } from './observe-kit.js';
import { escapeMrkdwn, inlineCode } from './text.js';

export type LogSource =
  /** SYSTEM$GET_SERVICE_LOGS: the running container's own log. */
  | 'live'
  /** <svc>!SPCS_GET_LOGS(): the event table's history of this service. */
  | 'history'
  /** The account event table, for a service that is gone. */
  | 'event_table';

export interface LogView {
  readonly service: string;
  readonly container: string;
  readonly source: LogSource;
  /** Oldest first. */
  readonly lines: readonly string[];
  /** Why live logs were not available (e.g. "Pending scheduling"), shown above the history. */
  readonly notRunning?: string;
  /** The service no longer exists (dropped): these are the last lines it left. */
  readonly gone?: boolean;
}

const SOURCE_TEXT: Record<LogSource, string> = {
  live: 'live log (SYSTEM$GET_SERVICE_LOGS)',
  history: 'log history (SPCS_GET_LOGS, last day)',
  event_table: 'event table',
};

/** Room left for the code block once the other blocks are counted (well under 3000). */
const CODE_BUDGET = 2900;

export function buildLogMessage(view: LogView, usage: { readonly fileHint: string }): ObserveMessage {
  const blocks: KnownBlock[] = [header(`Logs: ${view.service} / ${view.container}`.slice(0, 150))];
  const notes: string[] = [];
  if (view.gone === true) {
    notes.push(`:wastebasket: Service ${inlineCode(view.service)} no longer exists; these lines come from the event table.`);
  }
  if (view.notRunning !== undefined) {
    notes.push(`:hourglass_flowing_sand: Container ${inlineCode(view.container)} is not running: ${inlineCode(view.notRunning.slice(0, 300))}. Showing its history instead.`);
  }
  if (notes.length > 0) blocks.push(section(notes.join('\n')));
  if (view.lines.length === 0) {
    blocks.push(section(`No log lines for ${inlineCode(view.container)} in the ${SOURCE_TEXT[view.source]}.`));
    return message(`No log lines for ${view.container} in ${view.service}`, blocks);
  }
  const code = tailCodeBlock(view.lines, CODE_BUDGET);
  blocks.push(section(code.text));
  const cut = code.cut > 0 ? ` ${code.cut} earlier lines cut; ${escapeMrkdwn(usage.fileHint)}` : '';
  blocks.push(context(`${view.lines.length - code.cut} of ${view.lines.length} lines from the ${SOURCE_TEXT[view.source]}.${cut}`));
  return message(`Logs of ${view.container} in ${view.service}`, blocks);
}

/** The plain-text file body for a log uploaded as a file. */
export function logFileText(view: LogView): string {
  return `# ${view.service} / ${view.container} — ${SOURCE_TEXT[view.source]}\n${view.lines.join('\n')}\n`;
}
