/**
 * Measure 3: many deployments reporting into one channel at once while the fake Slack enforces
 * Slack's tiers (windows shrunk by `scale`, the notifier's pace raised by the same factor, so the
 * ratio of our sends to Slack's allowance is production's). Counts 429s received, notifications
 * that failed, and whether every deployment's final state reached Slack.
 */
import { scaledSlackPace } from '../src/jobs/slack-pace.js';
import { blocksText } from '../test/support/fake-slack.js';
import { startTestBot } from '../test/support/test-bot.js';
import { connectDeployments } from './deployments.js';
import { APPROVER, CHANNEL } from './environment.js';
import { measure, type Measure } from './report.js';

export interface RateLimitOptions {
  readonly deployments: number;
  /** Slack's windows and the notifier's gaps between sends, both divided by this. */
  readonly scale: number;
  readonly timeoutMs: number;
}

export async function measureRateLimits(options: RateLimitOptions): Promise<Measure[]> {
  const t = await startTestBot({
    env: { SPCS_APPROVERS: APPROVER, SPCS_POLL_INTERVAL_MS: '500', LOG_LEVEL: 'info' },
    emulator: { speed: 4 },
    bot: { slackPace: scaledSlackPace(options.scale) },
  });
  const starter = connectDeployments(t.keyPrefix);
  try {
    t.fake.seedUsers([{ id: APPROVER, name: 'approver' }]);
    const pool = t.emulator.state.pools.get('CPU_M_POOL');
    if (pool !== undefined) pool.maxNodes = 1000; // room for every instance: this measures Slack, not capacity
    t.fake.enableRateLimits({ scale: options.scale });
    const started = performance.now();
    const ids = await Promise.all(
      Array.from({ length: options.deployments }, (_, i) => starter.request(`BENCH_RL_${i}`, t.fake.identity.teamId)),
    );
    const tss = await starter.summaryTimestamps(ids, options.timeoutMs);
    await Promise.all(tss.map((ts) => t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } })));
    const delivered = (ts: string) =>
      blocksText((t.fake.message(CHANNEL, ts)?.blocks ?? []) as unknown[]).includes('Running') &&
      t.fake.replies(CHANNEL, ts).some((m) => blocksText((m.blocks ?? []) as unknown[]).includes('is *running*'));
    const deadline = Date.now() + options.timeoutMs;
    while (!tss.every(delivered) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    const deliveredCount = tss.filter(delivered).length;
    const failures = t.logs.filter((l) => l['msg'] === 'notification failed').length;
    const pauses = t.logs.filter((l) => l['msg'] === 'slack rate limit; pausing notifications').length;
    const received = t.fake.rateLimitedCount();
    const note = `${options.deployments} deployments, windows ÷${options.scale}, notifier's gaps ÷${options.scale}; ${received} 429s received (queue paused ${pauses}×), ${seconds} s to all final`;
    return [
      measure('3 rate limits', '429s received', received, 'count', '0', received === 0, note),
      measure('3 rate limits', 'notifications failed (429 or other)', failures, 'count', '0', failures === 0),
      measure(
        '3 rate limits',
        'final states delivered',
        deliveredCount,
        `of ${options.deployments}`,
        'all',
        deliveredCount === options.deployments,
      ),
      measure('3 rate limits', 'time until every final state was in Slack', seconds, 's'),
    ];
  } finally {
    await starter.close();
    await t.stop();
  }
}
