import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  StaticSelectAction,
  ViewSubmitAction,
} from '@slack/bolt';
import { z } from 'zod';
import { buildAutoSuspendModal, buildScaleModal, ManageIds } from '../../blocks/manage.js';
import { type EphemeralMessage, notice } from '../../blocks/kit.js';
import { PoolActions } from '../../blocks/observe-pools.js';
import { StatusActions } from '../../blocks/observe-status.js';
import type { ServiceChange } from '../../domain/operation.js';
import { checkAutoSuspendSeconds, checkInstanceBounds } from '../../snowflake/index.js';
import { failureMessage, replyAfterAck } from '../shared/reply.js';
import { parseServiceArg } from '../shared/service-ref.js';
import { jsonText } from '../shared/json-text.js';
import { onActions, onViewSubmissions } from '../shared/listeners.js';
import type { Subcommand } from '../subcommand.js';
import { createAutoSuspendCommand } from './autosuspend.js';
import type { ManageDeps } from './deps.js';
import { createDropCommand } from './drop.js';
import { poolHandlers } from './pools.js';
import { channelOf, requestChange, requesterOf, wholeNumber, type ChangeFor } from './request.js';
import { createResumeCommand } from './resume.js';
import { createScaleCommand, scaleChange } from './scale.js';
import { createSuspendCommand } from './suspend.js';

export type { ManageDeps } from './deps.js';

/** The service-changing commands, in the order help lists them. */
export function createManageCommands(deps: ManageDeps): Subcommand[] {
  return [
    createSuspendCommand(deps),
    createResumeCommand(deps),
    createScaleCommand(deps),
    createAutoSuspendCommand(deps),
    createDropCommand(deps),
  ];
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** What a Scale / Auto-suspend modal remembers: the service and where to answer. */
const ModalContext = jsonText(z.object({ service: z.string(), channel: z.string() }));

/** Modal text fields by block and action id. */
function textValueOf(args: SubmitArgs, block: string, action: string): string | undefined {
  return args.view.state.values[block]?.[action]?.value ?? undefined;
}

export function handlers(deps: ManageDeps) {
  /** Suspend / Resume / Drop under `/spcs status`: the same request as the typed command. */
  const direct =
    (kind: 'suspend' | 'resume' | 'drop') =>
    async (args: ButtonArgs): Promise<void> => {
      await args.ack();
      const arg = parseServiceArg(args.action.value);
      const change: ChangeFor = () => ({ kind });
      await replyAfterAck(deps, args.respond, `${kind} the service`, async () =>
        arg.ok
          ? requestChange(deps, requesterOf(args, channelOf(args)), arg.value, kind, change)
          : notice('That button no longer names a service; run `/spcs status` again.'),
      );
    };

  /** Scale / Auto-suspend under `/spcs status`: a modal for the numbers (the guard runs first, so no form for nothing). */
  const withModal =
    (kind: 'scale' | 'autosuspend') =>
    async (args: ButtonArgs): Promise<void> => {
      await args.ack();
      const service = args.action.value ?? '';
      const refusal = await deps.guard.refuse({
        action: 'manage',
        doing: kind === 'scale' ? 'scale' : 'set auto-suspend of',
        target: service,
        userId: args.body.user.id,
        channelId: channelOf(args),
      });
      if (refusal !== null) return void (await args.respond({ response_type: 'ephemeral', replace_original: false, text: refusal }));
      const metadata = JSON.stringify({ service, channel: channelOf(args) });
      const view = kind === 'scale' ? buildScaleModal(service, metadata) : buildAutoSuspendModal(service, metadata);
      await args.client.views.open({ trigger_id: args.body.trigger_id, view });
    };

  /**
   * A modal's numbers: field errors in the ack (no SQL); then the same request as the command,
   * whose confirmation comes as an ephemeral message in the channel.
   */
  const submitted =
    (kind: 'scale' | 'autosuspend') =>
    async (args: SubmitArgs): Promise<void> => {
      const context = ModalContext.safeParse(args.view.private_metadata);
      const arg = parseServiceArg(context.success ? context.data.service : undefined);
      if (!context.success || !arg.ok) return void (await args.ack());
      const errors: Record<string, string> = {};
      let changeFor: ChangeFor;
      if (kind === 'scale') {
        const minText = textValueOf(args, ManageIds.minBlock, ManageIds.minInput)?.trim() ?? '';
        const min = minText === '' ? undefined : wholeNumber(minText);
        const max = wholeNumber(textValueOf(args, ManageIds.maxBlock, ManageIds.maxInput));
        if (min === null) errors[ManageIds.minBlock] = 'A whole number, 0 or more (or leave it empty to keep the current value).';
        if (max === null) errors[ManageIds.maxBlock] = 'A whole number of at least 1.';
        for (const problem of min === null || max === null ? [] : checkInstanceBounds({ min: min ?? 0, max })) {
          if (problem.startsWith('Min')) errors[ManageIds.minBlock] ??= problem;
          else errors[ManageIds.maxBlock] ??= problem;
        }
        changeFor = (service): ServiceChange | string => scaleChange(service, min ?? undefined, max ?? 1);
      } else {
        const seconds = wholeNumber(textValueOf(args, ManageIds.secondsBlock, ManageIds.secondsInput));
        const problem = seconds === null ? null : checkAutoSuspendSeconds(seconds);
        if (seconds === null) errors[ManageIds.secondsBlock] = 'A whole number of seconds, 0 or more (0 turns auto-suspend off).';
        else if (problem !== null) errors[ManageIds.secondsBlock] = `${problem}.`;
        changeFor = () => ({ kind: 'autosuspend', seconds: seconds ?? 0 });
      }
      if (Object.keys(errors).length > 0) return void (await args.ack({ response_action: 'errors', errors }));
      await args.ack();
      const who = requesterOf(args, context.data.channel);
      // A view submission has no response_url: the confirmation comes as an ephemeral message.
      let reply: EphemeralMessage;
      try {
        reply = await requestChange(deps, who, arg.value, kind, changeFor);
      } catch (err) {
        reply = failureMessage(deps, err, `${kind} the service`);
      }
      await args.client.chat
        .postEphemeral({ channel: who.channelId, user: who.userId, text: reply.text, blocks: reply.blocks })
        .catch((err: unknown) => deps.logger.warn({ err }, 'could not post the confirmation'));
    };

  return {
    suspend: direct('suspend'),
    resume: direct('resume'),
    drop: direct('drop'),
    scale: withModal('scale'),
    autoSuspend: withModal('autosuspend'),
    scaleSubmitted: submitted('scale'),
    autoSuspendSubmitted: submitted('autosuspend'),
  };
}

/** Management buttons under `/spcs status` and `/spcs pools`, and their modals (the confirmation and approval buttons are the gate's, src/flows/gate/). */
export function registerManageActions(app: App, deps: ManageDeps): void {
  const h = handlers(deps);
  const pools = poolHandlers(deps);
  onActions<ButtonAction>(app, {
    [StatusActions.suspend]: h.suspend,
    [StatusActions.resume]: h.resume,
    [StatusActions.drop]: h.drop,
    [StatusActions.scale]: h.scale,
    [StatusActions.autoSuspend]: h.autoSuspend,
    [PoolActions.create]: pools.create,
  });
  onActions<StaticSelectAction>(app, { [PoolActions.change]: pools.change });
  onViewSubmissions(app, {
    [ManageIds.scaleModal]: h.scaleSubmitted,
    [ManageIds.autoSuspendModal]: h.autoSuspendSubmitted,
    [ManageIds.createPoolModal]: pools.createSubmitted,
  });
}
