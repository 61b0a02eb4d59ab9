import { createHash } from 'node:crypto';
import { describeFailure } from '../../blocks/observe-kit.js';
import { inlineCode } from '../../blocks/text.js';
import {
  accessStatements,
  describeNetworkRule,
  grantEndpointUsageStatement,
  identifierFromSnowflake,
  isSnowflakeError,
  parseIdentifier,
  parseIpv4,
  runAccessStatement,
  type Identifier,
  type Ipv4,
  type QueryRunner,
  type Sql,
} from '../../snowflake/index.js';
import type { AuditLog } from '../../store/audit-log.js';
import { fqOf } from './lookups.js';
import type { AccessSession, PendingChange } from '../../store/access-session-store.js';

/**
 * The changes `/spcs access` makes (seed: "REST API Access Setup"): a network rule + policy set on
 * a user, an address added to the rule of a user's existing policy, and the ALL_ENDPOINTS_USAGE
 * service role granted to a role. Each is shown as the exact statements first (built in
 * src/snowflake, so the text shown is the text run) and runs only after the confirm view's
 * submit; each run is audited.
 */

const id = identifierFromSnowflake;

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
  if (!user.ok) errors[ids.user] = `${user.message}. Type the Snowflake user the PAT belongs to (yours), e.g. JANE_DOE.`;
  if (!ip.ok) errors[ids.ip] = ip.message;
  if (!user.ok || !ip.ok) return { ok: false, errors };
  return { ok: true, user: user.value, ip: ip.value };
}

export function parseGrantRole(text: string | undefined): { ok: true; role: Identifier } | { ok: false; message: string } {
  const role = parseIdentifier(text ?? '', 'Role', { allowQuoted: true });
  return role.ok ? { ok: true, role: role.value } : role;
}

const sameUser = (a: string, b: string) => a !== '' && a.replaceAll('"', '').toUpperCase() === b.replaceAll('"', '').toUpperCase();

/** True when the change puts a new policy on the bot's own user: its own next logins would be filtered. */
export function locksBotOut(session: AccessSession, change: PendingChange): boolean {
  return change.kind === 'network' && sameUser(change.user, session.botUser);
}

/** The blocking warning the confirm view shows (and its submit requires ticking) for the bot's own user. */
export function lockoutWarning(session: AccessSession, change: PendingChange & { kind: 'network' }): string {
  return (
    `:no_entry: *${inlineCode(change.user)} is the bot's own Snowflake user.* A user-level network policy governs every login of that user: ` +
    `once it is set, the bot's own logins from any address other than ${inlineCode(change.ip)} are refused (Snowflake error 390422), ` +
    `and the bot stops working wherever it runs from another address. Use the Snowflake user of the person who calls the endpoint instead` +
    `${session.snowflakeUser !== '' && !sameUser(session.snowflakeUser, session.botUser) ? ` (e.g. ${inlineCode(session.snowflakeUser)})` : ''}.`
  );
}

function ipOf(change: { ip: string }): Ipv4 {
  const ip = parseIpv4(change.ip, 'Client IP');
  if (!ip.ok) throw new RangeError(ip.message);
  return ip.value;
}

/** The statements as they will run, in order. */
export function statementsOf(session: AccessSession, change: PendingChange): Sql[] {
  switch (change.kind) {
    case 'grant':
      return [grantEndpointUsageStatement(fqOf(session.service), id(change.role))];
    case 'rule':
      return [accessStatements.addToRule(fqOf(change.rule), change.existing, ipOf(change))];
    case 'network': {
      const rule = fqOf(change.rule);
      return [
        accessStatements.createIngressRule(rule, ipOf(change)),
        accessStatements.createPolicy(id(change.policy), rule),
        accessStatements.setUserPolicy(id(change.user), id(change.policy)),
      ];
    }
  }
}

export const statementsFor = (session: AccessSession, change: PendingChange): string[] => statementsOf(session, change).map((s) => s.text);

