/**
 * The status-tracking worker as a process of its own: the real runStatusRound and the real notify
 * worker, built as src/app.ts builds them. The parent sends `{ round: n }` over IPC; this process
 * runs one round and answers with its duration, its CPU time (process.cpuUsage) and the report.
 */
import { WebClient } from '@slack/web-api';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createRedis } from '../src/redis.js';
import { ReplyReceipts } from '../src/store/reply-receipts.js';
import { createNotifier, createNotifyQueues, createNotifyWorkers } from '../src/jobs/notifier.js';
import { createSendSlots, scaledSlackPace } from '../src/jobs/slack-pace.js';
import { runStatusRound, type RoundReport } from '../src/jobs/status-tracker.js';
import { AuditLog } from '../src/store/audit-log.js';
import { DeploymentStore } from '../src/store/deployment-store.js';
import { StatusMemory } from '../src/store/status-memory.js';
import { createSnowflakeClient } from '../src/snowflake/client.js';

export interface RoundMessage {
  readonly round: number;
  readonly ms: number;
  readonly cpuMs: number;
  readonly report: RoundReport | null;
  readonly error?: string;
}

const result = loadConfig(process.env);
if (!result.ok) {
  process.stderr.write(`${result.problems.join('\n')}\n`);
  process.exit(2);
}
const { config } = result;
const logger = createLogger(config.logLevel);
const redis = createRedis(config.redis.url, logger, 'spcs');
const keyPrefix = config.redis.keyPrefix;
const store = new DeploymentStore(redis, keyPrefix);
const notifyQueues = createNotifyQueues({ connection: redis, keyPrefix });
const notifier = createNotifier(notifyQueues);
const snowflake = createSnowflakeClient(config.snowflake, { logger });
const slack = new WebClient(config.slack.botToken, { slackApiUrl: config.slack.apiUrl, rejectRateLimitedCalls: true, timeout: 15_000 });
// Slack's limits are measure 3's subject; here the notifier is paced 1000× faster than Slack allows
// so the lag measured is the tracker's (2,000 summaries at Tier 3's 50 a minute would take 40 minutes).
const slots = createSendSlots(redis, keyPrefix, scaledSlackPace(Number(process.env.BENCH_SLACK_PACE_SCALE ?? '1000')));
const workers = createNotifyWorkers(
  { connection: redis, keyPrefix },
  { store, slots, receipts: new ReplyReceipts(redis, keyPrefix), replies: notifyQueues.replies, slack, requiredApprovals: 1, logger },
);
const deps = {
  store,
  audit: new AuditLog(redis, keyPrefix),
  memory: new StatusMemory(redis, keyPrefix),
  notifier,
  snowflake,
  logger,
  now: Date.now,
};

process.on('message', (message: unknown) => {
  const round =
    typeof message === 'object' && message !== null && 'round' in message && typeof message.round === 'number' ? message.round : -1;
  if (round < 0) return;
  const cpu = process.cpuUsage();
  const started = performance.now();
  void runStatusRound(deps).then(
    (report) => reply({ round, ms: performance.now() - started, cpuMs: cpuMsSince(cpu), report }),
    (err: unknown) => reply({ round, ms: performance.now() - started, cpuMs: cpuMsSince(cpu), report: null, error: String(err) }),
  );
});

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function reply(message: RoundMessage): void {
  process.send?.(message);
}

process.once('SIGTERM', () => {
  void (async () => {
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all([notifyQueues.summaries.close(), notifyQueues.replies.close()]);
    await snowflake.close();
    redis.disconnect();
    process.exit(0);
  })();
});
process.stdout.write(`${JSON.stringify({ benchReady: true })}\n`);
