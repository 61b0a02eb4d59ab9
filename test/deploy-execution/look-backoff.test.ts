/**
 * The closer-look backoff is kept in Redis: two trackers (each with its own Redis connection and
 * Snowflake client, as two worker processes have) that take the rounds in turn continue each
 * other's backoff instead of each starting afresh. Behind a running service whose REST endpoint
 * stays provisioning, SHOW ENDPOINTS is sent after 1, 2, then every 4 rounds, whichever tracker
 * takes the round; with a memory per tracker every round would look.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { FAST_TIMINGS } from '../../emulator/index.js';
import { loadConfig } from '../../src/config.js';
import { createNotifier, createNotifyQueues } from '../../src/jobs/notifier.js';
import { runStatusRound, type TrackerDeps } from '../../src/jobs/status-tracker.js';
import { createSnowflakeClient } from '../../src/snowflake/client.js';
import { StatusMemory } from '../../src/store/status-memory.js';
import { APPROVER, CHANNEL, eventually, startDeployHarness, type DeployHarness } from '../deploy-approval/helpers.js';
import { irisRequest } from '../support/deploy-requests.js';
import { TEST_REDIS_URL } from '../support/test-bot.js';

const cleanups: Array<() => Promise<void>> = [];
let h: DeployHarness | undefined;
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await h?.stop();
  h = undefined;
});

/** The tracker's dependencies as src/app.ts builds them, on their own connections. */
function tracker(harness: DeployHarness, now: () => number): TrackerDeps {
  const { emulator } = harness.t;
  const config = loadConfig({
    SLACK_BOT_TOKEN: harness.t.fake.botToken,
    SLACK_SIGNING_SECRET: 'unused-here-0123456789',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: harness.t.keyPrefix,
    SNOWFLAKE_ACCOUNT: emulator.credentials.account,
    SNOWFLAKE_USER: emulator.credentials.user,
    SNOWFLAKE_PASSWORD: emulator.credentials.password,
    SNOWFLAKE_ROLE: emulator.credentials.role,
    SNOWFLAKE_ACCESS_URL: emulator.url,
  });
  if (!config.ok) throw new Error(config.problems.join('; '));
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const snowflake = createSnowflakeClient(config.config.snowflake, { logger: harness.t.logger });
  const queues = createNotifyQueues({ connection: redis, keyPrefix: harness.t.keyPrefix });
  cleanups.push(async () => {
    await Promise.all([queues.summaries.close(), queues.replies.close()]);
    await snowflake.close();
    redis.disconnect();
  });
  return {
    store: harness.store,
    audit: harness.audit,
    memory: new StatusMemory(redis, harness.t.keyPrefix),
    snowflake,
    notifier: createNotifier(queues),
    logger: harness.t.logger,
    now,
  };
}

describe('closer-look backoff across trackers', () => {
  it('when two trackers take the rounds in turn behind an endpoint that stays provisioning, then they look as one tracker would: not every round', async () => {
    // The endpoint takes an hour (virtual); the bot's own rounds are an hour apart: the test runs the rounds.
    h = await startDeployHarness({
      env: { SPCS_POLL_INTERVAL_MS: '3600000' },
      emulator: { timings: { ...FAST_TIMINGS, endpointMs: [3_600_000, 3_600_000] } },
    });
    const harness = h;
    // The trackers' clock stops once the endpoint is pending, so only rounds count (not the 5 s cap).
    let clock = Date.now;
    const now = () => clock();
    const trackers = [tracker(harness, now), tracker(harness, now)] as const;
    const { id, ts } = await h.request('IRIS_BACKOFF', irisRequest('IRIS_BACKOFF'));
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
    await eventually(async () => (await harness.store.trackedIds()).includes(id) || undefined, 15_000, 'tracked');

    let turn = 0;
    const round = async () => runStatusRound(trackers[turn++ % 2] ?? trackers[0]);
    while (turn < 400) {
      await round();
      const d = await harness.store.get(id);
      if (d?.execution?.phase === 'running' && d.execution.endpointPending === true) break;
    }
    expect((await harness.store.get(id))?.execution?.endpointPending).toBe(true);

    const endpointLooks = () =>
      harness.t.emulator.sqlLog.filter((e) => e.sqlText.trim().toUpperCase() === 'SHOW ENDPOINTS IN SERVICE ML_DB.SERVING.IRIS_BACKOFF')
        .length;
    const stopped = Date.now();
    clock = () => stopped;
    const looks: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = endpointLooks();
      await round();
      looks.push(endpointLooks() - before);
    }
    // Still provisioning, still followed: the rounds had something to look at.
    expect((await harness.store.get(id))?.execution?.endpointPending).toBe(true);
    // 1, 2, then every 4 rounds: 4 of these 8; a memory per tracker looks 6 times.
    expect(
      looks.reduce((a, b) => a + b, 0),
      looks.join(','),
    ).toBeLessThanOrEqual(4);
    expect(looks.some((n) => n === 0)).toBe(true);
    expect(looks.some((n) => n > 0)).toBe(true);
  }, 90_000);
});
