import { randomBytes } from 'node:crypto';
import { AccessChangeRecord } from '../domain/access-change.js';
import { GateStore } from './gate-store.js';
import type { StoreRedis } from './store-redis.js';

/** Confirmed `/spcs access` changes behind the gate: `${keyPrefix}:access-change:<id>`. */
export class AccessChangeStore extends GateStore<AccessChangeRecord> {
  constructor(redis: StoreRedis, keyPrefix: string) {
    super(redis, keyPrefix, 'access', AccessChangeRecord);
  }

  // `${keyPrefix}:access:<id>` holds the modal's sessions (ids also start with `a`): keep apart.
  protected override key(id: string): string {
    return `${this.keyPrefix}:access-change:${id}`;
  }

  /** Approved at least `graceMs` ago and never started: the submit that approved it stopped before it enqueued the job. */
  approvedNotStarted(nowMs: number, graceMs: number): Promise<AccessChangeRecord[]> {
    return this.matching(
      (r) => r.state === 'approved' && r.execution === undefined && nowMs - Math.max(...r.approvals.map((a) => a.atMs)) >= graceMs,
    );
  }

  newId(): string {
    return `a${randomBytes(12).toString('hex')}`;
  }
}
