import { z } from 'zod';
import type { QueryRunner } from './client.js';
import { jsonStringArray, nullableBoolean, nullableNumber, nullableText, optionalText, text, timestamp } from './columns.js';
import { isSnowflakeError } from './errors.js';
import type { Identifier, QualifiedName } from './identifiers.js';
import { int, literal, sql, type Sql } from './sql.js';
import { PRIVATELINK_HOST_MARK } from './connection-config.js';

/** Services: find, list, inspect (containers, instances, endpoints, spec) and operate. */

export const SERVICE_STATUSES = [
  'PENDING',
  'RUNNING',
  'FAILED',
  'DONE',
  'SUSPENDING',
  'SUSPENDED',
  'DELETING',
  'DELETED',
  'INTERNAL_ERROR',
] as const;

const ServiceRow = z.object({
  name: text,
  status: text,
  database_name: text,
  schema_name: text,
  owner: nullableText,
  compute_pool: text,
  dns_name: nullableText,
  current_instances: nullableNumber,
  target_instances: nullableNumber,
  min_ready_instances: nullableNumber,
  min_instances: nullableNumber,
  max_instances: nullableNumber,
  auto_resume: nullableBoolean,
  external_access_integrations: jsonStringArray.catch([]),
  created_on: timestamp,
  updated_on: timestamp,
  resumed_on: timestamp,
  suspended_on: timestamp,
  auto_suspend_secs: nullableNumber,
  comment: nullableText,
  owner_role_type: nullableText,
  query_warehouse: optionalText,
  is_job: nullableBoolean,
  is_async_job: nullableBoolean,
  spec_digest: nullableText,
  is_upgrading: nullableBoolean,
  managing_object_domain: optionalText,
  managing_object_name: optionalText,
});

export interface ServiceInfo {
  readonly name: string;
  /** PENDING, RUNNING, FAILED, DONE, SUSPENDING, SUSPENDED, DELETING, DELETED, INTERNAL_ERROR. */
  readonly status: string;
  readonly databaseName: string;
  readonly schemaName: string;
  readonly owner: string | null;
  readonly computePool: string;
  readonly dnsName: string | null;
  readonly currentInstances: number | null;
  readonly targetInstances: number | null;
  readonly minReadyInstances: number | null;
  readonly minInstances: number | null;
  readonly maxInstances: number | null;
  readonly autoResume: boolean | null;
  readonly autoSuspendSecs: number | null;
  readonly externalAccessIntegrations: readonly string[];
  readonly comment: string | null;
  readonly queryWarehouse: string | null;
  /** Job services (MODEL_BUILD_…) rather than long-running ones. */
  readonly isJob: boolean;
  readonly isUpgrading: boolean;
  readonly specDigest: string | null;
  readonly createdOn: Date | null;
  readonly updatedOn: Date | null;
  readonly resumedOn: Date | null;
  readonly suspendedOn: Date | null;
}

function toService(r: z.infer<typeof ServiceRow>): ServiceInfo {
  return {
    name: r.name,
    status: r.status.toUpperCase(),
    databaseName: r.database_name,
    schemaName: r.schema_name,
    owner: r.owner,
    computePool: r.compute_pool,
    dnsName: r.dns_name,
    currentInstances: r.current_instances,
    targetInstances: r.target_instances,
    minReadyInstances: r.min_ready_instances,
    minInstances: r.min_instances,
    maxInstances: r.max_instances,
    autoResume: r.auto_resume,
    autoSuspendSecs: r.auto_suspend_secs,
    externalAccessIntegrations: r.external_access_integrations,
    comment: r.comment,
    queryWarehouse: r.query_warehouse,
    isJob: r.is_job === true,
    isUpgrading: r.is_upgrading === true,
    specDigest: r.spec_digest,
    createdOn: r.created_on,
    updatedOn: r.updated_on,
    resumedOn: r.resumed_on,
    suspendedOn: r.suspended_on,
  };
}

