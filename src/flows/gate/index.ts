import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import { z } from 'zod';
import { ApprovalIds } from '../../blocks/deploy-summary.js';
import { ManageIds } from '../../blocks/manage.js';
import { decideRejection, policyFor } from '../../domain/approval-policy.js';
import { CHANGE_VERBS } from '../../domain/operation.js';
import type { GatedRecord, Versioned } from '../../store/gate-store.js';
import { jsonText } from '../shared/json-text.js';
import { onActions, onViewSubmissions } from '../shared/listeners.js';
import { deploymentAdapter, operationAdapter, type GateAdapter, type GateRefusal } from './adapters.js';
import type { GateDeps } from './deps.js';

export type { GateDeps } from './deps.js';

/**
 * The approval gate's listeners, one set for every kind of record behind it: Approve, Reject and
 * the reject modal (approvers' gate), Confirm and Cancel (the requester's own gate), and the
 * buttons of a change that needs attention. Each click is decided by the gate store's atomic
 * transition; what runs after an approval is a worker's job, never this handler's.
 */

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** What gate buttons and reject modals carry: the record (`d` deployment, `o` change request) and the plan hash shown. */
const Target = jsonText(
  z.union([
    z.object({ d: z.string(), h: z.string() }).transform((t) => ({ kind: 'deployment' as const, id: t.d, shownHash: t.h })),
    z.object({ o: z.string(), h: z.string() }).transform((t) => ({ kind: 'operation' as const, id: t.o, shownHash: t.h })),
  ]),
);
type Target = z.infer<typeof Target>;

/** Runs `work` with the adapter of the target's kind (a generic callback, so each kind keeps its record type). */
type WithAdapter = <R>(kind: Target['kind'], work: <T extends GatedRecord>(adapter: GateAdapter<T>) => Promise<R>) => Promise<R>;

