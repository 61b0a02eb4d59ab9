import {
  decideApprovalClick,
  decideExpiry,
  decideRejectionClick,
  type ApprovalClick,
  type ApprovalPolicy,
  type Clicker,
  type GateExpiry,
  type GateKind,
  type GateRecord,
  type RefusalReason,
} from '../domain/approval-policy.js';
import { createRecord, readRecord, readRecords, transitionRecord, type RecordCodec, type Step } from './versioned-record.js';
import { scanKeys, type StoreRedis } from './store-redis.js';

/**
 * The approval gate's records in Redis, one store for every kind behind the gate (deployments,
 * service and pool change requests): `${keyPrefix}:<kind>:<id>`, written only by the versioned
 * compare-and-set (versioned-record.ts) and decided by the domain's guard chain. So "ten clicks
 * on one version, exactly one approval counts" and "expire only what is still pending" exist once.
 */

/** What every gated record has besides the guard chain's fields: its id and, once rejected, who and why. */
export type GatedRecord = GateRecord & {
  readonly id: string;
  readonly rejection?: { userId: string; atMs: number; reason?: string | undefined } | undefined;
};

export type GateClick<T> = ApprovalClick<T> | { readonly outcome: 'refused'; readonly reason: 'not_found'; readonly record: null };

export type GateRejection<T> =
  | { readonly outcome: 'rejected'; readonly record: T }
  | { readonly outcome: 'refused'; readonly reason: RefusalReason | 'not_found'; readonly record: T | null };

/** What the expiry job found (see decideExpiry). */
export type GateExpiryOutcome<T> = GateExpiry<T> | { readonly outcome: 'not_found' };

export interface Versioned<T> {
  readonly record: T;
  readonly version: number;
}

export class GateStore<T extends GatedRecord> {
  constructor(
    protected readonly redis: StoreRedis,
    protected readonly keyPrefix: string,
    /** The record kind; also the key's middle part, so existing keys (`deployment`, `operation`) stay where they are. */
    readonly kind: GateKind,
    protected readonly codec: RecordCodec<T>,
  ) {}

  protected key(id: string): string {
    return `${this.keyPrefix}:${this.kind}:${id}`;
  }

  async create(record: T): Promise<void> {
    if (!(await this.createIfAbsent(record))) throw new Error(`${this.kind} ${record.id} already exists`);
  }

  /** Writes the record unless one with its id exists (one compare-and-set); false when it did. */
  createIfAbsent(record: T): Promise<boolean> {
    return createRecord(this.redis, this.key(record.id), this.codec, record);
  }

  async readVersioned(id: string): Promise<Versioned<T> | null> {
    return readRecord(this.redis, this.key(id), this.codec);
  }

  async get(id: string): Promise<T | null> {
    return (await this.readVersioned(id))?.record ?? null;
  }

  /** Several records in one round trip, in the order of `ids` (null where one does not exist). */
  async getMany(ids: readonly string[]): Promise<Array<T | null>> {
    const found = await readRecords(
      this.redis,
      ids.map((id) => this.key(id)),
      this.codec,
    );
    return found.map((f) => f?.record ?? null);
  }

  /**
   * Reads, lets `decide` choose, and writes only if nobody wrote in between; on a conflict it
   * starts over from the new version. `decide` must be pure: it may run more than once.
   */
  transition<R>(id: string, decide: (current: T | null) => Step<T, R>, known?: Versioned<T>): Promise<R> {
    return transitionRecord(this.redis, this.key(id), this.codec, decide, known);
  }

  /** Applies `change` atomically; returns the new record (null when there is none). */
  update(id: string, change: (current: T) => T): Promise<T | null> {
    return this.transition(id, (current) => {
      if (current === null) return { result: null };
      const next = change(current);
      return { write: next, result: next };
    });
  }

  /**
   * One approval (or own confirmation) click. The guard chain runs on the version being replaced,
   * so state pending, not expired, same plan hash and not already counted all hold at the write.
   * `whenApproved` adds what the approval that lets the record run brings with it (a deployment's
   * queued phase) in the same write; `known` is the version the click handler just read.
   */
  approve(
    id: string,
    clicker: Clicker,
    shownPlanHash: string,
    policy: ApprovalPolicy,
    nowMs: number,
    options: { readonly known?: Versioned<T>; readonly whenApproved?: (approved: T) => T } = {},
  ): Promise<GateClick<T>> {
    const { known, whenApproved } = options;
    return this.transition<GateClick<T>>(
      id,
      (current) => {
        if (current === null) return { result: { outcome: 'refused', reason: 'not_found', record: null } };
        const { write, result } = decideApprovalClick(current, clicker, shownPlanHash, policy, nowMs);
        if (result.outcome === 'approved' && whenApproved !== undefined) {
          const approved = whenApproved(result.record);
          return { write: approved, result: { outcome: 'approved', record: approved } };
        }
        return write === null ? { result } : { write, result };
      },
      known,
    );
  }

  /** A rejection or cancellation: the same checks as an approval except the self rule (a requester may withdraw). */
  reject(
    id: string,
    clicker: Clicker,
    shownPlanHash: string,
    reason: string | undefined,
    policy: ApprovalPolicy,
    nowMs: number,
  ): Promise<GateRejection<T>> {
    return this.transition<GateRejection<T>>(id, (current) => {
      if (current === null) return { result: { outcome: 'refused', reason: 'not_found', record: null } };
      const step = decideRejectionClick(current, clicker, shownPlanHash, reason, policy, nowMs);
      if (step.refusal !== null) return { result: { outcome: 'refused', reason: step.refusal, record: current } };
      const rejected: T = step.write;
      return { write: rejected, result: { outcome: 'rejected', record: rejected } };
    });
  }

  /** Expires a request nobody decided on within `ttlMs` (the expiry job); decided ones are left alone. */
  expire(id: string, ttlMs: number, nowMs: number): Promise<GateExpiryOutcome<T>> {
    return this.transition<GateExpiryOutcome<T>>(id, (current) => {
      if (current === null) return { result: { outcome: 'not_found' } };
      const { write, result } = decideExpiry(current, ttlMs, nowMs);
      return write === null ? { result } : { write, result };
    });
  }

  /**
   * Every record of this kind that `keep` accepts. A key scan rather than an index: the store
   * holds one record per request, few enough for a chatops bot; on a Cluster it scans every
   * master (scanKeys), so the records may sit in any slot and their keys stay as they were.
   */
  protected async matching(keep: (record: T) => boolean): Promise<T[]> {
    const found = new Map<string, T>();
    const prefix = this.key('');
    for await (const keys of scanKeys(this.redis, this.key('*'))) {
      const records = await this.getMany(keys.map((key) => key.slice(prefix.length)));
      for (const r of records) if (r !== null && keep(r)) found.set(r.id, r);
    }
    return [...found.values()];
  }
}