/** 002003 on the container means "not there" for lookups, not a failure. */
async function orNullWhenMissing<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (err) {
    if (isSnowflakeError(err) && err.kind === 'not_found') return null;
    throw err;
  }
}

/**
 * Finds a service by exact name (`service` is DB.SCHEMA.SERVICE), as snowflake-ml-python does:
 * SHOW SERVICES IN SCHEMA … STARTS WITH '<name>', then an exact match on `name`. Returns null when
 * the service, or its schema, does not exist (or this role cannot see it).
 */
export async function findService(db: QueryRunner, service: QualifiedName): Promise<ServiceInfo | null> {
  const name = service.name.name;
  const rows = await orNullWhenMissing(
    db.query(sql`SHOW SERVICES IN SCHEMA ${service.container} STARTS WITH ${literal(name)}`.repeatable(), ServiceRow),
  );
  const row = rows?.find((r) => r.name === name);
  return row === undefined ? null : toService(row);
}

export type ServiceScope = { readonly schema: QualifiedName } | { readonly database: Identifier };

/** Services in a schema (DB.SCHEMA) or a whole database, job services included (see `isJob`). */
export async function listServices(db: QueryRunner, scope: ServiceScope): Promise<ServiceInfo[]> {
  const statement =
    'schema' in scope
      ? sql`SHOW SERVICES IN SCHEMA ${scope.schema}`.requires(`USAGE ON SCHEMA ${scope.schema.sql}`)
      : sql`SHOW SERVICES IN DATABASE ${scope.database}`.requires(`USAGE ON DATABASE ${scope.database.sql}`);
  const rows = await db.query(statement.repeatable(), ServiceRow);
  return rows.map(toService);
}

const ContainerRow = z.object({
  database_name: text,
  schema_name: text,
  service_name: text,
  service_status: text,
  instance_id: optionalText,
  instance_status: optionalText,
  container_name: optionalText,
  status: optionalText,
  message: nullableText,
  image_name: nullableText,
  image_digest: nullableText,
  restart_count: nullableNumber,
  start_time: z.preprocess((v) => (v instanceof Date ? v.toISOString() : v), optionalText),
  last_exit_code: nullableNumber,
});

export interface ServiceContainer {
  readonly serviceName: string;
  readonly serviceStatus: string;
  /** Null while the service is SUSPENDED or PENDING (no instance yet). */
  readonly instanceId: string | null;
  readonly instanceStatus: string | null;
  readonly containerName: string | null;
  /** PENDING, READY, DONE, FAILED, UNKNOWN. */
  readonly status: string | null;
  readonly message: string | null;
  readonly imageName: string | null;
  readonly imageDigest: string | null;
  readonly restartCount: number | null;
  readonly startTime: string | null;
  readonly lastExitCode: number | null;
}

/** SHOW SERVICE CONTAINERS IN SERVICE. Throws not_found if the service does not exist. */
export async function listServiceContainers(db: QueryRunner, service: QualifiedName): Promise<ServiceContainer[]> {
  const rows = await db.query(
    sql`SHOW SERVICE CONTAINERS IN SERVICE ${service}`.repeatable().requires(`MONITOR ON SERVICE ${service.sql}`),
    ContainerRow,
  );
  return rows.map((r) => ({
    serviceName: r.service_name,
    serviceStatus: r.service_status.toUpperCase(),
    instanceId: r.instance_id,
    instanceStatus: r.instance_status,
    containerName: r.container_name,
    status: r.status,
    message: r.message,
    imageName: r.image_name,
    imageDigest: r.image_digest,
    restartCount: r.restart_count,
    startTime: r.start_time,
    lastExitCode: r.last_exit_code,
  }));
}

const InstanceRow = z.object({
  service_name: text,
  service_status: text,
  instance_id: text,
  status: text,
  spec_digest: nullableText,
  creation_time: z.preprocess((v) => (v instanceof Date ? v.toISOString() : v), optionalText),
  start_time: z.preprocess((v) => (v instanceof Date ? v.toISOString() : v), optionalText),
});

