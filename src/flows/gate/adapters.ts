import type { RespondFn } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { ApprovalIds, buildRejectModal } from '../../blocks/deploy-summary.js';
import { buildChangeRejectModal, ManageIds } from '../../blocks/manage.js';
import type { ApprovalPolicy, Gate, GateKind, RefusalReason } from '../../domain/approval-policy.js';
import type { Deployment } from '../../domain/deployment.js';
import { CHANGE_VERBS, type Operation } from '../../domain/operation.js';
import { logDeploymentStep } from '../../jobs/deployment-log.js';
import type { GatedRecord, GateStore } from '../../store/gate-store.js';
import type { GateDeps } from './deps.js';
import { deploymentView } from '../../domain/deployment-view.js';
import { operationView } from '../../domain/operation-view.js';

/** Why a gate click is refused: the guard chain's reasons, plus the gate's own. */
export type GateRefusal = RefusalReason | 'not_found' | 'not_requester';

/** The modal values a reject submission carries. */
export type ViewValues = Readonly<Record<string, Readonly<Record<string, { value?: string | null }>>>>;

/**
 * What the one set of gate listeners needs to know about a kind of record: where it is stored,
 * which gate it is behind, how refusals are worded, what the audit entries carry, and what
 * happens after approval or rejection. Adding a kind (e.g. `access`) is one more of these.
 */
export interface GateAdapter<T extends GatedRecord> {
  readonly kind: GateKind;
  readonly store: Pick<GateStore<T>, 'get' | 'readVersioned' | 'approve' | 'reject'>;
  gateOf(record: T): Gate;
  channelOf(record: T): string;
  /** The audit entry's id and subject fields. */
  auditFields(id: string, record: T | null): { deploymentId: string; action?: string; target?: string };
  refusal(reason: GateRefusal, record: T | null, policy: ApprovalPolicy): string;
  /** Before a requester's own confirmation: a refusal when they may no longer do it (null: go on). */
  mayConfirm(record: T, userId: string): Promise<string | null>;
  rejectModal(record: T): ModalView;
  reasonOf(values: ViewValues): string | undefined;
  refreshSummary(record: T): Promise<void>;
  /** What the approval that lets it run writes with it, in the same compare-and-set (none: the record as approved). */
  readonly whenApproved?: (record: T, atMs: number) => T;
  /** After the approval that lets it run: hand it to its worker (never run it here). */
  afterApproval(record: T, click: { readonly userId: string; readonly respond: RespondFn }): Promise<void>;
  afterRejection(record: T, click: { readonly userId: string; readonly respond?: RespondFn }): Promise<void>;
}

const trimmed = (text: string | null | undefined) => text?.trim() || undefined;

export function deploymentAdapter(deps: GateDeps): GateAdapter<Deployment> {
  return {
    kind: 'deployment',
    store: deps.deployments,
    gateOf: () => 'approval',
    channelOf: (d) => d.channelId,
    auditFields: (id) => ({ deploymentId: id }),
    refusal(reason, _d, policy) {
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
        case 'not_requester':
          return 'This button does not belong to this request.';
      }
    },
    mayConfirm: async () => null,
    rejectModal: (d) => buildRejectModal(deploymentView(d)),
    reasonOf: (values) => trimmed(values[ApprovalIds.reasonBlock]?.[ApprovalIds.reasonInput]?.value),
    refreshSummary: (d) => deps.notifier.summary(d.id),
    whenApproved: (d, at) => ({ ...d, execution: d.execution ?? { phase: 'queued', phaseSinceMs: at, milestones: ['approved'] } }),
    async afterApproval(d) {
      // The thread's "approved" reply is the deploy worker's first step (deploy-executor.ts).
      await Promise.all([deps.notifier.summary(d.id), deps.enqueueDeploy(d.id)]);
      logDeploymentStep(deps.logger, d, 'approved', { approvedBy: d.approvals.map((a) => a.userId) });
    },
    async afterRejection(d, click) {
      await deps.notifier.summary(d.id);
      logDeploymentStep(deps.logger, d, 'rejected', { rejectedBy: click.userId });
    },
  };
}

export function operationAdapter(deps: GateDeps): GateAdapter<Operation> {
  const adapter: GateAdapter<Operation> = {
    kind: 'operation',
    store: deps.operations,
    gateOf: (op) => op.gate,
    channelOf: (op) => op.channelId,
    auditFields: (id, op) => ({ deploymentId: id, ...(op !== null && { action: op.change.kind, target: op.service }) }),
    refusal(reason, op, policy) {
      switch (reason) {
        case 'not_requester':
          return `Only <@${op?.requestedBy ?? 'the requester'}>, who asked for this change, can confirm or cancel it.`;
        case 'not_an_approver':
          return policy.approvers.length === 0
            ? 'Only members of this channel can approve changes here.'
            : 'You are not one of the approvers (SPCS_APPROVERS), directly or through a user group.';
        case 'own_request':
          return 'You requested this change, so someone else has to approve it.';
        case 'expired':
          return 'This request has expired (SPCS_APPROVAL_TTL). Ask again.';
        case 'already_decided':
          return 'This change was already confirmed, cancelled, decided or expired.';
        case 'plan_changed':
          return 'The change differs from the one this message shows. Look at the current request.';
        case 'already_approved_by_you':
          return 'You already approved this change; it still needs someone else.';
        case 'not_found':
          return 'This change request no longer exists.';
      }
    },
    // The requester must still be a manager when confirming; approvers are governed by SPCS_APPROVERS instead.
    mayConfirm: (op, userId) =>
      deps.guard.refuse({ action: 'manage', doing: CHANGE_VERBS[op.change.kind], target: op.service, userId, channelId: op.channelId }),
    rejectModal: (op) => buildChangeRejectModal(operationView(op)),
    reasonOf: (values) => trimmed(values[ManageIds.reasonBlock]?.[ManageIds.reasonInput]?.value),
    refreshSummary: (op) => deps.notifier.changeSummary(op.id),
    async afterApproval(op, click) {
      if (op.gate === 'self')
        await click.respond({ replace_original: true, text: `Confirmed: applying ${CHANGE_VERBS[op.change.kind]} ${op.service}…` });
      await deps.notifier.changeSummary(op.id);
      await deps.enqueueChange(op.id);
    },
    async afterRejection(op, click) {
      if (op.gate === 'self' && click.respond !== undefined)
        return void (await click.respond({ replace_original: true, text: `Cancelled: ${op.service} was not changed.` }));
      await deps.notifier.changeSummary(op.id);
    },
  };
  return adapter;
}
