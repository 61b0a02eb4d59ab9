import { afterEach, describe, expect, it } from 'vitest';
import { scaledSlackPace } from '../../src/jobs/slack-pace.js';
import { APPROVER, CHANNEL, eventually, startDeployHarness, text, type DeployHarness } from '../deploy-approval/helpers.js';

let h: DeployHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const showServices = (harness: DeployHarness) =>
  harness.t.emulator.sqlLog.filter((e) => /^SHOW SERVICES IN SCHEMA/i.test(e.sqlText)).length;

describe('many deployments at once', () => {
  it('when three deployments share a schema, then each round sends one SHOW SERVICES, not one per deployment', async () => {
    h = await startDeployHarness();
    const harness = h;
    const started = await Promise.all(['IRIS_A', 'IRIS_B', 'IRIS_C'].map((name) => harness.request(name)));
    await Promise.all(
      started.map(({ ts }) => harness.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } })),
    );
    await eventually(
      async () => {
        const ds = await Promise.all(started.map(({ id }) => harness.store.get(id)));
        return ds.every((d) => d?.execution?.phase === 'running') || undefined;
      },
      20_000,
      'all running',
    );
    const rounds = h.t.logs.filter((l) => l['msg'] === 'status round');
    expect(rounds.length).toBeGreaterThan(0);
    expect(rounds.every((r) => r['schemas'] === 1)).toBe(true);
    expect(showServices(h)).toBeLessThanOrEqual(rounds.length + 1); // the last round may not have logged yet
    const deploymentRounds = rounds.reduce((n, r) => n + Number(r['deployments']), 0);
    expect(showServices(h)).toBeLessThan(deploymentRounds);
    // Closer looks only for deployments whose row changed or that wait on their endpoint.
    const closerLooks = rounds.reduce((n, r) => n + Number(r['closerLooks']), 0);
    expect(closerLooks).toBeLessThanOrEqual(deploymentRounds);
  });

  it('when twenty deployments run in one channel under Slack rate limits, then no call meets a 429 and every final state arrives', async () => {
    // Slack's windows shrunk 20×, the bot's pace 14×: the time between taking a send slot and Slack
    // receiving the call does not shrink with them (50–100 ms seen with the bot, the double and the
    // emulator on 2 busy cores), and at 20× it ate the whole margin (four sends in three intervals
    // against 3 in a 3 s window: 600 ms at real speed, 30 ms at 20×), so a summary's
    // chat.postMessage met a 429. At 14× the margin is 110 ms.
    h = await startDeployHarness({ bot: { slackPace: scaledSlackPace(14) } });
    h.t.fake.enableRateLimits({ scale: 20 });
    const harness = h;
    const names = Array.from({ length: 20 }, (_, i) => `IRIS_R${i}`);
    // CPU_M_POOL has room for twenty instances (CPU_XS_POOL would leave most Pending scheduling).
    const pool = { kind: 'existing', name: 'CPU_M_POOL', instanceFamily: 'CPU_X64_M', gpu: null, state: 'SUSPENDED' } as const;
    const started = await Promise.all(names.map((name) => harness.request(name, { pool })));
    await Promise.all(
      started.map(({ ts }) => harness.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } })),
    );
    await eventually(
      async () => {
        const ds = await Promise.all(started.map(({ id }) => harness.store.get(id)));
        return ds.every((d) => d?.execution?.phase === 'running') || undefined;
      },
      40_000,
      'all running',
    );
    // Every parent ends on the final state and every thread has its running reply.
    await eventually(
      () =>
        started.every(
          ({ ts }) =>
            text(harness.t.fake.message(CHANNEL, ts)).includes('Running') &&
            harness.t.fake.replies(CHANNEL, ts).some((m) => text(m).includes('is *running*')),
        ) || undefined,
      40_000,
      'all delivered',
    );
    expect(h.t.logs.filter((l) => String(l['msg']).endsWith('to Slack failed'))).toEqual([]);
    expect(h.t.fake.rateLimitedCount()).toBe(0);
    // Each milestone once per deployment, in order: the running reply comes last.
    for (const { ts } of started) {
      const replies = h.t.fake.replies(CHANNEL, ts);
      const kinds = replies.map((m) => m.text);
      expect(new Set(kinds).size).toBe(kinds.length);
      expect(replies.map((m) => m.text).slice(0, 3)).toEqual([
        'Approved, deploying',
        'Service starting',
        expect.stringMatching(/ is running$/),
      ]);
      // The REST endpoint's reply, when it was not ready at once, comes after.
      expect(replies.slice(3).map((m) => m.text)).toEqual(
        replies.length > 3 ? [expect.stringMatching(/^REST endpoint of .* is ready$/)] : [],
      );
    }
  }, 60_000);
});
