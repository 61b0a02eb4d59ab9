/**
 * Issue 12 point 3 as a team sees it, on an account whose SYSTEM$ML_PLATFORM_CAPABILITIES does not
 * list ENABLE_INLINE_DEPLOYMENT_SPEC_FROM_CLIENT_VERSION: the deployment goes through a stage (the
 * real driver PUTs deploy.yml) and reaches running; and where the bot could not upload, the wizard
 * refuses at the review, before anything goes to approval.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blocksText, waitUntil } from '../support/fake-slack.js';
import { startTestBot } from '../support/test-bot.js';
import { deployCalls } from '../deploy-approval/helpers.js';
import { openWizard, startWizardBot, submit, viewText, waitForStep, type WizardHarness } from '../deploy-wizard/wizard-harness.js';

const CHANNEL = 'C0DEPLOYS0';
const APPROVER = 'U0APPROVE1';
const NO_INLINE = { SPCS_MODEL_ENABLE_EMBEDDED_SERVICE_FUNCTIONS: true };

let h: WizardHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function walkToReview(harness: WizardHarness, service: string): Promise<void> {
  await openWizard(harness, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
  await submit(harness);
  await waitForStep(harness, 'location');
  await submit(harness, { 'deploy.service_database': 'ML_DB', 'deploy.service_schema': 'SERVING', 'deploy.service_name': service });
  await waitForStep(harness, 'pool');
  await submit(harness, { 'deploy.pool': 'CPU_XS_POOL' });
  await waitForStep(harness, 'instances');
  await submit(harness, { 'deploy.max_instances': '1' });
  await waitForStep(harness, 'workers');
  await submit(harness, { 'deploy.workers_mode': 'auto' });
}

describe('an account that takes the deployment spec only from a stage', () => {
  it('when a deployment is approved, then deploy.yml is PUT on a temporary stage, the CALL names it, and the thread reaches running', async () => {
    const t = await startTestBot({
      env: { SPCS_APPROVERS: APPROVER, SPCS_POLL_INTERVAL_MS: '150' },
      emulator: { speed: 4, mlPlatformCapabilities: NO_INLINE },
    });
    h = { t, submissions: [], viewId: undefined, stop: () => t.stop() };
    t.fake.seedUsers([{ id: APPROVER, name: 'approver' }]);

    await walkToReview(h, 'IRIS_STAGED');
    const review = await waitForStep(h, 'review');
    expect(viewText(review)).toContain('deploy.yml on a temporary stage in ML_DB.REGISTRY');
    expect(review.submit).toBeTruthy();
    expect(await submit(h).then((r) => r.body)).toEqual({ response_action: 'clear' });

    const summary = await waitUntil(() => t.fake.messages(CHANNEL).find((m) => blocksText(m.blocks as unknown[]).includes('IRIS_STAGED')), {
      timeoutMs: 5_000,
      message: 'no summary in the channel',
    });
    // Nothing but reads before the approval: no stage, no PUT.
    expect(t.emulator.sqlLog.filter((e) => e.kind === 'createStage' || e.kind === 'put').map((e) => e.sqlText)).toEqual([]);
    await t.slack.clickButton({ channel: CHANNEL, ts: summary.ts }, 'approval.approve', { user: { id: APPROVER } });

    await waitUntil(() => t.fake.replies(CHANNEL, summary.ts).some((m) => blocksText(m.blocks as unknown[]).includes('is *running*')), {
      timeoutMs: 30_000,
      message: `the staged deployment never reported running; thread: ${t.fake
        .replies(CHANNEL, summary.ts)
        .map((m) => m.text)
        .join(' | ')}`,
    });
    expect(deployCalls(t)).toBe(1);
    const call = t.emulator.sqlLog.find((e) => e.kind === 'deployModel');
    expect(Object.values(call?.binds ?? {})[0]?.value).toMatch(/^@ML_DB\.REGISTRY\.SPCS_CHATOPS_SPEC_[0-9A-F]{12}\/deploy\.yml$/);
    const put = t.emulator.sqlLog.find((e) => e.kind === 'put');
    expect(put?.outcome).toBe('success');
    expect(put?.sessionId).toBe(call?.sessionId);
    // Read once by the wizard's process and remembered for the worker: one statement in all.
    expect(t.emulator.sqlLog.filter((e) => e.sqlText.includes('SYSTEM$ML_PLATFORM_CAPABILITIES'))).toHaveLength(1);
    expect(t.emulator.service('IRIS_STAGED')?.status).toBe('RUNNING');
    expect(t.emulator.unsupportedSql()).toEqual([]);
  }, 60_000);

  it('when the bot cannot write deploy.yml, then the review names the capability and offers no Request approval', async () => {
    h = await startWizardBot({}, { specDirectory: () => join(tmpdir(), 'spcs-no-such-dir', 'x') }, { mlPlatformCapabilities: NO_INLINE });
    await walkToReview(h, 'IRIS_REFUSED');
    const review = await waitForStep(h, 'review');
    const text = viewText(review);
    expect(text).toContain('This deployment cannot be sent.');
    expect(text).toContain('ENABLE_INLINE_DEPLOYMENT_SPEC_FROM_CLIENT_VERSION');
    expect(text).toContain('cannot write deploy.yml');
    expect(review.submit ?? null).toBeNull();
    expect(h.submissions).toHaveLength(0);
    expect(h.t.emulator.sqlLog.filter((e) => e.kind === 'createStage' || e.kind === 'put' || e.kind === 'deployModel')).toEqual([]);
  }, 30_000);
});
