import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { GATES } from './approval-policy.js';
import { APPROVAL_STATES, Decision } from './deployment.js';

/**
 * A change to a running service (issue 5 "Management"), from request to outcome. It is a record
 * of its own beside deployments, but behind the same gate: the same store (gate-store.ts), the
 * same guard chain (decideApprovalClick / decideRejection / decideExecution), the same listeners
 * (src/flows/gate/) and the same audit stream. The execute worker runs it (src/jobs/change-executor.ts). `gate` says who must agree: the requester alone
 * (`self`: suspend, resume, scale, auto-suspend) or approvers per SPCS_APPROVERS (`approval`: drop,
 * and any change to a service with a deployment in flight).
 */

export const ServiceChange = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('suspend') }),
  z.object({ kind: z.literal('resume') }),
  z.object({
    kind: z.literal('scale'),
    min: z.number().int().min(0),
    max: z.number().int().min(1),
    /** Lowered with the minimum when it would exceed it (Snowflake: MIN_READY_INSTANCES <= MIN_INSTANCES). */
    minReady: z.number().int().min(0).optional(),
  }),
  z.object({ kind: z.literal('autosuspend'), seconds: z.number().int().min(0) }),
  z.object({ kind: z.literal('drop') }),
]);
export type ServiceChange = z.infer<typeof ServiceChange>;

/**
 * A change to a compute pool, behind the requester's own confirmation. `pool_create` carries the
 * exact statement the confirmation showed; it is rebuilt and compared before it runs.
 */
export const PoolChange = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pool_suspend') }),
  z.object({ kind: z.literal('pool_resume') }),
  z.object({
    kind: z.literal('pool_create'),
    instanceFamily: z.string(),
    minNodes: z.number().int().min(1),
    maxNodes: z.number().int().min(1),
    autoResume: z.boolean(),
    statement: z.string(),
  }),
]);
export type PoolChange = z.infer<typeof PoolChange>;

/** Any change a management request can carry: to a service or to a compute pool. */
export const OperationChange = z.discriminatedUnion('kind', [...ServiceChange.options, ...PoolChange.options]);
export type OperationChange = z.infer<typeof OperationChange>;
export type ServiceChangeKind = OperationChange['kind'];

export function isPoolChange(change: OperationChange): change is PoolChange {
  return change.kind.startsWith('pool_');
}

/** What SHOW SERVICES said when the change was requested: the "current" side of current → new. */
export const ServiceSnapshot = z.object({
  status: z.string(),
  minInstances: z.number().nullable(),
  maxInstances: z.number().nullable(),
  autoSuspendSecs: z.number().nullable(),
  /** Services only: SHOW SERVICES min_ready_instances. */
  minReadyInstances: z.number().nullable().optional(),
  /** Compute pools only: how many services SHOW COMPUTE POOLS counted on it. */
  numServices: z.number().nullable().optional(),
});
export type ServiceSnapshot = z.infer<typeof ServiceSnapshot>;

/**
 * How far a worker got with an approved change (issue 13). `executing` is written before the first
 * statement is sent and each statement's outcome right after Snowflake answers, so a worker that
 * finds `executing` with a statement that has no outcome knows its predecessor died around that
 * statement and looks at Snowflake before sending anything (see decideFromObservation).
 */
export const EXECUTION_PHASES = ['executing', 'done', 'failed', 'needs_attention'] as const;
export type ExecutionPhase = (typeof EXECUTION_PHASES)[number];

export const StatementRun = z.object({
  /** The exact statement text, as hashed into planHash. */
  text: z.string(),
  outcome: z.enum(['accepted', 'failed']).optional(),
  /** SnowflakeFailure kind when it failed ('insufficient_privileges', 'not_found', …). */
  failureKind: z.string().optional(),
  /** How the outcome was learned when it was not Snowflake's answer to this worker: seen in SHOW …, or a person said so. */
  learnedBy: z.enum(['observed', 'person']).optional(),
  atMs: z.number().optional(),
});
export type StatementRun = z.infer<typeof StatementRun>;

export const OperationExecution = z.object({
  phase: z.enum(EXECUTION_PHASES),
  sinceMs: z.number(),
  /** 1 for the first run; a person's Retry after needs_attention starts the next (one outcome message per round). */
  round: z.number().int().min(1).default(1),
  statements: z.array(StatementRun),
  /** Why a person has to look (needs_attention), or why it failed before any statement. */
  note: z.string().optional(),
});
export type OperationExecution = z.infer<typeof OperationExecution>;

export const Operation = z.object({
  id: z.string().regex(/^o[0-9a-z]{8,32}$/),
  /** DB.SCHEMA.SERVICE as SQL text (quoted parts stay quoted); for a pool change, the pool's name as SQL text. */
  service: z.string(),
  change: OperationChange,
  before: ServiceSnapshot,
  gate: z.enum(GATES),
  /** Why approvers are needed (`drop`, `deployment_in_flight:<id>`); absent for self-confirmed changes. */
  gateReason: z.string().optional(),
  planHash: z.string().length(64),
  requestedBy: z.string(),
  teamId: z.string(),
  channelId: z.string(),
  requestedAtMs: z.number(),
  state: z.enum(APPROVAL_STATES),
  approvals: z.array(Decision),
  rejection: Decision.optional(),
  /** The approval summary (approval gate only). */
  messageTs: z.string().optional(),
  /** Where the outcome goes: the service's deployment thread, when it has one. */
  thread: z.object({ channelId: z.string(), ts: z.string() }).optional(),
  outcome: z.object({ ok: z.boolean(), text: z.string(), atMs: z.number() }).optional(),
  /** Written by the change executor only (src/jobs/change-executor.ts). */
  execution: OperationExecution.optional(),
});
export type Operation = z.infer<typeof Operation>;

