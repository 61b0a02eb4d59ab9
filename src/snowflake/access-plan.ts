import { createHash } from 'node:crypto';
import { accessStatements, describeNetworkRule, grantEndpointUsageStatement, runAccessStatement, type Ipv4 } from './access-queries.js';
import type { QueryRunner } from './client.js';
import { isSnowflakeError, type SnowflakeFailure } from './errors.js';
import type { Identifier, QualifiedName } from './identifiers.js';
import { sql, type Sql } from './sql.js';

/**
 * The REST-access changes of `/spcs access` as plans: built once here from the typed change, so the
 * confirm view shows, the hash binds and the runner sends the same `Sql` values. No Slack in here:
 * a worker can run a plan as well as a flow.
 */

/** A change with every name validated and the address checked (the flow maps its session to this). */
export type AccessChange =
  /** A new IPV4 ingress rule for one address, a policy with it, set on a user. */
  | {
      readonly kind: 'network';
      readonly user: Identifier;
      readonly ip: Ipv4;
      readonly rule: QualifiedName;
      readonly policy: Identifier;
    }
  /** The address appended to an existing rule; `existing` is its VALUE_LIST as the person saw it. */
  | { readonly kind: 'rule'; readonly rule: QualifiedName; readonly existing: readonly string[]; readonly ip: Ipv4 }
  | { readonly kind: 'grant'; readonly service: QualifiedName; readonly role: Identifier };

/** What one statement leaves behind once it ran, so a partial run can say what exists now. */
export type AccessEffect =
  | { readonly kind: 'rule_created'; readonly rule: string }
  | { readonly kind: 'policy_created'; readonly policy: string }
  | { readonly kind: 'user_policy_set'; readonly user: string; readonly policy: string }
  | { readonly kind: 'rule_values_set'; readonly rule: string }
  | { readonly kind: 'endpoint_usage_granted'; readonly role: string; readonly service: string };

export interface AccessStep {
  readonly statement: Sql;
  readonly effect: AccessEffect;
  /** What takes the effect back, shown (never run by the bot) when a later statement fails. */
  readonly undo: Sql | null;
}

/** SET VALUE_LIST replaces the list: the rule must still hold exactly these values when the plan runs. */
export interface RuleUnchanged {
  readonly rule: QualifiedName;
  readonly values: readonly string[];
}

export interface AccessPlan {
  readonly steps: readonly AccessStep[];
  readonly precondition: RuleUnchanged | null;
  /** sha256 (hex) over the exact statement texts: what a confirmation binds to. */
  readonly hash: string;
}

/** sha256 over the statement texts joined by `;\n` (the audit's earlier hash, so entries compare). */
function accessPlanHash(statements: readonly Sql[]): string {
  return createHash('sha256')
    .update(statements.map((s) => s.text).join(';\n'))
    .digest('hex');
}

// Undo statements are only shown to a person, never sent, so the emulator need not know them.
const dropRule = (rule: QualifiedName): Sql => sql`DROP NETWORK RULE ${rule}`;
const dropPolicy = (policy: Identifier): Sql => sql`DROP NETWORK POLICY ${policy}`;
const unsetUserPolicy = (user: Identifier): Sql => sql`ALTER USER ${user} UNSET NETWORK_POLICY`;

function stepsOf(change: AccessChange): AccessStep[] {
  switch (change.kind) {
    case 'grant':
      return [
        {
          statement: grantEndpointUsageStatement(change.service, change.role),
          effect: { kind: 'endpoint_usage_granted', role: change.role.name, service: change.service.sql },
          undo: null,
        },
      ];
    case 'rule':
      return [
        {
          statement: accessStatements.addToRule(change.rule, change.existing, change.ip),
          effect: { kind: 'rule_values_set', rule: change.rule.sql },
          undo: null,
        },
      ];
    case 'network':
      return [
        {
          statement: accessStatements.createIngressRule(change.rule, change.ip),
          effect: { kind: 'rule_created', rule: change.rule.sql },
          undo: dropRule(change.rule),
        },
        {
          statement: accessStatements.createPolicy(change.policy, change.rule),
          effect: { kind: 'policy_created', policy: change.policy.name },
          undo: dropPolicy(change.policy),
        },
        {
          statement: accessStatements.setUserPolicy(change.user, change.policy),
          effect: { kind: 'user_policy_set', user: change.user.name, policy: change.policy.name },
          undo: unsetUserPolicy(change.user),
        },
      ];
  }
}

