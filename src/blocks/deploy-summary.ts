import type { KnownBlock, ModalView } from '@slack/types';
import { qualifiedModel, qualifiedService, type DeployRequest } from '../domain/deploy-request.js';
import type { Decision } from '../domain/deployment.js';
import type { DeploymentView } from '../domain/deployment-view.js';
import { buildStatusLine, slackDate, type SlackMessage } from './deploy-status.js';
import { actions, button, codeBlock, confirmDialog, context, escapeMrkdwn, header, inlineCode, section, textInput } from './kit.js';

/** The confirmation summary (the parent of the status thread) and the reject-reason modal. */

export const ApprovalIds = {
  actions: 'approval.actions',
  approve: 'approval.approve',
  reject: 'approval.reject',
  rejectModal: 'approval.reject_modal',
  reasonBlock: 'approval.reason',
  reasonInput: 'approval.reason_input',
  status: 'deploy.status',
  /** Under a deployment that needs attention: look again (never re-sends), or close it as failed. */
  attention: 'approval.attention',
  recheck: 'approval.recheck',
  markFailed: 'approval.mark_failed',
} as const;

/** What an Approve/Reject button (and the reject modal) carries: the deployment and the plan shown. */
export interface ApprovalTarget {
  readonly deploymentId: string;
  readonly planHash: string;
}

export function encodeApprovalTarget(target: ApprovalTarget): string {
  return JSON.stringify({ d: target.deploymentId, h: target.planHash });
}

function poolLine(request: DeployRequest): string {
  const pool = request.pool;
  const kind = pool.gpu === null ? 'CPU' : `GPU, ${pool.gpu.perNode}× ${escapeMrkdwn(pool.gpu.type)} per node`;
  const base = `${inlineCode(pool.name)} (${kind}, ${escapeMrkdwn(pool.instanceFamily)})`;
  if (pool.kind === 'create') {
    return `${base}, *will be created* with ${pool.minNodes}–${pool.maxNodes} nodes, auto-resume ${pool.autoResume ? 'on' : 'off'}`;
  }
  return pool.state === 'SUSPENDED' ? `${base}, suspended now: the first start is slower` : base;
}

function summaryFields(d: DeploymentView): string[] {
  const r = d.request;
  const lines = [
    `*Model:* ${inlineCode(qualifiedModel(r))} (version ${inlineCode(r.model.version)})`,
    `*Service:* ${inlineCode(qualifiedService(r))}`,
    `*Compute pool:* ${poolLine(r)}`,
    `*Max instances:* ${r.maxInstances}`,
    `*GPU requests:* ${r.gpuRequests ?? 'N/A'}`,
    `*Workers:* ${r.numWorkers === 'auto' ? 'auto' : r.numWorkers}`,
  ];
  if (r.existingService === 'drop_and_recreate') {
    lines.push(`*Existing service:* ${inlineCode(qualifiedService(r))} *will be dropped* and created again`);
  }
  lines.push(`*Requested by:* <@${d.requestedBy}>`);
  return lines;
}

function people(decisions: readonly Decision[]): string {
  return decisions.map((a) => `<@${a.userId}> (${slackDate(a.atMs)})`).join(', ');
}

function decisionBlocks(d: DeploymentView, requiredApprovals: number): KnownBlock[] {
  const value = encodeApprovalTarget(d.target);
  switch (d.state) {
    case 'pending': {
      const progress =
        d.approvals.length === 0
          ? `Needs ${requiredApprovals} approval${requiredApprovals === 1 ? '' : 's'}. Nothing changes in Snowflake until then.`
          : `Approved so far by ${people(d.approvals)}: ${d.approvals.length} of ${requiredApprovals}.`;
      return [
        context(progress),
        actions(
          [
            button('Approve', ApprovalIds.approve, { value, style: 'primary' }),
            button('Reject', ApprovalIds.reject, { value, style: 'danger' }),
          ],
          ApprovalIds.actions,
        ),
      ];
    }
    case 'approved': {
      const approved = context(`:white_check_mark: Approved by ${people(d.approvals)}`);
      const attention = d.progress?.phase === 'needs_attention' ? d.progress.attention : undefined;
      if (attention === undefined || attention.resolvedBy !== undefined) return [approved];
      if (attention.checking) return [approved, context(':mag: Looking at Snowflake again…')];
      const markFailed = confirmDialog(
        'Mark as failed?',
        'Do this once you have checked that Snowflake did not create the service. The bot stops looking; nothing is sent to Snowflake.',
        'Mark as failed',
        'Keep waiting',
      );
      return [
        approved,
        actions(
          [
            button('Check again', ApprovalIds.recheck, { value, style: 'primary' }),
            button('Mark as failed', ApprovalIds.markFailed, { value, style: 'danger', confirm: markFailed }),
          ],
          ApprovalIds.attention,
        ),
      ];
    }
    case 'rejected': {
      const r = d.rejection;
      const who = r === undefined ? 'Rejected' : `:x: Rejected by <@${r.userId}> (${slackDate(r.atMs)})`;
      const why = r?.reason === undefined ? '' : `\n*Reason:* ${escapeMrkdwn(r.reason)}`;
      return [section(`${who}${why}`)];
    }
    case 'expired':
      return [context(':hourglass: Expired before it was approved. Nothing was deployed; request it again with `/spcs deploy`.')];
  }
}

/** What the approval is bound to (src/snowflake/deploy-plan.ts): the statements in order and the spec the CALL binds. */
export interface DeployStatementsModel {
  readonly statements: readonly string[];
  readonly spec: string;
}

/** The statements as sent, with the spec for the CALL's bind; cut to fit one section (3000 characters). */
function statementsBlock(model: DeployStatementsModel): KnownBlock {
  const text = `${model.statements.join(';\n')};\n-- ? = deploy.yml (inline, or staged where the account takes no inline spec):\n${model.spec}`;
  return section(`*Statements to run:*\n${codeBlock(text, { budget: 2600, escape: true })}`);
}

/** The summary as the channel sees it; always the full set of blocks (chat.update replaces them all). */
export function buildDeploySummary(d: DeploymentView, requiredApprovals: number, statements?: DeployStatementsModel): SlackMessage {
  const blocks: KnownBlock[] = [
    header(`Deploy ${d.request.service.name}`),
    section(summaryFields(d).join('\n')),
    ...(statements === undefined ? [] : [statementsBlock(statements)]),
    context('Service creation typically takes 5 to 15 minutes once approved.'),
    // The status line's block_id lets the tracker's chat.update find it.
    { ...section(buildStatusLine(d)), block_id: ApprovalIds.status },
    ...decisionBlocks(d, requiredApprovals),
  ];
  return { text: `Deploy request: ${qualifiedModel(d.request)} ${d.request.model.version} → ${qualifiedService(d.request)}`, blocks };
}

/** Asks the person who clicked Reject for an optional reason. */
export function buildRejectModal(d: DeploymentView): ModalView {
  return {
    type: 'modal',
    callback_id: ApprovalIds.rejectModal,
    private_metadata: encodeApprovalTarget(d.target),
    title: { type: 'plain_text', text: 'Reject deployment' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(`Reject deploying ${inlineCode(qualifiedModel(d.request))} to ${inlineCode(qualifiedService(d.request))}?`),
      textInput(ApprovalIds.reasonBlock, 'Reason (optional)', {
        actionId: ApprovalIds.reasonInput,
        optional: true,
        multiline: true,
        maxLength: 2000,
      }),
    ],
  };
}
