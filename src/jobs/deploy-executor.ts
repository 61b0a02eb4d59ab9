import { UnrecoverableError } from 'bullmq';
import { logDeploymentStep } from './deployment-log.js';
import { decideExecution, type ApprovalPolicy } from '../domain/approval-policy.js';
import { qualifiedService, requestHash, type DeployRequest } from '../domain/deploy-request.js';
import { decideSubmissionRecovery, type AttentionReason, type HistoryLookup, type ServiceLookup } from '../domain/deploy-recovery.js';
import { FINAL_PHASES, isFollowed, type Deployment, type Execution, type FailureKind, type Phase } from '../domain/deployment.js';
import type { Logger } from '../logger.js';
import {
  buildJobName,
  decideSpecDelivery,
  deployModel,
  deployPlanHash,
  deployTag,
  findDeployQuery,
  findService,
  isSnowflakeError,
  planDeployStatements,
  requireQualifiedName,
  runStatusStatement,
  toDeploymentPlan,
  type AsyncRunner,
  type DeployStatements,
  type PlatformCapabilities,
  type SpecDirectory,
} from '../snowflake/index.js';
import type { AuditLog } from '../store/audit-log.js';
import type { DeploymentStore } from '../store/deployment-store.js';
import type { Notifier } from './notifier.js';

/**
 * The deployment executor (the execute queue hands it deployment and recheck jobs): runs an
 * approved deployment up to the moment Snowflake accepts CALL SYSTEM$DEPLOY_MODEL; the
 * status tracker follows it from there. The query id is stored before anything else happens, and
 * a run that finds one stored only hands over to the tracker, so a retried or re-delivered job
 * (a worker killed mid-way) never deploys twice.
 */

export type DeployOutcome = 'submitted' | 'resumed' | 'already_final' | 'cancelled' | 'failed' | 'needs_attention';

