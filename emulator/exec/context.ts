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
}

export type Settled = { ok: true; result: ResultSet } | { ok: false; error: SqlError };

/** A statement either produces its result now or keeps running until `poll` settles it. */
export type ExecOutcome = { kind: 'result'; result: ResultSet } | { kind: 'pending'; poll: () => Settled | null };

export const done = (result: ResultSet): ExecOutcome => ({ kind: 'result', result });
