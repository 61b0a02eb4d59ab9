/**
 * Services: SHOW [JOB] SERVICES, SHOW SERVICE CONTAINERS / INSTANCES, SHOW ENDPOINTS,
 * DESCRIBE SERVICE, ALTER SERVICE, DROP SERVICE, CALL SYSTEM$GET_SERVICE_LOGS
 * (contract rows 10–14, 16–18).
 */
import { SqlError, doesNotExist, invalidValue } from '../errors.js';
import { currentSchema, resolveObjectName, resolveSchemaName } from '../session-context.js';
import { canUseSchema, requireDatabase, requirePrivilege, requireSchema, requireService } from '../spcs/lookup.js';
import { canSee } from '../spcs/privileges.js';
import {
  dropService as dropServiceEngine,
  liveInstances,
  resumeService,
  serviceDisplay,
  serviceKey,
  setInstanceBounds,
  suspendService,
  visibleLines,
} from '../spcs/services.js';
import type { Service } from '../spcs/state.js';
import { displayName, key3 } from '../spcs/state.js';
import type { Statement } from '../sql/ast.js';
import type { QName, Scalar } from '../sql/cursor.js';
import { parseObjectName } from '../sql/names.js';
import { type Exec, type ExecOutcome, done } from './context.js';
import { type Cell, type Column, fixed, flag, likeToRegExp, statusResult, text, tsLtz } from './result.js';
import { privatelinkHost } from '../spcs/network.js';

type Stmt<K extends Statement['kind']> = Extract<Statement, { kind: K }>;

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export const SERVICE_COLUMNS: Column[] = [
  text('name'),
  text('status'),
  text('database_name'),
  text('schema_name'),
  text('owner'),
  text('compute_pool'),
  text('dns_name'),
  fixed('current_instances'),
  fixed('target_instances'),
  fixed('min_ready_instances'),
  fixed('min_instances'),
  fixed('max_instances'),
  text('auto_resume'),
  text('external_access_integrations'),
  tsLtz('created_on'),
  tsLtz('updated_on'),
  tsLtz('resumed_on'),
  tsLtz('suspended_on'),
  fixed('auto_suspend_secs'),
  text('comment'),
  text('owner_role_type'),
  text('query_warehouse'),
  text('is_job'),
  text('is_async_job'),
  text('spec_digest'),
  text('is_upgrading'),
  text('managing_object_domain'),
  text('managing_object_name'),
];

/** The status SHOW SERVICES / SHOW SERVICE CONTAINERS report: a held RESUMING or UPGRADING wins while it lasts. */
export function visibleStatus(x: Exec, svc: Service): string {
  const hold = svc.statusHold;
  return hold !== undefined && x.sim.now() < hold.until ? hold.status : svc.status;
}

function serviceRow(x: Exec, svc: Service): Cell[] {
  const status = visibleStatus(x, svc);
  return [
    svc.name,
    status,
    svc.database,
    svc.schema,
    svc.owner,
    svc.computePool,
    svc.dnsName,
    liveInstances(svc).length,
    svc.isJob ? 1 : svc.status === 'SUSPENDED' ? 0 : svc.targetInstances,
    svc.minReadyInstances,
    svc.minInstances,
    svc.maxInstances,
    flag(svc.autoResume),
    JSON.stringify(svc.externalAccessIntegrations),
    svc.createdOn,
    svc.updatedOn,
    svc.resumedOn,
    svc.suspendedOn,
    svc.autoSuspendSecs,
    svc.comment,
    'ROLE',
    svc.queryWarehouse,
    flag(svc.isJob),
    flag(false),
    svc.specDigest,
    flag(status === 'UPGRADING'),
    null,
    null,
  ];
}

function resolveService(x: Exec, q: QName, command: string): Service {
  const [db, schema, name] = resolveObjectName(
    q.parts.map((p) => p.value),
    x.ctx,
    command,
  );
  return requireService(x.sim, x.ctx.role, db, schema, name);
}

