/**
 * Drives the /spcs deploy wizard end to end: the real bot against the Slack double, the SPCS
 * emulator and real Redis, with a recording DeploymentRequester (our own port) at the end.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { DeploymentRequester, DeploymentSubmission } from '../../src/domain/deployment.js';
import { blocksText, findElement, waitUntil, type FakeView, type JsonObject } from '../support/fake-slack.js';
import { isRecord } from '../support/fake-slack-types.js';
import type { InputValue, ViewSubmissionResponse } from '../support/slack-request.js';
import type { BotOverrides } from '../../src/app.js';
import type { EmulatorOptions } from '../../emulator/index.js';
import { startTestBot, type TestBot } from '../support/test-bot.js';

export interface WizardHarness {
  readonly t: TestBot;
  /** Everything the wizard handed to the approval gate. */
  readonly submissions: DeploymentSubmission[];
  /** The wizard's modal (the view views.open created for the last /spcs deploy). */
  viewId: string | undefined;
  stop(): Promise<void>;
}

export async function startWizardBot(
  env: Record<string, string> = {},
  bot: Omit<BotOverrides, 'slackRetryConfig' | 'deploymentRequester'> = {},
  emulator: EmulatorOptions = {},
): Promise<WizardHarness> {
  const submissions: DeploymentSubmission[] = [];
  const requester: DeploymentRequester = {
    async request(submission) {
      submissions.push(submission);
      return { deploymentId: `d${String(submissions.length).padStart(8, '0')}` };
    },
  };
  // Registry listings are not remembered here, so each test sees the emulator as it set it up;
  // test/deploy-wizard/registry-catalog.test.ts covers remembering.
  const t = await startTestBot({ env: { SPCS_CATALOG_MAX_AGE: '0s', ...env }, bot: { ...bot, deploymentRequester: requester }, emulator });
  return { t, submissions, viewId: undefined, stop: () => t.stop() };
}

/**
 * One bot for a test file (starting one takes most of a test's time); each test starts with no
 * submissions and no emulator faults. `ready` receives the harness once it runs.
 */
export function useWizardBot(
  ready: (h: WizardHarness) => void,
  env: Record<string, string> = {},
  bot: Omit<BotOverrides, 'slackRetryConfig' | 'deploymentRequester'> = {},
): void {
  let h: WizardHarness | undefined;
  beforeAll(async () => {
    h = await startWizardBot(env, bot);
    ready(h);
  });
  afterAll(async () => {
    await h?.stop();
  });
  beforeEach(() => {
    if (h === undefined) return;
    h.submissions.length = 0;
    h.t.emulator.faults.clear();
  });
}

export const viewText = (view: FakeView) => blocksText(view.blocks as unknown[]);
const isLoading = (view: FakeView) => viewText(view).includes(':hourglass_flowing_sand:');

/** The wizard's view once no Snowflake look-up is pending, on the step named by its callback_id. */
export function waitForStep(h: WizardHarness, step: string, extra: (view: FakeView) => boolean = () => true): Promise<FakeView> {
  return waitUntil(
    () => {
      const view = h.viewId === undefined ? undefined : h.t.fake.view(h.viewId);
      return view?.open === true && view.callback_id === `deploy.wizard.${step}` && !isLoading(view) && extra(view) ? view : undefined;
    },
    {
      timeoutMs: 5000,
      message: `the wizard never showed step ${step}; now: ${h.viewId === undefined ? 'no view' : h.t.fake.view(h.viewId)?.callback_id}`,
    },
  );
}

/** Runs /spcs deploy with `args` and waits for step 1 to be filled from Snowflake. */
export async function openWizard(h: WizardHarness, args: string): Promise<FakeView> {
  const opens = h.t.fake.calls('views.open').length;
  const res = await h.t.slack.slashCommand({ command: '/spcs', text: `deploy ${args}`.trim() });
  if (res.status !== 200) throw new Error(`command answered ${res.status}`);
  const calls = await h.t.fake.waitForCalls('views.open', opens + 1);
  const opened = calls[opens]?.response['view'];
  h.viewId = isRecord(opened) && typeof opened['id'] === 'string' ? opened['id'] : undefined;
  return waitForStep(h, 'model');
}

/** Submits the current step with `inputs` (by action_id) and checks Slack accepted the ack. */
export async function submit(h: WizardHarness, inputs: Record<string, InputValue> = {}): Promise<ViewSubmissionResponse> {
  const res = await h.t.slack.viewSubmission({ inputs, ...(h.viewId !== undefined && { viewId: h.viewId }) });
  if (res.status !== 200 || res.viewOutcome?.ok !== true)
    throw new Error(`submission not accepted: ${res.status} ${JSON.stringify(res.viewOutcome)}`);
  return res;
}

/** The `errors` a submission's ack carried (response_action: errors), by block_id. */
export function fieldErrors(res: ViewSubmissionResponse): Record<string, string> {
  const body = res.body as { response_action?: string; errors?: Record<string, string> };
  return body.response_action === 'errors' ? (body.errors ?? {}) : {};
}

export async function click(h: WizardHarness, actionId: string): Promise<void> {
  if (h.viewId === undefined) throw new Error('no wizard open');
  const res = await h.t.slack.clickButton({ viewId: h.viewId }, actionId);
  if (res.status !== 200) throw new Error(`click answered ${res.status}`);
}

/** An element of the current view, to read what it shows (initial values, options). */
export function element(view: FakeView, actionId: string): JsonObject {
  const found = findElement(view.blocks, actionId);
  if (found === undefined) throw new Error(`no element ${actionId} in ${view.callback_id}`);
  return found.element;
}

/** Walks IRIS_CLASSIFIER V1 through steps 1 and 2 to the loaded pool step. */
export async function toPoolStep(
  h: WizardHarness,
  model = 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1',
  service = 'IRIS_NEW_SVC',
): Promise<FakeView> {
  await openWizard(h, model);
  await submit(h);
  await waitForStep(h, 'location');
  await submit(h, { 'deploy.service_database': 'ML_DB', 'deploy.service_schema': 'SERVING', 'deploy.service_name': service });
  return waitForStep(h, 'pool');
}

/** From the pool step: picks `pool` and `maxInstances`, arriving at the workers step. */
export async function toWorkersStep(h: WizardHarness, pool: string, maxInstances = '1'): Promise<FakeView> {
  await submit(h, { 'deploy.pool': pool });
  await waitForStep(h, 'instances');
  await submit(h, { 'deploy.max_instances': maxInstances });
  return waitForStep(h, 'workers');
}

/** The IRIS_CLASSIFIER V1 request as the wizard builds it; tests override what they chose. */
export const IRIS_MODEL = { database: 'ML_DB', schema: 'REGISTRY', name: 'IRIS_CLASSIFIER', version: 'V1' };
