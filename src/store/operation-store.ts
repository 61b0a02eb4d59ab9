import { Operation } from '../domain/operation.js';
import { GateStore, type GateClick, type GateExpiryOutcome, type GateRejection } from './gate-store.js';
import type { StoreRedis } from './store-redis.js';

/**
 * Service and pool change requests in Redis (`${keyPrefix}:operation:<id>`): the gate store's
 * records (approve, reject, expire in gate-store.ts), plus the look-up the execute sweep needs.
 */
export type OperationClick = GateClick<Operation>;
export type OperationRejection = GateRejection<Operation>;
export type OperationExpiry = GateExpiryOutcome<Operation>;

export class OperationStore extends GateStore<Operation> {
  constructor(redis: StoreRedis, keyPrefix: string) {
    super(redis, keyPrefix, 'operation', Operation);
  }

  /**
   * Approved at least `graceMs` ago and never started by a worker (no execution part), or left
   * `executing`: the sweep re-enqueues those whose job is gone.
   */
  approvedUnfinished(nowMs: number, graceMs: number): Promise<Operation[]> {
    return this.matching((op) => {
      if (op.state !== 'approved' || op.approvals.length === 0) return false;
      if (op.execution !== undefined && op.execution.phase !== 'executing') return false;
      return nowMs - Math.max(...op.approvals.map((a) => a.atMs)) >= graceMs;
    });
  }
}