export interface ServiceInstance {
  readonly serviceName: string;
  readonly serviceStatus: string;
  readonly instanceId: string;
  /** PENDING, READY, FAILED, TERMINATING, SUCCEEDED. */
  readonly status: string;
  readonly specDigest: string | null;
  readonly creationTime: string | null;
  readonly startTime: string | null;
}

export async function listServiceInstances(db: QueryRunner, service: QualifiedName): Promise<ServiceInstance[]> {
  const rows = await db.query(
    sql`SHOW SERVICE INSTANCES IN SERVICE ${service}`.repeatable().requires(`MONITOR ON SERVICE ${service.sql}`),
    InstanceRow,
  );
  return rows.map((r) => ({
    serviceName: r.service_name,
    serviceStatus: r.service_status.toUpperCase(),
    instanceId: r.instance_id,
    status: r.status,
    specDigest: r.spec_digest,
    creationTime: r.creation_time,
    startTime: r.start_time,
  }));
}

const EndpointRow = z.object({
  name: text,
  port: nullableNumber,
  port_range: optionalText,
  protocol: nullableText,
  is_public: nullableBoolean,
  ingress_url: optionalText,
  /** Only on Business Critical accounts (SHOW ENDPOINTS docs); absent elsewhere. */
  privatelink_ingress_url: optionalText,
});

export interface ServiceEndpoint {
  readonly name: string;
  readonly port: number | null;
  readonly portRange: string | null;
  readonly protocol: string | null;
  readonly isPublic: boolean;
  readonly ingressUrl: string | null;
  /** Present on Business Critical accounts only. */
  readonly privatelinkIngressUrl?: string | null;
}

export async function listServiceEndpoints(db: QueryRunner, service: QualifiedName): Promise<ServiceEndpoint[]> {
  const rows = await db.query(
    sql`SHOW ENDPOINTS IN SERVICE ${service}`.repeatable().requires(`USAGE ON SERVICE ${service.sql}`),
    EndpointRow,
  );
  return rows.map((r) => ({
    name: r.name,
    port: r.port,
    portRange: r.port_range,
    protocol: r.protocol,
    isPublic: r.is_public === true,
    ingressUrl: r.ingress_url,
    privatelinkIngressUrl: r.privatelink_ingress_url,
  }));
}

export const INFERENCE_ENDPOINT = 'inference';

export type InferenceEndpoint =
  /** `url` is https://<host>; POST to `${url}/<method with _ as ->`. */
  | { readonly state: 'ready'; readonly host: string; readonly url: string; readonly port: number | null }
  /** Ingress is being set up; `message` is Snowflake's text ("Endpoints provisioning in progress..."). */
  | { readonly state: 'provisioning'; readonly message: string | null }
  /** No `inference` endpoint, or it is not public (ingress disabled). */
  | { readonly state: 'absent' };

