import { z } from 'zod';
import { type EphemeralMessage, inlineCode, notice, usageError } from '../../blocks/kit.js';
import { buildLogMessage, logFileText, type LogButtonValue, type LogContainerState, type LogView } from '../../blocks/observe-logs.js';
import {
  getLogsFromEventTable,
  getServiceLogHistory,
  getServiceLogs,
  INFERENCE_CONTAINER,
  isSnowflakeError,
  listServiceContainers,
  type LogLine,
  type QualifiedName,
} from '../../snowflake/index.js';
import type { Subcommand } from '../subcommand.js';
import { replyAfterAck } from '../shared/reply.js';
import type { ObserveDeps } from './deps.js';
import { displayArg, parseServiceArg, resolveService, type ServiceArg } from '../shared/service-ref.js';
import { uploadFile, type UploadTarget } from './upload.js';

export const LOGS_USAGE = '/spcs logs <service> [container] [--lines N] [--instance N] [--previous] [--history] [--file]';
const EXAMPLE = '/spcs logs ML_DB.SERVING.IRIS_SVC proxy --lines 50';
export const DEFAULT_LINES = 100;
export const MAX_LINES = 1000;
const FILE_HINT = 'add `--file` to get every line as a file in this channel.';
const MAX_INSTANCE = 9999;

export interface LogRequest {
  readonly service: ServiceArg;
  readonly container: string;
  readonly lines: number;
  /** Read SPCS_GET_LOGS() even when the container runs. */
  readonly history: boolean;
  /** Upload the lines as a file instead of showing the tail. */
  readonly file: boolean;
  /** The container before its last restart (SYSTEM$GET_SERVICE_LOGS retrieve_previous_logs). */
  readonly previous: boolean;
  /** Instance id; null: the first instance that runs the container. */
  readonly instance: string | null;
}

// SPCS container names are DNS labels (model-inference, proxy, model-build).
const CONTAINER = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

type Parsed = { ok: true; value: LogRequest } | { ok: false; message: string };

function wholeNumber(value: string | undefined, max: number): number | null {
  const n = Number(value);
  return value === undefined || value.trim() === '' || !Number.isInteger(n) || n < 0 || n > max ? null : n;
}

export function parseLogArgs(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  let lines = DEFAULT_LINES;
  let history = false;
  let file = false;
  let previous = false;
  let instance: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--history') history = true;
    else if (word === '--file') file = true;
    else if (word === '--previous') previous = true;
    else if (word === '--lines' || word.startsWith('--lines=')) {
      const value = word === '--lines' ? argv[++i] : word.slice('--lines='.length);
      const n = wholeNumber(value, MAX_LINES);
      if (n === null || n < 1) return { ok: false, message: `--lines: a whole number from 1 to ${MAX_LINES} (got ${value ?? 'nothing'})` };
      lines = n;
    } else if (word === '--instance' || word.startsWith('--instance=')) {
      const value = word === '--instance' ? argv[++i] : word.slice('--instance='.length);
      const n = wholeNumber(value, MAX_INSTANCE);
      if (n === null) return { ok: false, message: `--instance: an instance id, a whole number from 0 (got ${value ?? 'nothing'})` };
      instance = String(n);
    } else if (word.startsWith('--')) {
      return { ok: false, message: `Unknown option ${word}: expected --lines N, --instance N, --previous, --history or --file` };
    } else positional.push(word);
  }
  if (previous && history)
    return {
      ok: false,
      message:
        '--previous and --history do not go together: --previous reads the container before its last restart, --history the event table.',
    };
  const [serviceText, containerText, ...extra] = positional;
  if (extra.length > 0) return { ok: false, message: 'Too many words: expected a service and at most one container.' };
  const service = parseServiceArg(serviceText);
  if (!service.ok) return service;
  const container = containerText ?? INFERENCE_CONTAINER;
  if (!CONTAINER.test(container))
    return { ok: false, message: `Container: letters, digits and dashes, like model-inference or proxy (got ${container})` };
  return { ok: true, value: { service: service.value, container: container.toLowerCase(), lines, history, file, previous, instance } };
}

/** A logs button's value (LogButtonValue as JSON), checked like typed text. */
const LogButton = z.object({
  s: z.string().min(1).max(2000),
  c: z.string().regex(CONTAINER),
  i: z.string().regex(/^\d{1,4}$/),
  p: z.boolean(),
  n: z.number().int().min(1).max(MAX_LINES),
});

