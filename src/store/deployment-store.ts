import { Deployment } from '../domain/deployment.js';
import { GateStore, type GateClick, type GateExpiryOutcome, type GateRejection } from './gate-store.js';
import type { Step } from './versioned-record.js';
import type { StoreRedis } from './store-redis.js';

/**
 * Deployments in Redis: the gate store's records under `${keyPrefix}:deployment:<id>` (approve,
 * reject, expire and the compare-and-set live in gate-store.ts), plus what only deployments have:
 * the set the status tracker follows, and look-ups by service.
 */

export interface Versioned {
  readonly deployment: Deployment;
  readonly version: number;
}

/** What a transition decides: write a new record (and return `result`), or leave it as is. */
export type TransitionStep<R> = Step<Deployment, R>;

export type ApprovalOutcome = GateClick<Deployment>;
export type RejectionOutcome = GateRejection<Deployment>;
export type ExpiryOutcome = GateExpiryOutcome<Deployment>;

export class DeploymentStore extends GateStore<Deployment> {
  constructor(redis: StoreRedis, keyPrefix: string) {
    super(redis, keyPrefix, 'deployment', Deployment);
  }

  private get activeKey(): string {
    return `${this.keyPrefix}:deployments:active`;
  }

  async read(id: string): Promise<Versioned | null> {
    const found = await this.readVersioned(id);
    return found === null ? null : { deployment: found.record, version: found.version };
  }

  /**
   * Every deployment of one service (names as Snowflake stores them), newest first: where its
   * thread is, and whether one is in flight.
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
