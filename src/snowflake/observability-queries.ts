import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { QueryRunner } from './client.js';
import { nullableNumber, nullableText, optionalText, text, timestamp } from './columns.js';
import { isSnowflakeError } from './errors.js';
import { requireQualifiedName, type QualifiedName } from './identifiers.js';
import { bind, int, sql } from './sql.js';

/**
 * Logs and metrics of a service: live container logs, the history kept in the event table (through
 * the service's SPCS_GET_LOGS / SPCS_GET_METRICS table functions), and the raw event table for
 * services that no longer exist.
 */

export const INFERENCE_CONTAINER = 'model-inference';
export const BUILD_CONTAINER = 'model-build';
const MAX_LINES = 10_000;

function checkLimit(limit: number, field: string): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LINES) {
    throw new RangeError(`${field}: a whole number from 1 to ${MAX_LINES}`);
  }
}

const LiveLogRow = z.object({ system$get_service_logs: optionalText });

export interface LiveLogRequest {
  readonly instanceId?: string;
  readonly container?: string;
  readonly lines?: number;
  /** The container before its last restart (retrieve_previous_logs); only after at least one restart. */
  readonly previous?: boolean;
}

/**
 * The latest lines of one container's log (SYSTEM$GET_SERVICE_LOGS), newline-joined. Defaults:
 * instance "0", container model-inference, 100 lines. Fails while the container is not running.
 * With `previous`, the fifth argument retrieve_previous_logs is TRUE: the log of the container
 * that ended at the last restart (docs: sql-reference/functions/system_get_service_logs).
 */
export async function getServiceLogs(db: QueryRunner, service: QualifiedName, request: LiveLogRequest = {}): Promise<string> {
  const lines = request.lines ?? 100;
  checkLimit(lines, 'Lines');
  const args = sql`${bind(service.sql)}, ${bind(request.instanceId ?? '0')}, ${bind(request.container ?? INFERENCE_CONTAINER)}, ${bind(lines)}`;
  const rows = await db.query(
    (request.previous === true ? sql`CALL SYSTEM$GET_SERVICE_LOGS(${args}, ${bind(true)})` : sql`CALL SYSTEM$GET_SERVICE_LOGS(${args})`)
      .repeatable()
      .requires(`MONITOR ON SERVICE ${service.sql}`),
    LiveLogRow,
  );
  return rows[0]?.system$get_service_logs ?? '';
}

export interface LogLine {
  readonly timestamp: Date | null;
  readonly instanceId: string | null;
  readonly containerName: string | null;
  readonly log: string;
}

const HistoryRow = z.object({
  timestamp,
  instance_id: z.preprocess((v) => (v === undefined ? null : v), z.union([z.string(), z.number().transform(String)]).nullable()),
  container_name: nullableText,
  log: z.preprocess((v) => v ?? '', z.string()),
});

/** Log history from the event table via <svc>!SPCS_GET_LOGS(), newest first. */
export async function getServiceLogHistory(
  db: QueryRunner,
  service: QualifiedName,
  request: { readonly container?: string; readonly limit?: number } = {},
): Promise<LogLine[]> {
  const limit = request.limit ?? 100;
  checkLimit(limit, 'Limit');
  const rows = await db.query(
    sql`SELECT timestamp, instance_id, container_name, log FROM TABLE(${service}!SPCS_GET_LOGS()) WHERE container_name = ${bind(
      request.container ?? INFERENCE_CONTAINER,
    )} ORDER BY timestamp DESC LIMIT ${int(limit)}`
      .repeatable()
      .requires(`MONITOR ON SERVICE ${service.sql}`),
    HistoryRow,
  );
  return rows.map((r) => ({ timestamp: r.timestamp, instanceId: r.instance_id, containerName: r.container_name, log: r.log }));
}

export interface MetricPoint {
  readonly timestamp: Date | null;
  /**
   * Platform metrics (monitoring-services): `system` group container.cpu.usage (cores),
   * container.memory.usage (bytes), container.gpu.utilization (ratio 0–1 per GPU),
   * container.gpu.memory.usage (bytes per GPU); `system_limits` group container.cpu.limit,
   * container.memory.limit, container.gpu.limit, *.requested and container.gpu.memory.capacity.
   */
  readonly metricName: string;
  readonly value: number | null;
  readonly unit: string | null;
  readonly instanceId?: string | null;
  readonly containerName: string | null;
}

const MetricRow = z.object({
  timestamp,
  metric_name: text,
  // VALUE is VARCHAR (sql-reference/functions/spcs_get_metrics); nullableNumber reads numeric text.
  value: nullableNumber,
  unit: nullableText,
  instance_id: nullableText,
  container_name: nullableText,
});

