import {
  buildAccessPlan,
  identifierFromSnowflake,
  parseIpv4,
  qualify,
  type AccessChange,
  type AccessPlan,
  type AccessPlanRun,
  type Ipv4,
  type QualifiedName,
} from '../snowflake/index.js';
import type { AccessSession, Fq, PendingChange } from '../store/access-session-store.js';

/**
 * A pending `/spcs access` change as Snowflake will see it: its names resolved, its plan (built in
 * src/snowflake/access-plan.ts), and how the audit names it and its run. Pure, so the confirm view
 * (src/flows/access) and the access executor (src/jobs) build the same plan from the same record.
 */

const id = identifierFromSnowflake;
export const fqOf = (f: Fq): QualifiedName => qualify(id(f.database), id(f.schema), id(f.name));

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