export function parseLogButton(value: string | undefined): LogRequest | null {
  let json: unknown;
  try {
    json = JSON.parse(value ?? '');
  } catch {
    return null;
  }
  const parsed = LogButton.safeParse(json);
  if (!parsed.success) return null;
  const service = parseServiceArg(parsed.data.s);
  if (!service.ok) return null;
  const b: LogButtonValue = parsed.data;
  return { service: service.value, container: b.c.toLowerCase(), lines: b.n, history: false, file: false, previous: b.p, instance: b.i };
}

/** GET_SERVICE_LOGS on a container that has not started: the message carries its state. */
function notRunningReason(err: unknown): string | null {
  if (!isSnowflakeError(err) || err.kind === 'insufficient_privileges' || err.kind === 'not_found') return null;
  // "Waiting to start, Container Status: PENDING" (what snowflake-ml-python's jobs/job.py looks
  // for), with the container's documented message before it (monitoring-services).
  const status = /^(.*?),\s*Container Status: [A-Z_]+/m.exec(err.message);
  if (status?.[1] !== undefined && status[1].trim() !== '') return status[1].trim();
  const state =
    /Compute pool node\(s\) are being provisioned|Pending scheduling|Waiting to start|Readiness probe is failing[^\n]*|Failed to pull image|not (?:yet )?(?:running|started|ready)|suspended/i.exec(
      err.message,
    );
  return state === null && err.code !== '391213' ? null : (state?.[0] ?? err.message.split('\n')[0] ?? 'not running');
}

const historyLine = (l: LogLine): string =>
  `${
    l.timestamp
      ?.toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z') ?? ''
  }${l.instanceId === null ? '' : ` [${l.instanceId}]`} ${l.log}`.trim();

async function historyOf(deps: ObserveDeps, name: QualifiedName, req: LogRequest): Promise<string[]> {
  const rows = await getServiceLogHistory(deps.snowflake, name, { container: req.container, limit: req.lines });
  return rows.reverse().map(historyLine);
}

/** A service the bot cannot see: if it was dropped, its lines are still in the account event table. */
async function goneServiceLogs(deps: ObserveDeps, req: LogRequest): Promise<LogView | EphemeralMessage> {
  const display = displayArg(req.service);
  const notFound = `:mag: Service ${inlineCode(display)} was not found or not authorized.`;
  // The event table is keyed by database, schema and name: a bare name could mix up services.
  if (req.service.kind !== 'qualified') {
    return notice(
      `${notFound} If it was dropped, give its full name (DATABASE.SCHEMA.SERVICE) to read its logs from the event table; see the services the bot can see with ${inlineCode('/spcs list')}.`,
    );
  }
  const found = await getLogsFromEventTable(deps.snowflake, req.service.name, { container: req.container, limit: req.lines });
  switch (found.state) {
    case 'no_event_table':
      return notice(
        `${notFound} The account has no event table (EVENT_TABLE), so a dropped service leaves no logs to read. See ${inlineCode('/spcs list')}.`,
      );
    case 'no_warehouse':
      return notice(
        `${notFound} If it was dropped, its logs are in the event table ${inlineCode(found.table)}, but reading a table needs a warehouse and the bot's Snowflake connection has none. ` +
          `Set ${inlineCode('SNOWFLAKE_WAREHOUSE')} (or ${inlineCode('warehouse')} in its connections.toml entry) to a warehouse the bot's role may use.`,
      );
    case 'ok':
      if (found.lines.length === 0) {
        return notice(
          `${notFound} The event table ${inlineCode(found.table)} has no ${inlineCode(req.container)} logs for it in the last ${found.days} days. ` +
            `See the services the bot can see with ${inlineCode('/spcs list')}.`,
        );
      }
      return {
        service: display,
        container: req.container,
        source: 'event_table',
        gone: true,
        days: found.days,
        lines: [...found.lines].reverse().map(historyLine),
      };
  }
}

