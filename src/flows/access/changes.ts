import { AccessText, type AccessChangeModel, type AccessRunModel, type LockoutModel } from '../../blocks/access.js';
import {
  buildAccessPlan,
  identifierFromSnowflake,
  parseIdentifier,
  parseIpv4,
  type AccessChange,
  type AccessPlan,
  type AccessPlanRun,
  type Identifier,
  type Ipv4,
} from '../../snowflake/index.js';
import { fqOf } from './lookups.js';
import type { AccessSession, PendingChange } from '../../store/access-session-store.js';

/**
 * The changes `/spcs access` makes (seed: "REST API Access Setup"): a network rule + policy set on
 * a user, an address added to the rule of a user's existing policy, and the ALL_ENDPOINTS_USAGE
 * service role granted to a role. The plan (statements, precondition, hash) is built in
 * src/snowflake/access-plan.ts from the session's pending change, once for the confirm view and
 * again at submit; it runs only when both hash alike, and each run is audited.
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

function ipOf(change: { ip: string }): Ipv4 {
  const ip = parseIpv4(change.ip, 'Client IP');
  if (!ip.ok) throw new RangeError(ip.message);
  return ip.value;
}

/** The stored change with its names rebuilt as Snowflake resolved them. */
function accessChangeOf(service: AccessSession['service'], change: PendingChange): AccessChange {
  switch (change.kind) {
    case 'grant':
      return { kind: 'grant', service: fqOf(service), role: id(change.role) };
    case 'rule':
      return { kind: 'rule', rule: fqOf(change.rule), existing: change.existing, ip: ipOf(change) };
    case 'network':
      return { kind: 'network', user: id(change.user), ip: ipOf(change), rule: fqOf(change.rule), policy: id(change.policy) };
  }
}

/** The plan of the pending change: what the confirm view shows and what its submit runs. */
export const planOf = (session: Pick<AccessSession, 'service'>, change: PendingChange): AccessPlan =>
  buildAccessPlan(accessChangeOf(session.service, change));

export function changeModel(session: Pick<AccessSession, 'service'>, change: PendingChange): AccessChangeModel {
  switch (change.kind) {
    case 'grant':
      return { kind: 'grant', service: fqOf(session.service).sql, role: change.role };
    case 'rule':
      return { ...change, rule: fqOf(change.rule).sql };
    case 'network':
      return { kind: 'network', user: change.user, policy: change.policy, rule: fqOf(change.rule).sql, ip: change.ip };
  }
}

/** The audit's `action`. */
export function actionOf(change: PendingChange): string {
  switch (change.kind) {
    case 'grant':
      return `grant ALL_ENDPOINTS_USAGE to role ${change.role}`;
    case 'network':
      return `set network policy ${change.policy} on user ${change.user}`;
    case 'rule':
      return `add ${change.ip} to network rule ${fqOf(change.rule).sql}`;
  }
}

export function runModel(session: Pick<AccessSession, 'service'>, change: PendingChange, run: AccessPlanRun): AccessRunModel {
  const rule = change.kind === 'grant' ? '' : fqOf(change.rule).sql;
  switch (run.status) {
    case 'applied':
      return { status: 'applied', change: changeModel(session, change) };
    case 'plan_changed':
      return { status: 'plan_changed', planHash: run.confirmedHash };
    case 'rule_changed':
      return { status: 'rule_changed', rule };
    case 'precondition_unreadable':
      return { status: 'precondition_unreadable', rule, failure: run.failure };
    case 'failed':
      return {
        status: 'failed',
        failure: run.failure,
        steps: run.outcomes.map((o) => ({
          statement: o.step.statement.text,
          state: o.state,
          effect: o.step.effect,
          undo: o.step.undo?.text ?? null,
        })),
      };
  }
}

/** The audit entry of a run: applied, refused before anything ran, or failed at a statement. */
export function auditOf(
  run: AccessPlanRun,
  texts: readonly string[],
): { event: 'change_applied' | 'change_failed' | 'execution_refused'; detail: string } {
  switch (run.status) {
    case 'applied':
      return { event: 'change_applied', detail: texts.join(';\n') };
    case 'plan_changed':
    case 'rule_changed':
      return { event: 'execution_refused', detail: run.status };
    case 'precondition_unreadable':
      return { event: 'change_failed', detail: `${run.failure?.kind ?? 'unexpected'} reading the rule` };
    case 'failed':
      return { event: 'change_failed', detail: `${run.failure?.kind ?? 'unexpected'} at statement ${run.failedAt + 1} of ${texts.length}` };
  }
}