export interface DeployDeps {
  readonly store: DeploymentStore;
  readonly audit: AuditLog;
  readonly snowflake: AsyncRunner;
  /** SYSTEM$ML_PLATFORM_CAPABILITIES, read once: whether the spec goes inline or through a stage. */
  readonly capabilities: PlatformCapabilities;
  readonly specDirectory?: SpecDirectory;
  readonly notifier: Notifier;
  readonly policy: ApprovalPolicy;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Moves a deployment to `phase` (audited, summary re-rendered); returns the new record. */
export async function setPhase(
  deps: Pick<DeployDeps, 'store' | 'audit' | 'notifier' | 'now' | 'logger'>,
  id: string,
  phase: Phase,
  extra: Partial<Execution> = {},
): Promise<Deployment | null> {
  const at = deps.now();
  const next = await deps.store.update(id, (d) => ({
    ...d,
    execution: {
      milestones: [],
      ...d.execution,
      ...extra,
      phase,
      phaseSinceMs: d.execution?.phase === phase ? d.execution.phaseSinceMs : at,
    },
  }));
  if (next === null) return null;
  logDeploymentStep(
    deps.logger,
    next,
    phase,
    extra.failure === undefined ? {} : { failure: extra.failure.kind, reason: extra.failure.message },
  );
  const final = FINAL_PHASES.includes(phase);
  await deps.audit.append({
    event: final ? 'outcome' : 'phase_changed',
    deploymentId: id,
    atMs: at,
    planHash: next.planHash,
    detail: extra.failure === undefined ? phase : `${phase}: ${extra.failure.kind}`,
  });
  await deps.notifier.summary(id);
  if (final) {
    if (next.execution !== undefined && !isFollowed(next.execution)) await deps.store.untrack(id);
    await deps.notifier.milestone(id, phase === 'running' ? 'running' : 'failed');
  }
  return next;
}

/** Marks the deployment failed with a kind the thread explains. */
export function fail(
  deps: Pick<DeployDeps, 'store' | 'audit' | 'notifier' | 'now' | 'logger'>,
  id: string,
  kind: FailureKind,
  message: string,
  extra: { logTail?: string[]; privilege?: string; phase?: Phase } = {},
): Promise<Deployment | null> {
  const failure = { kind, message, logTail: extra.logTail ?? [], ...(extra.privilege !== undefined ? { privilege: extra.privilege } : {}) };
  return setPhase(deps, id, extra.phase ?? (kind === 'timed_out' ? 'timed_out' : kind === 'policy' ? 'cancelled' : 'failed'), { failure });
}

/** Maps a Snowflake refusal of a deploy step to the failure the thread diagnoses. */
export function failureOf(err: unknown): { kind: FailureKind; message: string; privilege?: string } {
  if (isSnowflakeError(err) && err.failure.kind === 'insufficient_privileges') {
    return {
      kind: 'missing_privilege',
      message: err.message,
      ...(err.failure.privilege !== undefined ? { privilege: err.failure.privilege } : {}),
    };
  }
  return { kind: 'deploy_error', message: err instanceof Error ? err.message : String(err) };
}

export async function runDeploy(deps: DeployDeps, deploymentId: string): Promise<DeployOutcome> {
  const d = await deps.store.get(deploymentId);
  if (d === null) throw new UnrecoverableError(`deployment ${deploymentId} not found`);
  const execution = d.execution;
  if (execution?.queryId !== undefined) {
    // Sent before (this job ran and stopped, or ran twice): follow it, never send again.
    if (isFollowed(execution)) await deps.store.track(deploymentId);
    // A worker stopped between storing the query id and auditing it: the trail still records the
    // submission, once. (Reads the stream; only a re-delivered job gets here.)
    const audited = (await deps.audit.read(deploymentId)).some((e) => e.event === 'deploy_submitted');
    if (!audited)
      await deps.audit.append({
        event: 'deploy_submitted',
        deploymentId,
        atMs: deps.now(),
        planHash: d.planHash,
        detail: execution.queryId,
      });
    return 'resumed';
  }
  if (execution !== undefined && FINAL_PHASES.includes(execution.phase)) return 'already_final';
  // A worker stopped mid-CALL, or a person asked to look again: find out, never send it again.
  if (execution?.phase === 'submitting' || execution?.phase === 'needs_attention')
    return recoverSubmission(deps, d, execution.attention?.submittingSinceMs ?? execution.phaseSinceMs);

  // The statements rebuilt from the approved request must hash as the approval did; a deployment
  // approved before the hash covered the statements carries the request's hash (requestHash).
  const rendered = renderStatements(d.request);
  const currentPlanHash = !rendered.ok ? '' : d.planHash === requestHash(d.request) ? d.planHash : deployPlanHash(rendered.value);
  const check = decideExecution(deps.policy, { ...d, currentPlanHash });
  if (!check.ok || !rendered.ok) {
    const reason = !check.ok ? check.reason : 'plan_changed';
    await deps.audit.append({
      event: 'execution_refused',
      deploymentId,
      atMs: deps.now(),
      planHash: d.planHash,
      detail: rendered.ok ? reason : `${reason}: ${rendered.message}`,
    });
    if (reason === 'plan_changed') {
      const why = rendered.ok
        ? 'the statements it would send now (rendered from the approved request) are not the ones that were approved'
        : `the approved request no longer renders (${rendered.message})`;
      await fail(deps, deploymentId, 'policy', `Not sent: ${why}. Nothing was sent to Snowflake; request the deployment again.`, {
        phase: 'failed',
      });
      return 'failed';
    }
    await fail(deps, deploymentId, 'policy', `Refused at start: ${reason.replaceAll('_', ' ')}`);
    return 'cancelled';
  }
  // The thread's first reply, posted by the worker that runs it (not the click), so it comes
  // before this job's own replies; once per deployment (the notifier's job id and receipt).
  await deps.notifier.milestone(deploymentId, 'approved');
  await deps.audit.append({ event: 'execution_started', deploymentId, atMs: deps.now(), planHash: d.planHash });

  const r = d.request;
  const statements = rendered.value;
  try {
    if (statements.createPool !== null) {
      await setPhase(deps, deploymentId, 'creating_pool');
      await runStatusStatement(deps.snowflake, statements.createPool);
    }
    if (statements.dropService !== null) {
      await setPhase(deps, deploymentId, 'dropping_service');
      await runStatusStatement(deps.snowflake, statements.dropService);
    }
    await setPhase(deps, deploymentId, 'submitting');
    const delivery = await decideSpecDelivery(deps.capabilities, deps.specDirectory);
    // The wizard refused this before approval; only a change on this host since then gets here.
    if (delivery.kind === 'refused') {
      await fail(deps, deploymentId, 'deploy_error', `Not sent: ${delivery.message}`);
      return 'failed';
    }
    const started = await deployModel(deps.snowflake, toDeploymentPlan(r), {
      delivery,
      spec: statements.spec,
      queryTag: deployTag(deploymentId),
      ...(deps.specDirectory && { specDirectory: deps.specDirectory }),
    });
    // First thing after Snowflake accepted it: remember the query id.
    await followQuery(deps, d, started.queryId, 'submitted');
    return 'submitted';
  } catch (err) {
    if (err instanceof UnrecoverableError) throw err;
    const failure = failureOf(err);
    const doing = (await deps.store.get(deploymentId))?.execution?.phase ?? 'starting the deployment';
    deps.logger.error(
      { err, deploymentId, phase: doing, service: qualifiedService(r) },
      `deploy step failed while ${doing.replaceAll('_', ' ')} ${qualifiedService(r)}`,
    );
    await fail(deps, deploymentId, failure.kind, failure.message, failure.privilege !== undefined ? { privilege: failure.privilege } : {});
    return 'failed';
  }
}

/** Stores Snowflake's query id and hands the deployment to the tracker. */
async function followQuery(deps: DeployDeps, d: Deployment, queryId: string, how: 'submitted' | 'recovered'): Promise<void> {
  const buildJob = buildJobName(queryId);
  await deps.store.update(d.id, (current) => {
    const { attention: _answered, ...execution } = current.execution ?? { milestones: [], phase: 'submitting', phaseSinceMs: deps.now() };
    // Found again after a person asked to look: it is submitted after all, and the tracker follows it.
    const phase = execution.phase === 'needs_attention' ? { phase: 'submitting' as const, phaseSinceMs: deps.now() } : {};
    return { ...current, execution: { ...execution, ...phase, queryId, buildJobName: buildJob } };
  });
  await deps.store.track(d.id);
  await deps.audit.append({
    event: 'deploy_submitted',
    deploymentId: d.id,
    atMs: deps.now(),
    planHash: d.planHash,
    detail: how === 'submitted' ? queryId : `${queryId} (found again in the query history)`,
  });
  logDeploymentStep(deps.logger, d, how, { queryId, buildJob });
}

/**
 * A worker stopped after it began sending the CALL and before it stored the query id. The CALL is
 * tagged with the deployment id, so the query history tells whether Snowflake took it, and SHOW
 * SERVICES whether a service appeared; it is never sent a second time. Where neither can tell
 * (decideSubmissionRecovery), the deployment waits for a person: phase needs_attention.
 */
async function recoverSubmission(deps: DeployDeps, d: Deployment, submittingSinceMs: number): Promise<DeployOutcome> {
  const service = requireQualifiedName(qualifiedService(d.request), 'Service', 3);
  const tag = deployTag(d.id);
  const history = await lookUp(async (): Promise<HistoryLookup> => {
    const found = await findDeployQuery(deps.snowflake, service.container.container, tag);
    return found === null ? { kind: 'absent' } : { kind: 'found', queryId: found.queryId };
  });
  const existing =
    history.kind === 'found'
      ? ({ kind: 'absent' } as const)
      : await lookUp(async (): Promise<ServiceLookup> => {
          const row = await findService(deps.snowflake, service);
          return row === null ? { kind: 'absent' } : { kind: 'present', createdOnMs: row.createdOn?.getTime() ?? null };
        });
  const decision = decideSubmissionRecovery(history, existing, submittingSinceMs);
  switch (decision.kind) {
    case 'follow':
      await followQuery(deps, d, decision.queryId, 'recovered');
      return 'resumed';
    case 'not_taken':
      await fail(
        deps,
        d.id,
        'deploy_error',
        `The worker stopped while sending the deployment, and Snowflake's query history has no CALL SYSTEM$DEPLOY_MODEL tagged '${tag}', nor is there a new service ${service.sql}: Snowflake did not take it. It was not sent again; request the deployment again.`,
      );
      return 'failed';
    case 'needs_attention': {
      const why = [history, existing].flatMap((l) => (l.kind === 'unreadable' ? [l.why] : [])).join('; ');
      const detail = `${ATTENTION_TEXT[decision.reason](service.sql, tag)}${why === '' ? '' : ` (${why})`}`;
      const checks = d.execution?.attention?.checks ?? 0;
      await setPhase(deps, d.id, 'needs_attention', { attention: { reason: decision.reason, detail, submittingSinceMs, checks } });
      await deps.notifier.milestone(d.id, 'needs_attention');
      return 'needs_attention';
    }
  }
}

export type DeployAttentionAction = 'recheck' | 'mark_failed';

/**
 * A person's answer to a deployment that needs attention. `recheck` hands it to a new recheck job,
 * which only looks again (recoverSubmission never sends the CALL); `mark_failed` closes it.
 * Returns null when it was not waiting for anyone (answered already, or a look is under way).
 */
export async function resolveDeployAttention(
  deps: Pick<DeployDeps, 'store' | 'audit' | 'notifier' | 'now' | 'logger'> & {
    /** Hands look number `check` to the execute queue (its own job id per look). */
    readonly enqueueRecheck: (deploymentId: string, check: number) => Promise<void>;
  },
  id: string,
  action: DeployAttentionAction,
  actor: string,
): Promise<Deployment | null> {
  const resolved = await deps.store.transition<Deployment | null>(id, (d) => {
    const e = d?.execution;
    const attention = e?.attention;
    if (d === null || e === undefined || e.phase !== 'needs_attention' || attention === undefined) return { result: null };
    if (attention.checking === true || attention.resolvedBy !== undefined) return { result: null };
    const next: Deployment = {
      ...d,
      execution: {
        ...e,
        attention:
          action === 'recheck' ? { ...attention, checks: attention.checks + 1, checking: true } : { ...attention, resolvedBy: actor },
      },
    };
    return { write: next, result: next };
  });
  if (resolved === null) return null;
  await deps.audit.append({
    event: 'deploy_resolved',
    deploymentId: id,
    actor,
    atMs: deps.now(),
    planHash: resolved.planHash,
    detail: action,
  });
  if (action === 'recheck') {
    await deps.enqueueRecheck(id, resolved.execution?.attention?.checks ?? 0);
    return resolved;
  }
  await fail(
    deps,
    id,
    'deploy_error',
    `Marked as failed by a person after the worker could not tell whether Snowflake took the deployment. ${resolved.execution?.attention?.detail ?? ''}`.trim(),
  );
  return resolved;
}

/** The statements of the approved request, or why it no longer renders. */
function renderStatements(r: DeployRequest): { ok: true; value: DeployStatements } | { ok: false; message: string } {
  try {
    return { ok: true, value: planDeployStatements(r) };
  } catch (err) {
    if (err instanceof RangeError || isSnowflakeError(err)) return { ok: false, message: err.message };
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/** A read whose failure is an answer ("could not tell"), not an error of the job. */
async function lookUp<T>(read: () => Promise<T>): Promise<T | { readonly kind: 'unreadable'; readonly why: string }> {
  try {
    return await read();
  } catch (err) {
    return { kind: 'unreadable', why: err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err) };
  }
}

const ATTENTION_TEXT: Readonly<Record<AttentionReason, (service: string, tag: string) => string>> = {
  history_unreadable: (service, tag) =>
    `The worker stopped while sending the deployment, and the query history could not be read to find out whether Snowflake took it. ${service} does not exist (yet: the image may still be building). Check the query history for QUERY_TAG '${tag}'`,
  service_without_query: (service, tag) =>
    `The worker stopped while sending the deployment. ${service} was created since, but no CALL tagged '${tag}' is in the query history, so there is no deploy query to follow. Check SHOW SERVICES and the query history`,
  service_unreadable: (service, tag) =>
    `The worker stopped while sending the deployment, and SHOW SERVICES could not be read to find out whether ${service} was created. Check it, and the query history for QUERY_TAG '${tag}'`,
};
