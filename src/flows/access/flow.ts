import { createHash } from 'node:crypto';
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
import {
  AccessIds,
  AccessText,
  ACCESS_CALLBACK_PREFIX,
  buildAccessBusyView,
  buildAccessNoticeView,
  buildGrantConfirm,
  buildGrantForm,
  buildNetworkConfirm,
  buildNetworkForm,
  buildTestForm,
  buildTestResult,
  describeAccessRun,
  describeNetworkNothing,
  LOCKOUT_ACK_VALUE,
  type ConfirmModel,
} from '../../blocks/access.js';
import { describeFailure } from '../../blocks/kit.js';
import type { AccessPlan } from '../../snowflake/index.js';
import { createActionGuard } from '../shared/permissions.js';
import { exactly } from '../shared/listeners.js';
import { z } from 'zod';
import { changeModel } from '../../jobs/access-view-models.js';
import { actionOf, fqOf, planOf } from '../../domain/access-change-plan.js';
import { settledSession } from '../../domain/access-session.js';
import { lockoutOf, parseGrantRole, parseNetworkForm } from './changes.js';
import { planNetworkAccess } from './network-plan.js';
import { methodModels, overviewView } from './overview.js';
import { policyFor } from '../../domain/approval-policy.js';
import type { AccessDeps } from './deps.js';
import { loadOverview } from './lookups.js';
import { callInferenceEndpoint, checkPatShape, ingressBaseUrl, requestBody } from './rest-call.js';
import { parseSampleInput, restPath } from './sample-input.js';
import { createAccessSessionStore, type AccessSession, type PendingChange } from '../../store/access-session-store.js';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
type StateValues = ViewArgs['view']['state']['values'];

/** Where an updated view goes; with Slack's hash when we have one (a stale hash is refused). */
export interface ViewTarget {
  readonly viewId: string;
  readonly hash?: string;
}

const DEFAULT_REST_TIMEOUT_MS = 30_000;

/** block_id equals action_id for every input of these views. */
const textOf = (values: StateValues, id: string): string | undefined => values[id]?.[id]?.value ?? undefined;
const selectedOf = (values: StateValues, id: string): string | undefined => values[id]?.[id]?.selected_option?.value ?? undefined;

export { overviewView };

/** private_metadata as encodeAccessTarget wrote it: the session id, and on a confirmation the plan hash. */
const AccessTarget = z.object({ s: z.string(), h: z.string().optional() });

function targetOf(privateMetadata: string): { sessionId: string; planHash: string | undefined } {
  let json: unknown;
  try {
    json = JSON.parse(privateMetadata);
  } catch {
    json = null;
  }
  const parsed = AccessTarget.safeParse(json);
  return parsed.success ? { sessionId: parsed.data.s, planHash: parsed.data.h } : { sessionId: '', planHash: undefined };
}

/** The confirm view's model: the plan built once here, its statements and hash shown as they will run. */
function confirmModel(session: AccessSession, change: PendingChange): ConfirmModel {
  const plan = planOf(session, change);
  const lockout = lockoutOf(session, change);
  return {
    sessionId: session.id,
    change: changeModel(session, change),
    statements: plan.steps.map((s) => s.statement.text),
    planHash: plan.hash,
    ...(lockout !== undefined && { lockout }),
  };
}

function testFormView(session: AccessSession, host: string, selected?: string): ModalView {
  const methods = methodModels(session);
  return buildTestForm({ sessionId: session.id, url: `https://${host}`, methods, selected: selected ?? methods[0]?.name ?? '' });
}

/** The shared moves of the modal: the session store, the permission guard, showing a view. */
export function createAccessRuntime(deps: AccessDeps) {
  const sessions = createAccessSessionStore(deps);
  const guard = createActionGuard(deps);
  const log = deps.logger.child({ flow: 'access' });

  async function show(client: WebClient, target: ViewTarget, view: ModalView): Promise<void> {
    try {
      await client.views.update({ view_id: target.viewId, ...(target.hash !== undefined && { hash: target.hash }), view });
    } catch (err) {
      // hash_conflict / not_found: the person closed the modal or moved on; their newer view wins.
      log.debug({ err, callbackId: view.callback_id }, 'access view not updated');
    }
  }

  /** null when the user may change Snowflake; otherwise the refusal (already audited by the guard). */
  function refuse(session: AccessSession, userId: string, doing: string): Promise<string | null> {
    return guard.refuse({
      action: 'manage',
      doing,
      target: fqOf(session.service).sql,
      userId,
      teamId: session.teamId,
      channelId: session.channelId,
    });
  }

  /** Saves the session (without a pending change or notice unless given) and returns its overview. */
  async function toOverview(session: AccessSession, notice?: string): Promise<ModalView> {
    const next = settledSession(session, notice);
    await sessions.save(next);
    return overviewView(next);
  }

  return { sessions, show, refuse, toOverview, log };
}

