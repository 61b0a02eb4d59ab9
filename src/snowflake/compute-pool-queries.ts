import { z } from 'zod';
import type { QueryRunner } from './client.js';
import { nullableBoolean, nullableNumber, nullableText, number, optionalText, text, timestamp } from './columns.js';
import type { Identifier } from './identifiers.js';
import { bool, empty, int, literal, sql, type Sql } from './sql.js';

/** Compute pools: list, create, suspend/resume, and the instance families (GPU types) they can use. */

export const COMPUTE_POOL_STATES = ['IDLE', 'ACTIVE', 'SUSPENDED', 'STARTING', 'STOPPING', 'RESIZING'] as const;

const PoolRow = z.object({
  name: text,
  state: text,
  min_nodes: number,
  max_nodes: number,
  instance_family: text,
  num_services: nullableNumber,
  num_jobs: nullableNumber,
  auto_suspend_secs: nullableNumber,
  auto_resume: nullableBoolean,
  active_nodes: nullableNumber,
  idle_nodes: nullableNumber,
  target_nodes: nullableNumber,
  created_on: timestamp,
  resumed_on: timestamp,
  updated_on: timestamp,
  owner: nullableText,
  comment: nullableText,
  is_exclusive: nullableBoolean,
  application: optionalText,
  // Why a pool fails, in Snowflake's words: documented for DESCRIBE COMPUTE POOL only (BCR 2024_06
  // bcr-1594; see describeComputePool); read here too should SHOW ever carry them.
  error_code: optionalText,
  status_message: optionalText,
});

export interface ComputePoolInfo {
  readonly name: string;
  /** IDLE, ACTIVE, SUSPENDED, STARTING, STOPPING, RESIZING (kept as text: new states must not break us). */
  readonly state: string;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly instanceFamily: string;
  readonly numServices: number | null;
  readonly numJobs: number | null;
  readonly autoSuspendSecs: number | null;
  readonly autoResume: boolean | null;
  readonly activeNodes: number | null;
  readonly idleNodes: number | null;
  readonly targetNodes: number | null;
  readonly owner: string | null;
  readonly comment: string | null;
  readonly isExclusive: boolean | null;
  readonly application: string | null;
  /** Set when the pool fails, e.g. it cannot get nodes of its instance family. */
  readonly errorCode: string | null;
  readonly statusMessage: string | null;
  readonly createdOn: Date | null;
  readonly resumedOn: Date | null;
  readonly updatedOn: Date | null;
}

const blankToNull = (v: string | null | undefined): string | null => (v === null || v === undefined || v.trim() === '' ? null : v.trim());

function toPool(r: z.infer<typeof PoolRow>): ComputePoolInfo {
  return {
    name: r.name,
    state: r.state.toUpperCase(),
    minNodes: r.min_nodes,
    maxNodes: r.max_nodes,
    instanceFamily: r.instance_family,
    numServices: r.num_services,
    numJobs: r.num_jobs,
    autoSuspendSecs: r.auto_suspend_secs,
    autoResume: r.auto_resume,
    activeNodes: r.active_nodes,
    idleNodes: r.idle_nodes,
    targetNodes: r.target_nodes,
    owner: r.owner,
    comment: r.comment,
    isExclusive: r.is_exclusive,
    application: r.application,
    errorCode: blankToNull(r.error_code),
    statusMessage: blankToNull(r.status_message),
    createdOn: r.created_on,
    resumedOn: r.resumed_on,
    updatedOn: r.updated_on,
  };
}

export async function listComputePools(db: QueryRunner): Promise<ComputePoolInfo[]> {
  const rows = await db.query(sql`SHOW COMPUTE POOLS`.repeatable(), PoolRow);
  return rows.map(toPool);
}

/** One pool by exact name, or null. LIKE's `_` matches any character, so the name is compared after. */
export async function findComputePool(db: QueryRunner, pool: Identifier): Promise<ComputePoolInfo | null> {
  const rows = await db.query(sql`SHOW COMPUTE POOLS LIKE ${literal(pool.name)}`.repeatable(), PoolRow);
  const row = rows.find((r) => r.name === pool.name);
  return row === undefined ? null : toPool(row);
}

/**
 * One pool by DESCRIBE COMPUTE POOL: SHOW's columns plus error_code and status_message, which only
 * DESCRIBE has (BCR 2024_06 bcr-1594; sql-reference/sql/desc-compute-pool), e.g. 392507 when nodes
 * of its instance family cannot be provisioned, 392508 when pending services cannot make it scale up.
 */
export async function describeComputePool(db: QueryRunner, pool: Identifier): Promise<ComputePoolInfo | null> {
  const rows = await db.query(sql`DESCRIBE COMPUTE POOL ${pool}`.repeatable(), PoolRow);
  const row = rows[0];
  return row === undefined ? null : toPool(row);
}

const FamilyRow = z.object({
  name: text,
  description: nullableText,
  vcpu: nullableNumber,
  memory_gib: nullableNumber,
  storage_gib: nullableNumber,
  gpu: optionalText,
  gpu_count: nullableNumber,
  gpu_memory_gib: nullableNumber,
  current_node_usage: nullableNumber,
  message: nullableText,
});

export interface GpuInfo {
  /** GPU model as Snowflake names it, e.g. A10G, A100, T4, L4. */
  readonly type: string;
  readonly perNode: number;
  /** Memory of one GPU in GiB, when Snowflake reports it. */
  readonly memoryGib: number | null;
}

