import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  StaticSelectAction,
  ViewSubmitAction,
} from '@slack/bolt';
import { z } from 'zod';
import {
  AUTO_RESUME_OPTION,
  buildChangeConfirmation,
  buildCreatePoolModal,
  ManageIds,
  type PoolFamilyChoice,
} from '../../blocks/manage.js';
import { type EphemeralMessage, inlineCode, notice } from '../../blocks/kit.js';
import { CHANGE_VERBS, type PoolChange } from '../../domain/operation.js';
import {
  checkComputePoolRequest,
  createComputePoolStatement,
  findComputePool,
  identifierFromSnowflake,
  listInstanceFamilies,
  parseIdentifier,
  type Identifier,
  type InstanceFamilyInfo,
} from '../../snowflake/index.js';
import { failureMessage, replyAfterAck } from '../shared/reply.js';
import { jsonText } from '../shared/json-text.js';
import type { ManageDeps } from './deps.js';
import { channelOf, openRequest, requesterOf, wholeNumber, type Requester } from './request.js';
import { operationView } from '../../domain/operation-view.js';

/** Compute pool changes from `/spcs pools` (issue 5 item 2): create, suspend, resume; managers only, after the requester confirms. */

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type SelectArgs = SlackActionMiddlewareArgs<BlockAction<StaticSelectAction>> & AllMiddlewareArgs;
type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const PoolChoice = jsonText(z.object({ p: z.string(), k: z.enum(['suspend', 'resume']) }));
const CreateContext = jsonText(z.object({ channel: z.string() }));

/**
 * Guard → the pool as SHOW COMPUTE POOLS sees it now → nothing to do? → stored, audited request →
 * the requester's own confirmation (the gate's Confirm / Cancel).
 */
export async function requestPoolChange(deps: ManageDeps, who: Requester, pool: Identifier, change: PoolChange): Promise<EphemeralMessage> {
  const refusal = await deps.guard.refuse({
    action: 'manage',
    doing: CHANGE_VERBS[change.kind],
    target: pool.name,
    userId: who.userId,
    teamId: who.teamId,
    channelId: who.channelId,
  });
  if (refusal !== null) return notice(refusal);
  const found = await findComputePool(deps.snowflake, pool);
  if (change.kind === 'pool_create') {
    if (found !== null)
      return notice(`Nothing to do: compute pool ${inlineCode(pool.sql)} exists already (${found.state}, ${found.instanceFamily}).`);
  } else {
    if (found === null) return notice(`Compute pool ${inlineCode(pool.sql)} was not found or the bot's role cannot see it.`);
    const suspended = found.state === 'SUSPENDED' || found.state === 'STOPPING';
    if (change.kind === 'pool_suspend' && suspended)
      return notice(`Nothing to do: ${inlineCode(pool.sql)} is already ${found.state.toLowerCase()}.`);
    if (change.kind === 'pool_resume' && !suspended)
      return notice(`Nothing to do: ${inlineCode(pool.sql)} is ${found.state}, not suspended.`);
  }
  const before =
    found === null
      ? { status: 'NOT CREATED', minInstances: null, maxInstances: null, autoSuspendSecs: null }
      : {
          status: found.state,
          minInstances: found.minNodes,
          maxInstances: found.maxNodes,
          autoSuspendSecs: found.autoSuspendSecs,
          numServices: found.numServices,
        };
  const op = await openRequest(deps, who, pool.sql, change, before, { gate: 'self' });
  return buildChangeConfirmation(operationView(op));
}

/** Modal fields by block and action id: text, the selected option, the checked options. */
function fieldsOf(args: SubmitArgs, block: string, action: string) {
  const state = args.view.state.values[block]?.[action];
  return {
    text: state?.value ?? undefined,
    selected: state?.selected_option?.value ?? undefined,
    checked: (state?.selected_options ?? []).map((o) => o.value),
  };
}

