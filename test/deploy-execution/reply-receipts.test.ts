/**
 * Issue 13, "no message posted twice": BullMQ hands a thread-reply job out again when the worker
 * that ran it died before completing it. If Slack had already taken that reply, the receipt
 * written right after the post stops a second one.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier, createNotifyQueues } from '../../src/jobs/notifier.js';
import { TEST_REDIS_URL } from '../support/test-bot.js';
import { APPROVER, CHANNEL, eventually, startDeployHarness, text, type DeployHarness } from '../deploy-approval/helpers.js';

let h: DeployHarness | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await h?.stop();
  h = undefined;
});

describe('thread replies handed out again', () => {
  it('when the running reply job runs a second time after Slack took the post, then the thread still has one running reply', async () => {
    h = await startDeployHarness();
    const harness = h;
    const { id, ts } = await harness.request('IRIS_ONCE');
    await harness.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
    const runningReplies = () =>
      harness.t.fake
        .replies(CHANNEL, ts)
        .map(text)
        .filter((m) => m.includes('is *running*'));
    await eventually(() => runningReplies().length === 1 || undefined, 30_000, 'running reply');

    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queues = createNotifyQueues({ connection: redis, keyPrefix: harness.t.keyPrefix });
    closers.push(async () => {
      await Promise.all([queues.summaries.close(), queues.replies.close()]);
      redis.disconnect();
    });
    const jobId = `${id}-running`;
    await eventually(async () => (await queues.replies.getJobState(jobId)) === 'completed' || undefined, 10_000, 'reply job completed');
    // What a stalled job's second delivery amounts to: the same job id, run again by a worker.
    await (await queues.replies.getJob(jobId))?.remove();
    await createNotifier(queues).milestone(id, 'running');
    await eventually(async () => (await queues.replies.getJobState(jobId)) === 'completed' || undefined, 10_000, 'second run completed');

    expect(runningReplies()).toHaveLength(1);
    expect(await redis.get(`${harness.t.keyPrefix}:reply-sent:${jobId}`)).toMatch(/^\d+\.\d+$/);
  }, 60_000);
});
