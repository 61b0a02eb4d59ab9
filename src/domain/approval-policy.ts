import { z } from 'zod';

/** A Slack user (U…/W…) or user group (S…) id, as SPCS_APPROVERS and friends list them. */
export const SlackPrincipalId = z.string().regex(/^[UWS][A-Z0-9]{2,20}$/, { error: 'a Slack user id (U…/W…) or user-group id (S…)' });

export interface ApprovalPolicy {
  /** User and user-group ids; empty means any member of the channel where the request was posted. */
  readonly approvers: readonly string[];
  readonly requiredApprovals: number;
  readonly allowSelfApproval: boolean;
  readonly ttlMs: number;
}

export const REFUSAL_REASONS = [
  'not_an_approver',
  'own_request',
  'expired',
  'already_decided',
  'plan_changed',
  'already_approved_by_you',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export type ApprovalDecision = { readonly ok: true } | { readonly ok: false; readonly reason: RefusalReason };

/** What the gate needs to know about the request being approved. */
export interface PendingRequest {
  readonly state: 'pending' | 'approved' | 'rejected' | 'expired' | 'executing' | 'done';
  readonly requestedBy: string;
  readonly requestedAtMs: number;
  readonly planHash: string;
  readonly approvals: readonly string[];
}

/** Who clicked, with what Slack told us about them. */
export interface Clicker {
  readonly userId: string;
  /** True when the user is listed in SPCS_APPROVERS directly or through a user group, or, with an empty list, is a channel member. */
  readonly isApprover: boolean;
}

/**
 * The approval gate's guard chain: each safety rule returns early with its reason. It is pure so
 * the same rules run at the click (before the atomic Redis transition) and again when the job starts.
 */
export function decideApproval(
  policy: ApprovalPolicy,
  request: PendingRequest,
  clicker: Clicker,
  shownPlanHash: string,
  nowMs: number,
): ApprovalDecision {
  if (request.state !== 'pending') return { ok: false, reason: 'already_decided' };
  if (nowMs - request.requestedAtMs > policy.ttlMs) return { ok: false, reason: 'expired' };
  if (shownPlanHash !== request.planHash) return { ok: false, reason: 'plan_changed' };
  if (!clicker.isApprover) return { ok: false, reason: 'not_an_approver' };
  if (!policy.allowSelfApproval && clicker.userId === request.requestedBy) return { ok: false, reason: 'own_request' };
  if (request.approvals.includes(clicker.userId)) return { ok: false, reason: 'already_approved_by_you' };
  return { ok: true };
}

/** Whether the listed principals include the user, directly or through one of the groups resolved for them. */
export function isListedApprover(approvers: readonly string[], userId: string, userGroupIds: readonly string[]): boolean {
  return approvers.includes(userId) || userGroupIds.some((g) => approvers.includes(g));
}

export const EXECUTION_REFUSALS = ['not_approved', 'plan_changed', 'too_few_approvals', 'own_request', 'expired'] as const;
export type ExecutionRefusal = (typeof EXECUTION_REFUSALS)[number];

/** What the job re-checks before it touches Snowflake. */
export interface ApprovedRequest {
  readonly state: PendingRequest['state'];
  readonly requestedBy: string;
  readonly requestedAtMs: number;
  /** The hash stored at request time, and the hash of the request as it is now. */
  readonly planHash: string;
  readonly currentPlanHash: string;
  readonly approvals: readonly { readonly userId: string; readonly atMs: number }[];
}

/**
 * The guard chain again, at job start: settings may have changed since the click (more approvals
 * required, self-approval turned off) and the stored plan must still be the approved one.
 */
export function decideExecution(
  policy: ApprovalPolicy,
  request: ApprovedRequest,
): { readonly ok: true } | { readonly ok: false; readonly reason: ExecutionRefusal } {
  if (request.state !== 'approved') return { ok: false, reason: 'not_approved' };
  if (request.planHash !== request.currentPlanHash) return { ok: false, reason: 'plan_changed' };
  const counted = request.approvals.filter((a) => policy.allowSelfApproval || a.userId !== request.requestedBy);
  if (counted.length < request.approvals.length && counted.length < policy.requiredApprovals) return { ok: false, reason: 'own_request' };
  if (counted.length < policy.requiredApprovals) return { ok: false, reason: 'too_few_approvals' };
  const lastApproval = Math.max(...request.approvals.map((a) => a.atMs));
  if (lastApproval - request.requestedAtMs > policy.ttlMs) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/** What every record behind the approval gate carries (deployments and service change requests). */
export interface GateRecord {
  readonly state: 'pending' | 'approved' | 'rejected' | 'expired';
  readonly requestedBy: string;
  readonly requestedAtMs: number;
  readonly planHash: string;
  readonly approvals: readonly { readonly userId: string; readonly atMs: number }[];
}

export type ApprovalClick<T> =
  | { readonly outcome: 'approved'; readonly record: T }
  | { readonly outcome: 'recorded'; readonly record: T; readonly count: number; readonly required: number }
  | { readonly outcome: 'refused'; readonly reason: RefusalReason; readonly record: T };

/**
 * One approval click on a gate record, as a pure step: the guard chain on the version being
 * replaced, then the record to write (null: leave it). A stale pending record is written expired.
 */
export function decideApprovalClick<T extends GateRecord>(
  current: T,
  clicker: Clicker,
  shownPlanHash: string,
  policy: ApprovalPolicy,
  nowMs: number,
): { readonly write: T | null; readonly result: ApprovalClick<T> } {
  const view = { ...current, approvals: current.approvals.map((a) => a.userId) };
  const decision = decideApproval(policy, view, clicker, shownPlanHash, nowMs);
  if (!decision.ok) {
    if (decision.reason === 'expired' && current.state === 'pending') {
      const expired: T = { ...current, state: 'expired' };
      return { write: expired, result: { outcome: 'refused', reason: 'expired', record: expired } };
    }
    return { write: null, result: { outcome: 'refused', reason: decision.reason, record: current } };
  }
  const approvals = [...current.approvals, { userId: clicker.userId, atMs: nowMs }];
  if (approvals.length >= policy.requiredApprovals) {
    const approved: T = { ...current, approvals, state: 'approved' };
    return { write: approved, result: { outcome: 'approved', record: approved } };
  }
  const recorded: T = { ...current, approvals };
  return {
    write: recorded,
    result: { outcome: 'recorded', record: recorded, count: approvals.length, required: policy.requiredApprovals },
  };
}

/**
 * A rejection click: the same checks as an approval except the self rule (a requester may
 * withdraw). Returns the reason it is refused, or null when it may be rejected.
 */
export function decideRejection(
  current: GateRecord,
  clicker: Clicker,
  shownPlanHash: string,
  policy: ApprovalPolicy,
  nowMs: number,
): RefusalReason | null {
  const withdrawing = clicker.userId === current.requestedBy;
  const asApprover: Clicker = { userId: clicker.userId, isApprover: clicker.isApprover || withdrawing };
  const decision = decideApproval({ ...policy, allowSelfApproval: true }, { ...current, approvals: [] }, asApprover, shownPlanHash, nowMs);
  return decision.ok ? null : decision.reason;
}

/** What an expiry check found: expired now, not due yet (with when it is), or already decided. */
export type GateExpiry<T> =
  | { readonly outcome: 'expired'; readonly record: T }
  | { readonly outcome: 'not_due'; readonly dueAtMs: number }
  | { readonly outcome: 'decided' };

/**
 * The expiry job's step on a gate record, with the same rule as a click (`decideApproval`: older
 * than the TTL). Approved, rejected and expired records are left alone (write null).
 */
export function decideExpiry<T extends GateRecord>(
  current: T,
  ttlMs: number,
  nowMs: number,
): { readonly write: T | null; readonly result: GateExpiry<T> } {
  if (current.state !== 'pending') return { write: null, result: { outcome: 'decided' } };
  if (nowMs - current.requestedAtMs <= ttlMs)
    return { write: null, result: { outcome: 'not_due', dueAtMs: current.requestedAtMs + ttlMs + 1 } };
  const expired: T = { ...current, state: 'expired' };
  return { write: expired, result: { outcome: 'expired', record: expired } };
}

/**
 * A rejection click on a gate record, as a pure step: refused (write null) per decideRejection, or
 * the record rejected by the clicker, with their reason when they gave one.
 */
export function decideRejectionClick<
  T extends GateRecord & { readonly rejection?: { userId: string; atMs: number; reason?: string | undefined } | undefined },
>(
  current: T,
  clicker: Clicker,
  shownPlanHash: string,
  reason: string | undefined,
  policy: ApprovalPolicy,
  nowMs: number,
): { readonly write: null; readonly refusal: RefusalReason } | { readonly write: T; readonly refusal: null } {
  const refusal = decideRejection(current, clicker, shownPlanHash, policy, nowMs);
  if (refusal !== null) return { write: null, refusal };
  const rejection = { userId: clicker.userId, atMs: nowMs, ...(reason !== undefined && reason !== '' && { reason }) };
  return { write: { ...current, state: 'rejected', rejection }, refusal: null };
}

/**
 * The kinds of record behind the gate. Each has its own store key (`<prefix>:<kind>:<id>`) and a
 * flow-side adapter (src/flows/gate/); a new kind (e.g. `access` for grants) adds a name here, a
 * zod codec with the GatedRecord fields, and an adapter.
 */
export const GATE_KINDS = ['deployment', 'operation', 'access'] as const;
export type GateKind = (typeof GATE_KINDS)[number];

/** Who must agree: the requester alone confirming once (`self`), or approvers per SPCS_APPROVERS (`approval`). */
export const GATES = ['self', 'approval'] as const;
export type Gate = (typeof GATES)[number];

/** The gate's rules for a record: the configured policy for approvers, or the requester alone confirming once. */
export function policyFor(gate: Gate, policy: ApprovalPolicy): ApprovalPolicy {
  return gate === 'approval' ? policy : { ...policy, approvers: [], requiredApprovals: 1, allowSelfApproval: true };
}
