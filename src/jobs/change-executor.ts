import { UnrecoverableError } from 'bullmq';
import { buildChangeOutcome } from '../blocks/manage.js';
import { operationView } from '../domain/operation-view.js';
import { describeFailure } from '../blocks/kit.js';
import { decideExecution, policyFor, type ApprovalPolicy } from '../domain/approval-policy.js';
import {
  CHANGE_VERBS,
  decideAttention,
  decideFromObservation,
  operationHash,
  type AttentionAction,
  type Operation,
  type OperationExecution,
  type StatementRun,
} from '../domain/operation.js';
import type { Logger } from '../logger.js';
import {
  isSnowflakeError,
  observeChangeTarget,
  planChangeStatements,
  runStatusStatement,
  type QueryRunner,
  type Sql,
} from '../snowflake/index.js';
import type { AuditLog } from '../store/audit-log.js';
import type { OperationStore } from '../store/operation-store.js';
import type { Notifier } from './notifier.js';

/**
 * The change executor: runs approved service and pool changes (issue 13), out of the click handler. The record says how
 * far a run got: `executing` is written before the first statement, each statement's outcome right
 * after Snowflake answers, then done / failed. A worker that finds `executing` with a statement
 * unanswered (its predecessor died) looks at Snowflake before sending anything (decideFromObservation):
 * visibly applied → recorded accepted; visibly not → sent; cannot tell → needs_attention, for a person.
 */

export type ChangeOutcome = 'done' | 'failed' | 'needs_attention' | 'already_final' | 'waiting' | 'not_approved';

export interface ChangeDeps {
  readonly operations: Pick<OperationStore, 'get' | 'transition' | 'update'>;
  readonly audit: Pick<AuditLog, 'append'>;
  readonly notifier: Pick<Notifier, 'changeOutcome' | 'changeSummary'>;
  /** ALTER SERVICE / COMPUTE POOL, DROP SERVICE, CREATE COMPUTE POOL; SHOW SERVICES / COMPUTE POOLS to look again. */
  readonly snowflake: QueryRunner;
  readonly policy: ApprovalPolicy;
  readonly logger: Logger;
  readonly now: () => number;
}

type Audit = 'execution_started' | 'execution_refused' | 'change_applied' | 'change_failed' | 'change_needs_attention' | 'change_resolved';

function auditChange(deps: Pick<ChangeDeps, 'audit' | 'now'>, event: Audit, op: Operation, detail?: string, actor?: string) {
  return deps.audit.append({
    event,
    deploymentId: op.id,
    atMs: deps.now(),
    planHash: op.planHash,
    action: op.change.kind,
    target: op.service,
    ...(detail !== undefined && { detail }),
    ...(actor !== undefined && { actor }),
  });
}

const withExecution = (op: Operation, change: Partial<OperationExecution>): Operation => {
  const ex = op.execution ?? { phase: 'executing' as const, sinceMs: 0, round: 1, statements: [] };
  return { ...op, execution: { ...ex, ...change } };
};

/** The outcome as the record, the audit and the thread keep it. `failure` is a sentence for a person. */
async function finish(deps: ChangeDeps, op: Operation, result: { ok: true } | { ok: false; failure: string }): Promise<ChangeOutcome> {
  const at = deps.now();
  const message = buildChangeOutcome(operationView(op), result);
  const done =
    (await deps.operations.update(op.id, (c) => ({
      ...withExecution(c, { phase: result.ok ? 'done' : 'failed', sinceMs: at, ...(!result.ok && { note: result.failure }) }),
      outcome: { ok: result.ok, text: message.text, atMs: at },
    }))) ?? op;
  await auditChange(deps, result.ok ? 'change_applied' : 'change_failed', done, result.ok ? 'done' : result.failure);
  await deps.notifier.changeOutcome(done.id, result.ok ? 'done' : 'failed', done.execution?.round ?? 1);
  await deps.notifier.changeSummary(done.id);
  return result.ok ? 'done' : 'failed';
}

