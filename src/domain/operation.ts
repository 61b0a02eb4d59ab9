import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { APPROVAL_STATES, Decision } from './deployment.js';

/**
 * A change to a running service (issue 5 "Management"), from request to outcome. It is a record
 * of its own beside deployments, but behind the same gate: the same compare-and-set store
 * (versioned-record.ts), the same guard chain (decideApprovalClick / decideRejection /
 * decideExecution) and the same audit stream. `gate` says who must agree: the requester alone
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

export const GATES = ['self', 'approval'] as const;
export type Gate = (typeof GATES)[number];

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
});
export type Operation = z.infer<typeof Operation>;

export function newOperationId(): string {
  return `o${BigInt(`0x${randomBytes(10).toString('hex')}`).toString(36)}`.padEnd(9, '0');
}

/** The plan an approval applies to: the service and the exact change. */
export function operationHash(service: string, change: OperationChange): string {
  return createHash('sha256').update(JSON.stringify({ service, change })).digest('hex');
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