export function showServices(x: Exec, s: Stmt<'showServices'>): ExecOutcome {
  const st = x.sim.state;
  let filter: (svc: Service) => boolean;
  const scope = s.scope;
  if (scope.k === 'schema') {
    const [db, schema] = resolveSchemaName(
      scope.name.parts.map((p) => p.value),
      x.ctx,
      'SHOW SERVICES',
    );
    requireSchema(x.sim, x.ctx.role, db, schema);
    filter = (svc) => svc.database === db && svc.schema === schema;
  } else if (scope.k === 'database') {
    const db = scope.name.parts[0]?.value ?? '';
    requireDatabase(x.sim, x.ctx.role, db);
    filter = (svc) => svc.database === db;
  } else if (scope.k === 'current' && x.ctx.database && x.ctx.schema) {
    const [db, schema] = currentSchema(x.ctx, 'SHOW SERVICES');
    requireSchema(x.sim, x.ctx.role, db, schema);
    filter = (svc) => svc.database === db && svc.schema === schema;
  } else if (scope.k === 'current' && x.ctx.database) {
    const db = x.ctx.database;
    filter = (svc) => svc.database === db;
  } else {
    filter = () => true;
  }
  const like = s.like === undefined ? null : likeToRegExp(s.like, true);
  let rows = [...st.services.values()]
    .filter(filter)
    .filter((svc) => (s.job ? svc.isJob : true))
    .filter((svc) => (like ? like.test(svc.name) : true) && (s.startsWith === undefined || svc.name.startsWith(s.startsWith)))
    .filter((svc) => canUseSchema(x.sim, x.ctx.role, svc.database, svc.schema) && canSee(st, x.ctx.role, 'SERVICE', serviceKey(svc)))
    .sort((a, b) => a.database.localeCompare(b.database) || a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name))
    .map((svc) => serviceRow(x, svc));
  if (s.limit !== undefined) rows = rows.slice(0, s.limit);
  return done({ columns: SERVICE_COLUMNS, rows });
}

function requireMonitor(x: Exec, svc: Service): void {
  requirePrivilege(x.sim, x.ctx.role, ['MONITOR'], 'SERVICE', serviceKey(svc), 'service', serviceDisplay(svc));
}

export function showServiceContainers(x: Exec, s: Stmt<'showServiceContainers'>): ExecOutcome {
  const svc = resolveService(x, s.service, 'SHOW SERVICE CONTAINERS');
  requireMonitor(x, svc);
  const rows: Cell[][] = [];
  const instances = svc.isJob ? svc.instances : liveInstances(svc);
  for (const inst of instances) {
    for (const c of inst.containers) {
      rows.push([
        svc.database,
        svc.schema,
        svc.name,
        visibleStatus(x, svc),
        String(inst.id),
        inst.status,
        c.name,
        c.status,
        c.message,
        c.image,
        c.runs.length > 0 ? c.digest : null,
        c.restartCount,
        iso(c.startTime),
        c.lastExitCode,
      ]);
    }
  }
  if (rows.length === 0)
    rows.push([svc.database, svc.schema, svc.name, visibleStatus(x, svc), null, null, null, null, null, null, null, null, null, null]);
  const columns: Column[] = [
    text('database_name'),
    text('schema_name'),
    text('service_name'),
    text('service_status'),
    text('instance_id'),
    text('instance_status'),
    text('container_name'),
    text('status'),
    text('message'),
    text('image_name'),
    text('image_digest'),
    fixed('restart_count'),
    text('start_time'),
    fixed('last_exit_code'),
  ];
  return done({ columns, rows });
}

export function showServiceInstances(x: Exec, s: Stmt<'showServiceInstances'>): ExecOutcome {
  const svc = resolveService(x, s.service, 'SHOW SERVICE INSTANCES');
  requireMonitor(x, svc);
  const instances = svc.isJob ? svc.instances : liveInstances(svc);
  const rows: Cell[][] = instances.map((inst) => [
    svc.database,
    svc.schema,
    svc.name,
    svc.status,
    String(inst.id),
    inst.status,
    svc.specDigest,
    iso(inst.creationTime),
    iso(inst.startTime),
  ]);
  const columns: Column[] = [
    text('database_name'),
    text('schema_name'),
    text('service_name'),
    text('service_status'),
    text('instance_id'),
    text('status'),
    text('spec_digest'),
    text('creation_time'),
    text('start_time'),
  ];
  return done({ columns, rows });
}

export const PROVISIONING = 'Endpoints provisioning in progress... check back in a few minutes';

export function endpointUrl(svc: Service, now: number): string | null {
  const e = svc.endpoints.find((x) => x.name === 'inference');
  if (!e?.isPublic) return null;
  return e.readyAt !== null && e.readyAt <= now ? e.host : PROVISIONING;
}

export function showEndpoints(x: Exec, s: Stmt<'showEndpoints'>): ExecOutcome {
  const svc = resolveService(x, s.service, 'SHOW ENDPOINTS');
  const rows: Cell[][] = svc.endpoints.map((e) => [
    e.name,
    e.port,
    null,
    e.protocol,
    flag(e.isPublic),
    e.isPublic ? (e.readyAt !== null && e.readyAt <= x.now ? e.host : PROVISIONING) : null,
  ]);
  const columns: Column[] = [text('name'), fixed('port'), text('port_range'), text('protocol'), text('is_public'), text('ingress_url')];
  // The column exists only on Business Critical accounts (docs: SHOW ENDPOINTS, "privatelink_ingress_url").
  if (!x.sim.state.privateLink) return done({ columns, rows });
  const privateRows = rows.map((row, i) => {
    const e = svc.endpoints[i];
    return [...row, e?.isPublic === true ? (e.readyAt !== null && e.readyAt <= x.now ? privatelinkHost(e.host) : PROVISIONING) : null];
  });
  return done({ columns: [...columns, text('privatelink_ingress_url')], rows: privateRows });
}