export function newOperationId(): string {
  return `o${BigInt(`0x${randomBytes(10).toString('hex')}`).toString(36)}`.padEnd(9, '0');
}

/**
 * The plan an approval applies to: the target, the change and the exact statement texts that will
 * be sent (built by src/snowflake from the stored record). The worker rebuilds the statements and
 * compares hashes, so a change in how a statement is rendered cannot run under an old approval.
 */
export function operationHash(service: string, change: OperationChange, statements: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify({ service, change, statements })).digest('hex');
}

/** What SHOW SERVICES / SHOW COMPUTE POOLS said about the target when a worker looked again. */
export type Observation =
  | {
      readonly kind: 'service';
      /** null: no such service (SHOW SERVICES … STARTS WITH had no exact row). */
      readonly service: {
        readonly status: string;
        readonly minInstances: number | null;
        readonly maxInstances: number | null;
        readonly minReadyInstances: number | null;
        readonly autoSuspendSecs: number | null;
      } | null;
    }
  | {
      readonly kind: 'pool';
      /** null: no such pool. */
      readonly pool: {
        readonly state: string;
        readonly instanceFamily: string;
        readonly minNodes: number | null;
        readonly maxNodes: number | null;
      } | null;
    }
  /** The look itself failed (privileges, Snowflake unreachable). */
  | { readonly kind: 'failed'; readonly why: string };

export type ObservedEffect = 'applied' | 'not_applied' | 'unknown';

const SUSPENDED_SERVICE = ['SUSPENDED', 'SUSPENDING'];
const GONE_SERVICE = ['DELETED', 'DELETING'];
const SUSPENDED_POOL = ['SUSPENDED', 'STOPPING'];

/**
 * Whether a change whose statement has no recorded outcome (its worker died around it) visibly
 * took effect. `not_applied` means sending it now is safe: every change here sets a state or a
 * value (SUSPEND, RESUME, SET …, DROP, CREATE … IF NOT EXISTS), so sending it once more after one
 * that did not take reaches the same end state; nothing accumulates. `unknown` (the look failed,
 * the target is gone or not what the change expects) is for a person.
 */
export function decideFromObservation(change: OperationChange, seen: Observation): ObservedEffect {
  if (seen.kind === 'failed') return 'unknown';
  if (seen.kind === 'pool') {
    const pool = seen.pool;
    if (change.kind === 'pool_create') {
      if (pool === null) return 'not_applied';
      const same =
        pool.instanceFamily.toUpperCase() === change.instanceFamily.toUpperCase() &&
        pool.minNodes === change.minNodes &&
        pool.maxNodes === change.maxNodes;
      // A pool of that name but another shape: someone else made it; IF NOT EXISTS would not change it.
      return same ? 'applied' : 'unknown';
    }
    if (pool === null) return 'unknown';
    if (change.kind === 'pool_suspend') return SUSPENDED_POOL.includes(pool.state) ? 'applied' : 'not_applied';
    if (change.kind === 'pool_resume') return SUSPENDED_POOL.includes(pool.state) ? 'not_applied' : 'applied';
    return 'unknown';
  }
  const service = seen.service;
  if (change.kind === 'drop') return service === null || GONE_SERVICE.includes(service.status) ? 'applied' : 'not_applied';
  // The service is gone (or going): the change cannot be told from a drop by someone else.
  if (service === null || GONE_SERVICE.includes(service.status)) return 'unknown';
  switch (change.kind) {
    case 'suspend':
      return SUSPENDED_SERVICE.includes(service.status) ? 'applied' : 'not_applied';
    case 'resume':
      return SUSPENDED_SERVICE.includes(service.status) ? 'not_applied' : 'applied';
    case 'scale': {
      const same =
        service.minInstances === change.min &&
        service.maxInstances === change.max &&
        (change.minReady === undefined || service.minReadyInstances === change.minReady);
      return same ? 'applied' : 'not_applied';
    }
    case 'autosuspend':
      return service.autoSuspendSecs === change.seconds ? 'applied' : 'not_applied';
    default:
      return 'unknown';
  }
}

/** The verb for refusals, audit entries and headlines: "suspend", "scale", "drop". */
export const CHANGE_VERBS: Readonly<Record<ServiceChangeKind, string>> = {
  suspend: 'suspend',
  resume: 'resume',
  scale: 'scale',
  autosuspend: 'set auto-suspend of',
  drop: 'drop',
  pool_suspend: 'suspend compute pool',
  pool_resume: 'resume compute pool',
  pool_create: 'create compute pool',
};

export type AttentionAction = 'mark_done' | 'retry';

/**
 * A person's answer to `needs_attention`, as a pure step: "I checked, it took effect" records the
 * unanswered statements accepted (by a person) and the change done; Retry starts the next round in
 * `executing`, so the worker looks at Snowflake again before it sends anything. Null when the
 * change is not waiting for a person (a double click, or answered already).
 */
export function decideAttention(op: Operation, action: AttentionAction, nowMs: number): Operation | null {
  const ex = op.execution;
  if (ex?.phase !== 'needs_attention') return null;
  if (action === 'retry') return { ...op, execution: { ...ex, phase: 'executing', sinceMs: nowMs, round: ex.round + 1 } };
  const statements = ex.statements.map((s) =>
    s.outcome === undefined ? { ...s, outcome: 'accepted' as const, learnedBy: 'person' as const, atMs: nowMs } : s,
  );
  return { ...op, execution: { ...ex, phase: 'done', sinceMs: nowMs, statements } };
}
