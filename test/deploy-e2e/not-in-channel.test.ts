/**
 * A deploy requested in a channel the bot is not in: Slack refuses the summary (not_in_channel /
 * channel_not_found). That cannot succeed on a retry, so the notify job fails at once, and the
 * requester (who just submitted the wizard) is told how to fix it. Real Bolt, BullMQ and Redis.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { queuePrefix } from '../../src/jobs/queues.js';
import { SUMMARY_QUEUE } from '../../src/jobs/notifier.js';
import { waitUntil } from '../support/fake-slack.js';
import { startTestBot, TEST_REDIS_URL } from '../support/test-bot.js';
import { submit, toPoolStep, toWorkersStep, waitForStep, type WizardHarness } from '../deploy-wizard/wizard-harness.js';

const CHANNEL = 'C0DEPLOYS0';
const REQUESTER = 'U0TESTUSER'; // the Slack request client's default user

let h: WizardHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** Walks the wizard to the end and submits; resolves once the modal closed. */
async function requestDeploy(harness: WizardHarness, service: string): Promise<void> {
  await toPoolStep(harness, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1', service);
  await toWorkersStep(harness, 'CPU_XS_POOL');
  await submit(harness, { 'deploy.workers_mode': 'auto' });
  await waitForStep(harness, 'review');
  expect((await submit(harness)).body).toEqual({ response_action: 'clear' });
}

/** The summary jobs that failed for good, with how many attempts each made. */
async function failedSummaries(keyPrefix: string): Promise<Array<{ attemptsMade: number; failedReason: string }>> {
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(SUMMARY_QUEUE, { connection, prefix: queuePrefix(keyPrefix) });
  try {
    return (await queue.getFailed()).map((j) => ({ attemptsMade: j.attemptsMade, failedReason: j.failedReason }));
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

async function startBot(): Promise<WizardHarness> {
  const t = await startTestBot({ env: { SPCS_POLL_INTERVAL_MS: '150' } });
  h = { t, submissions: [], viewId: undefined, stop: () => t.stop() };
  return h;
}

describe('the bot is not in the channel', () => {
  it.each(['not_in_channel', 'channel_not_found'])(
    'when Slack answers %s to the summary, then it is not retried and the requester gets an ephemeral saying /invite @spcs',
    async (code) => {
      const harness = await startBot();
      const t = harness.t;
      t.fake.failNext('chat.postMessage', code);
      await requestDeploy(harness, 'IRIS_NOT_IN');

      const told = await waitUntil(() => t.fake.calls('chat.postEphemeral').find((c) => c.args['user'] === REQUESTER), {
        timeoutMs: 5_000,
        message: 'the requester was never told',
      });
      expect(told.args['channel']).toBe(CHANNEL);
      expect(String(told.args['text'])).toContain(`I'm not in <#${CHANNEL}>`);
      expect(String(told.args['text'])).toContain('`/invite @spcs`');

      // Failed for good after one attempt: BullMQ will not send it again.
      let failed = await failedSummaries(t.keyPrefix);
      for (let i = 0; failed.length === 0 && i < 100; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50)); // polling Redis, not waiting out a timer
        failed = await failedSummaries(t.keyPrefix);
      }
      expect(failed).toEqual([{ attemptsMade: 1, failedReason: `chat.postMessage in ${CHANNEL}: ${code}` }]);
      expect(t.fake.calls('chat.postMessage').filter((c) => c.args['channel'] === CHANNEL)).toHaveLength(1);
      expect(t.logs.find((l) => l.level === 50 && l.code === code)).toMatchObject({
        msg: `posting the deployment's summary failed: Slack answered ${code}; not retrying`,
        channelId: CHANNEL,
        service: 'ML_DB.SERVING.IRIS_NOT_IN',
      });
    },
    30_000,
  );

  it('when the ephemeral is refused too, then the requester is told in a direct message', async () => {
    const harness = await startBot();
    const t = harness.t;
    t.fake.failNext('chat.postMessage', 'channel_not_found');
    t.fake.failNext('chat.postEphemeral', 'channel_not_found');
    await requestDeploy(harness, 'IRIS_PRIVATE');

    const dm = await waitUntil(() => t.fake.calls('chat.postMessage').find((c) => c.args['channel'] === REQUESTER), {
      timeoutMs: 5_000,
      message: 'no direct message to the requester',
    });
    expect(String(dm.args['text'])).toContain('Invite me with `/invite @spcs`');
    expect(t.fake.calls('chat.postMessage').filter((c) => c.args['channel'] === CHANNEL)).toHaveLength(1);
  }, 30_000);
});