export interface InstanceFamilyInfo {
  readonly name: string;
  readonly description: string | null;
  readonly vcpu: number | null;
  readonly memoryGib: number | null;
  readonly storageGib: number | null;
  /** Null for CPU-only families. */
  readonly gpu: GpuInfo | null;
  readonly currentNodeUsage: number | null;
  readonly message: string | null;
}

/**
 * The `gpu` column reads like "A10G", "NVIDIA A10G", "4 x A10G" or "None". Returns the GPU model and,
 * when the text carries it, a count.
 */
export function parseGpuColumn(value: string | null): { type: string; count: number | null } | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed === '' || /^(none|null|n\/a|-|0)$/i.test(trimmed)) return null;
  const counted = /^(\d+)\s*[x×*]\s*(.+)$/i.exec(trimmed);
  const name = (counted?.[2] ?? trimmed).replace(/^nvidia\s+/i, '').trim();
  return { type: name.toUpperCase(), count: counted?.[1] !== undefined ? Number(counted[1]) : null };
}

export async function listInstanceFamilies(db: QueryRunner): Promise<InstanceFamilyInfo[]> {
  const rows = await db.query(sql`SHOW COMPUTE POOL INSTANCE FAMILIES`.repeatable(), FamilyRow);
  return rows.map((r) => {
    const gpu = parseGpuColumn(r.gpu);
    const perNode = r.gpu_count ?? gpu?.count ?? null;
    return {
      name: r.name,
      description: r.description,
      vcpu: r.vcpu,
      memoryGib: r.memory_gib,
      storageGib: r.storage_gib,
      gpu: gpu === null || perNode === null || perNode <= 0 ? null : { type: gpu.type, perNode, memoryGib: r.gpu_memory_gib },
      currentNodeUsage: r.current_node_usage,
      message: r.message,
    };
  });
}

export interface CreateComputePoolRequest {
  readonly name: Identifier;
  readonly instanceFamily: Identifier;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly autoResume: boolean;
  readonly initiallySuspended?: boolean;
  readonly autoSuspendSecs?: number;
}

/** Checks a pool request; returns problems a person can act on (empty when fine). */
export function checkComputePoolRequest(req: CreateComputePoolRequest): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(req.minNodes) || req.minNodes < 1) problems.push('Min nodes: a whole number of at least 1');
  if (!Number.isInteger(req.maxNodes) || req.maxNodes < 1) problems.push('Max nodes: a whole number of at least 1');
  if (req.maxNodes < req.minNodes) problems.push('Max nodes: must be at least min nodes');
  if (req.autoSuspendSecs !== undefined && (!Number.isInteger(req.autoSuspendSecs) || req.autoSuspendSecs < 0)) {
    problems.push('Auto-suspend: a whole number of seconds, 0 or more');
  }
  return problems;
}

const StatusRow = z.object({ status: text });

/** The CREATE COMPUTE POOL statement for a checked request (shown to a person before it runs). Throws RangeError on an invalid request. */
export function createComputePoolStatement(req: CreateComputePoolRequest): Sql {
  const problems = checkComputePoolRequest(req);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const suspended = req.initiallySuspended === undefined ? empty : sql` INITIALLY_SUSPENDED = ${bool(req.initiallySuspended)}`;
  const autoSuspend = req.autoSuspendSecs === undefined ? empty : sql` AUTO_SUSPEND_SECS = ${int(req.autoSuspendSecs)}`;
  return sql`CREATE COMPUTE POOL IF NOT EXISTS ${req.name} MIN_NODES = ${int(req.minNodes)} MAX_NODES = ${int(req.maxNodes)} INSTANCE_FAMILY = ${req.instanceFamily} AUTO_RESUME = ${bool(req.autoResume)}${suspended}${autoSuspend}`.requires(
    'CREATE COMPUTE POOL ON ACCOUNT',
  );
}

/**
 * CREATE COMPUTE POOL IF NOT EXISTS. Returns Snowflake's status line. Never retried: a timeout after
 * Snowflake received it must be looked at, not replayed. Throws RangeError on an invalid request.
 */
export async function createComputePool(db: QueryRunner, req: CreateComputePoolRequest): Promise<string> {
  const rows = await db.query(createComputePoolStatement(req), StatusRow);
  return rows[0]?.status ?? '';
}

/** ALTER COMPUTE POOL … SUSPEND / RESUME, built once so an approval can hash the text (issue 13). */
export function suspendComputePoolStatement(pool: Identifier): Sql {
  return sql`ALTER COMPUTE POOL ${pool} SUSPEND`.repeatable().requires(`OPERATE ON COMPUTE POOL ${pool.sql}`);
}

export function resumeComputePoolStatement(pool: Identifier): Sql {
  return sql`ALTER COMPUTE POOL ${pool} RESUME`.repeatable().requires(`OPERATE ON COMPUTE POOL ${pool.sql}`);
}

export async function suspendComputePool(db: QueryRunner, pool: Identifier): Promise<string> {
  const rows = await db.query(suspendComputePoolStatement(pool), StatusRow);
  return rows[0]?.status ?? '';
}

export async function resumeComputePool(db: QueryRunner, pool: Identifier): Promise<string> {
  const rows = await db.query(resumeComputePoolStatement(pool), StatusRow);
  return rows[0]?.status ?? '';
}