async function needsAttention(deps: ChangeDeps, op: Operation, why: string): Promise<ChangeOutcome> {
  const next =
    (await deps.operations.update(op.id, (c) => withExecution(c, { phase: 'needs_attention', sinceMs: deps.now(), note: why }))) ?? op;
  deps.logger.warn({ operationId: op.id, why }, 'change needs attention: cannot tell whether Snowflake took it');
  await auditChange(deps, 'change_needs_attention', next, why);
  await deps.notifier.changeOutcome(next.id, 'needs_attention', next.execution?.round ?? 1);
  await deps.notifier.changeSummary(next.id);
  return 'needs_attention';
}

/** Records statement `index`'s outcome on the record (the only writer while it is `executing`). */
function recordStatement(deps: ChangeDeps, id: string, index: number, run: Omit<StatementRun, 'text'>): Promise<Operation | null> {
  return deps.operations.update(id, (c) =>
    withExecution(c, {
      statements: (c.execution?.statements ?? []).map((s, i) => (i === index ? { ...s, ...run, atMs: deps.now() } : s)),
    }),
  );
}

export async function runChange(deps: ChangeDeps, operationId: string): Promise<ChangeOutcome> {
  const op = await deps.operations.get(operationId);
  if (op === null) throw new UnrecoverableError(`operation ${operationId} not found`);
  const phase = op.execution?.phase;
  if (phase === 'done' || phase === 'failed') return 'already_final';
  if (phase === 'needs_attention') return 'waiting';
  const plan = planChangeStatements(op.service, op.change);
  const statements: Sql[] = plan.ok ? plan.value : [];
  const texts = statements.map((s) => s.text);

  let current: Operation;
  // Its predecessor died after writing `executing` (or a person asked for a Retry): look before sending.
  let inDoubt = phase === 'executing';
  if (op.execution === undefined) {
    // The guard chain again: settings may have changed since the click, and the statements rebuilt
    // from the stored record must be the ones approved (their texts are in the plan hash).
    const currentPlanHash = plan.ok ? operationHash(op.service, op.change, texts) : '';
    const check = decideExecution(policyFor(op.gate, deps.policy), { ...op, currentPlanHash });
    if (!check.ok || !plan.ok) {
      const reason = check.ok ? (plan.ok ? '' : plan.message) : check.reason.replaceAll('_', ' ');
      await auditChange(deps, 'execution_refused', op, reason);
      if (op.state !== 'approved') return 'not_approved';
      return finish(deps, op, {
        ok: false,
        failure: `:no_entry: Not applied: the request no longer passes the approval rules (${reason}).`,
      });
    }
    // Claimed by a compare-and-set, so of two workers handed the same change only one sends it.
    const claimed = await deps.operations.transition<Operation | null>(op.id, (c) => {
      if (c === null || c.execution !== undefined) return { result: null };
      const next: Operation = {
        ...c,
        execution: { phase: 'executing', sinceMs: deps.now(), round: 1, statements: texts.map((text) => ({ text })) },
      };
      return { write: next, result: next };
    });
    // Another run claimed it between the read and the write: that one sends it.
    if (claimed === null) return 'waiting';
    current = claimed;
    await auditChange(deps, 'execution_started', current, texts.join('; '));
  } else {
    current = op;
    const recorded = (op.execution?.statements ?? []).map((s) => s.text);
    if (!plan.ok || JSON.stringify(recorded) !== JSON.stringify(texts))
      return needsAttention(deps, op, 'the statements rebuilt from the request differ from the ones recorded');
  }

  /** Looks at the target; what decideFromObservation makes of it, with the words for a person when it cannot tell. */
  const look = async (statement: Sql): Promise<{ effect: 'applied' | 'not_applied' } | { effect: 'unknown'; why: string }> => {
    const seen = await observeChangeTarget(deps.snowflake, current.service, current.change);
    const effect = decideFromObservation(current.change, seen);
    deps.logger.info({ operationId, statement: statement.text, effect }, 'looked at Snowflake before sending again');
    if (effect !== 'unknown') return { effect };
    return {
      effect,
      why: seen.kind === 'failed' ? `looking at it failed: ${seen.why}` : 'Snowflake shows neither the old nor the new state',
    };
  };

  for (const [index, statement] of statements.entries()) {
    const recorded = current.execution?.statements[index];
    if (recorded?.outcome === 'accepted') continue;
    if (recorded?.outcome === 'failed') return 'already_final';
    if (inDoubt) {
      // Only the first unanswered statement can have been sent; the ones after it were not.
      inDoubt = false;
      const seen = await look(statement);
      if (seen.effect === 'unknown') return needsAttention(deps, current, seen.why);
      if (seen.effect === 'applied') {
        current = (await recordStatement(deps, operationId, index, { outcome: 'accepted', learnedBy: 'observed' })) ?? current;
        continue;
      }
      // not_applied: sending it is safe, see decideFromObservation.
    }
    try {
      await runStatusStatement(deps.snowflake, statement);
    } catch (err) {
      const failure = isSnowflakeError(err) ? err.failure : null;
      deps.logger.warn({ err, operationId, statement: statement.text }, 'service change failed');
      // No answer is not a refusal: Snowflake may have taken it (a DROP or CREATE is never retried), so look first.
      if (failure?.kind === 'transient' || failure?.kind === 'session_expired') {
        const seen = await look(statement);
        if (seen.effect === 'unknown') return needsAttention(deps, current, `Snowflake did not answer, and ${seen.why}`);
        if (seen.effect === 'applied') {
          current = (await recordStatement(deps, operationId, index, { outcome: 'accepted', learnedBy: 'observed' })) ?? current;
          continue;
        }
      }
      current =
        (await recordStatement(deps, operationId, index, { outcome: 'failed', failureKind: failure?.kind ?? 'unknown' })) ?? current;
      return finish(deps, current, {
        ok: false,
        failure: describeFailure(failure, `${CHANGE_VERBS[current.change.kind]} ${current.service}`),
      });
    }
    current = (await recordStatement(deps, operationId, index, { outcome: 'accepted' })) ?? current;
  }
  return finish(deps, current, { ok: true });
}

