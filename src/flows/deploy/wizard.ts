import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { buildWizardView, LIST_SELECTS, WizardIds, type ListSelect } from '../../blocks/deploy-wizard.js';
import { buildExpiredView, buildKeptServiceView } from '../../blocks/deploy-wizard-review.js';
import { WizardStep, type Draft } from '../../domain/deploy-draft.js';
import { createDraftStore, type DraftStore } from '../../store/draft-store.js';
import type { DeployWizardDeps } from './deps.js';
import { loadModelLists } from './loaders.js';
import { applyModelPick, filterItems, isModelPick, listItems } from './model-picks.js';
import { toDeployRequest } from './request.js';
import { previousStep, submitStep } from './steps.js';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

const isListSelect = (id: string): id is ListSelect => LIST_SELECTS.some((s) => s === id);

/** The view of the draft's step; `loading` renders its "Checking…" version. */
export function viewFor(draft: Draft, loading: boolean): ModalView {
  return buildWizardView({ draft, loading, request: draft.step === 'review' ? toDeployRequest(draft) : null });
}

/**
 * The look-up's result if it is already there — remembered listings resolve without I/O, inside
 * this turn of the event loop — or undefined once the loop moves on (the look-up keeps running).
 */
export function settledAtOnce<T>(lookup: Promise<T>): Promise<T | undefined> {
  return Promise.race([lookup, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
}

/** Where an updated view goes: the view id, plus Slack's hash when we have one (a stale hash is refused). */
export interface ViewTarget {
  readonly viewId: string;
  readonly hash?: string;
}

/** The wizard's shared moves: save a new revision of the draft, fill a view once Snowflake answered. */
export function createWizardRuntime(deps: DeployWizardDeps, drafts: DraftStore = createDraftStore(deps)) {
  const log = deps.logger.child({ flow: 'deploy-wizard' });

  async function show(client: WebClient, target: ViewTarget, draft: Draft): Promise<void> {
    try {
      await client.views.update({
        view_id: target.viewId,
        ...(target.hash !== undefined && { hash: target.hash }),
        view: viewFor(draft, false),
      });
    } catch (err) {
      // hash_conflict / not_found: the person moved on or closed the modal; their newer view wins.
      log.debug({ err, step: draft.step }, 'deploy wizard view not updated');
    }
  }

  return {
    drafts,
    /**
     * Runs a Snowflake look-up for `draft` (already shown as "Checking…") and shows the result, unless
     * the person changed the draft meanwhile (its revision moved on).
     */
    async fill(client: WebClient, target: ViewTarget, draft: Draft, load: (d: Draft) => Promise<Draft>): Promise<void> {
      const loaded = await load(draft);
      const current = await drafts.get(draft.id);
      if (current?.rev !== draft.rev) return;
      await drafts.save(loaded);
      await show(client, target, loaded);
    },
    show,
  };
}

type Runtime = ReturnType<typeof createWizardRuntime>;

async function onSubmit(deps: DeployWizardDeps, rt: Runtime, { ack, view, client }: ViewArgs): Promise<void> {
  const draft = await rt.drafts.get(view.private_metadata);
  if (draft === null) return ack({ response_action: 'update', view: buildExpiredView() });
  const step = WizardStep.safeParse(view.callback_id.slice(WizardIds.callbackPrefix.length));
  // A view from before a Back or a second tab: show where the draft really is.
  if (!step.success || step.data !== draft.step) return ack({ response_action: 'update', view: viewFor(draft, false) });

  const result = submitStep(draft, view.state.values, deps);
  switch (result.kind) {
    case 'errors':
      return ack({ response_action: 'errors', errors: { ...result.errors } });
    case 'kept':
      await rt.drafts.delete(draft.id);
      return ack({ response_action: 'update', view: buildKeptServiceView(draft, result.info) });
    case 'submit':
      try {
        await deps.requester.request({
          request: result.request,
          requestedBy: draft.userId,
          teamId: draft.teamId,
          channelId: draft.channelId,
        });
      } catch (err) {
        deps.logger.error({ err }, 'deploy request was not accepted');
        const notice = 'The request could not be handed to the approval gate. Nothing was deployed; try Request approval again.';
        return ack({ response_action: 'update', view: viewFor({ ...draft, notice }, false) });
      }
      await rt.drafts.delete(draft.id);
      return ack({ response_action: 'clear' });
    case 'step': {
      const next = { ...result.draft, rev: draft.rev + 1 };
      await rt.drafts.save(next);
      await ack({ response_action: 'update', view: viewFor(next, result.load !== undefined) });
      // After the ack: the new view's hash is unknown here, so the revision check guards the update.
      if (result.load) await rt.fill(client, { viewId: view.id }, next, result.load);
      return;
    }
  }
}

/** Changes the draft from a click inside the modal and shows the result (with the view's hash). */
async function onViewAction(
  rt: Runtime,
  { ack, body, client }: ActionArgs,
  change: (draft: Draft) => { draft: Draft; load?: (d: Draft) => Promise<Draft> },
): Promise<void> {
  await ack();
  const view = body.view;
  if (view === undefined) return;
  const draft = await rt.drafts.get(view.private_metadata);
  if (draft === null) return;
  const changed = change(draft);
  const next = { ...changed.draft, rev: draft.rev + 1 };
  const target = { viewId: view.id, hash: view.hash };
  const loading = changed.load?.(next) ?? Promise.resolve(next);
  const loaded = await settledAtOnce(loading);
  if (loaded !== undefined) {
    // Nothing to wait for: one save, one update.
    await rt.drafts.save(loaded);
    await rt.show(client, target, loaded);
    return;
  }
  await rt.drafts.save(next);
  await rt.fill(client, target, next, () => loading);
}

/** The modal's listeners: step submissions, the model pickers, Back, the pool mode, and select options. */
export function registerDeployWizard(app: App, deps: DeployWizardDeps): void {
  const rt = createWizardRuntime(deps);

  app.view<ViewSubmitAction>({ callback_id: /^deploy\.wizard\.[a-z]+$/, type: 'view_submission' }, (args) => onSubmit(deps, rt, args));

  app.action<BlockAction>({ type: 'block_actions', action_id: /^deploy\.model_/ }, (args) => {
    const action = args.action;
    if (action.type !== 'external_select' || !isModelPick(action.action_id)) return args.ack();
    const pick = action.action_id;
    const value = action.selected_option?.value;
    return onViewAction(rt, args, (draft) => ({
      draft: applyModelPick(draft, pick, value),
      load: (d) => loadModelLists(deps.catalog, d),
    }));
  });

  app.action<BlockAction>({ type: 'block_actions', action_id: WizardIds.back }, (args) =>
    onViewAction(rt, args, (draft) => {
      const { notice: _n, ...rest } = draft;
      return { draft: { ...rest, step: previousStep(draft) } };
    }),
  );

  app.action<BlockAction>({ type: 'block_actions', action_id: /^deploy\.(create_pool|use_existing_pool)$/ }, (args) =>
    onViewAction(rt, args, (draft) => {
      const { notice: _n, ...rest } = draft;
      return { draft: { ...rest, poolMode: args.action.action_id === WizardIds.createPool ? 'create' : 'existing' } };
    }),
  );

  app.options<'block_suggestion'>({ type: 'block_suggestion', action_id: /^deploy\./ }, async ({ ack, body }) => {
    // Answers from lists cached in the draft: options must come back within 3 s, so no Snowflake here.
    const draft = await rt.drafts.get(body.view?.private_metadata ?? '');
    const items = draft === null || !isListSelect(body.action_id) ? [] : filterItems(listItems(draft, body.action_id), body.value);
    await ack({ options: items.map((i) => ({ text: { type: 'plain_text', text: i.text.slice(0, 75) }, value: i.value })) });
  });
}