export function describeService(x: Exec, s: Stmt<'describeService'>): ExecOutcome {
  const svc = resolveService(x, s.service, 'DESCRIBE SERVICE');
  const base = serviceRow(x, svc);
  const poolIdx = SERVICE_COLUMNS.findIndex((c) => c.name === 'compute_pool') + 1;
  const columns = [...SERVICE_COLUMNS.slice(0, poolIdx), text('spec'), ...SERVICE_COLUMNS.slice(poolIdx)];
  const row = [...base.slice(0, poolIdx), svc.specYaml, ...base.slice(poolIdx)];
  return done({ columns, rows: [row] });
}

const SERVICE_SET_PROPS = new Set([
  'MIN_INSTANCES',
  'MAX_INSTANCES',
  'AUTO_SUSPEND_SECS',
  'MIN_READY_INSTANCES',
  'AUTO_RESUME',
  'COMMENT',
  'QUERY_WAREHOUSE',
]);

export function alterService(x: Exec, s: Stmt<'alterService'>): ExecOutcome {
  const [db, schema, name] = resolveObjectName(
    s.service.parts.map((p) => p.value),
    x.ctx,
    'ALTER SERVICE',
  );
  if (s.ifExists && !x.sim.state.services.has(key3(db, schema, name))) return done(statusResult('Statement executed successfully.'));
  const svc = requireService(x.sim, x.ctx.role, db, schema, name);
  const a = s.action;
  // Docs (ALTER SERVICE, "Access control requirements"): OPERATE for SUSPEND / RESUME, OWNERSHIP to set or unset properties.
  requirePrivilege(
    x.sim,
    x.ctx.role,
    [a.k === 'set' ? 'OWNERSHIP' : 'OPERATE'],
    'SERVICE',
    serviceKey(svc),
    'service',
    serviceDisplay(svc),
  );
  if (a.k === 'suspend') suspendService(x.sim, svc, x.now);
  else if (a.k === 'resume') resumeService(x.sim, svc, x.now);
  else {
    for (const k of a.props.keys()) {
      if (!SERVICE_SET_PROPS.has(k)) throw new SqlError('001003', '42000', `SQL compilation error:\ninvalid property '${k}' for 'SERVICE'`);
    }
    const num = (k: string): number | undefined => {
      const v = a.props.get(k);
      if (v === undefined) return undefined;
      if (v.k !== 'num') throw invalidValue(k, String(v.v), 'expected an integer');
      if (v.v < 0) throw invalidValue(k, String(v.v), 'must not be negative');
      return v.v;
    };
    const min = num('MIN_INSTANCES') ?? svc.minInstances;
    const max = num('MAX_INSTANCES') ?? svc.maxInstances;
    if (max < 1) throw invalidValue('MAX_INSTANCES', String(max), 'must be at least 1');
    if (min > max) throw invalidValue('MIN_INSTANCES', String(min), `must be less than or equal to MAX_INSTANCES (${max})`);
    const autoSuspend = num('AUTO_SUSPEND_SECS');
    // Docs (ALTER SERVICE, AUTO_SUSPEND_SECS): 0 turns it off; "300 seconds or more to enable auto-suspension".
    if (autoSuspend !== undefined && autoSuspend > 0 && autoSuspend < 300) {
      throw invalidValue('AUTO_SUSPEND_SECS', String(autoSuspend), 'must be 0 (off) or at least 300');
    }
    // Docs (CREATE SERVICE): "MIN_READY_INSTANCES must be equal to or less than MIN_INSTANCES", checked on the values after the SET.
    const minReady = num('MIN_READY_INSTANCES') ?? svc.minReadyInstances;
    if (minReady > min) {
      throw invalidValue('MIN_READY_INSTANCES', String(minReady), `must be less than or equal to MIN_INSTANCES (${min})`);
    }
    if (autoSuspend !== undefined) svc.autoSuspendSecs = autoSuspend;
    svc.minReadyInstances = minReady;
    const autoResume = a.props.get('AUTO_RESUME');
    if (autoResume) {
      if (autoResume.k !== 'bool') throw invalidValue('AUTO_RESUME', String(autoResume.v), 'expected TRUE or FALSE');
      svc.autoResume = autoResume.v;
    }
    const comment = a.props.get('COMMENT');
    if (comment && comment.k === 'string') svc.comment = comment.v;
    const wh = a.props.get('QUERY_WAREHOUSE');
    if (wh && (wh.k === 'ident' || wh.k === 'string')) svc.queryWarehouse = wh.v;
    if (a.props.has('MIN_INSTANCES') || a.props.has('MAX_INSTANCES')) setInstanceBounds(x.sim, svc, min, max, x.now);
    svc.updatedOn = x.now;
    if (autoSuspend !== undefined) svc.lastActivity = Math.max(svc.lastActivity, x.now);
  }
  return done(statusResult('Statement executed successfully.'));
}