/**
 * A person's answer to needs_attention (the gate's buttons): marked done, audited and announced; or
 * a Retry, audited and handed back to the worker. Null when the change was not waiting for one.
 */
export async function resolveAttention(
  deps: Pick<ChangeDeps, 'operations' | 'audit' | 'notifier' | 'now'> & { readonly enqueue: (operationId: string) => Promise<void> },
  operationId: string,
  action: AttentionAction,
  actor: string,
): Promise<Operation | null> {
  const at = deps.now();
  const resolved = await deps.operations.transition<Operation | null>(operationId, (c) => {
    const next = c === null ? null : decideAttention(c, action, at);
    if (next === null) return { result: null };
    const withOutcome: Operation =
      action === 'mark_done'
        ? { ...next, outcome: { ok: true, text: buildChangeOutcome(operationView(next), { ok: true }).text, atMs: at } }
        : next;
    return { write: withOutcome, result: withOutcome };
  });
  if (resolved === null) return null;
  await auditChange(deps, 'change_resolved', resolved, action === 'mark_done' ? 'marked_done' : 'retry', actor);
  if (action === 'retry') {
    await deps.enqueue(operationId);
    return resolved;
  }
  await auditChange(deps, 'change_applied', resolved, `marked done by ${actor}`);
  await deps.notifier.changeOutcome(resolved.id, 'done', resolved.execution?.round ?? 1);
  await deps.notifier.changeSummary(resolved.id);
  return resolved;
}