type Runtime = ReturnType<typeof createAccessRuntime>;

const DOING: Readonly<Record<PendingChange['kind'], string>> = {
  network: 'set up a network policy for callers of',
  rule: 'set up a network policy for callers of',
  grant: 'grant endpoint usage on',
};

/** Clicks inside the modal: open a step, refresh, go back. */
async function onAction(deps: AccessDeps, rt: Runtime, args: ActionArgs): Promise<void> {
  await args.ack();
  const view = args.body.view;
  if (view === undefined) return;
  const target = { viewId: view.id, hash: view.hash };
  const session = await rt.sessions.get(targetOf(view.private_metadata).sessionId);
  if (session === null) return rt.show(args.client, target, buildAccessNoticeView(AccessText.expired));
  const actionId = args.action.type === 'button' ? args.action.action_id : '';
  const service = fqOf(session.service).sql;
  switch (actionId) {
    case AccessIds.openNetwork:
    case AccessIds.openGrant: {
      const kind = actionId === AccessIds.openNetwork ? 'network' : 'grant';
      // Checked here so a non-manager learns at once, and again when the change runs.
      const refusal = await rt.refuse(session, args.body.user.id, DOING[kind]);
      if (refusal !== null) return rt.show(args.client, target, await rt.toOverview(session, refusal));
      const form =
        kind === 'network'
          ? buildNetworkForm({ sessionId: session.id, service, snowflakeUser: session.snowflakeUser, botUser: session.botUser })
          : buildGrantForm({ sessionId: session.id, service });
      return rt.show(args.client, target, form);
    }
    case AccessIds.openTest:
      if (session.endpoint?.state !== 'ready' || session.methods.length === 0)
        return rt.show(args.client, target, await rt.toOverview(session, AccessText.endpointNotReady));
      return rt.show(args.client, target, testFormView(session, session.endpoint.host));
    case AccessIds.refresh: {
      await rt.show(args.client, target, buildAccessBusyView(session.id, AccessText.rereading(service)));
      const loaded = await loadOverview(deps.snowflake, session, false);
      return rt.show(args.client, { viewId: view.id }, await rt.toOverview(loaded, loaded.notice));
    }
    default:
      return rt.show(args.client, target, await rt.toOverview(session));
  }
}

async function onNetworkForm(deps: AccessDeps, rt: Runtime, session: AccessSession, { ack, view, client }: ViewArgs): Promise<void> {
  const values = view.state.values;
  const form = parseNetworkForm(
    { user: textOf(values, AccessIds.user), ip: textOf(values, AccessIds.clientIp) },
    { user: AccessIds.user, ip: AccessIds.clientIp },
  );
  if (!form.ok) return ack({ response_action: 'errors', errors: form.errors });
  await ack({
    response_action: 'update',
    view: buildAccessBusyView(session.id, AccessText.checkingPolicies(form.user.name)),
  });
  const plan = await planNetworkAccess(deps.snowflake, session, form.user, form.ip);
  const checked: AccessSession = {
    ...session,
    snowflakeUser: form.user.name,
    networkPolicy: plan.userPolicy,
    accountPolicy: plan.accountPolicy,
  };
  if (plan.kind === 'nothing')
    return rt.show(client, { viewId: view.id }, await rt.toOverview(checked, describeNetworkNothing(plan.reason)));
  await rt.sessions.save({ ...checked, pending: plan.change });
  await rt.show(client, { viewId: view.id }, buildNetworkConfirm(confirmModel(checked, plan.change)));
}

async function onGrantForm(rt: Runtime, session: AccessSession, { ack, view }: ViewArgs): Promise<void> {
  const role = parseGrantRole(textOf(view.state.values, AccessIds.role));
  if (!role.ok) return ack({ response_action: 'errors', errors: { [AccessIds.role]: role.message } });
  const change: PendingChange = { kind: 'grant', role: role.role.name };
  await rt.sessions.save({ ...session, pending: change });
  await ack({ response_action: 'update', view: buildGrantConfirm(confirmModel(session, change)) });
}

