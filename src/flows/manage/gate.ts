import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import { notInChannel, slackErrorCode } from '../../slack-errors.js';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { buildChangeOutcome, buildChangeRejectModal, ManageIds } from '../../blocks/manage.js';
import { describeFailure } from '../../blocks/observe-kit.js';
import { decideExecution, decideRejection, type ApprovalPolicy, type RefusalReason } from '../../domain/approval-policy.js';
import { CHANGE_VERBS, operationHash, type Operation } from '../../domain/operation.js';
import {
  createComputePool,
  createComputePoolStatement,
  dropService,
  isSnowflakeError,
  parseIdentifier,
  parseQualifiedName,
  resumeComputePool,
  resumeService,
  suspendComputePool,
  setServiceAutoSuspend,
  setServiceInstances,
  suspendService,
  type ParseResult,
  type QueryRunner,
} from '../../snowflake/index.js';
import { refreshChangeSummary } from '../../jobs/change-summary.js';
import { jsonText } from '../shared/json-text.js';
import type { ManageDeps } from './deps.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const Target = jsonText(z.object({ o: z.string(), h: z.string() }));

/** The gate's rules for a change: approvals per SPCS_*, or the requester alone confirming once. */
export function policyFor(op: Pick<Operation, 'gate'>, policy: ApprovalPolicy): ApprovalPolicy {
  return op.gate === 'approval' ? policy : { ...policy, approvers: [], requiredApprovals: 1, allowSelfApproval: true };
}

function refusalText(reason: RefusalReason | 'not_found' | 'not_requester', op: Operation | null, policy: ApprovalPolicy): string {
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
      // Expired by the expiry job before this click: say so rather than "already decided".
      return op?.state === 'expired'
        ? refusalText('expired', op, policy)
        : 'This change was already confirmed, cancelled, decided or expired.';
    case 'plan_changed':
      return 'The change differs from the one this message shows. Look at the current request.';
    case 'already_approved_by_you':
      return 'You already approved this change; it still needs someone else.';
    case 'not_found':
      return 'This change request no longer exists.';
  }
}

type Run = (db: QueryRunner) => Promise<string>;

/** The statement a change runs, built by the Snowflake layer from the stored request; a problem when the name no longer parses or the statement differs from the one shown. */
function planChange(op: Operation): ParseResult<Run> {
  const change = op.change;
  if (change.kind.startsWith('pool_')) {
    const pool = parseIdentifier(op.service, 'Compute pool', { allowQuoted: true });
    if (!pool.ok) return pool;
    if (change.kind === 'pool_suspend') return { ok: true, value: (db) => suspendComputePool(db, pool.value) };
    if (change.kind === 'pool_resume') return { ok: true, value: (db) => resumeComputePool(db, pool.value) };
  }
  if (change.kind === 'pool_create') {
    const family = parseIdentifier(change.instanceFamily, 'Instance family', { allowQuoted: true });
    const pool = parseIdentifier(op.service, 'Compute pool', { allowQuoted: true });
    if (!family.ok) return family;
    if (!pool.ok) return pool;
    const request = {
      name: pool.value,
      instanceFamily: family.value,
      minNodes: change.minNodes,
      maxNodes: change.maxNodes,
      autoResume: change.autoResume,
    };
    if (createComputePoolStatement(request).text !== change.statement)
      return { ok: false, message: 'the statement differs from the one confirmed' };
    return { ok: true, value: (db) => createComputePool(db, request) };
  }
  const name = parseQualifiedName(op.service, 'Service', { parts: 3, allowQuoted: true });
  if (!name.ok) return name;
  switch (change.kind) {
    case 'suspend':
      return { ok: true, value: (db) => suspendService(db, name.value) };
    case 'resume':
      return { ok: true, value: (db) => resumeService(db, name.value) };
    case 'scale':
      return { ok: true, value: (db) => setServiceInstances(db, name.value, change) };
    case 'autosuspend':
      return { ok: true, value: (db) => setServiceAutoSuspend(db, name.value, change.seconds) };
    case 'drop':
      return { ok: true, value: (db) => dropService(db, name.value) };
    default:
      return { ok: false, message: 'unknown change' };
  }
}