/**
 * Platform metrics of the last hour via <svc>!SPCS_GET_METRICS(), oldest first. Empty unless the
 * service's spec has `platformMonitor` (see platformMonitorGroups).
 */
export async function getServiceMetrics(db: QueryRunner, service: QualifiedName): Promise<MetricPoint[]> {
  const rows = await db.query(
    sql`SELECT timestamp, metric_name, value, unit, instance_id, container_name FROM TABLE(${service}!SPCS_GET_METRICS(START_TIME => DATEADD('hour', -1, CURRENT_TIMESTAMP()))) ORDER BY timestamp`
      .repeatable()
      .requires(`MONITOR ON SERVICE ${service.sql}`),
    MetricRow,
  );
  return rows.map((r) => ({
    timestamp: r.timestamp,
    metricName: r.metric_name,
    value: r.value,
    unit: r.unit,
    instanceId: r.instance_id,
    containerName: r.container_name,
  }));
}

export interface PlatformEvent {
  readonly timestamp: Date | null;
  /** INFO or ERROR (RECORD:severity_text). */
  readonly severity: string | null;
  /** e.g. CONTAINER.STATUS_CHANGE, SERVICE.STATUS_CHANGE (RECORD:name). */
  readonly eventName: string;
  /** VALUE:message, e.g. "Container was OOMKilled due to resource usage", "Failed to pull image". */
  readonly message: string | null;
  /** VALUE:status, e.g. FAILED, PENDING. */
  readonly status: string | null;
  readonly instanceId: string | null;
  readonly containerName: string | null;
}

/** An OBJECT column: the driver hands it over parsed, or as JSON text. */
const objectColumn = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v ?? {};
    try {
      const parsed: unknown = JSON.parse(v);
      return parsed;
    } catch {
      return {};
    }
  },
  z.object({ message: z.string().nullish(), status: z.string().nullish() }).catch({}),
);

const EventRow = z.object({
  timestamp,
  severity: nullableText,
  event_name: text,
  event_details: objectColumn,
  instance_id: nullableText,
  container_name: nullableText,
});

/**
 * The platform events Snowflake recorded for a service in the last `hours` hours via
 * <svc>!SPCS_GET_EVENTS(), newest first: container status changes with their documented messages
 * (docs: sql-reference/functions/spcs_get_events; monitoring-services "Supported events"), as
 * snowflake-cli's `snow spcs service events` reads them.
 */
export async function getServiceEvents(
  db: QueryRunner,
  service: QualifiedName,
  request: { readonly hours?: number; readonly limit?: number } = {},
): Promise<PlatformEvent[]> {
  const limit = request.limit ?? 100;
  checkLimit(limit, 'Limit');
  const hours = request.hours ?? 24;
  if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 14) throw new RangeError('Hours: a whole number from 1 to 336');
  const rows = await db.query(
    sql`SELECT timestamp, severity, event_name, event_details, instance_id, container_name FROM TABLE(${service}!SPCS_GET_EVENTS(START_TIME => DATEADD('hour', ${int(
      -hours,
    )}, CURRENT_TIMESTAMP()))) ORDER BY timestamp DESC LIMIT ${int(limit)}`
      .repeatable()
      .requires(`MONITOR ON SERVICE ${service.sql}`),
    EventRow,
  );
  return rows.map((r) => ({
    timestamp: r.timestamp,
    severity: r.severity,
    eventName: r.event_name,
    message: r.event_details.message ?? null,
    status: r.event_details.status ?? null,
    instanceId: r.instance_id,
    containerName: r.container_name,
  }));
}

const PlatformMonitorSpec = z.object({
  spec: z.object({
    platformMonitor: z.object({ metricConfig: z.object({ groups: z.array(z.string()) }).nullish() }).nullish(),
  }),
});

/**
 * The metric groups a service spec (DESCRIBE SERVICE `spec`) asks Snowflake to collect:
 * `spec.platformMonitor.metricConfig.groups`, or null when the spec has no platformMonitor, so no
 * platform metrics are recorded at all. An unreadable spec counts as none.
 */
export function platformMonitorGroups(specYaml: string | null): string[] | null {
  if (specYaml === null || specYaml.trim() === '') return null;
  let doc: unknown;
  try {
    doc = parseYaml(specYaml);
  } catch {
    return null;
  }
  const parsed = PlatformMonitorSpec.safeParse(doc);
  const groups = parsed.success ? parsed.data.spec.platformMonitor?.metricConfig?.groups : undefined;
  return groups === undefined ? null : groups;
}

