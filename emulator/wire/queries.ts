/**
 * Query records behind query ids: status for /monitoring/queries/<id>, results for
 * /queries/<id>/result, long-poll waiting, aborts, and the log of every SQL text received.
 */
import { type SqlError, statementCanceled } from '../errors.js';
import type { Settled } from '../exec/context.js';
import type { ResultSet } from '../exec/result.js';
import type { SessionContext } from '../session-context.js';
import type { Sim } from '../spcs/sim.js';
import type { StatementKind } from '../sql/ast.js';
import type { BindValue } from '../sql/cursor.js';

export type QueryStatus = 'RUNNING' | 'SUCCESS' | 'FAILED_WITH_ERROR' | 'ABORTED';

export interface QueryRecord {
  id: string;
  requestId: string | null;
  sessionId: number;
  sqlText: string;
  asyncExec: boolean;
  startReal: number;
  endReal: number | null;
  status: QueryStatus;
  result: ResultSet | null;
  error: SqlError | null;
  poll: (() => Settled | null) | null;
  /** Real time before which the query may not settle (slow-query fault). */
  notBeforeReal: number;
  /** Session context after the statement (final* fields). */
  ctx: SessionContext;
  log: SqlLogEntry;
}

/** One received statement. `unsupported` marks SQL the recognizer rejected (001003 / 000008). */
export interface SqlLogEntry {
  /** Virtual time the statement arrived. */
  at: number;
  queryId: string;
  /** The session it ran on (a temporary stage is visible only there). */
  sessionId: number;
  sqlText: string;
  binds: Record<string, BindValue>;
  parameters: Record<string, unknown>;
  asyncExec: boolean;
  user: string;
  role: string;
  kind: StatementKind | null;
  outcome: 'success' | 'error' | 'running';
  /** Virtual time the statement finished (succeeded, failed or was cancelled); null while it runs. */
  endedAt: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  unsupported: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class QueryRegistry {
  private readonly byId = new Map<string, QueryRecord>();
  private readonly byRequestId = new Map<string, QueryRecord>();
  readonly sqlLog: SqlLogEntry[] = [];

  constructor(private readonly sim: Sim) {}

  add(q: QueryRecord): void {
    this.byId.set(q.id, q);
    if (q.requestId) this.byRequestId.set(q.requestId, q);
    this.sqlLog.push(q.log);
  }

  get(id: string): QueryRecord | undefined {
    return this.byId.get(id);
  }

  getByRequestId(requestId: string): QueryRecord | undefined {
    return this.byRequestId.get(requestId);
  }

  complete(q: QueryRecord, settled: Settled): void {
    if (q.status !== 'RUNNING') return;
    q.endReal = Date.now();
    q.log.endedAt = this.sim.now();
    if (settled.ok) {
      q.status = 'SUCCESS';
      q.result = settled.result;
      q.log.outcome = 'success';
    } else {
      q.status = 'FAILED_WITH_ERROR';
      q.error = settled.error;
      q.log.outcome = 'error';
      q.log.errorCode = settled.error.code;
      q.log.errorMessage = settled.error.message;
    }
  }

  /** Moves a running query forward if its outcome is known by now. */
  settle(q: QueryRecord): void {
    if (q.status !== 'RUNNING' || Date.now() < q.notBeforeReal || !q.poll) return;
    this.sim.sync();
    const s = q.poll();
    if (s) this.complete(q, s);
  }

  /** Waits up to `holdMs` real ms for the query to finish (server-side long poll). */
  async waitSettled(q: QueryRecord, holdMs: number): Promise<void> {
    const deadline = Date.now() + holdMs;
    for (;;) {
      this.settle(q);
      if (q.status !== 'RUNNING' || Date.now() >= deadline) return;
      await sleep(Math.min(25, Math.max(1, deadline - Date.now())));
    }
  }

  abort(q: QueryRecord): boolean {
    this.settle(q);
    if (q.status !== 'RUNNING') return false;
    q.status = 'ABORTED';
    q.error = statementCanceled();
    q.endReal = Date.now();
    q.log.endedAt = this.sim.now();
    q.log.outcome = 'error';
    q.log.errorCode = q.error.code;
    q.log.errorMessage = q.error.message;
    return true;
  }

  monitoringEntry(q: QueryRecord): Record<string, unknown> {
    this.settle(q);
    const end = q.endReal ?? Date.now();
    return {
      id: q.id,
      status: q.status,
      state: q.status === 'RUNNING' ? 'RUNNING' : q.status === 'SUCCESS' ? 'SUCCEEDED' : 'FAILED',
      sqlText: q.sqlText,
      startTime: q.startReal,
      endTime: q.endReal ?? 0,
      totalDuration: end - q.startReal,
      sessionId: q.sessionId,
      warehouseName: q.ctx.warehouse,
      databaseName: q.ctx.database,
      schemaName: q.ctx.schema,
      ...(q.error ? { errorCode: q.error.code, errorMessage: q.error.message } : {}),
    };
  }
}