export function summaryOf(session: AccessSession, change: PendingChange): string {
  const service = fqOf(session.service).sql;
  switch (change.kind) {
    case 'grant':
      return `Let role ${inlineCode(change.role)} call ${inlineCode(service)}'s endpoints.`;
    case 'rule':
      return (
        `Snowflake user ${inlineCode(change.user)} has network policy ${inlineCode(change.policy)}. Add ${inlineCode(change.ip)} to its rule ${inlineCode(fqOf(change.rule).sql)}, ` +
        `keeping its ${change.existing.length} existing entr${change.existing.length === 1 ? 'y' : 'ies'}${change.existing.length === 0 ? '' : ` (${change.existing.map(inlineCode).join(', ')})`}. The policy itself is not replaced.`
      );
    case 'network':
      return `Snowflake user ${inlineCode(change.user)} is subject to no network policy (none of its own, none on the account). Allow calls from ${inlineCode(change.ip)} only: a network rule ${inlineCode(fqOf(change.rule).sql)}, a network policy ${inlineCode(change.policy)} with it, set on the user.`;
  }
}

function actionOf(change: PendingChange): string {
  switch (change.kind) {
    case 'grant':
      return `grant ALL_ENDPOINTS_USAGE to role ${change.role}`;
    case 'network':
      return `set network policy ${change.policy} on user ${change.user}`;
    case 'rule':
      return `add ${change.ip} to network rule ${fqOf(change.rule).sql}`;
  }
}

function doneText(change: PendingChange): string {
  switch (change.kind) {
    case 'grant':
      return `Role ${inlineCode(change.role)} may now call the endpoint.`;
    case 'network':
      return `User ${inlineCode(change.user)} now has network policy ${inlineCode(change.policy)}, allowing ${inlineCode(change.ip)}.`;
    case 'rule':
      return `Network rule ${inlineCode(fqOf(change.rule).sql)} of policy ${inlineCode(change.policy)} now also allows ${inlineCode(change.ip)}.`;
  }
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Runs the confirmed change; returns the sentence for the overview. Audited either way. */
export async function applyChange(
  deps: { readonly snowflake: QueryRunner; readonly audit: Pick<AuditLog, 'append'>; readonly now: () => number },
  session: AccessSession,
  change: PendingChange,
): Promise<{ ok: boolean; notice: string }> {
  const statements = statementsOf(session, change);
  const texts = statements.map((s) => s.text);
  const action = actionOf(change);
  const base = {
    deploymentId: '',
    // The hash binds the entry to the exact statements the person confirmed.
    planHash: createHash('sha256').update(texts.join(';\n')).digest('hex'),
    actor: session.userId,
    teamId: session.teamId,
    channelId: session.channelId,
    action,
    target: fqOf(session.service).sql,
  };
  try {
    if (change.kind === 'rule') {
      // SET VALUE_LIST replaces the list: if someone changed the rule since, running ours would drop their entries.
      const now = await describeNetworkRule(deps.snowflake, fqOf(change.rule));
      if (now === null || !sameList(now.values, change.existing)) {
        await deps.audit.append({ ...base, event: 'change_failed', atMs: deps.now(), detail: 'rule changed since confirmation' });
        return {
          ok: false,
          notice: `:warning: Network rule ${inlineCode(fqOf(change.rule).sql)} changed after you confirmed; nothing was run. Start the step again to see its current entries.`,
        };
      }
    }
    for (const statement of statements) await runAccessStatement(deps.snowflake, statement);
  } catch (err) {
    const failure = isSnowflakeError(err) ? err.failure : null;
    await deps.audit.append({ ...base, event: 'change_failed', atMs: deps.now(), detail: failure?.kind ?? 'unexpected' });
    const exists =
      failure?.kind === 'already_exists'
        ? ` An object of that name already exists; drop it, or add the address to the rule of the policy the user already has.`
        : '';
    return { ok: false, notice: `${describeFailure(failure, action)}${exists}` };
  }
  await deps.audit.append({ ...base, event: 'change_applied', atMs: deps.now(), detail: texts.join(';\n') });
  return { ok: true, notice: `:white_check_mark: ${doneText(change)}` };
}
