/**
 * The tracker writes each deployment at most once per status round: one compare-and-set with the
 * lifecycle's result, none when nothing changed. Counted through Redis, by the record's version
 * (`v`, one per write), around rounds the test runs itself (runStatusRound, as the status worker
 * does) while the bot's own rounds are an hour apart.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createNotifier, createNotifyQueues } from '../../src/jobs/notifier.js';
import { runStatusRound } from '../../src/jobs/status-tracker.js';
import { createSnowflakeClient } from '../../src/snowflake/client.js';
import { StatusMemory } from '../../src/store/status-memory.js';
import {
  APPROVER,
  CHANNEL,
  eventually,
  sentimentRequest,
  startDeployHarness,
  text,
  type DeployHarness,
} from '../deploy-approval/helpers.js';
import { TEST_REDIS_URL } from '../support/test-bot.js';

const cleanups: Array<() => Promise<void>> = [];
let h: DeployHarness | undefined;
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await h?.stop();
  h = undefined;
});

describe('writes per status round', () => {
  it('when a deployment goes from the CALL through the image build to running, then no round writes its record more than once', async () => {
    h = await startDeployHarness({ env: { SPCS_POLL_INTERVAL_MS: '3600000' } });
    const harness = h;
    const { emulator } = h.t;
    // The tracker's dependencies as src/app.ts builds them, on the bot's Redis prefix and emulator.
    const config = loadConfig({
      SLACK_BOT_TOKEN: h.t.fake.botToken,
      SLACK_SIGNING_SECRET: 'unused-here-0123456789',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: h.t.keyPrefix,
      SNOWFLAKE_ACCOUNT: emulator.credentials.account,
      SNOWFLAKE_USER: emulator.credentials.user,
      SNOWFLAKE_PASSWORD: emulator.credentials.password,
      SNOWFLAKE_ROLE: emulator.credentials.role,
      SNOWFLAKE_ACCESS_URL: emulator.url,
    });
    if (!config.ok) throw new Error(config.problems.join('; '));
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const snowflake = createSnowflakeClient(config.config.snowflake, { logger: h.t.logger });
    const queues = createNotifyQueues({ connection: redis, keyPrefix: h.t.keyPrefix });
    cleanups.push(async () => {
      await Promise.all([queues.summaries.close(), queues.replies.close()]);
      await snowflake.close();
      redis.disconnect();
    });
    const deps = {
      store: h.store,
      audit: h.audit,
      memory: new StatusMemory(redis, h.t.keyPrefix),
      snowflake,
      notifier: createNotifier(queues),
      logger: h.t.logger,
      now: Date.now,
    };

    const { id, ts } = await h.request('SENTIMENT_WRITES', sentimentRequest('SENTIMENT_WRITES'));
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
    // The deploy job is done with the record once it follows the query: from here on only rounds write it.
    await eventually(async () => (await harness.store.trackedIds()).includes(id) || undefined, 15_000, 'tracked');

    const writes: number[] = [];
    while ((await h.store.trackedIds()).includes(id) && writes.length < 400) {
      const before = (await h.store.read(id))?.version ?? 0;
      await runStatusRound(deps);
      writes.push(((await h.store.read(id))?.version ?? 0) - before);
    }
    const d = await h.store.get(id);
    expect(d?.execution?.phase).toBe('running');
    expect(d?.execution?.milestones).toEqual(expect.arrayContaining(['build_started', 'build_done', 'starting']));
    // At most one write per round; rounds that saw nothing new wrote nothing; the steps did get written.
    expect(Math.max(...writes)).toBe(1);
    expect(writes.filter((w) => w === 0).length).toBeGreaterThan(0);
    expect(writes.filter((w) => w === 1).length).toBeGreaterThanOrEqual(3);
    // And what those writes said reached the thread.
    await eventually(
      () => harness.t.fake.replies(CHANNEL, ts).some((m) => text(m).includes('is *running*')) || undefined,
      10_000,
      'running reply',
    );
  }, 60_000);
});