const hostOf = (raw: string) => raw.replace(/^https?:\/\//i, '').replace(/\/+$/, '');

/**
 * Reads an endpoint list the way snowflake-ml-python does (model_ops.py show_services): ready only
 * once the host ends with snowflakecomputing.app; over a PrivateLink connection, the
 * `privatelink_ingress_url` instead when it is there and contains `privatelink.snowflake`.
 */
export function inferenceEndpointOf(endpoints: readonly ServiceEndpoint[], privateLink = false): InferenceEndpoint {
  const endpoint = endpoints.find((e) => e.name.toLowerCase() === INFERENCE_ENDPOINT);
  if (endpoint === undefined || !endpoint.isPublic) return { state: 'absent' };
  const privateHost = hostOf(endpoint.privatelinkIngressUrl?.trim() ?? '');
  if (privateLink && privateHost.toLowerCase().includes(PRIVATELINK_HOST_MARK) && /^[A-Za-z0-9.-]+$/.test(privateHost)) {
    return { state: 'ready', host: privateHost, url: `https://${privateHost}`, port: endpoint.port };
  }
  const raw = endpoint.ingressUrl?.trim() ?? '';
  const host = hostOf(raw);
  if (/^[A-Za-z0-9.-]+\.snowflakecomputing\.app$/i.test(host)) {
    return { state: 'ready', host, url: `https://${host}`, port: endpoint.port };
  }
  return { state: 'provisioning', message: raw === '' ? null : raw };
}

/** The `inference` endpoint, by the URL callers on this connection use (PrivateLink or public). */
export async function getInferenceEndpoint(db: QueryRunner, service: QualifiedName): Promise<InferenceEndpoint> {
  return inferenceEndpointOf(await listServiceEndpoints(db, service), db.privateLink === true);
}

const DescribeRow = ServiceRow.extend({ spec: nullableText });

export interface ServiceDescription extends ServiceInfo {
  /** The service specification YAML. */
  readonly spec: string | null;
}

/** DESCRIBE SERVICE; null when it does not exist (or this role cannot see it). */
export async function describeService(db: QueryRunner, service: QualifiedName): Promise<ServiceDescription | null> {
  const rows = await orNullWhenMissing(
    db.query(sql`DESCRIBE SERVICE ${service}`.repeatable().requires(`MONITOR ON SERVICE ${service.sql}`), DescribeRow),
  );
  const row = rows?.[0];
  return row === undefined ? null : { ...toService(row), spec: row.spec };
}

const StatusRow = z.object({ status: text });

async function statusOf(db: QueryRunner, statement: Sql): Promise<string> {
  const rows = await db.query(statement, StatusRow);
  return rows[0]?.status ?? '';
}

/** The statement texts a service change sends, built once so the approval can hash them (issue 13). */
export function suspendServiceStatement(service: QualifiedName): Sql {
  return sql`ALTER SERVICE ${service} SUSPEND`.repeatable().requires(`OPERATE ON SERVICE ${service.sql}`);
}

export function resumeServiceStatement(service: QualifiedName): Sql {
  return sql`ALTER SERVICE ${service} RESUME`.repeatable().requires(`OPERATE ON SERVICE ${service.sql}`);
}

export function suspendService(db: QueryRunner, service: QualifiedName): Promise<string> {
  return statusOf(db, suspendServiceStatement(service));
}

export function resumeService(db: QueryRunner, service: QualifiedName): Promise<string> {
  return statusOf(db, resumeServiceStatement(service));
}

/** Runs one statement built here whose answer is a `status` row (ALTER, DROP, CREATE). */
export function runStatusStatement(db: QueryRunner, statement: Sql): Promise<string> {
  return statusOf(db, statement);
}

/** Checks instance bounds; returns problems a person can act on (empty when fine). */
export function checkInstanceBounds(bounds: { readonly min: number; readonly max: number }): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(bounds.min) || bounds.min < 0) problems.push('Min instances: a whole number, 0 or more');
  if (!Number.isInteger(bounds.max) || bounds.max < 1) problems.push('Max instances: a whole number of at least 1');
  if (bounds.max < bounds.min) problems.push('Max instances: must be at least min instances');
  return problems;
}

/**
 * The MIN_READY_INSTANCES a new MIN_INSTANCES needs, or undefined to leave it alone. Snowflake
 * requires MIN_READY_INSTANCES <= MIN_INSTANCES (docs: CREATE SERVICE), so lowering the minimum
 * below the service's current min_ready_instances (SHOW SERVICES) would fail; lowering both in the
 * same ALTER to the new minimum keeps the closest valid readiness threshold.
 */
export function minReadyFor(newMin: number, currentMinReady: number | null): number | undefined {
  return currentMinReady !== null && currentMinReady > newMin ? newMin : undefined;
}

/** Ownership is what SET needs (docs: ALTER SERVICE, "Access control requirements"); SUSPEND / RESUME need OPERATE. */
const SET_PROPERTIES = (service: QualifiedName) => `OWNERSHIP ON SERVICE ${service.sql}`;

