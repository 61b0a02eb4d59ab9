import { randomBytes } from 'node:crypto';
import { logDeploymentStep } from '../../jobs/deployment-log.js';
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { ApprovalIds, buildRejectModal } from '../../blocks/deploy-summary.js';
import type { ApprovalPolicy, RefusalReason } from '../../domain/approval-policy.js';
import { DeployRequest, planHash } from '../../domain/deploy-request.js';
import type { Deployment, DeploymentRequester, DeploymentSubmission } from '../../domain/deployment.js';
import type { Logger } from '../../logger.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { ApprovalOutcome, DeploymentStore } from '../../store/deployment-store.js';
import type { ExpiryScheduler } from '../../jobs/expiry-queue.js';
import type { Notifier } from '../../jobs/notifier.js';
import type { ApproverDirectory } from './approvers.js';
import { jsonText } from '../shared/json-text.js';

/**
 * The approval gate: the requester the deploy wizard calls, and the Approve / Reject listeners.
 * Only Redis work happens before ack(); Slack messages go through the notifier, Snowflake work
 * through the deploy queue.
 */

export interface ApprovalDeps {
  readonly store: DeploymentStore;
  readonly audit: AuditLog;
  readonly notifier: Notifier;
  readonly approvers: ApproverDirectory;
  readonly enqueueDeploy: (deploymentId: string) => Promise<void>;
  readonly policy: ApprovalPolicy;
  readonly logger: Logger;
  readonly now: () => number;
}

export function newDeploymentId(): string {
  return `d${BigInt(`0x${randomBytes(10).toString('hex')}`).toString(36)}`.padEnd(9, '0');
}

/**
 * Stores the request as pending, audits it, arranges for it to expire after SPCS_APPROVAL_TTL
 * and has the summary with Approve / Reject posted.
 */
export function createDeploymentRequester(
  deps: Pick<ApprovalDeps, 'store' | 'audit' | 'notifier' | 'now' | 'logger'> & { readonly expiry: ExpiryScheduler },
): DeploymentRequester {
  return {
    async request(submission: DeploymentSubmission) {
      const request = DeployRequest.parse(submission.request);
      const deployment: Deployment = {
        id: newDeploymentId(),
        request,
        planHash: planHash(request),
        requestedBy: submission.requestedBy,
        teamId: submission.teamId,
        channelId: submission.channelId,
        requestedAtMs: deps.now(),
        state: 'pending',
        approvals: [],
      };
      await deps.store.create(deployment);
      await deps.audit.append({
        event: 'requested',
        deploymentId: deployment.id,
        actor: submission.requestedBy,
        teamId: submission.teamId,
        channelId: submission.channelId,
        atMs: deployment.requestedAtMs,
        planHash: deployment.planHash,
      });
      await deps.expiry.schedule('deployment', deployment.id, deployment.requestedAtMs);
      await deps.notifier.summary(deployment.id);
      logDeploymentStep(deps.logger, deployment, 'requested', { requestedBy: deployment.requestedBy });
      return { deploymentId: deployment.id };
    },
  };
}

/** What the Approve/Reject buttons and the reject modal carry: the deployment id and the plan hash shown. */
const Target = jsonText(z.object({ d: z.string(), h: z.string() }));

export function refusalText(reason: RefusalReason | 'not_found', policy: ApprovalPolicy): string {
  switch (reason) {
    case 'not_an_approver':
      return policy.approvers.length === 0
        ? 'Only members of this channel can approve deployments here.'
        : 'You are not one of the approvers for deployments (SPCS_APPROVERS), directly or through a user group.';
    case 'own_request':
      return 'You requested this deployment, so someone else has to approve it.';
    case 'expired':
      return 'This request has expired and can no longer be approved. Request it again with `/spcs deploy`.';
    case 'already_decided':
      return 'This deployment was already decided (approved, rejected or expired).';
    case 'plan_changed':
      return 'The plan changed since this message was shown, so this approval does not apply to it. Look at the current summary.';
    case 'already_approved_by_you':
      return 'You already approved this deployment; it still needs someone else.';
    case 'not_found':
      return 'This deployment no longer exists.';
  }
}

type ButtonArgs = Parameters<Parameters<App['action']>[1]>[0] & { body: BlockAction<ButtonAction>; action: ButtonAction };

