import type { AccessSession, PendingChange } from '../store/access-session-store.js';

/** The session as the overview shows it next: no pending change, the notice given (if any). */
export function settledSession(session: AccessSession, notice?: string): AccessSession {
  const { pending: _p, notice: _n, ...rest } = session;
  return notice === undefined ? rest : { ...rest, notice };
}

/** The session after a change ran: an applied network change is now the user's policy. */
export function sessionAfterRun(session: AccessSession, change: PendingChange, ok: boolean, notice: string): AccessSession {
  const after: AccessSession =
    ok && change.kind !== 'grant' ? { ...session, snowflakeUser: change.user, networkPolicy: change.policy } : session;
  return settledSession(after, notice);
}