/**
 * The confirm view's submit: re-checks the permission and the plan hash, then records the change
 * behind the gate, approved by this confirmation, and hands it to the access worker.
 */
async function onConfirm(
  deps: AccessDeps,
  rt: Runtime,
  session: AccessSession,
  kinds: readonly PendingChange['kind'][],
  { ack, view, body, client }: ViewArgs,
): Promise<void> {
  const change = session.pending;
  if (change === undefined || !kinds.includes(change.kind))
    return ack({
      response_action: 'update',
      view: await rt.toOverview(session, AccessText.staleConfirmation),
    });
  const kind = change.kind;
  if (
    lockoutOf(session, change) !== undefined &&
    !(view.state.values[AccessIds.ackLockout]?.[AccessIds.ackLockout]?.selected_options ?? []).some((o) => o.value === LOCKOUT_ACK_VALUE)
  ) {
    return ack({
      response_action: 'errors',
      errors: {
        [AccessIds.ackLockout]: AccessText.tickLockout,
      },
    });
  }
  const refusal = await rt.refuse(session, body.user.id, DOING[kind]);
  if (refusal !== null) return ack({ response_action: 'update', view: await rt.toOverview(session, refusal) });
  // The hash the confirm view showed; the plan rebuilt now must match it, or nothing is queued.
  const confirmedHash = targetOf(view.private_metadata).planHash ?? '';
  const plan = planOf(session, change);
  if (plan.hash !== confirmedHash) {
    const notice = await refuseChanged(deps, session, change, confirmedHash);
    return ack({ response_action: 'update', view: await rt.toOverview(session, notice) });
  }
  // Acked before any Redis work: every path from here shows the same busy view, and the worker
  // (or this handler, on a failure) replaces it.
  await ack({ response_action: 'update', view: buildAccessBusyView(session.id, AccessText.running) });
  try {
    // One record per confirm view: a double submit finds it and approves nothing twice.
    const id = await confirmedRecordId(deps, session, change, { viewId: view.id, hash: view.hash }, plan);
    const click = await deps.changes.approve(
      id,
      { userId: body.user.id, isApprover: true },
      confirmedHash,
      policyFor('self', deps.policy),
      deps.now(),
    );
    if (click.outcome !== 'approved') {
      // The first submit's run puts the result on this view.
      rt.log.info({ accessId: id, outcome: click.outcome }, 'access confirmation not counted (already confirmed)');
      return;
    }
    await deps.audit.append({
      event: 'approved',
      deploymentId: id,
      planHash: confirmedHash,
      actor: body.user.id,
      teamId: session.teamId,
      channelId: session.channelId,
      action: actionOf(change),
      target: fqOf(session.service).sql,
      atMs: deps.now(),
    });
    // The access worker runs it and puts the overview back on this view (src/jobs/access-executor.ts);
    // an approval whose enqueue is lost is found by the access sweep.
    await deps.enqueueAccess(id);
  } catch (err) {
    rt.log.error({ err }, 'queueing the confirmed access change failed');
    await rt.show(client, { viewId: view.id }, await rt.toOverview(session, describeFailure(null, `queue ${actionOf(change)}`)));
  }
}

/** The plan rebuilt at submit is not the confirmed one: audited as before, nothing queued. */
async function refuseChanged(deps: AccessDeps, session: AccessSession, change: PendingChange, confirmedHash: string): Promise<string> {
  await deps.audit.append({
    event: 'execution_refused',
    detail: 'plan_changed',
    deploymentId: '',
    planHash: confirmedHash,
    actor: session.userId,
    teamId: session.teamId,
    channelId: session.channelId,
    action: actionOf(change),
    target: fqOf(session.service).sql,
    atMs: deps.now(),
  });
  return describeAccessRun({ status: 'plan_changed', planHash: confirmedHash });
}

/**
 * The gate record of this confirm view, created pending if there is none yet. Its id comes from
 * the view as rendered (Slack's view hash changes with every update) and the plan hash, so a
 * second submit of the same rendering finds the first one's record, and a later confirmation of
 * the same change in this modal is a new one.
 */
async function confirmedRecordId(
  deps: AccessDeps,
  session: AccessSession,
  change: PendingChange,
  target: Required<ViewTarget>,
  plan: AccessPlan,
): Promise<string> {
  const id = `a${createHash('sha256').update(`${target.viewId}:${target.hash}:${plan.hash}`).digest('hex').slice(0, 24)}`;
  // A second submit of the same view finds the record the first wrote; the approval decides once.
  await deps.changes.createIfAbsent({
    id,
    requestedBy: session.userId,
    requestedAtMs: deps.now(),
    planHash: plan.hash,
    state: 'pending',
    approvals: [],
    gate: 'self',
    sessionId: session.id,
    viewId: target.viewId,
    teamId: session.teamId,
    channelId: session.channelId,
    service: session.service,
    change,
    statements: plan.steps.map((s) => s.statement.text),
  });
  return id;
}