export function gateHandlers(deps: ManageDeps) {
  const audit = (
    event: 'refused' | 'approval_recorded' | 'approved' | 'rejected' | 'change_applied' | 'change_failed',
    op: Operation,
    actor: string | undefined,
    detail?: string,
  ) =>
    deps.audit.append({
      event,
      deploymentId: op.id,
      atMs: deps.now(),
      planHash: op.planHash,
      action: op.change.kind,
      target: op.service,
      ...(actor !== undefined && { actor }),
      ...(detail !== undefined && { detail }),
    });

  const refreshSummary = (client: Pick<WebClient, 'chat'>, op: Operation) =>
    refreshChangeSummary(client, op, deps.policy.requiredApprovals, deps.logger);

  /**
   * Applies an approved change: the guard chain once more (policy may have changed since the
   * click), the SQL, the outcome on the record, in the audit and in the service's thread.
   */
  const execute = async (
    client: Pick<WebClient, 'chat'>,
    approved: Operation,
    tellActor: (text: string) => Promise<unknown>,
  ): Promise<void> => {
    const check = decideExecution(policyFor(approved, deps.policy), {
      ...approved,
      currentPlanHash: operationHash(approved.service, approved.change),
    });
    const run = planChange(approved);
    let result: { ok: true; status: string } | { ok: false; failure: string };
    if (!check.ok || !run.ok) {
      result = {
        ok: false,
        failure: `:no_entry: Not applied: the request no longer passes the approval rules (${check.ok ? (run.ok ? '' : run.message) : check.reason}).`,
      };
    } else {
      try {
        result = { ok: true, status: await run.value(deps.snowflake) };
      } catch (err) {
        deps.logger.warn({ err, operationId: approved.id }, 'service change failed');
        result = {
          ok: false,
          failure: describeFailure(isSnowflakeError(err) ? err.failure : null, `${CHANGE_VERBS[approved.change.kind]} ${approved.service}`),
        };
      }
    }
    const message = buildChangeOutcome(approved, result);
    const done =
      (await deps.operations.update(approved.id, (c) => ({ ...c, outcome: { ok: result.ok, text: message.text, atMs: deps.now() } }))) ??
      approved;
    await audit(result.ok ? 'change_applied' : 'change_failed', done, undefined, result.ok ? result.status : result.failure);
    const where = done.thread ?? { channelId: done.channelId, ts: undefined };
    await client.chat
      .postMessage({
        channel: where.channelId,
        text: message.text,
        blocks: message.blocks,
        ...(where.ts !== undefined && { thread_ts: where.ts }),
      })
      .catch(async (err: unknown) => {
        deps.logger.warn({ err, operationId: done.id, channelId: where.channelId }, 'posting the change outcome in the channel failed');
        // The one who clicked still learns the outcome, and how to let the bot post next time.
        if (notInChannel(slackErrorCode(err))) {
          await tellActor(
            `${message.text}\n:warning: I'm not in <#${where.channelId}>, so I could not post this there. Invite me with \`/invite @spcs\`.`,
          ).catch(() => undefined);
        }
      });
    await refreshSummary(client, done);
  };

  /** Ack, then the request a gate button names; null when it was answered already (bad button, gone). */
  const load = async (args: ButtonArgs) => {
    await args.ack();
    const tell = (text: string) => args.respond({ response_type: 'ephemeral', replace_original: false, text });
    const target = Target.safeParse(args.action.value ?? '');
    if (!target.success) {
      await tell('This button is not valid.');
      return null;
    }
    const current = await deps.operations.get(target.data.o);
    if (current === null) {
      await tell(refusalText('not_found', null, deps.policy));
      return null;
    }
    return { userId: args.body.user.id, tell, target: target.data, current };
  };

  /** Confirm (own gate) and Approve (approvers' gate) are one transition: decideApprovalClick under compare-and-set. */
  const approveClick =
    (asRequester: boolean) =>
    async (args: ButtonArgs): Promise<void> => {
      const loaded = await load(args);
      if (loaded === null) return;
      const { userId, tell, target, current } = loaded;
      if (asRequester !== (current.gate === 'self')) return void (await tell('This button does not belong to this request.'));
      if (asRequester && userId !== current.requestedBy) return void (await tell(refusalText('not_requester', current, deps.policy)));
      // The requester must still be a manager when confirming; approvers are governed by SPCS_APPROVERS instead.
      const refusal = asRequester
        ? await deps.guard.refuse({
            action: 'manage',
            doing: CHANGE_VERBS[current.change.kind],
            target: current.service,
            userId,
            channelId: current.channelId,
          })
        : null;
      if (refusal !== null) return void (await tell(refusal));
      const isApprover = asRequester || (await deps.approvers.isApprover(userId, current.channelId));
      const outcome = await deps.operations.approve(
        current.id,
        { userId, isApprover },
        target.h,
        policyFor(current, deps.policy),
        deps.now(),
      );
      if (outcome.outcome === 'refused') {
        if (outcome.record !== null) await audit('refused', outcome.record, userId, outcome.reason);
        if (outcome.reason === 'expired' && outcome.record !== null) await refreshSummary(args.client, outcome.record);
        return void (await tell(refusalText(outcome.reason, outcome.record, deps.policy)));
      }
      if (outcome.outcome === 'recorded') {
        await audit('approval_recorded', outcome.record, userId, `${outcome.count}/${outcome.required}`);
        await refreshSummary(args.client, outcome.record);
        return void (await tell(`Your approval is recorded: ${outcome.count} of ${outcome.required}.`));
      }
      await audit('approved', outcome.record, userId, outcome.record.approvals.map((a) => a.userId).join(','));
      if (asRequester)
        await args.respond({
          replace_original: true,
          text: `Confirmed: applying ${CHANGE_VERBS[current.change.kind]} ${current.service}…`,
        });
      await refreshSummary(args.client, outcome.record);
      await execute(args.client, outcome.record, (text) => args.respond({ response_type: 'ephemeral', replace_original: false, text }));
    };

  /** Cancel (own gate): the requester withdraws at once. */
  const cancelClick = async (args: ButtonArgs): Promise<void> => {
    const loaded = await load(args);
    if (loaded === null) return;
    const { userId, tell, target, current } = loaded;
    if (current.gate === 'self' && userId !== current.requestedBy)
      return void (await tell(refusalText('not_requester', current, deps.policy)));
    const isApprover = current.gate === 'self' || (await deps.approvers.isApprover(userId, current.channelId));
    const outcome = await deps.operations.reject(
      current.id,
      { userId, isApprover },
      target.h,
      undefined,
      policyFor(current, deps.policy),
      deps.now(),
    );
    if (outcome.outcome === 'refused') return void (await tell(refusalText(outcome.reason, outcome.record, deps.policy)));
    await audit('rejected', outcome.record, userId);
    if (current.gate === 'self')
      return void (await args.respond({ replace_original: true, text: `Cancelled: ${current.service} was not changed.` }));
    await refreshSummary(args.client, outcome.record);
  };

  /** Reject (approvers' gate): the same checks as at submit, then a modal asking for an optional reason. */
  const rejectClick = async (args: ButtonArgs): Promise<void> => {
    const loaded = await load(args);
    if (loaded === null) return;
    const { userId, tell, target, current } = loaded;
    if (current.gate !== 'approval') return void (await tell('This button does not belong to this request.'));
    // Checked now so nobody types a reason for nothing; the requester may withdraw their own request.
    const isApprover = userId === current.requestedBy || (await deps.approvers.isApprover(userId, current.channelId));
    const refusal = decideRejection(current, { userId, isApprover }, target.h, deps.policy, deps.now());
    if (refusal !== null) return void (await tell(refusalText(refusal, current, deps.policy)));
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: buildChangeRejectModal(current) });
  };

  /** The reject modal's submission: the rejection under compare-and-set, with the reason, audited and shown on the summary. */
  const rejectSubmitted = async (args: SubmitArgs): Promise<void> => {
    await args.ack();
    const userId = args.body.user.id;
    const target = Target.safeParse(args.view.private_metadata);
    if (!target.success) return;
    const current = await deps.operations.get(target.data.o);
    if (current === null) return;
    const reason = args.view.state.values[ManageIds.reasonBlock]?.[ManageIds.reasonInput]?.value?.trim() || undefined;
    const isApprover = await deps.approvers.isApprover(userId, current.channelId);
    const outcome = await deps.operations.reject(
      current.id,
      { userId, isApprover },
      target.data.h,
      reason,
      policyFor(current, deps.policy),
      deps.now(),
    );
    if (outcome.outcome === 'refused') {
      const text = refusalText(outcome.reason, outcome.record, deps.policy);
      return void (await args.client.chat
        .postEphemeral({ channel: current.channelId, user: userId, text })
        .catch((err: unknown) => deps.logger.warn({ err }, 'could not post the refusal')));
    }
    await audit('rejected', outcome.record, userId, reason);
    await refreshSummary(args.client, outcome.record);
  };

  return { confirm: approveClick(true), approve: approveClick(false), cancel: cancelClick, reject: rejectClick, rejectSubmitted };
}
