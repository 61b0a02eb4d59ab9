import { AccessText, type LockoutModel } from '../../blocks/access.js';
import { parseIdentifier, parseIpv4, type Identifier, type Ipv4 } from '../../snowflake/index.js';
import type { AccessSession, PendingChange } from '../../store/access-session-store.js';

/**
 * The changes `/spcs access` makes (seed: "REST API Access Setup"): a network rule + policy set on
 * a user, an address added to the rule of a user's existing policy, and the ALL_ENDPOINTS_USAGE
 * service role granted to a role. The plan (statements, precondition, hash) is built in
 * src/snowflake/access-plan.ts from the session's pending change, once for the confirm view and
 * again at submit; it runs only when both hash alike, and each run is audited.
 */

/** The rule goes in the service's schema (where the bot may create rules); both names come from the user's. */
export function newPolicyChange(session: AccessSession, user: Identifier, ip: Ipv4): PendingChange & { kind: 'network' } {
  const stem = user.name
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_')
    .slice(0, 180);
  const rule = { database: session.service.database, schema: session.service.schema, name: `SPCS_ACCESS_${stem}_RULE` };
  return { kind: 'network', user: user.name, ip, rule, policy: `SPCS_ACCESS_${stem}_POLICY` };
}

export type FieldErrors = Record<string, string>;

/** The network form's fields, checked like every typed name; errors keyed by block id. */
export function parseNetworkForm(
  values: { user: string | undefined; ip: string | undefined },
  ids: { user: string; ip: string },
): { ok: true; user: Identifier; ip: Ipv4 } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const user = parseIdentifier(values.user ?? '', 'Snowflake user', { allowQuoted: true });
  const ip = parseIpv4(values.ip ?? '', 'Client IP');
  if (!user.ok) errors[ids.user] = AccessText.badUser(user.message);
  if (!ip.ok) errors[ids.ip] = ip.message;
  if (!user.ok || !ip.ok) return { ok: false, errors };
  return { ok: true, user: user.value, ip: ip.value };
}

export function parseGrantRole(text: string | undefined): { ok: true; role: Identifier } | { ok: false; message: string } {
  const role = parseIdentifier(text ?? '', 'Role', { allowQuoted: true });
  return role.ok ? { ok: true, role: role.value } : role;
}

const sameUser = (a: string, b: string) => a !== '' && a.replaceAll('"', '').toUpperCase() === b.replaceAll('"', '').toUpperCase();

/** The warning's model when the change puts a new policy on the bot's own user (its own next logins would be filtered). */
export function lockoutOf(session: AccessSession, change: PendingChange): LockoutModel | undefined {
  if (change.kind !== 'network' || !sameUser(change.user, session.botUser)) return undefined;
  const other = session.snowflakeUser !== '' && !sameUser(session.snowflakeUser, session.botUser);
  return { user: change.user, ip: change.ip, ...(other && { instead: session.snowflakeUser }) };
}
