import { createHash } from 'node:crypto';
import { describeFailure } from '../../blocks/observe-kit.js';
import { inlineCode } from '../../blocks/text.js';
import {
  createIngressNetworkRule,
  createNetworkPolicy,
  grantEndpointUsage,
  identifierFromSnowflake,
  isSnowflakeError,
  parseIdentifier,
  parseIpv4,
  setUserNetworkPolicy,
  type Identifier,
  type QueryRunner,
} from '../../snowflake/index.js';
import type { AuditLog } from '../../store/audit-log.js';
import { fqOf } from './lookups.js';
import type { AccessSession, PendingChange } from '../../store/access-session-store.js';

/**
 * The two changes `/spcs access` makes (seed: "REST API Access Setup"): a network rule + policy
 * set on a user, and the ALL_ENDPOINTS_USAGE service role granted to a role. Each is shown as the
 * exact statements first and runs only after the confirm view's submit; each run is audited.
 */

const id = identifierFromSnowflake;

/** The rule goes in the service's schema (where the bot may create rules); both names come from the user's. */
function networkChange(session: AccessSession, user: Identifier, ip: string): PendingChange & { kind: 'network' } {
  const stem = user.name.toUpperCase().replace(/[^A-Z0-9_]/g, '_').slice(0, 180);
  const rule = { database: session.service.database, schema: session.service.schema, name: `SPCS_ACCESS_${stem}_RULE` };
  return { kind: 'network', user: user.name, ip, rule, policy: `SPCS_ACCESS_${stem}_POLICY` };
}

export type FieldErrors = Record<string, string>;

/** The network form's fields, checked like every typed name; errors keyed by block id. */
export function parseNetworkForm(
  session: AccessSession,
  values: { user: string | undefined; ip: string | undefined },
  ids: { user: string; ip: string },
): { ok: true; user: Identifier; change: PendingChange & { kind: 'network' } } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const user = parseIdentifier(values.user ?? '', 'Snowflake user', { allowQuoted: true });
  const ip = parseIpv4(values.ip ?? '', 'Client IP');
  if (!user.ok) errors[ids.user] = user.message;
  if (!ip.ok) errors[ids.ip] = ip.message;
  if (!user.ok || !ip.ok) return { ok: false, errors };
  return { ok: true, user: user.value, change: networkChange(session, user.value, ip.value) };
}

export function parseGrantRole(text: string | undefined): { ok: true; role: Identifier } | { ok: false; message: string } {
  const role = parseIdentifier(text ?? '', 'Role', { allowQuoted: true });
  return role.ok ? { ok: true, role: role.value } : role;
}

/** The statements as they will run (the layer renders the same identifiers and the same literal). */
export function statementsFor(session: AccessSession, change: PendingChange): string[] {
  const service = fqOf(session.service);
  if (change.kind === 'grant') return [`GRANT SERVICE ROLE ${service.sql}!ALL_ENDPOINTS_USAGE TO ROLE ${id(change.role).sql}`];
  const rule = fqOf(change.rule);
  return [
    `CREATE NETWORK RULE ${rule.sql} MODE = INGRESS TYPE = IPV4 VALUE_LIST = ('${change.ip}/32')`,
    `CREATE NETWORK POLICY ${id(change.policy).sql} ALLOWED_NETWORK_RULE_LIST = ('${rule.sql.replaceAll("'", "''")}')`,
    `ALTER USER ${id(change.user).sql} SET NETWORK_POLICY = ${id(change.policy).sql}`,
  ];
}

export function summaryOf(session: AccessSession, change: PendingChange): string {
  const service = fqOf(session.service).sql;
  if (change.kind === 'grant') return `Let role ${inlineCode(change.role)} call ${inlineCode(service)}'s endpoints.`;
  return `Snowflake user ${inlineCode(change.user)} has no network policy. Allow calls from ${inlineCode(change.ip)} only: a network rule ${inlineCode(fqOf(change.rule).sql)}, a network policy ${inlineCode(change.policy)} with it, set on the user.`;
}

/** Runs the confirmed change; returns the sentence for the overview. Audited either way. */
export async function applyChange(
  deps: { readonly snowflake: QueryRunner; readonly audit: Pick<AuditLog, 'append'>; readonly now: () => number },
  session: AccessSession,
  change: PendingChange,
): Promise<{ ok: boolean; notice: string }> {
  const statements = statementsFor(session, change);
  const action = change.kind === 'grant' ? `grant ALL_ENDPOINTS_USAGE to role ${change.role}` : `set network policy ${change.policy} on user ${change.user}`;
  const target = fqOf(session.service).sql;
  const base = {
    deploymentId: '',
    // The hash binds the entry to the exact statements the person confirmed.
    planHash: createHash('sha256').update(statements.join(';\n')).digest('hex'),
    actor: session.userId,
    teamId: session.teamId,
    channelId: session.channelId,
    action,
    target,
  };
  try {
    if (change.kind === 'grant') {
      await grantEndpointUsage(deps.snowflake, fqOf(session.service), id(change.role));
    } else {
      const ip = parseIpv4(change.ip, 'Client IP');
      if (!ip.ok) throw new RangeError(ip.message);
      await createIngressNetworkRule(deps.snowflake, fqOf(change.rule), ip.value);
      await createNetworkPolicy(deps.snowflake, id(change.policy), fqOf(change.rule));
      await setUserNetworkPolicy(deps.snowflake, id(change.user), id(change.policy));
    }
  } catch (err) {
    const failure = isSnowflakeError(err) ? err.failure : null;
    await deps.audit.append({ ...base, event: 'change_failed', atMs: deps.now(), detail: failure?.kind ?? 'unexpected' });
    const exists = failure?.kind === 'already_exists' ? ` An object of that name already exists; drop it or set an existing policy with ${inlineCode('ALTER USER … SET NETWORK_POLICY')}.` : '';
    return { ok: false, notice: `${describeFailure(failure, action)}${exists}` };
  }
  await deps.audit.append({ ...base, event: 'change_applied', atMs: deps.now(), detail: statements.join(';\n') });
  const done = change.kind === 'grant' ? `Role ${inlineCode(change.role)} may now call the endpoint.` : `User ${inlineCode(change.user)} now has network policy ${inlineCode(change.policy)}, allowing ${inlineCode(change.ip)}.`;
  return { ok: true, notice: `:white_check_mark: ${done}` };
}
