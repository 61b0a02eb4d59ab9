/**
 * The real bot as a process of its own, for tests that kill it: what src/main.ts starts (ROLE,
 * SHUTDOWN_TIMEOUT_MS and the signal handling included), with short deploy- and execute-job locks
 * (TEST_EXECUTE_LOCK_MS for every approved record's job, TEST_STATUS_LOCK_MS for status rounds,
 * default 1 s; TEST_NOTIFY_LOCK_MS for notifications, when set) so that BullMQ hands a killed worker's
 * job to another worker within seconds instead of after the production 30 s; TEST_SWEEP_MS, when set, runs
 * the sweep of approved records that often with no grace. Run through tsx (`node --import tsx`):
 * `npm test` does not build dist/.
 */
import { startBot } from '../../src/app.js';
import { scaledSlackPace } from '../../src/jobs/slack-pace.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { stopOnSignals } from '../../src/shutdown.js';

const result = loadConfig(process.env);
if (!result.ok) {
  process.stderr.write(`${result.problems.join('\n')}\n`);
  process.exit(2);
}
const { config } = result;
const logger = createLogger(config.logLevel);
const bot = await startBot(config, logger, {
  executeLockDurationMs: Number(process.env.TEST_EXECUTE_LOCK_MS ?? '1000'),
  statusLockDurationMs: Number(process.env.TEST_STATUS_LOCK_MS ?? '1000'),
  // Notification jobs keep BullMQ's 30 s lock unless a test that kills mid-post shortens it.
  ...(process.env.TEST_NOTIFY_LOCK_MS !== undefined && { notifyLockDurationMs: Number(process.env.TEST_NOTIFY_LOCK_MS) }),
  slackPace: scaledSlackPace(50),
  ...(process.env.TEST_SWEEP_MS !== undefined && { sweep: { everyMs: Number(process.env.TEST_SWEEP_MS), graceMs: 0 } }),
});
logger.info({ port: bot.port, role: config.role }, 'spcs-chatops started');
stopOnSignals(bot, logger, config.shutdownTimeoutMs);
