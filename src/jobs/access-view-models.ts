import type { AccessPlanRun } from '../snowflake/index.js';
import type { AccessSession, PendingChange } from '../store/access-session-store.js';
import { fqOf } from '../domain/access-change-plan.js';
import type { AccessChangeModel, AccessRunModel } from '../blocks/access.js';

/**
 * The view models of an access change and of its run, for the views in src/blocks/access.ts (the
 * modal and the executor's notice). Here, beside the executor, because they map a session record
 * and a Snowflake run, which src/blocks never sees; the access flow uses them too.
 */

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
