import type { Redis } from 'ioredis';
import {
  decideApproval,
  type ApprovalPolicy,
  type Clicker,
  type RefusalReason,
} from '../domain/approval-policy.js';
import { Deployment, type Decision } from '../domain/deployment.js';

/**
 * Deployments in Redis: one hash per deployment (`doc` = the record as JSON, `v` = its version)
 * under `${keyPrefix}:deployment:<id>`, plus the set of deployments the status tracker follows.
 *
 * Every write is a compare-and-set on `v` done by one Lua script, so the decision (made in
 * TypeScript with the domain's guard chain, on the version it read) and the write are atomic:
 * of ten concurrent clicks on the same version exactly one wins; the others re-read and are
 * decided again against the new state.
 */

// KEYS[1] = hash; ARGV[1] = expected version ('0' = must not exist), ARGV[2] = new doc.
const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], 'v')
if (current or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'v', tostring(tonumber(ARGV[1]) + 1))
return 1
`;

const MAX_ATTEMPTS = 50;

export interface Versioned {
  readonly deployment: Deployment;
  readonly version: number;
}

/** What a transition decides: write a new record (and return `result`), or leave it as is. */
export type TransitionStep<R> = { readonly write: Deployment; readonly result: R } | { readonly result: R };

export type ApprovalOutcome =
  | { readonly outcome: 'approved'; readonly deployment: Deployment }
  | { readonly outcome: 'recorded'; readonly deployment: Deployment; readonly count: number; readonly required: number }
  | { readonly outcome: 'refused'; readonly reason: RefusalReason | 'not_found'; readonly deployment: Deployment | null };

/** What the expiry job found: expired now, not due yet (with when it is), or already decided. */
export type ExpiryOutcome =
  | { readonly outcome: 'expired'; readonly deployment: Deployment }
  | { readonly outcome: 'not_due'; readonly dueAtMs: number }
  | { readonly outcome: 'decided' | 'not_found' };

export type RejectionOutcome =
  | { readonly outcome: 'rejected'; readonly deployment: Deployment }
  | { readonly outcome: 'refused'; readonly reason: RefusalReason | 'not_found'; readonly deployment: Deployment | null };

export class DeploymentStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  private key(id: string): string {
    return `${this.keyPrefix}:deployment:${id}`;
  }

  private get activeKey(): string {
    return `${this.keyPrefix}:deployments:active`;
  }

  async create(deployment: Deployment): Promise<void> {
    const parsed = Deployment.parse(deployment);
    const written = await this.redis.eval(COMPARE_AND_SET, 1, this.key(parsed.id), '0', JSON.stringify(parsed));
    if (written !== 1) throw new Error(`deployment ${parsed.id} already exists`);
  }

  async read(id: string): Promise<Versioned | null> {
    const [doc, v] = await this.redis.hmget(this.key(id), 'doc', 'v');
    if (doc == null || v == null) return null;
    return { deployment: Deployment.parse(JSON.parse(doc)), version: Number(v) };
  }

  async get(id: string): Promise<Deployment | null> {
    return (await this.read(id))?.deployment ?? null;
  }

  /**
   * Reads, lets `decide` choose, and writes only if nobody wrote in between; on a conflict it
   * starts over from the new version. `decide` must be pure: it may run more than once.
   */
  async transition<R>(id: string, decide: (current: Deployment | null) => TransitionStep<R>): Promise<R> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.read(id);
      const step = decide(current?.deployment ?? null);
      if (!('write' in step) || current === null) return step.result;
      const doc = JSON.stringify(Deployment.parse(step.write));
      const written = await this.redis.eval(COMPARE_AND_SET, 1, this.key(id), String(current.version), doc);
      if (written === 1) return step.result;
    }
    throw new Error(`deployment ${id}: too many concurrent writes`);
  }

  /** Applies `change` atomically; returns the new record (null when the deployment does not exist). */
  update(id: string, change: (current: Deployment) => Deployment): Promise<Deployment | null> {
    return this.transition(id, (current) => {
      if (current === null) return { result: null };
      const next = change(current);
      return { write: next, result: next };
    });
  }

  /**
   * One approval click. The guard chain runs on the version being replaced, so state pending,
   * not expired, same plan hash and not already counted all hold at the moment of the write.
   */
  approve(id: string, clicker: Clicker, shownPlanHash: string, policy: ApprovalPolicy, nowMs: number): Promise<ApprovalOutcome> {
    return this.transition<ApprovalOutcome>(id, (current) => {
      if (current === null) return { result: { outcome: 'refused', reason: 'not_found', deployment: null } };
      const decision = decideApproval(policy, gateView(current), clicker, shownPlanHash, nowMs);
      if (!decision.ok) {
        if (decision.reason === 'expired' && current.state === 'pending') {
          const expired: Deployment = { ...current, state: 'expired' };
          return { write: expired, result: { outcome: 'refused', reason: 'expired', deployment: expired } };
        }
        return { result: { outcome: 'refused', reason: decision.reason, deployment: current } };
      }
      const approvals: Decision[] = [...current.approvals, { userId: clicker.userId, atMs: nowMs }];
      if (approvals.length >= policy.requiredApprovals) {
        const approved: Deployment = { ...current, approvals, state: 'approved' };
        return { write: approved, result: { outcome: 'approved', deployment: approved } };
      }
      const recorded: Deployment = { ...current, approvals };
      return {
        write: recorded,
        result: { outcome: 'recorded', deployment: recorded, count: approvals.length, required: policy.requiredApprovals },
      };
    });
  }

  /** A rejection: the same checks as an approval except the self rule (a requester may withdraw). */
  reject(id: string, clicker: Clicker, shownPlanHash: string, reason: string | undefined, policy: ApprovalPolicy, nowMs: number): Promise<RejectionOutcome> {
    return this.transition<RejectionOutcome>(id, (current) => {
      if (current === null) return { result: { outcome: 'refused', reason: 'not_found', deployment: null } };
      const withdrawing = clicker.userId === current.requestedBy;
      const asApprover: Clicker = { userId: clicker.userId, isApprover: clicker.isApprover || withdrawing };
      const rules: ApprovalPolicy = { ...policy, allowSelfApproval: true };
      const decision = decideApproval(rules, { ...gateView(current), approvals: [] }, asApprover, shownPlanHash, nowMs);
      if (!decision.ok) return { result: { outcome: 'refused', reason: decision.reason, deployment: current } };
      const rejection: Decision = { userId: clicker.userId, atMs: nowMs, ...(reason !== undefined && reason !== '' ? { reason } : {}) };
      const rejected: Deployment = { ...current, state: 'rejected', rejection };
      return { write: rejected, result: { outcome: 'rejected', deployment: rejected } };
    });
  }

  /**
   * Expires a request nobody decided on within `ttlMs`, with the same rule as a click
   * (`decideApproval`: older than the TTL). Approved, rejected and expired ones are left alone.
   */
  expire(id: string, ttlMs: number, nowMs: number): Promise<ExpiryOutcome> {
    return this.transition<ExpiryOutcome>(id, (current) => {
      if (current === null) return { result: { outcome: 'not_found' } };
      if (current.state !== 'pending') return { result: { outcome: 'decided' } };
      if (nowMs - current.requestedAtMs <= ttlMs) return { result: { outcome: 'not_due', dueAtMs: current.requestedAtMs + ttlMs + 1 } };
      const expired: Deployment = { ...current, state: 'expired' };
      return { write: expired, result: { outcome: 'expired', deployment: expired } };
    });
  }

  /** Deployments the status tracker follows (a query id is stored, no final phase yet). */
  async track(id: string): Promise<void> {
    await this.redis.sadd(this.activeKey, id);
  }

  async untrack(id: string): Promise<void> {
    await this.redis.srem(this.activeKey, id);
  }

  async trackedIds(): Promise<string[]> {
    return this.redis.smembers(this.activeKey);
  }
}

function gateView(d: Deployment) {
  return {
    state: d.state,
    requestedBy: d.requestedBy,
    requestedAtMs: d.requestedAtMs,
    planHash: d.planHash,
    approvals: d.approvals.map((a) => a.userId),
  };
}