/**
 * The REST test. The PAT is read from the submission into a local, checked, used for one request
 * and dropped; the view is replaced at once (ack) so Slack no longer holds the typed value.
 */
async function onTestForm(deps: AccessDeps, rt: Runtime, session: AccessSession, { ack, view, client }: ViewArgs): Promise<void> {
  const endpoint = session.endpoint;
  if (endpoint?.state !== 'ready')
    return ack({ response_action: 'update', view: await rt.toOverview(session, AccessText.endpointNotReady) });
  const values = view.state.values;
  const methodName = selectedOf(values, AccessIds.method);
  const method = session.methods.find((m) => m.name === methodName);
  const errors: Record<string, string> = {};
  const sample = method === undefined ? null : parseSampleInput(textOf(values, AccessIds.sample), method);
  if (method === undefined) errors[AccessIds.method] = AccessText.pickMethod;
  if (sample !== null && !sample.ok) errors[AccessIds.sample] = sample.message;
  const patProblem = checkPatShape(textOf(values, AccessIds.pat));
  if (patProblem !== null) errors[AccessIds.pat] = patProblem;
  const pat = textOf(values, AccessIds.pat);
  if (method === undefined || sample === null || !sample.ok || pat === undefined || patProblem !== null)
    return ack({ response_action: 'errors', errors });

  const publicUrl = `https://${endpoint.host}/${restPath(method.name)}`;
  const sendUrl = `${ingressBaseUrl(endpoint.host, deps.ingressUrlOverride)}/${restPath(method.name)}`;
  await ack({ response_action: 'update', view: buildAccessBusyView(session.id, AccessText.calling(publicUrl)) });
  const outcome = await callInferenceEndpoint(
    { url: sendUrl, pat, values: sample.values, timeoutMs: deps.restTimeoutMs ?? DEFAULT_REST_TIMEOUT_MS },
    deps.fetch,
  );
  rt.log.info(
    {
      service: fqOf(session.service).sql,
      method: method.name,
      outcome: outcome.kind,
      status: outcome.kind === 'response' ? outcome.status : undefined,
    },
    'access REST test done',
  );
  await rt.show(
    client,
    { viewId: view.id },
    buildTestResult({
      sessionId: session.id,
      url: publicUrl,
      ...(sendUrl !== publicUrl && { sentTo: sendUrl }),
      requestBody: JSON.stringify(requestBody(sample.values)),
      outcome,
    }),
  );
}

async function onSubmit(deps: AccessDeps, rt: Runtime, args: ViewArgs): Promise<void> {
  const session = await rt.sessions.get(targetOf(args.view.private_metadata).sessionId);
  if (session === null) return args.ack({ response_action: 'update', view: buildAccessNoticeView(AccessText.expired) });
  switch (args.view.callback_id) {
    case AccessIds.networkForm:
      return onNetworkForm(deps, rt, session, args);
    case AccessIds.networkConfirm:
      return onConfirm(deps, rt, session, ['network', 'rule'], args);
    case AccessIds.grantForm:
      return onGrantForm(rt, session, args);
    case AccessIds.grantConfirm:
      return onConfirm(deps, rt, session, ['grant'], args);
    case AccessIds.testForm:
      return onTestForm(deps, rt, session, args);
    default:
      return args.ack({ response_action: 'update', view: await rt.toOverview(session) });
  }
}

const BUTTONS = [AccessIds.openNetwork, AccessIds.openGrant, AccessIds.openTest, AccessIds.refresh, AccessIds.back] as const;

/** The modal's listeners: its submissions (forms, confirmations, the REST test) and its buttons. */
export function registerAccess(app: App, deps: AccessDeps): void {
  const rt = createAccessRuntime(deps);
  const callback = new RegExp(`^${ACCESS_CALLBACK_PREFIX.replace('.', '\\.')}`);
  app.view<ViewSubmitAction>({ callback_id: callback, type: 'view_submission' }, (args) => onSubmit(deps, rt, args));
  app.action<BlockAction>({ type: 'block_actions', action_id: exactly(BUTTONS) }, (args) => onAction(deps, rt, args));
}