export function handlers(deps: GateDeps) {
  const deployment = deploymentAdapter(deps);
  const operation = operationAdapter(deps);
  const withAdapter: WithAdapter = (kind, work) => (kind === 'deployment' ? work(deployment) : work(operation));

  const audit = <T extends GatedRecord>(
    a: GateAdapter<T>,
    event: 'refused' | 'approval_recorded' | 'approved' | 'rejected' | 'expired',
    id: string,
    record: T | null,
    actor: string | undefined,
    detail?: string,
  ) =>
    deps.audit.append({
      event,
      ...a.auditFields(id, record),
      atMs: deps.now(),
      planHash: record?.planHash ?? '',
      ...(actor !== undefined && { actor }),
      ...(detail !== undefined && detail !== '' && { detail }),
    });

  /** A refusal: audited; a click that found the request past its TTL expires it (audited, summary re-rendered); told to the clicker. */
  const refuse = async <T extends GatedRecord>(
    a: GateAdapter<T>,
    id: string,
    record: T | null,
    userId: string,
    reason: GateRefusal,
    tell: (text: string) => Promise<unknown>,
  ) => {
    await audit(a, 'refused', id, record, userId, reason);
    if (reason === 'expired' && record !== null) {
      await audit(a, 'expired', id, record, undefined);
      await a.refreshSummary(record);
    }
    // Expired by the expiry job before this click: say so rather than "already decided".
    await tell(a.refusal(reason === 'already_decided' && record?.state === 'expired' ? 'expired' : reason, record, deps.policy));
  };

  /** Ack, then the button's target; null when it was answered already (bad button). */
  const load = async (args: ButtonArgs): Promise<{ target: Target; userId: string; tell: (text: string) => Promise<unknown> } | null> => {
    await args.ack();
    const tell = (text: string) => args.respond({ response_type: 'ephemeral', replace_original: false, text });
    const target = Target.safeParse(args.action.value ?? '');
    if (!target.success) {
      await tell('This button is not valid.');
      return null;
    }
    return { target: target.data, userId: args.body.user.id, tell };
  };

  /** What a record button's listener gets once its target is read: the adapter, the record as stored, and who clicked. */
  interface Click<T extends GatedRecord> {
    readonly a: GateAdapter<T>;
    readonly current: T;
    /** `current` with its version, so the click's compare-and-set need not read it again. */
    readonly known: Versioned<T>;
    readonly target: Target;
    readonly userId: string;
    readonly tell: (text: string) => Promise<unknown>;
  }

  /** Ack, the target, its record (refused as not found when it is gone), then `work` with the record's adapter. */
  const onRecord =
    (work: <T extends GatedRecord>(click: Click<T>, args: ButtonArgs) => Promise<unknown>) =>
    async (args: ButtonArgs): Promise<void> => {
      const loaded = await load(args);
      if (loaded === null) return;
      const { target, userId, tell } = loaded;
      await withAdapter(target.kind, async (a) => {
        const known = await a.store.readVersioned(target.id);
        if (known === null) return refuse(a, target.id, null, userId, 'not_found', tell);
        await work({ a, current: known.record, known, target, userId, tell }, args);
      });
    };

  /** Approve (approvers' gate) and Confirm (own gate) are one transition: decideApprovalClick under compare-and-set. */
  const approveClick = (asRequester: boolean) =>
    onRecord(async ({ a, current, known, target, userId, tell }, args) => {
      if (asRequester !== (a.gateOf(current) === 'self')) return void (await tell('This button does not belong to this request.'));
      if (asRequester && userId !== current.requestedBy) return void (await tell(a.refusal('not_requester', current, deps.policy)));
      const refusal = asRequester ? await a.mayConfirm(current, userId) : null;
      if (refusal !== null) return void (await tell(refusal));
      const isApprover = asRequester || (await deps.approvers.isApprover(userId, a.channelOf(current)));
      const policy = policyFor(a.gateOf(current), deps.policy);
      const now = deps.now();
      const whenApproved = a.whenApproved;
      const outcome = await a.store.approve(target.id, { userId, isApprover }, target.shownHash, policy, now, {
        known,
        ...(whenApproved !== undefined && { whenApproved: (r) => whenApproved(r, now) }),
      });
      if (outcome.outcome === 'refused') return refuse(a, target.id, outcome.record, userId, outcome.reason, tell);
      if (outcome.outcome === 'recorded') {
        await audit(a, 'approval_recorded', target.id, outcome.record, userId, `${outcome.count}/${outcome.required}`);
        await a.refreshSummary(outcome.record);
        return void (await tell(`Your approval is recorded: ${outcome.count} of ${outcome.required}.`));
      }
      await audit(a, 'approved', target.id, outcome.record, userId, outcome.record.approvals.map((x) => x.userId).join(','));
      await a.afterApproval(outcome.record, { userId, respond: args.respond });
    });

  /** Cancel: the requester withdraws their own change (or an approver rejects without a reason). */
  const cancelClick = onRecord(async ({ a, current, target, userId, tell }, args) => {
    const self = a.gateOf(current) === 'self';
    if (self && userId !== current.requestedBy) return void (await tell(a.refusal('not_requester', current, deps.policy)));
    const isApprover = self || (await deps.approvers.isApprover(userId, a.channelOf(current)));
    const policy = policyFor(a.gateOf(current), deps.policy);
    const outcome = await a.store.reject(target.id, { userId, isApprover }, target.shownHash, undefined, policy, deps.now());
    if (outcome.outcome === 'refused') return refuse(a, target.id, outcome.record, userId, outcome.reason, tell);
    await audit(a, 'rejected', target.id, outcome.record, userId);
    await a.afterRejection(outcome.record, { userId, respond: args.respond });
  });

  /** Reject (approvers' gate): the same checks as at submit, then a modal asking for an optional reason. */
  const rejectClick = onRecord(async ({ a, current, target, userId, tell }, args) => {
    if (a.gateOf(current) !== 'approval') return void (await tell('This button does not belong to this request.'));
    // Checked now so nobody types a reason for nothing; the requester may withdraw their own request.
    const isApprover = userId === current.requestedBy || (await deps.approvers.isApprover(userId, a.channelOf(current)));
    const refusal = decideRejection(current, { userId, isApprover }, target.shownHash, deps.policy, deps.now());
    if (refusal !== null) return refuse(a, target.id, current, userId, refusal, tell);
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: a.rejectModal(current) });
  });

  /** The reject modal's submission: the rejection under compare-and-set, with the reason, audited and shown on the summary. */
  const rejectSubmitted = async (args: SubmitArgs): Promise<void> => {
    await args.ack();
    const userId = args.body.user.id;
    const target = Target.safeParse(args.view.private_metadata);
    if (!target.success) return;
    const { id, kind, shownHash } = target.data;
    await withAdapter(kind, async (a) => {
      const current = await a.store.get(id);
      if (current === null) return;
      const reason = a.reasonOf(args.view.state.values);
      const isApprover = await deps.approvers.isApprover(userId, a.channelOf(current));
      const policy = policyFor(a.gateOf(current), deps.policy);
      const outcome = await a.store.reject(id, { userId, isApprover }, shownHash, reason, policy, deps.now());
      const tell = (text: string) =>
        args.client.chat
          .postEphemeral({ channel: a.channelOf(current), user: userId, text })
          .catch((err: unknown) => deps.logger.warn({ err }, 'could not post the refusal'));
      if (outcome.outcome === 'refused') return refuse(a, id, outcome.record, userId, outcome.reason, tell);
      await audit(a, 'rejected', id, outcome.record, userId, reason);
      await a.afterRejection(outcome.record, { userId });
    });
  };

  /** "Check again" / "Mark as failed" under a deployment that needs attention: its requester or an approver. */
  const deploymentAttention = async (
    target: Target,
    userId: string,
    action: 'recheck' | 'mark_failed',
    tell: (text: string) => Promise<unknown>,
  ): Promise<void> => {
    const d = await deps.deployments.get(target.id);
    if (d === null) return void (await tell(deployment.refusal('not_found', null, deps.policy)));
    if (d.planHash !== target.shownHash) return void (await tell(deployment.refusal('plan_changed', d, deps.policy)));
    if (userId !== d.requestedBy && !(await deps.approvers.isApprover(userId, d.channelId)))
      return void (await tell('Only the requester or an approver (SPCS_APPROVERS) can answer for this deployment.'));
    const resolved = await deps.resolveDeployAttention(d.id, action, userId);
    if (resolved === null)
      return void (await tell('This deployment is not waiting for anyone: it was answered already, or a look is under way.'));
    await tell(
      action === 'recheck'
        ? 'Looking at the query history and SHOW SERVICES again; the deployment is never sent a second time.'
        : 'Marked as failed.',
    );
  };

  /** "I checked: mark done" / "Retry" under a change that needs attention: a manager's answer, recorded and audited. */
  const attentionClick =
    (action: 'mark_done' | 'retry') =>
    async (args: ButtonArgs): Promise<void> => {
      const loaded = await load(args);
      if (loaded === null) return;
      const { target, userId, tell } = loaded;
      if (target.kind === 'deployment') return deploymentAttention(target, userId, action === 'retry' ? 'recheck' : 'mark_failed', tell);
      const op = await deps.operations.get(target.id);
      if (op === null) return void (await tell(operation.refusal('not_found', null, deps.policy)));
      if (op.planHash !== target.shownHash) return void (await tell(operation.refusal('plan_changed', op, deps.policy)));
      const refusal = await deps.guard.refuse({
        action: 'manage',
        doing: CHANGE_VERBS[op.change.kind],
        target: op.service,
        userId,
        channelId: op.channelId,
      });
      if (refusal !== null) return void (await tell(refusal));
      const resolved = await deps.resolveAttention(op.id, action, userId);
      if (resolved === null) return void (await tell('This change is not waiting for anyone: it was answered already.'));
      await tell(action === 'retry' ? 'Looking at Snowflake again; it is sent only if it did not take effect.' : 'Marked done.');
    };

  return {
    approve: approveClick(false),
    confirm: approveClick(true),
    cancel: cancelClick,
    reject: rejectClick,
    rejectSubmitted,
    markDone: attentionClick('mark_done'),
    retry: attentionClick('retry'),
  };
}

/** Registers the gate's listeners under every action id the gate's messages use (deployments' and changes'). */
export function registerGate(app: App, deps: GateDeps): void {
  const h = handlers(deps);
  onActions<ButtonAction>(app, {
    [ApprovalIds.approve]: h.approve,
    [ManageIds.approve]: h.approve,
    [ApprovalIds.reject]: h.reject,
    [ManageIds.reject]: h.reject,
    [ManageIds.confirm]: h.confirm,
    [ManageIds.cancel]: h.cancel,
    [ManageIds.markDone]: h.markDone,
    [ManageIds.retry]: h.retry,
    [ApprovalIds.recheck]: h.retry,
    [ApprovalIds.markFailed]: h.markDone,
  });
  onViewSubmissions(app, { [ApprovalIds.rejectModal]: h.rejectSubmitted, [ManageIds.rejectModal]: h.rejectSubmitted });
}