/** Instance and restarts of the container (SHOW SERVICE CONTAINERS); null when unreadable or not placed yet. */
async function containerState(
  deps: ObserveDeps,
  name: QualifiedName,
  req: LogRequest,
): Promise<LogContainerState | EphemeralMessage | null> {
  const rows = await listServiceContainers(deps.snowflake, name).catch(() => null);
  const mine = (rows ?? []).filter((c) => c.containerName === req.container && c.instanceId !== null);
  const instances = [...new Set(mine.map((c) => c.instanceId ?? ''))].sort((a, b) => Number(a) - Number(b));
  if (instances.length === 0) return null;
  const instanceId = req.instance ?? instances[0] ?? '0';
  const row = mine.find((c) => c.instanceId === instanceId);
  if (row === undefined) {
    return notice(
      `Instance ${inlineCode(instanceId)} of ${inlineCode(name.toString())} runs no ${inlineCode(req.container)} container. Instances: ${instances.map(inlineCode).join(', ')}.`,
    );
  }
  return { instanceId, instances, restartCount: row.restartCount ?? 0, lastExitCode: row.lastExitCode };
}

/** Live lines when the container runs; its history when asked or when it does not run; the event table when the service is gone. */
export async function loadLogs(deps: ObserveDeps, req: LogRequest): Promise<LogView | EphemeralMessage> {
  const display = displayArg(req.service);
  const resolved = await resolveService(deps.snowflake, req.service);
  if (resolved.state === 'ambiguous') {
    return notice(
      `Several services are called ${inlineCode(display)}: ${resolved.candidates.map((c) => inlineCode(c.toString())).join(', ')}. Give the full name.`,
    );
  }
  if (resolved.state === 'missing') return goneServiceLogs(deps, req);
  const service = resolved.name.toString();
  if (req.history) return { service, container: req.container, source: 'history', lines: await historyOf(deps, resolved.name, req) };
  const state = await containerState(deps, resolved.name, req);
  if (state !== null && 'blocks' in state) return state;
  // Snowflake takes retrieve_previous_logs only after at least one restart.
  const previous = req.previous && state !== null && state.restartCount > 0;
  const base = {
    service,
    container: req.container,
    requestedLines: req.lines,
    ...(state === null ? {} : { state }),
    ...(req.previous && !previous ? { noPrevious: true } : {}),
  };
  try {
    const text = await getServiceLogs(deps.snowflake, resolved.name, {
      container: req.container,
      lines: req.lines,
      instanceId: state?.instanceId ?? req.instance ?? '0',
      previous,
    });
    const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    return { ...base, source: previous ? 'previous' : 'live', lines };
  } catch (err) {
    const reason = notRunningReason(err);
    if (reason === null) throw err;
    return { service, container: req.container, source: 'history', notRunning: reason, lines: await historyOf(deps, resolved.name, req) };
  }
}

/** Renders the logs, or uploads them as a file when asked (`--file`). */
export async function showLogs(deps: ObserveDeps, req: LogRequest, target: UploadTarget | null): Promise<EphemeralMessage | null> {
  const loaded = await loadLogs(deps, req);
  if (!('source' in loaded)) return loaded;
  if (!req.file || target === null || loaded.lines.length === 0) return buildLogMessage(loaded, { fileHint: FILE_HINT });
  const which = loaded.source === 'previous' ? '-previous' : '';
  const safeName = `${loaded.service}-${loaded.container}${which}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
  return uploadFile(
    target,
    {
      filename: `${safeName}.log`,
      title: `Logs: ${loaded.service} / ${loaded.container}${loaded.source === 'previous' ? ' (previous container)' : ''}`,
      comment: `Last ${loaded.lines.length} lines of ${loaded.container} in ${loaded.service}.`,
      bytes: Buffer.from(logFileText(loaded)),
    },
    deps.logger,
  );
}

/** `/spcs logs`: live container logs, the previous container, history, or the event table after a drop. */
export function createLogsCommand(deps: ObserveDeps): Subcommand {
  return {
    name: 'logs',
    usage: LOGS_USAGE,
    summary:
      'Show a container’s log: model-inference by default, or proxy; `--previous` for the container before its last restart (where an OOM kill shows); history when it is not running; the event table once the service is gone.',
    examples: [
      '/spcs logs ML_DB.SERVING.IRIS_SVC',
      EXAMPLE,
      '/spcs logs IRIS_SVC --previous',
      '/spcs logs IRIS_SVC --instance 1',
      '/spcs logs IRIS_SVC --history',
      '/spcs logs IRIS_SVC --lines 1000 --file',
    ],
    async run({ ack, argv, respond, client, command }) {
      const parsed = parseLogArgs(argv);
      if (!parsed.ok) return ack(usageError(parsed.message, LOGS_USAGE, EXAMPLE));
      await ack();
      await replyAfterAck(deps, respond, 'read the logs', () => showLogs(deps, parsed.value, { client, channel: command.channel_id }));
    },
  };
}
