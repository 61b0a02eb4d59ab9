import type { Redis } from 'ioredis';
import {
  decideApprovalClick,
  decideExpiry,
  decideRejectionClick,
  type ApprovalClick,
  type ApprovalPolicy,
  type Clicker,
  type GateExpiry,
  type RefusalReason,
} from '../domain/approval-policy.js';
import { Operation } from '../domain/operation.js';
import { createRecord, readRecord, transitionRecord } from './versioned-record.js';

/**
 * Service change requests in Redis (`${keyPrefix}:operation:<id>`), written with the same
 * compare-and-set as deployments and decided by the same guard chain, so a double click confirms
 * once and ten approvers produce exactly one approval that counts.
 */
export type OperationClick =
  | ApprovalClick<Operation>
  | { readonly outcome: 'refused'; readonly reason: 'not_found'; readonly record: null };

export type OperationRejection =
  | { readonly outcome: 'rejected'; readonly record: Operation }
  | { readonly outcome: 'refused'; readonly reason: RefusalReason | 'not_found'; readonly record: Operation | null };

/** What the expiry job found (see decideExpiry). */
export type OperationExpiry = GateExpiry<Operation> | { readonly outcome: 'not_found' };

export class OperationStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  private key(id: string): string {
    return `${this.keyPrefix}:operation:${id}`;
  }

  async create(operation: Operation): Promise<void> {
    if (!(await createRecord(this.redis, this.key(operation.id), Operation, operation)))
      throw new Error(`operation ${operation.id} already exists`);
  }

  async get(id: string): Promise<Operation | null> {
    return (await readRecord(this.redis, this.key(id), Operation))?.record ?? null;
  }

  update(id: string, change: (current: Operation) => Operation): Promise<Operation | null> {
    return transitionRecord(this.redis, this.key(id), Operation, (current) => {
      if (current === null) return { result: null };
      const next = change(current);
      return { write: next, result: next };
    });
  }

  /** A confirmation (gate `self`) or approval click; see decideApprovalClick. */
  approve(id: string, clicker: Clicker, shownPlanHash: string, policy: ApprovalPolicy, nowMs: number): Promise<OperationClick> {
    return transitionRecord<Operation, OperationClick>(this.redis, this.key(id), Operation, (current) => {
      if (current === null) return { result: { outcome: 'refused', reason: 'not_found', record: null } };
      const { write, result } = decideApprovalClick(current, clicker, shownPlanHash, policy, nowMs);
      return write === null ? { result } : { write, result };
    });
  }

  /** A rejection (approvers' gate) or cancellation (own gate), with the rejecter's reason when they gave one. */
  reject(
    id: string,
    clicker: Clicker,
    shownPlanHash: string,
    reason: string | undefined,
    policy: ApprovalPolicy,
    nowMs: number,
  ): Promise<OperationRejection> {
    return transitionRecord<Operation, OperationRejection>(this.redis, this.key(id), Operation, (current) => {
      if (current === null) return { result: { outcome: 'refused', reason: 'not_found', record: null } };
      const step = decideRejectionClick(current, clicker, shownPlanHash, reason, policy, nowMs);
      if (step.write === null) return { result: { outcome: 'refused', reason: step.refusal, record: current } };
      return { write: step.write, result: { outcome: 'rejected', record: step.write } };
    });
  }

  /** Expires a request nobody decided on within `ttlMs` (the expiry job); decided ones are left alone. */
  expire(id: string, ttlMs: number, nowMs: number): Promise<OperationExpiry> {
    return transitionRecord<Operation, OperationExpiry>(this.redis, this.key(id), Operation, (current) => {
      if (current === null) return { result: { outcome: 'not_found' } };
      const { write, result } = decideExpiry(current, ttlMs, nowMs);
      return write === null ? { result } : { write, result };
    });
  }
}
