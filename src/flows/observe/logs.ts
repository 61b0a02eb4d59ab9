import { buildLogMessage, logFileText, type LogView } from '../../blocks/observe-logs.js';
import { notice, usageError, type ObserveMessage } from '../../blocks/observe-kit.js';
import { inlineCode } from '../../blocks/text.js';
import {
  getLogsFromEventTable,
  getServiceLogHistory,
  getServiceLogs,
  INFERENCE_CONTAINER,
  isSnowflakeError,
  qualify,
  type LogLine,
  type QualifiedName,
} from '../../snowflake/index.js';
import type { Subcommand } from '../subcommand.js';
import { replyAfterAck } from '../shared/reply.js';
import type { ObserveDeps } from './deps.js';
import { displayArg, parseServiceArg, resolveService, type ServiceArg } from '../shared/service-ref.js';
import { uploadFile, type UploadTarget } from './upload.js';

export const LOGS_USAGE = '/spcs logs <service> [container] [--lines N] [--history] [--file]';
const EXAMPLE = '/spcs logs ML_DB.SERVING.IRIS_SVC proxy --lines 50';
export const DEFAULT_LINES = 100;
export const MAX_LINES = 1000;
const FILE_HINT = 'add `--file` to get every line as a file in this channel.';

export interface LogRequest {
  readonly service: ServiceArg;
  readonly container: string;
  readonly lines: number;
  /** Read SPCS_GET_LOGS() even when the container runs. */
  readonly history: boolean;
  /** Upload the lines as a file instead of showing the tail. */
  readonly file: boolean;
}

// SPCS container names are DNS labels (model-inference, proxy, model-build).
const CONTAINER = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

type Parsed = { ok: true; value: LogRequest } | { ok: false; message: string };

export function parseLogArgs(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  let lines = DEFAULT_LINES;
  let history = false;
  let file = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--history') history = true;
    else if (word === '--file') file = true;
    else if (word === '--lines' || word.startsWith('--lines=')) {
      const value = word === '--lines' ? argv[++i] : word.slice('--lines='.length);
      const n = Number(value);
      if (value === undefined || !Number.isInteger(n) || n < 1 || n > MAX_LINES) {
        return { ok: false, message: `--lines: a whole number from 1 to ${MAX_LINES} (got ${value ?? 'nothing'})` };
      }
      lines = n;
    } else if (word.startsWith('--')) return { ok: false, message: `Unknown option ${word}: expected --lines N, --history or --file` };
    else positional.push(word);
  }
  const [serviceText, containerText, ...extra] = positional;
  if (extra.length > 0) return { ok: false, message: 'Too many words: expected a service and at most one container.' };
  const service = parseServiceArg(serviceText);
  if (!service.ok) return service;
  const container = containerText ?? INFERENCE_CONTAINER;
  if (!CONTAINER.test(container)) return { ok: false, message: `Container: letters, digits and dashes, like model-inference or proxy (got ${container})` };
  return { ok: true, value: { service: service.value, container: container.toLowerCase(), lines, history, file } };
}

/** GET_SERVICE_LOGS on a container that has not started: the message carries its state. */
function notRunningReason(err: unknown): string | null {
  if (!isSnowflakeError(err) || err.kind === 'insufficient_privileges' || err.kind === 'not_found') return null;
  const state = /Pending scheduling|Waiting to start|not (?:yet )?(?:running|started|ready)|suspended/i.exec(err.message);
  return state === null && err.code !== '391213' ? null : (state?.[0] ?? err.message.split('\n')[0] ?? 'not running');
}

const historyLine = (l: LogLine): string =>
  `${l.timestamp?.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') ?? ''}${l.instanceId === null ? '' : ` [${l.instanceId}]`} ${l.log}`.trim();

async function historyOf(deps: ObserveDeps, name: QualifiedName, req: LogRequest): Promise<string[]> {
  const rows = await getServiceLogHistory(deps.snowflake, name, { container: req.container, limit: req.lines });
  return rows.reverse().map(historyLine);
}

/** Live lines when the container runs; its history when asked or when it does not run; the event table when the service is gone. */
export async function loadLogs(deps: ObserveDeps, req: LogRequest): Promise<LogView | ObserveMessage> {
  const display = displayArg(req.service);
  const resolved = await resolveService(deps.snowflake, req.service);
  if (resolved.state === 'ambiguous') {
    return notice(`Several services are called ${inlineCode(display)}: ${resolved.candidates.map((c) => inlineCode(c.toString())).join(', ')}. Give the full name.`);
  }
  if (resolved.state === 'missing') {
    // Dropped services leave their logs in the event table, keyed by the service's own name.
    const asQualified = req.service.kind === 'qualified' ? req.service.name : qualify(req.service.name);
    const rows = await getLogsFromEventTable(deps.snowflake, asQualified, { limit: MAX_LINES });
    const mine = (rows ?? []).filter((r) => r.containerName === null || r.containerName === req.container).slice(0, req.lines);
    if (mine.length === 0) {
      return notice(
        `:mag: Service ${inlineCode(display)} was not found or not authorized, and the event table has no ${inlineCode(req.container)} logs for it. ` +
          `See the services the bot can see with ${inlineCode('/spcs list')}.`,
      );
    }
    return { service: display, container: req.container, source: 'event_table', gone: true, lines: mine.reverse().map(historyLine) };
  }
  const service = resolved.name.toString();
  if (req.history) return { service, container: req.container, source: 'history', lines: await historyOf(deps, resolved.name, req) };
  try {
    const text = await getServiceLogs(deps.snowflake, resolved.name, { container: req.container, lines: req.lines });
    const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    return { service, container: req.container, source: 'live', lines };
  } catch (err) {
    const reason = notRunningReason(err);
    if (reason === null) throw err;
    return { service, container: req.container, source: 'history', notRunning: reason, lines: await historyOf(deps, resolved.name, req) };
  }
}

/** Renders the logs, or uploads them as a file when asked (`--file`). */
export async function showLogs(deps: ObserveDeps, req: LogRequest, target: UploadTarget | null): Promise<ObserveMessage | null> {
  const loaded = await loadLogs(deps, req);
  if (!('source' in loaded)) return loaded;
  if (!req.file || target === null || loaded.lines.length === 0) return buildLogMessage(loaded, { fileHint: FILE_HINT });
  const safeName = `${loaded.service}-${loaded.container}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
  return uploadFile(
    target,
    {
      filename: `${safeName}.log`,
      title: `Logs: ${loaded.service} / ${loaded.container}`,
      comment: `Last ${loaded.lines.length} lines of ${loaded.container} in ${loaded.service}.`,
      bytes: Buffer.from(logFileText(loaded)),
    },
    deps.logger,
  );
}

/** `/spcs logs`: live container logs, history, or the event table after a drop. */
export function createLogsCommand(deps: ObserveDeps): Subcommand {
  return {
    name: 'logs',
    usage: LOGS_USAGE,
    summary: 'Show a container’s log: model-inference by default, or proxy; history when it is not running; the event table once the service is gone.',
    examples: ['/spcs logs ML_DB.SERVING.IRIS_SVC', EXAMPLE, '/spcs logs IRIS_SVC --history', '/spcs logs IRIS_SVC --lines 1000 --file'],
    async run({ ack, argv, respond, client, command }) {
      const parsed = parseLogArgs(argv);
      if (!parsed.ok) return ack(usageError(parsed.message, LOGS_USAGE, EXAMPLE));
      await ack();
      await replyAfterAck(deps, respond, 'read the logs', () => showLogs(deps, parsed.value, { client, channel: command.channel_id }));
    },
  };
}
