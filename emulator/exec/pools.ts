/**
 * Compute pools: SHOW COMPUTE POOLS, SHOW COMPUTE POOL INSTANCE FAMILIES, CREATE COMPUTE POOL,
 * ALTER COMPUTE POOL … SUSPEND | RESUME (contract rows 6–9).
 */
import { SqlError, alreadyExists, invalidValue } from '../errors.js';
import { INSTANCE_FAMILIES, findFamily } from '../spcs/families.js';
import { requirePool, requirePrivilege } from '../spcs/lookup.js';
import { createPoolStarting, poolCounts, poolState, resumePool, suspendPool } from '../spcs/pools.js';
import { addGrant, canSee, hasPrivilege } from '../spcs/privileges.js';
import { suspendService } from '../spcs/services.js';
import type { ComputePool } from '../spcs/state.js';
import { displayName } from '../spcs/state.js';
import type { PropValue, Statement } from '../sql/ast.js';
import { type Exec, type ExecOutcome, done } from './context.js';
import { type Cell, type Column, fixed, flag, likeToRegExp, statusResult, text, tsLtz } from './result.js';

type Stmt<K extends Statement['kind']> = Extract<Statement, { kind: K }>;

export const COMPUTE_POOL_COLUMNS: Column[] = [
  text('name'),
  text('state'),
  fixed('min_nodes'),
  fixed('max_nodes'),
  text('instance_family'),
  fixed('num_services'),
  fixed('num_jobs'),
  fixed('auto_suspend_secs'),
  text('auto_resume'),
  fixed('active_nodes'),
  fixed('idle_nodes'),
  fixed('target_nodes'),
  tsLtz('created_on'),
  tsLtz('resumed_on'),
  tsLtz('updated_on'),
  text('owner'),
  text('comment'),
  text('is_exclusive'),
  text('application'),
  text('budget'),
];

export function poolRow(x: Exec, p: ComputePool): Cell[] {
  const c = poolCounts(x.sim, p);
  return [
    p.name,
    poolState(x.sim, p),
    p.minNodes,
    p.maxNodes,
    p.family.name,
    c.numServices,
    c.numJobs,
    p.autoSuspendSecs,
    flag(p.autoResume),
    c.activeNodes,
    c.idleNodes,
    c.targetNodes,
    p.createdOn,
    p.resumedOn,
    p.updatedOn,
    p.owner,
    p.comment,
    flag(false),
    null,
    null,
  ];
}

export function showComputePools(x: Exec, s: Stmt<'showComputePools'>): ExecOutcome {
  const st = x.sim.state;
  const like = s.like === undefined ? null : likeToRegExp(s.like, true);
  const rows = [...st.pools.values()]
    .filter((p) => canSee(st, x.ctx.role, 'COMPUTE_POOL', p.name))
    .filter((p) => (like ? like.test(p.name) : true) && (s.startsWith === undefined || p.name.startsWith(s.startsWith)))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => poolRow(x, p));
  return done({ columns: COMPUTE_POOL_COLUMNS, rows });
}

/**
 * DESCRIBE COMPUTE POOL: SHOW COMPUTE POOLS' columns plus error_code and status_message (BCR
 * 2024_06 bcr-1594; sql-reference/sql/desc-compute-pool). Both are empty unless the `poolError`
 * fault sets them (e.g. 392507, the capacity error, with Snowflake's status message).
 */
export function describeComputePool(x: Exec, s: Stmt<'describeComputePool'>): ExecOutcome {
  const pool = requirePool(x.sim, x.ctx.role, s.name.value);
  const error = x.sim.faults.poolErrors.get(pool.name);
  return done({
    columns: [...COMPUTE_POOL_COLUMNS, text('error_code'), text('status_message')],
    rows: [[...poolRow(x, pool), error?.code ?? '', error?.message ?? '']],
  });
}

export function showInstanceFamilies(x: Exec, s: Stmt<'showInstanceFamilies'>): ExecOutcome {
  const like = s.like === undefined ? null : likeToRegExp(s.like, true);
  const nodes = new Map<string, number>();
  for (const p of x.sim.state.pools.values()) nodes.set(p.family.name, (nodes.get(p.family.name) ?? 0) + p.nodes.length);
  const rows: Cell[][] = INSTANCE_FAMILIES.filter((f) => (like ? like.test(f.name) : true)).map((f) => [
    f.name,
    f.description,
    f.vcpu,
    f.memoryGib,
    f.storageGib,
    f.gpu,
    f.gpuCount,
    f.gpuCount > 0 ? f.gpuMemoryGib : null,
    nodes.get(f.name) ?? 0,
    null,
  ]);
  const columns: Column[] = [
    text('name'),
    text('description'),
    fixed('vcpu'),
    fixed('memory_gib'),
    fixed('storage_gib'),
    text('gpu'),
    fixed('gpu_count'),
    fixed('gpu_memory_gib'),
    fixed('current_node_usage'),
    text('message'),
  ];
  return done({ columns, rows });
}