/** The Create pool modal, checked field by field with no SQL; the pool's name and the change on success. */
export function readCreatePool(
  args: SubmitArgs,
): { ok: true; pool: Identifier; change: PoolChange } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const name = parseIdentifier(fieldsOf(args, ManageIds.poolNameBlock, ManageIds.poolNameInput).text?.trim() ?? '', 'Pool name');
  if (!name.ok) errors[ManageIds.poolNameBlock] = name.message;
  const familyText = fieldsOf(args, ManageIds.poolFamilyBlock, ManageIds.poolFamilyInput).selected;
  const family = familyText === undefined ? null : parseIdentifier(familyText, 'Instance family', { allowQuoted: true });
  if (family === null || !family.ok) errors[ManageIds.poolFamilyBlock] = 'Instance family: pick one from the list.';
  const min = wholeNumber(fieldsOf(args, ManageIds.poolMinBlock, ManageIds.poolMinInput).text);
  const max = wholeNumber(fieldsOf(args, ManageIds.poolMaxBlock, ManageIds.poolMaxInput).text);
  if (min === null) errors[ManageIds.poolMinBlock] = 'Min nodes: a whole number of at least 1.';
  if (max === null) errors[ManageIds.poolMaxBlock] = 'Max nodes: a whole number of at least 1.';
  const autoResume = fieldsOf(args, ManageIds.poolAutoResumeBlock, ManageIds.poolAutoResumeInput).checked.includes(AUTO_RESUME_OPTION);
  if (!name.ok || family === null || !family.ok || min === null || max === null) return { ok: false, errors };
  const request = {
    name: name.value,
    instanceFamily: identifierFromSnowflake(family.value.name),
    minNodes: min,
    maxNodes: max,
    autoResume,
  };
  for (const problem of checkComputePoolRequest(request)) {
    const block = problem.startsWith('Min nodes') ? ManageIds.poolMinBlock : ManageIds.poolMaxBlock;
    errors[block] ??= problem;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const statement = createComputePoolStatement(request).text;
  return {
    ok: true,
    pool: name.value,
    change: { kind: 'pool_create', instanceFamily: family.value.name, minNodes: min, maxNodes: max, autoResume, statement },
  };
}

export function poolHandlers(deps: ManageDeps) {
  /** Create pool: the guard first (no form for nothing), then the modal with the instance families. */
  const create = async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const channel = channelOf(args);
    const tell = (reply: EphemeralMessage) => args.respond({ ...reply, blocks: reply.blocks, replace_original: false });
    const refusal = await deps.guard.refuse({
      action: 'manage',
      doing: CHANGE_VERBS.pool_create,
      target: '',
      userId: args.body.user.id,
      channelId: channel,
    });
    if (refusal !== null) return void (await tell(notice(refusal)));
    try {
      const families = await listInstanceFamilies(deps.snowflake);
      await args.client.views.open({
        trigger_id: args.body.trigger_id,
        view: buildCreatePoolModal(families.map(familyChoice), JSON.stringify({ channel })),
      });
    } catch (err) {
      await tell(failureMessage(deps, err, 'open the Create pool form'));
    }
  };

  /** Suspend / Resume a pool from the select: the request and its confirmation, answered through response_url. */
  const change = async (args: SelectArgs): Promise<void> => {
    await args.ack();
    const choice = PoolChoice.safeParse(args.action.selected_option.value);
    const pool = choice.success ? parseIdentifier(choice.data.p, 'Compute pool', { allowQuoted: true }) : null;
    const kind = choice.success && choice.data.k === 'resume' ? 'pool_resume' : 'pool_suspend';
    await replyAfterAck(deps, args.respond, `${CHANGE_VERBS[kind]}`, async () =>
      pool?.ok
        ? requestPoolChange(deps, requesterOf(args, channelOf(args)), identifierFromSnowflake(pool.value.name), { kind })
        : notice('That option no longer names a pool; run `/spcs pools` again.'),
    );
  };

  /** Field errors in the ack (no SQL); then the request, whose confirmation (with the statement) comes as an ephemeral message. */
  const createSubmitted = async (args: SubmitArgs): Promise<void> => {
    const context = CreateContext.safeParse(args.view.private_metadata);
    if (!context.success) return void (await args.ack());
    const read = readCreatePool(args);
    if (!read.ok) return void (await args.ack({ response_action: 'errors', errors: read.errors }));
    await args.ack();
    const who = requesterOf(args, context.data.channel);
    let reply: EphemeralMessage;
    try {
      reply = await requestPoolChange(deps, who, read.pool, read.change);
    } catch (err) {
      reply = failureMessage(deps, err, CHANGE_VERBS.pool_create);
    }
    await args.client.chat
      .postEphemeral({ channel: who.channelId, user: who.userId, text: reply.text, blocks: reply.blocks })
      .catch((err: unknown) => deps.logger.warn({ err }, 'could not post the confirmation'));
  };

  return { create, change, createSubmitted };
}

const familyChoice = (f: InstanceFamilyInfo): PoolFamilyChoice => ({
  name: f.name,
  vcpu: f.vcpu,
  memoryGib: f.memoryGib,
  gpu: f.gpu === null ? null : { type: f.gpu.type, perNode: f.gpu.perNode },
});
