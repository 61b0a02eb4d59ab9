import type { SqlError } from '../errors.js';
import type { SessionContext } from '../session-context.js';
import type { Sim } from '../spcs/sim.js';
import type { ResultSet } from './result.js';

/** Everything a statement handler needs. */
export interface Exec {
  sim: Sim;
  /** The live session (USE … mutates it). */
  session: SessionContext;
  /** Session + statement parameters for this statement. */
  ctx: SessionContext;
  queryId: string;
  /** Virtual time the statement runs at. */
  now: number;
  /** Every statement received so far, for INFORMATION_SCHEMA.QUERY_HISTORY*. */
  history?: () => readonly HistoryEntry[];
}

/** What the query history functions read of a received statement. */
export interface HistoryEntry {
  readonly at: number;
  readonly queryId: string;
  readonly sessionId: number;
  readonly sqlText: string;
  readonly parameters: Record<string, unknown>;
  readonly user: string;
  readonly role: string;
  readonly outcome: 'success' | 'error' | 'running';
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

export type Settled = { ok: true; result: ResultSet } | { ok: false; error: SqlError };

/**
 * A statement either produces its result now, keeps running until `poll` settles it, or (PUT) hands
 * the driver an upload: where the file goes, for the driver to copy it there itself.
 */
export type ExecOutcome =
  | { kind: 'result'; result: ResultSet }
  | { kind: 'pending'; poll: () => Settled | null }
  | { kind: 'upload'; source: string; location: string; autoCompress: boolean; overwrite: boolean };

export const done = (result: ResultSet): ExecOutcome => ({ kind: 'result', result });
