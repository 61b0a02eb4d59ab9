import type { Redis } from 'ioredis';
import {
  decideApprovalClick,
  decideExpiry,
  decideRejectionClick,
  type ApprovalPolicy,
  type Clicker,
  type RefusalReason,
} from '../domain/approval-policy.js';
import { Deployment } from '../domain/deployment.js';
import { createRecord, readRecord, readRecords, transitionRecord, type Step } from './versioned-record.js';

/**
 * Deployments in Redis: one hash per deployment (`doc` = the record as JSON, `v` = its version)
 * under `${keyPrefix}:deployment:<id>`, plus the set of deployments the status tracker follows.
 *
 * Every write is a compare-and-set on `v` done by one Lua script, so the decision (made in
 * TypeScript with the domain's guard chain, on the version it read) and the write are atomic:
 * of ten concurrent clicks on the same version exactly one wins; the others re-read and are
 * decided again against the new state.
 */

export interface Versioned {
  readonly deployment: Deployment;
  readonly version: number;
}

/** What a transition decides: write a new record (and return `result`), or leave it as is. */
export type TransitionStep<R> = Step<Deployment, R>;

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
    if (!(await createRecord(this.redis, this.key(deployment.id), Deployment, deployment))) {
      throw new Error(`deployment ${deployment.id} already exists`);
    }
  }

  async read(id: string): Promise<Versioned | null> {
    const found = await readRecord(this.redis, this.key(id), Deployment);
    return found === null ? null : { deployment: found.record, version: found.version };
  }

  async get(id: string): Promise<Deployment | null> {
    return (await this.read(id))?.deployment ?? null;
  }

  /** Several deployments in one round trip, in the order of `ids` (null where one does not exist). */
  async getMany(ids: readonly string[]): Promise<Array<Deployment | null>> {
    const found = await readRecords(
      this.redis,
      ids.map((id) => this.key(id)),
      Deployment,
    );
    return found.map((f) => f?.record ?? null);
  }

  /**
   * Reads, lets `decide` choose, and writes only if nobody wrote in between; on a conflict it
   * starts over from the new version. `decide` must be pure: it may run more than once.
   */
  transition<R>(id: string, decide: (current: Deployment | null) => TransitionStep<R>): Promise<R> {
    return transitionRecord(this.redis, this.key(id), Deployment, decide);
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
      const { write, result } = decideApprovalClick(current, clicker, shownPlanHash, policy, nowMs);
      const { record, ...rest } = result;
      const outcome: ApprovalOutcome = { ...rest, deployment: record };
      return write === null ? { result: outcome } : { write, result: outcome };
    });
  }

  /** A rejection: the same checks as an approval except the self rule (a requester may withdraw). */
  reject(
    id: string,
    clicker: Clicker,
    shownPlanHash: string,
    reason: string | undefined,
    policy: ApprovalPolicy,
    nowMs: number,
  ): Promise<RejectionOutcome> {
    return this.transition<RejectionOutcome>(id, (current) => {
      if (current === null) return { result: { outcome: 'refused', reason: 'not_found', deployment: null } };
      const step = decideRejectionClick(current, clicker, shownPlanHash, reason, policy, nowMs);
      if (step.write === null) return { result: { outcome: 'refused', reason: step.refusal, deployment: current } };
      return { write: step.write, result: { outcome: 'rejected', deployment: step.write } };
    });
  }

  /**
   * Expires a request nobody decided on within `ttlMs`, with the same rule as a click
   * (`decideApproval`: older than the TTL). Approved, rejected and expired ones are left alone.
   */
  expire(id: string, ttlMs: number, nowMs: number): Promise<ExpiryOutcome> {
    return this.transition<ExpiryOutcome>(id, (current) => {
      if (current === null) return { result: { outcome: 'not_found' } };
      const { write, result } = decideExpiry(current, ttlMs, nowMs);
      if (result.outcome === 'not_due') return { result };
      if (result.outcome === 'decided' || write === null) return { result: { outcome: 'decided' } };
      return { write, result: { outcome: 'expired', deployment: result.record } };
    });
  }

  /**
   * Every deployment of one service (names as Snowflake stores them), newest first: where its
   * thread is, and whether one is in flight. A key scan rather than an index: the store holds
   * one record per deployment request, few enough for a chatops bot.
   */
  async forService(service: { readonly database: string; readonly schema: string; readonly name: string }): Promise<Deployment[]> {
    const found = await this.matching(
      (d) =>
        d.request.service.database === service.database &&
        d.request.service.schema === service.schema &&
        d.request.service.name === service.name,
    );
    return found.sort((a, b) => b.requestedAtMs - a.requestedAtMs);
  }

  /**
   * Approved at least `graceMs` ago and not started: the click handler that approved them stopped
   * before it enqueued the job (the sweeper hands them to the deploy queue).
   */
  approvedNotStarted(nowMs: number, graceMs: number): Promise<Deployment[]> {
    return this.matching((d) => {
      const approvedAt = Math.max(...d.approvals.map((a) => a.atMs));
      return d.state === 'approved' && (d.execution === undefined || d.execution.phase === 'queued') && nowMs - approvedAt >= graceMs;
    });
  }

  private async matching(keep: (d: Deployment) => boolean): Promise<Deployment[]> {
    const found: Deployment[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.key('*'), 'COUNT', 500);
      cursor = next;
      const records = await this.getMany(keys.map((key) => key.slice(this.key('').length)));
      for (const d of records) if (d !== null && keep(d)) found.push(d);
    } while (cursor !== '0');
    return found;
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