/** The exact ordered statements, the precondition and the hash of one change. */
export function buildAccessPlan(change: AccessChange): AccessPlan {
  const steps = stepsOf(change);
  return {
    steps,
    precondition: change.kind === 'rule' ? { rule: change.rule, values: [...change.existing] } : null,
    hash: accessPlanHash(steps.map((s) => s.statement)),
  };
}

export type StepOutcome =
  | { readonly state: 'ran'; readonly step: AccessStep }
  /** `failure` is null for an error that did not come from Snowflake. */
  | { readonly state: 'failed'; readonly step: AccessStep; readonly failure: SnowflakeFailure | null }
  | { readonly state: 'not_run'; readonly step: AccessStep };

/** How a run ended, with one outcome per statement of the plan, in order. */
export type AccessPlanRun =
  | { readonly status: 'applied'; readonly outcomes: readonly StepOutcome[] }
  /** The plan rebuilt now is not the one confirmed: nothing ran. */
  | { readonly status: 'plan_changed'; readonly confirmedHash: string; readonly outcomes: readonly StepOutcome[] }
  /** The rule's VALUE_LIST is no longer what was shown (null: the rule is gone): nothing ran. */
  | { readonly status: 'rule_changed'; readonly current: readonly string[] | null; readonly outcomes: readonly StepOutcome[] }
  /** The precondition could not be read: nothing ran. */
  | { readonly status: 'precondition_unreadable'; readonly failure: SnowflakeFailure | null; readonly outcomes: readonly StepOutcome[] }
  /** Statement `failedAt` (0-based) failed; the ones before it ran, the ones after it did not. */
  | {
      readonly status: 'failed';
      readonly failedAt: number;
      readonly failure: SnowflakeFailure | null;
      readonly outcomes: readonly StepOutcome[];
    };

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);
const failureOf = (err: unknown): SnowflakeFailure | null => (isSnowflakeError(err) ? err.failure : null);

/**
 * Runs a plan that a person confirmed as `confirmedHash`: refuses before anything runs when the
 * plan's statements hash to something else or its precondition no longer holds, then sends the
 * statements in order and stops at the first failure.
 */
export async function runAccessPlan(
  db: QueryRunner,
  plan: AccessPlan,
  confirmedHash: string,
  /** Told each statement's outcome as soon as Snowflake answered it (a worker records it before the next one goes). */
  onOutcome: (index: number, outcome: StepOutcome) => Promise<void> = async () => undefined,
): Promise<AccessPlanRun> {
  const none = plan.steps.map((step): StepOutcome => ({ state: 'not_run', step }));
  // Recomputed from the statements themselves, not read from plan.hash.
  if (accessPlanHash(plan.steps.map((s) => s.statement)) !== confirmedHash)
    return { status: 'plan_changed', confirmedHash, outcomes: none };
  if (plan.precondition !== null) {
    let current: readonly string[] | null;
    try {
      current = (await describeNetworkRule(db, plan.precondition.rule))?.values ?? null;
    } catch (err) {
      return { status: 'precondition_unreadable', failure: failureOf(err), outcomes: none };
    }
    if (current === null || !sameList(current, plan.precondition.values)) return { status: 'rule_changed', current, outcomes: none };
  }
  const outcomes: StepOutcome[] = [];
  for (const [i, step] of plan.steps.entries()) {
    let outcome: StepOutcome;
    try {
      await runAccessStatement(db, step.statement);
      outcome = { state: 'ran', step };
    } catch (err) {
      outcome = { state: 'failed', step, failure: failureOf(err) };
    }
    outcomes.push(outcome);
    await onOutcome(i, outcome);
    if (outcome.state === 'failed') {
      outcomes.push(...none.slice(i + 1));
      return { status: 'failed', failedAt: i, failure: outcome.failure, outcomes };
    }
  }
  return { status: 'applied', outcomes };
}
