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

/**
 * A statement either produces its result now, keeps running until `poll` settles it, or (PUT) hands
 * the driver an upload: where the file goes, for the driver to copy it there itself.
 */
export type ExecOutcome =
  | { kind: 'result'; result: ResultSet }
  | { kind: 'pending'; poll: () => Settled | null }
  | { kind: 'upload'; source: string; location: string; autoCompress: boolean; overwrite: boolean };

export const done = (result: ResultSet): ExecOutcome => ({ kind: 'result', result });