export function dropService(x: Exec, s: Stmt<'dropService'>): ExecOutcome {
  const [db, schema, name] = resolveObjectName(
    s.service.parts.map((p) => p.value),
    x.ctx,
    'DROP SERVICE',
  );
  const exists = x.sim.state.services.get(key3(db, schema, name));
  if (!exists && s.ifExists) return done(statusResult(`Drop statement executed successfully (${displayName(name)} already dropped).`));
  const svc = requireService(x.sim, x.ctx.role, db, schema, name);
  requirePrivilege(x.sim, x.ctx.role, ['OWNERSHIP'], 'SERVICE', serviceKey(svc), 'service', serviceDisplay(svc));
  dropServiceEngine(x.sim, svc, x.now);
  return done(statusResult(`${displayName(svc.name)} successfully dropped.`));
}

function containerError(message: string): SqlError {
  // Code not documented by Snowflake; the message carries the container state the way the
  // Python client expects ("Waiting to start, Container Status: PENDING").
  return new SqlError('391213', '22000', message, 'EXECUTION');
}

export function getServiceLogs(x: Exec, s: Stmt<'getServiceLogs'>): ExecOutcome {
  const args: Scalar[] = s.args;
  if (args.length < 3 || args.length > 5) {
    throw new SqlError(
      '001044',
      '42P13',
      `SQL compilation error: error line 1 at position 5\nInvalid argument types for function 'SYSTEM$GET_SERVICE_LOGS': expected (service_name, instance_id, container_name [, number_of_most_recent_lines] [, retrieve_previous_logs]), got ${args.length} argument(s)`,
    );
  }
  const [svcArg, instArg, containerArg, linesArg, previousArg] = args;
  const parts = typeof svcArg === 'string' ? parseObjectName(svcArg) : null;
  if (!parts) throw doesNotExist('Service', String(svcArg));
  const [db, schema, name] = resolveObjectName(parts, x.ctx, 'SYSTEM$GET_SERVICE_LOGS');
  const svc = requireService(x.sim, x.ctx.role, db, schema, name);
  requireMonitor(x, svc);
  const instId = Number(instArg);
  const containerName = String(containerArg ?? '');
  if (!svc.containers.some((c) => c.name === containerName)) {
    throw containerError(`Container '${containerName}' does not exist in service ${serviceDisplay(svc)}.`);
  }
  const inst = (svc.isJob ? svc.instances : liveInstances(svc)).find((i) => i.id === instId);
  if (!inst) {
    const state = svc.status === 'SUSPENDED' || svc.status === 'SUSPENDING' ? ` (service is ${svc.status})` : '';
    throw containerError(`Instance '${String(instArg)}' of service ${serviceDisplay(svc)} does not exist${state}.`);
  }
  const c = inst.containers.find((y) => y.name === containerName);
  if (!c) throw containerError(`Container '${containerName}' does not exist in service ${serviceDisplay(svc)}.`);
  const previous = previousArg === true || (typeof previousArg === 'string' && previousArg.toUpperCase() === 'TRUE');
  let run = c.runs[c.runs.length - 1];
  if (previous) {
    if (c.runs.length < 2)
      throw containerError(`Container '${containerName}' of instance ${inst.id} has not been restarted; no previous logs are available.`);
    run = c.runs[c.runs.length - 2];
  }
  // "<message>, Container Status: PENDING", the text snowflake-ml-python's jobs/job.py
  // (_get_logs) looks for, as in its tests ("Waiting to start, Container Status: PENDING").
  if (!run) throw containerError(`${c.message}, Container Status: ${c.status}`);
  let lines = visibleLines(run, x.now);
  if (linesArg !== undefined && linesArg !== null) {
    const n = Number(linesArg);
    if (!Number.isInteger(n) || n < 0) throw invalidValue('number_of_most_recent_lines', String(linesArg));
    lines = lines.slice(Math.max(0, lines.length - n));
  }
  return done({ columns: [text('SYSTEM$GET_SERVICE_LOGS')], rows: [[lines.join('\n')]] });
}
