import { UnrecoverableError } from 'bullmq';
import { describeAccessInterrupted, describeAccessRun } from '../blocks/access.js';
import type { AccessChangeRecord, AccessExecution } from '../domain/access-change.js';
import { decideExecution, policyFor, type ApprovalPolicy } from '../domain/approval-policy.js';
import { changeModel, runModel } from './access-view-models.js';
import { actionOf, auditOf, fqOf, planOf } from '../domain/access-change-plan.js';
import { sessionAfterRun } from '../domain/access-session.js';
import type { Logger } from '../logger.js';
import { runAccessPlan, type QueryRunner } from '../snowflake/index.js';
import type { AccessChangeStore } from '../store/access-change-store.js';
import type { AccessSessionStore } from '../store/access-session-store.js';
import type { AuditEvent, AuditLog } from '../store/audit-log.js';
import type { Notifier } from './notifier.js';

/**
 * The access executor: runs confirmed `/spcs access` changes (issue 13), out of the view-submission handler. The record
 * says how far a run got: `executing` with the statement texts is written before the first
 * statement, the outcomes after the plan ran. A worker that finds `executing` (its predecessor
 * died mid-run) does not send again (CREATE NETWORK RULE / POLICY are not idempotent): it marks
 * the record needs_attention and tells the person what may exist now.
 */

export type AccessOutcome = 'done' | 'failed' | 'needs_attention' | 'already_final' | 'waiting' | 'not_approved';

export interface AccessDeps {
  readonly changes: Pick<AccessChangeStore, 'get' | 'transition' | 'update'>;
  readonly sessions: Pick<AccessSessionStore, 'get' | 'save'>;
  readonly audit: Pick<AuditLog, 'append'>;
  readonly notifier: Pick<Notifier, 'accessResult'>;
  /** CREATE NETWORK RULE/POLICY, ALTER USER … SET NETWORK_POLICY, ALTER NETWORK RULE, GRANT SERVICE ROLE. */
  readonly snowflake: QueryRunner;
  readonly policy: ApprovalPolicy;
  readonly logger: Logger;
  readonly now: () => number;
}

function audit(deps: AccessDeps, rec: AccessChangeRecord, entry: { event: AuditEvent; detail: string }) {
  return deps.audit.append({
    ...entry,
    deploymentId: rec.id,
    planHash: rec.planHash,
    actor: rec.requestedBy,
    teamId: rec.teamId,
    channelId: rec.channelId,
    action: actionOf(rec.change),
    target: fqOf(rec.service).sql,
    atMs: deps.now(),
  });
}

/** Writes the final phase and the person's sentence, puts it on the session, and has the notifier tell them. */
async function finish(
  deps: AccessDeps,
  rec: AccessChangeRecord,
  phase: Exclude<AccessExecution['phase'], 'executing'>,
  notice: string,
  statements: AccessExecution['statements'],
): Promise<void> {
  const ok = phase === 'done';
  await deps.changes.update(rec.id, (c) => ({
    ...c,
    execution: { phase, sinceMs: deps.now(), statements },
    notice,
    ok,
  }));
  const session = await deps.sessions.get(rec.sessionId);
  if (session !== null) await deps.sessions.save(sessionAfterRun(session, rec.change, ok, notice));
  await deps.notifier.accessResult(rec.id);
}

export async function runAccessChange(deps: AccessDeps, accessId: string): Promise<AccessOutcome> {
  const rec = await deps.changes.get(accessId);
  if (rec === null) throw new UnrecoverableError(`access change ${accessId} not found`);
  const phase = rec.execution?.phase;
  if (phase === 'done' || phase === 'failed' || phase === 'needs_attention') return 'already_final';
  const plan = planOf(rec, rec.change);
  const texts = plan.steps.map((s) => s.statement.text);
  if (phase === 'executing') {
    // Its predecessor died after writing `executing`: a statement may have run; never send it twice.
    const steps = plan.steps.map((s) => ({ statement: s.statement.text, effect: s.effect, undo: s.undo?.text ?? null }));
    deps.logger.warn({ accessId }, 'access change found executing: not run again, a person has to look');
    await audit(deps, rec, { event: 'change_needs_attention', detail: 'interrupted while executing; not run again' });
    await finish(deps, rec, 'needs_attention', describeAccessInterrupted(steps), rec.execution?.statements ?? []);
    return 'needs_attention';
  }
  // The guard chain again: the statements rebuilt from the record must be the ones confirmed.
  const check = decideExecution(policyFor(rec.gate, deps.policy), { ...rec, currentPlanHash: plan.hash });
  if (!check.ok) {
    await audit(deps, rec, { event: 'execution_refused', detail: check.reason });
    if (rec.state !== 'approved') return 'not_approved';
    const notice =
      check.reason === 'plan_changed'
        ? describeAccessRun({ status: 'plan_changed', planHash: rec.planHash })
        : `:no_entry: Not applied: the change no longer passes the approval rules (${check.reason.replaceAll('_', ' ')}).`;
    await finish(
      deps,
      rec,
      'failed',
      notice,
      texts.map((text) => ({ text, state: 'not_run' as const })),
    );
    return 'failed';
  }
  // Claimed by a compare-and-set, so of two workers handed the same change only one sends it.
  const claimed = await deps.changes.transition<AccessChangeRecord | null>(rec.id, (c) => {
    if (c === null || c.execution !== undefined) return { result: null };
    const next: AccessChangeRecord = {
      ...c,
      execution: { phase: 'executing', sinceMs: deps.now(), statements: texts.map((text) => ({ text })) },
    };
    return { write: next, result: next };
  });
  if (claimed === null) return 'waiting';
  // Each outcome is on the record before the next statement goes, so a successor knows what ran.
  const run = await runAccessPlan(deps.snowflake, plan, rec.planHash, async (index, outcome) => {
    await deps.changes.update(rec.id, (c) => {
      if (c.execution === undefined) return c;
      const statements = c.execution.statements.map((st, i) => (i === index ? { ...st, state: outcome.state } : st));
      return { ...c, execution: { ...c.execution, statements } };
    });
  });
  await audit(deps, claimed, auditOf(run, texts));
  const notice = describeAccessRun(runModel(claimed, claimed.change, run));
  const statements = run.outcomes.map((o) => ({ text: o.step.statement.text, state: o.state }));
  await finish(deps, claimed, run.status === 'applied' ? 'done' : 'failed', notice, statements);
  deps.logger.info({ accessId, status: run.status, change: changeModel(claimed, claimed.change).kind }, 'access change ran');
  return run.status === 'applied' ? 'done' : 'failed';
}