export function handlers(deps: ApprovalDeps) {
  const refuse = async (
    d: Deployment | null,
    deploymentId: string,
    userId: string,
    reason: RefusalReason | 'not_found',
    tell: (text: string) => Promise<unknown>,
  ) => {
    await deps.audit.append({
      event: 'refused',
      deploymentId,
      actor: userId,
      atMs: deps.now(),
      planHash: d?.planHash ?? '',
      detail: reason,
    });
    if (reason === 'expired' && d !== null) {
      await deps.audit.append({ event: 'expired', deploymentId, atMs: deps.now(), planHash: d.planHash });
      await deps.notifier.summary(deploymentId);
    }
    // Expired by the expiry job before this click: say so rather than "already decided".
    await tell(refusalText(reason === 'already_decided' && d?.state === 'expired' ? 'expired' : reason, deps.policy));
  };

  const approved = async (outcome: Extract<ApprovalOutcome, { outcome: 'approved' }>, userId: string) => {
    const d = outcome.deployment;
    const at = deps.now();
    await deps.audit.append({
      event: 'approved',
      deploymentId: d.id,
      actor: userId,
      atMs: at,
      planHash: d.planHash,
      detail: d.approvals.map((a) => a.userId).join(','),
    });
    await deps.store.update(d.id, (c) => ({
      ...c,
      execution: c.execution ?? { phase: 'queued', phaseSinceMs: at, milestones: ['approved'] },
    }));
    await deps.notifier.summary(d.id);
    await deps.notifier.milestone(d.id, 'approved');
    await deps.enqueueDeploy(d.id);
    logDeploymentStep(deps.logger, d, 'approved', { approvedBy: d.approvals.map((a) => a.userId) });
  };

  return {
    async approve({ ack, body, action, respond }: ButtonArgs): Promise<void> {
      await ack();
      const userId = body.user.id;
      const target = Target.safeParse(action.value ?? '');
      if (!target.success)
        return void (await respond({ response_type: 'ephemeral', replace_original: false, text: 'This button is not valid.' }));
      const { d: id, h: shownHash } = target.data;
      const tell = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      const current = await deps.store.get(id);
      if (current === null) return refuse(null, id, userId, 'not_found', tell);
      const isApprover = await deps.approvers.isApprover(userId, current.channelId);
      const outcome = await deps.store.approve(id, { userId, isApprover }, shownHash, deps.policy, deps.now());
      if (outcome.outcome === 'refused') return refuse(outcome.deployment, id, userId, outcome.reason, tell);
      if (outcome.outcome === 'recorded') {
        await deps.audit.append({
          event: 'approval_recorded',
          deploymentId: id,
          actor: userId,
          atMs: deps.now(),
          planHash: outcome.deployment.planHash,
          detail: `${outcome.count}/${outcome.required}`,
        });
        await deps.notifier.summary(id);
        await tell(`Your approval is recorded: ${outcome.count} of ${outcome.required}.`);
        return;
      }
      await approved(outcome, userId);
    },

    async reject({ ack, body, action, respond, client }: ButtonArgs): Promise<void> {
      await ack();
      const userId = body.user.id;
      const tell = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      const target = Target.safeParse(action.value ?? '');
      if (!target.success) return void (await tell('This button is not valid.'));
      const d = await deps.store.get(target.data.d);
      if (d === null) return refuse(null, target.data.d, userId, 'not_found', tell);
      // The same gate as at submit, checked now so nobody types a reason for nothing.
      const isApprover = userId === d.requestedBy || (await deps.approvers.isApprover(userId, d.channelId));
      const precheck =
        d.state !== 'pending' ? 'already_decided' : d.planHash !== target.data.h ? 'plan_changed' : isApprover ? null : 'not_an_approver';
      if (precheck !== null) return refuse(d, d.id, userId, precheck, tell);
      await client.views.open({ trigger_id: body.trigger_id, view: buildRejectModal(d) });
    },

    async rejectSubmitted({ ack, body, view, client }: RejectSubmitArgs): Promise<void> {
      await ack();
      const userId = body.user.id;
      const target = Target.safeParse(view.private_metadata);
      if (!target.success) return;
      const reason = view.state.values[ApprovalIds.reasonBlock]?.[ApprovalIds.reasonInput]?.value?.trim() ?? undefined;
      const d = await deps.store.get(target.data.d);
      if (d === null) return;
      const isApprover = await deps.approvers.isApprover(userId, d.channelId);
      const outcome = await deps.store.reject(d.id, { userId, isApprover }, target.data.h, reason ?? undefined, deps.policy, deps.now());
      const tell = (text: string) => client.chat.postEphemeral({ channel: d.channelId, user: userId, text });
      if (outcome.outcome === 'refused') return refuse(outcome.deployment, d.id, userId, outcome.reason, tell);
      await deps.audit.append({
        event: 'rejected',
        deploymentId: d.id,
        actor: userId,
        atMs: deps.now(),
        planHash: d.planHash,
        ...(reason ? { detail: reason } : {}),
      });
      await deps.notifier.summary(d.id);
      logDeploymentStep(deps.logger, d, 'rejected', { rejectedBy: userId });
    },
  };
}

type RejectSubmitArgs = Parameters<Parameters<App['view']>[1]>[0] & { client: WebClient };

export function registerApproval(app: App, deps: ApprovalDeps): void {
  const h = handlers(deps);
  app.action<BlockAction<ButtonAction>>(ApprovalIds.approve, (args) => h.approve(args));
  app.action<BlockAction<ButtonAction>>(ApprovalIds.reject, (args) => h.reject(args));
  app.view(ApprovalIds.rejectModal, (args) => h.rejectSubmitted(args));
}