const ParameterRow = z.object({
  key: text,
  value: optionalText,
  default: optionalText,
  level: optionalText,
});

/** The account's active event table (SHOW PARAMETERS LIKE 'EVENT_TABLE' IN ACCOUNT), or null when none is set. */
export async function findEventTable(db: QueryRunner): Promise<QualifiedName | null> {
  const rows = await db.query(sql`SHOW PARAMETERS LIKE 'EVENT_TABLE' IN ACCOUNT`.repeatable(), ParameterRow);
  const value = rows.find((r) => r.key.toUpperCase() === 'EVENT_TABLE')?.value ?? null;
  if (value === null || /^none$/i.test(value.trim())) return null;
  return requireQualifiedName(value, 'EVENT_TABLE', 3);
}

const EventLogRow = z.object({
  timestamp,
  instance_id: nullableText,
  container_name: nullableText,
  log: z.preprocess((v) => v ?? '', z.string()),
});

/** How far back the event table is read for a service that is gone. */
export const EVENT_LOG_DAYS = 7;

/** Snowflake's "No active warehouse selected in the current session" (SQL state 57P03). */
const NO_WAREHOUSE = '000606';

export type EventTableLogs =
  | { readonly state: 'ok'; readonly table: string; readonly days: number; readonly lines: LogLine[] }
  /** SHOW PARAMETERS LIKE 'EVENT_TABLE' IN ACCOUNT names none. */
  | { readonly state: 'no_event_table' }
  /** Reading a table needs a warehouse and the session has none (SNOWFLAKE_WAREHOUSE unset). */
  | { readonly state: 'no_warehouse'; readonly table: string };

/**
 * One container's log lines of a service straight from an event table, newest first; works after
 * the service is dropped. Filters on the RESOURCE_ATTRIBUTES Snowflake writes for SPCS
 * (snow.database.name, snow.schema.name, snow.service.name, snow.service.container.name), as
 * snowflake-ml-python's jobs/job.py and snowflake-cli's spcs/common.py do, and on the last
 * `days` days (TIMESTAMP is NTZ in UTC, hence SYSDATE()). `service` must be DB.SCHEMA.NAME.
 */
export async function getEventTableLogs(
  db: QueryRunner,
  eventTable: QualifiedName,
  service: QualifiedName,
  request: { readonly container: string; readonly limit?: number; readonly days?: number },
): Promise<LogLine[]> {
  const [database, schema, name] = service.parts;
  if (database === undefined || schema === undefined || name === undefined || service.parts.length !== 3) {
    throw new RangeError("Event-table logs need the service's full name, DB.SCHEMA.NAME");
  }
  const limit = request.limit ?? 100;
  checkLimit(limit, 'Limit');
  const days = request.days ?? EVENT_LOG_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 365) throw new RangeError('Days: a whole number from 1 to 365');
  const rows = await db.query(
    sql`SELECT timestamp, resource_attributes:"snow.service.instance"::string AS instance_id, resource_attributes:"snow.service.container.name"::string AS container_name, value::string AS log FROM ${eventTable} WHERE resource_attributes:"snow.database.name" = ${bind(
      database.name,
    )} AND resource_attributes:"snow.schema.name" = ${bind(schema.name)} AND resource_attributes:"snow.service.name" = ${bind(
      name.name,
    )} AND resource_attributes:"snow.service.container.name" = ${bind(request.container)} AND record_type = 'LOG' AND timestamp > DATEADD('day', ${int(
      -days,
    )}, SYSDATE()) ORDER BY timestamp DESC LIMIT ${int(limit)}`
      .repeatable()
      .requires(`SELECT ON EVENT TABLE ${eventTable.sql}`),
    EventLogRow,
  );
  return rows.map((r) => ({ timestamp: r.timestamp, instanceId: r.instance_id, containerName: r.container_name, log: r.log }));
}

/**
 * Fallback for a service that is gone: finds the account's event table and reads the service's
 * logs there, or says why it cannot (no event table, no warehouse).
 */
export async function getLogsFromEventTable(
  db: QueryRunner,
  service: QualifiedName,
  request: { readonly container: string; readonly limit?: number; readonly days?: number },
): Promise<EventTableLogs> {
  const table = await findEventTable(db);
  if (table === null) return { state: 'no_event_table' };
  try {
    const lines = await getEventTableLogs(db, table, service, request);
    return { state: 'ok', table: table.toString(), days: request.days ?? EVENT_LOG_DAYS, lines };
  } catch (err) {
    if (isSnowflakeError(err) && err.code === NO_WAREHOUSE) return { state: 'no_warehouse', table: table.toString() };
    throw err;
  }
}