function propNumber(props: Map<string, PropValue>, name: string): number | undefined {
  const v = props.get(name);
  if (v === undefined) return undefined;
  if (v.k !== 'num') throw invalidValue(name, v.k === 'list' ? v.v.join(',') : String(v.v), 'expected an integer');
  return v.v;
}

function propBool(props: Map<string, PropValue>, name: string): boolean | undefined {
  const v = props.get(name);
  if (v === undefined) return undefined;
  if (v.k === 'bool') return v.v;
  if ((v.k === 'ident' || v.k === 'string') && /^(TRUE|FALSE)$/i.test(v.v)) return v.v.toUpperCase() === 'TRUE';
  throw invalidValue(name, String(v.v), 'expected TRUE or FALSE');
}

function propText(props: Map<string, PropValue>, name: string): string | undefined {
  const v = props.get(name);
  if (v === undefined) return undefined;
  if (v.k === 'ident' || v.k === 'string') return v.v;
  throw invalidValue(name, String(v.v));
}

const POOL_PROPS = new Set([
  'MIN_NODES',
  'MAX_NODES',
  'INSTANCE_FAMILY',
  'AUTO_RESUME',
  'INITIALLY_SUSPENDED',
  'AUTO_SUSPEND_SECS',
  'COMMENT',
]);

export function createComputePool(x: Exec, s: Stmt<'createComputePool'>): ExecOutcome {
  const st = x.sim.state;
  for (const k of s.props.keys()) {
    if (!POOL_PROPS.has(k)) throw new SqlError('001003', '42000', `SQL compilation error:\ninvalid property '${k}' for 'COMPUTE POOL'`);
  }
  if (!hasPrivilege(st, x.ctx.role, 'CREATE COMPUTE POOL', 'ACCOUNT', '')) {
    throw new SqlError('003001', '42501', `SQL access control error:\nInsufficient privileges to operate on account '${st.account}'`);
  }
  const name = s.name.value;
  const missing = ['MIN_NODES', 'MAX_NODES', 'INSTANCE_FAMILY'].filter((k) => !s.props.has(k));
  if (missing.length > 0) throw new SqlError('001003', '42000', `SQL compilation error:\nMissing option(s): [${missing.join(', ')}]`);
  const min = propNumber(s.props, 'MIN_NODES') ?? 1;
  const max = propNumber(s.props, 'MAX_NODES') ?? 1;
  const familyName = propText(s.props, 'INSTANCE_FAMILY') ?? '';
  const family = findFamily(familyName);
  if (!family) throw invalidValue('INSTANCE_FAMILY', familyName, `valid values are ${INSTANCE_FAMILIES.map((f) => f.name).join(', ')}`);
  if (min < 1) throw invalidValue('MIN_NODES', String(min), 'must be at least 1');
  if (max < min) throw invalidValue('MAX_NODES', String(max), `must be greater than or equal to MIN_NODES (${min})`);
  const autoSuspend = propNumber(s.props, 'AUTO_SUSPEND_SECS') ?? 3600;
  if (autoSuspend < 0) throw invalidValue('AUTO_SUSPEND_SECS', String(autoSuspend));
  const existing = st.pools.get(name);
  if (existing) {
    if (s.ifNotExists) return done(statusResult(`${name} already exists, statement succeeded.`));
    throw alreadyExists(displayName(name));
  }
  const pool: ComputePool = {
    name,
    family,
    minNodes: min,
    maxNodes: max,
    autoResume: propBool(s.props, 'AUTO_RESUME') ?? true,
    autoSuspendSecs: autoSuspend,
    comment: propText(s.props, 'COMMENT') ?? null,
    owner: x.ctx.role,
    createdOn: x.now,
    resumedOn: null,
    updatedOn: x.now,
    suspended: true,
    stopping: false,
    nodes: [],
    nextNodeId: 0,
    generation: 0,
    idleSince: null,
  };
  st.pools.set(name, pool);
  addGrant(st, { role: x.ctx.role, privilege: 'OWNERSHIP', on: 'COMPUTE_POOL', key: name, name: displayName(name), createdOn: x.now });
  if (!(propBool(s.props, 'INITIALLY_SUSPENDED') ?? false)) createPoolStarting(x.sim, pool, x.now);
  return done(statusResult(`Compute Pool ${displayName(name)} successfully created.`));
}

export function alterComputePool(x: Exec, s: Stmt<'alterComputePool'>): ExecOutcome {
  const st = x.sim.state;
  if (s.ifExists && !st.pools.has(s.name.value)) return done(statusResult('Statement executed successfully.'));
  const pool = requirePool(x.sim, x.ctx.role, s.name.value);
  requirePrivilege(x.sim, x.ctx.role, ['OPERATE'], 'COMPUTE_POOL', pool.name, 'compute pool', displayName(pool.name));
  if (s.action === 'SUSPEND') suspendPool(x.sim, pool, x.now, (svc, at) => suspendService(x.sim, svc, at));
  else resumePool(x.sim, pool, x.now);
  pool.updatedOn = x.now;
  return done(statusResult('Statement executed successfully.'));
}
