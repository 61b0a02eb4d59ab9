/**
 * The whole of issue 4 as a team sees it: /spcs deploy through every modal step, the summary in
 * the channel, an approval by someone else, the real BullMQ workers deploying against the
 * emulator, and copy-paste usage in the thread. Nothing here is replaced by a test double of ours.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { blocksText, waitUntil } from '../support/fake-slack.js';
import { startTestBot } from '../support/test-bot.js';
import { deployCalls } from '../deploy-approval/helpers.js';
import { openWizard, submit, waitForStep, type WizardHarness } from '../deploy-wizard/wizard-harness.js';

const CHANNEL = 'C0DEPLOYS0';
const APPROVER = 'U0APPROVE1';

let h: WizardHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('/spcs deploy from Slack to a running service', () => {
  it('when a person walks the wizard and a teammate approves, then one deploy runs and the thread shows how to call the model', async () => {
    const t = await startTestBot({
      env: { SPCS_APPROVERS: `U0TESTUSER ${APPROVER}`, SPCS_POLL_INTERVAL_MS: '150' },
      emulator: { speed: 4 },
    });
    h = { t, submissions: [], viewId: undefined, stop: () => t.stop() };
    t.fake.seedUsers([{ id: APPROVER, name: 'approver' }]);

    await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
    await submit(h);
    await waitForStep(h, 'location');
    await submit(h, { 'deploy.service_database': 'ML_DB', 'deploy.service_schema': 'SERVING', 'deploy.service_name': 'IRIS_E2E' });
    await waitForStep(h, 'pool');
    await submit(h, { 'deploy.pool': 'CPU_XS_POOL' });
    await waitForStep(h, 'instances');
    await submit(h, { 'deploy.max_instances': '1' });
    await waitForStep(h, 'workers');
    await submit(h, { 'deploy.workers_mode': 'auto' });
    await waitForStep(h, 'review');
    expect(deployCalls(t)).toBe(0);
    const done = await submit(h);
    expect(done.body).toEqual({ response_action: 'clear' });

    // The summary reaches the channel with Approve and Reject; nothing has run in Snowflake yet.
    const summary = await waitUntil(() => t.fake.messages(CHANNEL).find((m) => blocksText(m.blocks as unknown[]).includes('IRIS_E2E')), {
      timeoutMs: 5_000,
      message: 'no summary in the channel',
    });
    const summaryText = blocksText(summary.blocks as unknown[]);
    expect(summaryText).toContain('ML_DB.REGISTRY.IRIS_CLASSIFIER');
    expect(summaryText).toContain('CPU_XS_POOL');
    expect(deployCalls(t)).toBe(0);

    // The requester is an approver too, but cannot approve their own request.
    const own = await t.slack.clickButton({ channel: CHANNEL, ts: summary.ts }, 'approval.approve');
    expect(own.status).toBe(200);
    await waitUntil(() => t.fake.calls('response_url').find((c) => String(c.args['text']).includes('someone else has to approve')), {
      timeoutMs: 3_000,
      message: 'the requester was not told why their own approval was refused',
    });
    expect(deployCalls(t)).toBe(0);

    await t.slack.clickButton({ channel: CHANNEL, ts: summary.ts }, 'approval.approve', { user: { id: APPROVER } });

    const replies = await waitUntil(
      () => {
        const r = t.fake.replies(CHANNEL, summary.ts);
        const texts = r.map((m) => blocksText(m.blocks as unknown[]));
        // Running, and the REST URL (in that reply, or in the one that follows once the endpoint is up).
        return texts.some((x) => x.includes('is *running*')) && texts.some((x) => /snowflakecomputing\.app\/predict/.test(x))
          ? r
          : undefined;
      },
      { timeoutMs: 30_000, message: 'the deployment never reported running in the thread' },
    );
    const thread = replies.map((m) => `${m.text ?? ''}\n${blocksText(m.blocks as unknown[])}`).join('\n');
    expect(thread).toContain('SELECT ML_DB.SERVING.IRIS_E2E!PREDICT(SEPAL_LENGTH, SEPAL_WIDTH, PETAL_LENGTH, PETAL_WIDTH)');
    expect(thread).toMatch(/https:\/\/[^\s/]+snowflakecomputing\.app\/predict/);
    expect(deployCalls(t)).toBe(1);
    expect(t.emulator.service('IRIS_E2E')?.status).toBe('RUNNING');
    expect(t.emulator.unsupportedSql()).toEqual([]);
  }, 60_000);
});
