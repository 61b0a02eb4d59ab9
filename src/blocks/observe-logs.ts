import type { KnownBlock } from '@slack/types';
import {
  actions,
  button,
  context,
  escapeMrkdwn,
  header,
  inlineCode,
  message,
  section,
  tailCodeBlock,
  type EphemeralMessage,
} from './kit.js';

export type LogSource =
  /** SYSTEM$GET_SERVICE_LOGS: the running container's own log. */
  | 'live'
  /** SYSTEM$GET_SERVICE_LOGS(…, retrieve_previous_logs => TRUE): the container before its last restart. */
  | 'previous'
  /** <svc>!SPCS_GET_LOGS(): the event table's history of this service. */
  | 'history'
  /** The account event table, for a service that is gone. */
  | 'event_table';

/** The instance and restarts of the container shown (SHOW SERVICE CONTAINERS), for live logs. */
export interface LogContainerState {
  readonly instanceId: string;
  /** Every instance that runs this container, in order. */
  readonly instances: readonly string[];
  readonly restartCount: number;
  readonly lastExitCode: number | null;
}

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
  /** For the event table: how many days back it was read. */
  readonly days?: number;
  readonly state?: LogContainerState;
  /** Asked for the previous container, but there is none (never restarted). */
  readonly noPrevious?: boolean;
  /** Lines asked for, carried by the buttons. */
  readonly requestedLines?: number;
}

/** Buttons on a logs message: each value is a LogButtonValue as JSON. */
export const LogActions = {
  previous: 'observe.logs.previous',
  current: 'observe.logs.current',
  /** `observe.logs.instance.<id>` */
  instancePrefix: 'observe.logs.instance.',
} as const;
export const LOG_ACTION_PATTERN = /^observe\.logs\.(previous|current|instance\.\d{1,4})$/;

/** What a logs button asks for; parsed back with zod in the flow. */
export interface LogButtonValue {
  /** The service's qualified name (SQL form). */
  readonly s: string;
  readonly c: string;
  readonly i: string;
  /** Previous container. */
  readonly p: boolean;
  readonly n: number;
}

const SOURCE_TEXT: Record<LogSource, string> = {
  live: 'live log (SYSTEM$GET_SERVICE_LOGS)',
  previous: 'previous container’s log (SYSTEM$GET_SERVICE_LOGS, retrieve_previous_logs)',
  history: 'log history (SPCS_GET_LOGS, last day)',
  event_table: 'event table',
};

/** Room left for the code block once the other blocks are counted (well under 3000). */
const CODE_BUDGET = 2600;
const MAX_INSTANCE_BUTTONS = 10;

function sourceText(view: LogView): string {
  const base = view.source === 'event_table' && view.days !== undefined ? `event table, last ${view.days} days` : SOURCE_TEXT[view.source];
  return view.state !== undefined && view.state.instances.length > 1 ? `${base}, instance ${view.state.instanceId}` : base;
}

function stateNotes(view: LogView): string[] {
  const st = view.state;
  if (st === undefined) return [];
  const notes: string[] = [];
  const exit =
    st.lastExitCode === null ? '' : `, last exit code ${st.lastExitCode}${st.lastExitCode === 137 ? ' (killed: out of memory?)' : ''}`;
  if (view.source === 'previous') {
    notes.push(`:rewind: The container before its last restart (${st.restartCount} restarts${exit}): where a crash or an OOM kill shows.`);
  } else if (st.restartCount > 0) {
    notes.push(
      `:repeat: Container ${inlineCode(view.container)} has restarted ${st.restartCount} times${exit}. This is the fresh container; why the last one stopped is in the previous container’s log.`,
    );
  } else if (st.lastExitCode !== null) {
    notes.push(`:warning: Container ${inlineCode(view.container)} exited with code ${st.lastExitCode}; these are its last lines.`);
  }
  if (view.noPrevious === true)
    notes.push(`Container ${inlineCode(view.container)} has not restarted, so there is no previous container; this is its current log.`);
  return notes;
}

/** A logs button carries what it asks for, as JSON. */
const logButton = (text: string, actionId: string, value: LogButtonValue) => button(text, actionId, { value: JSON.stringify(value) });

/** Previous / current container and the other instances, for live logs of a running service. */
function actionsOf(view: LogView): KnownBlock[] {
  const st = view.state;
  if (st === undefined || (view.source !== 'live' && view.source !== 'previous')) return [];
  const base = { s: view.service, c: view.container, i: st.instanceId, n: view.requestedLines ?? 100 };
  const elements: ReturnType<typeof logButton>[] = [];
  if (view.source === 'live' && st.restartCount > 0)
    elements.push(logButton('Previous container', LogActions.previous, { ...base, p: true }));
  if (view.source === 'previous') elements.push(logButton('Current container', LogActions.current, { ...base, p: false }));
  for (const id of st.instances.filter((i) => i !== st.instanceId).slice(0, MAX_INSTANCE_BUTTONS)) {
    elements.push(logButton(`Instance ${id}`, `${LogActions.instancePrefix}${id}`, { ...base, i: id, p: false }));
  }
  return elements.length === 0 ? [] : [actions(elements, 'observe.logs.actions')];
}

export function buildLogMessage(view: LogView, usage: { readonly fileHint: string }): EphemeralMessage {
  const title = `Logs: ${view.service} / ${view.container}${view.source === 'previous' ? ' (previous container)' : ''}`;
  const blocks: KnownBlock[] = [header(title.slice(0, 150))];
  const notes: string[] = [];
  if (view.gone === true) {
    notes.push(`:wastebasket: Service ${inlineCode(view.service)} no longer exists; these lines come from the event table.`);
  }
  if (view.notRunning !== undefined) {
    notes.push(
      `:hourglass_flowing_sand: Container ${inlineCode(view.container)} is not running: ${inlineCode(view.notRunning.slice(0, 300))}. Showing its history instead.`,
    );
  }
  notes.push(...stateNotes(view));
  if (notes.length > 0) blocks.push(section(notes.join('\n')));
  const actions = actionsOf(view);
  if (view.lines.length === 0) {
    blocks.push(section(`No log lines for ${inlineCode(view.container)} in the ${sourceText(view)}.`), ...actions);
    return message(`No log lines for ${view.container} in ${view.service}`, blocks);
  }
  const code = tailCodeBlock(view.lines, CODE_BUDGET);
  blocks.push(section(code.text));
  const cut = code.cut > 0 ? ` ${code.cut} earlier lines cut; ${escapeMrkdwn(usage.fileHint)}` : '';
  blocks.push(context(`${view.lines.length - code.cut} of ${view.lines.length} lines from the ${sourceText(view)}.${cut}`), ...actions);
  return message(`Logs of ${view.container} in ${view.service}`, blocks);
}

/** The plain-text file body for a log uploaded as a file. */
export function logFileText(view: LogView): string {
  return `# ${view.service} / ${view.container} — ${sourceText(view)}\n${view.lines.join('\n')}\n`;
}
