import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { QueryRunner } from './client.js';
import { nullableNumber, nullableText, optionalText, text, timestamp } from './columns.js';
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
}

/**
 * The latest lines of one container's log (SYSTEM$GET_SERVICE_LOGS), newline-joined. Defaults:
 * instance "0", container model-inference, 100 lines. Fails while the container is not running.
 */
export async function getServiceLogs(db: QueryRunner, service: QualifiedName, request: LiveLogRequest = {}): Promise<string> {
  const lines = request.lines ?? 100;
  checkLimit(lines, 'Lines');
  const rows = await db.query(
    sql`CALL SYSTEM$GET_SERVICE_LOGS(${bind(service.sql)}, ${bind(request.instanceId ?? '0')}, ${bind(
      request.container ?? INFERENCE_CONTAINER,
    )}, ${bind(lines)})`
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
   * container.memory.limit, container.gpu.limit and *.requested.
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
  container_name: nullableText,
  log: z.preprocess((v) => v ?? '', z.string()),
});

/**
 * Logs of a service straight from an event table, newest first; works after the service is dropped.
 * `serviceName` is the service's own name as Snowflake stores it (e.g. MY_SERVICE).
 */
export async function getEventTableLogs(
  db: QueryRunner,
  eventTable: QualifiedName,
  serviceName: string,
  request: { readonly limit?: number } = {},
): Promise<LogLine[]> {
  const limit = request.limit ?? 100;
  checkLimit(limit, 'Limit');
  const rows = await db.query(
    sql`SELECT timestamp, resource_attributes:"snow.service.container.name"::string AS container_name, value::string AS log FROM ${eventTable} WHERE resource_attributes:"snow.service.name" = ${bind(
      serviceName,
    )} AND record_type = 'LOG' ORDER BY timestamp DESC LIMIT ${int(limit)}`
      .repeatable()
      .requires(`SELECT ON EVENT TABLE ${eventTable.sql}`),
    EventLogRow,
  );
  return rows.map((r) => ({ timestamp: r.timestamp, instanceId: null, containerName: r.container_name, log: r.log }));
}

/**
 * Fallback for a service that is gone: finds the event table and reads the service's logs there.
 * Null when the account has no event table.
 */
export async function getLogsFromEventTable(
  db: QueryRunner,
  service: QualifiedName,
  request: { readonly limit?: number } = {},
): Promise<LogLine[] | null> {
  const table = await findEventTable(db);
  return table === null ? null : getEventTableLogs(db, table, service.name.name, request);
}