/** ALTER SERVICE … SET MIN_INSTANCES = n MAX_INSTANCES = n [MIN_READY_INSTANCES = n]. Throws RangeError on invalid bounds. */
export function setServiceInstancesStatement(
  service: QualifiedName,
  bounds: { readonly min: number; readonly max: number; readonly minReady?: number | undefined },
): Sql {
  const problems = checkInstanceBounds(bounds);
  const minReady = bounds.minReady;
  if (minReady !== undefined && (!Number.isInteger(minReady) || minReady < 0 || minReady > bounds.min)) {
    problems.push('Min ready instances: a whole number, at most min instances');
  }
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const statement =
    minReady === undefined
      ? sql`ALTER SERVICE ${service} SET MIN_INSTANCES = ${int(bounds.min)} MAX_INSTANCES = ${int(bounds.max)}`
      : sql`ALTER SERVICE ${service} SET MIN_INSTANCES = ${int(bounds.min)} MAX_INSTANCES = ${int(bounds.max)} MIN_READY_INSTANCES = ${int(minReady)}`;
  return statement.repeatable().requires(SET_PROPERTIES(service));
}

/** Runs setServiceInstancesStatement; rejects with RangeError on invalid bounds. */
export function setServiceInstances(
  db: QueryRunner,
  service: QualifiedName,
  bounds: { readonly min: number; readonly max: number; readonly minReady?: number | undefined },
): Promise<string> {
  try {
    return statusOf(db, setServiceInstancesStatement(service, bounds));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Snowflake's AUTO_SUSPEND_SECS for a service: 0 (off) or at least this (docs: ALTER SERVICE, "300 seconds or more"). */
export const MIN_AUTO_SUSPEND_SECS = 300;

/** Null when Snowflake accepts `seconds` as AUTO_SUSPEND_SECS, else the problem to show. */
export function checkAutoSuspendSeconds(seconds: number): string | null {
  if (!Number.isInteger(seconds) || seconds < 0) return 'Auto-suspend: a whole number of seconds, 0 or more (0 turns it off)';
  if (seconds > 0 && seconds < MIN_AUTO_SUSPEND_SECS) {
    return `Auto-suspend: 0 (off) or at least ${MIN_AUTO_SUSPEND_SECS} seconds; Snowflake refuses 1 to ${MIN_AUTO_SUSPEND_SECS - 1}`;
  }
  return null;
}

/** ALTER SERVICE … SET AUTO_SUSPEND_SECS = n (0 turns auto-suspend off). Throws RangeError on a value Snowflake refuses. */
export function setServiceAutoSuspendStatement(service: QualifiedName, seconds: number): Sql {
  const problem = checkAutoSuspendSeconds(seconds);
  if (problem !== null) throw new RangeError(problem);
  return sql`ALTER SERVICE ${service} SET AUTO_SUSPEND_SECS = ${int(seconds)}`.repeatable().requires(SET_PROPERTIES(service));
}

/** Runs setServiceAutoSuspendStatement; rejects with RangeError on a value Snowflake refuses. */
export function setServiceAutoSuspend(db: QueryRunner, service: QualifiedName, seconds: number): Promise<string> {
  try {
    return statusOf(db, setServiceAutoSuspendStatement(service, seconds));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** DROP SERVICE [IF EXISTS]. Never retried. */
export function dropServiceStatement(service: QualifiedName, options: { readonly ifExists?: boolean } = {}): Sql {
  const statement = options.ifExists === true ? sql`DROP SERVICE IF EXISTS ${service}` : sql`DROP SERVICE ${service}`;
  return statement.requires(`OWNERSHIP ON SERVICE ${service.sql}`);
}

export function dropService(db: QueryRunner, service: QualifiedName, options: { readonly ifExists?: boolean } = {}): Promise<string> {
  return statusOf(db, dropServiceStatement(service, options));
}
