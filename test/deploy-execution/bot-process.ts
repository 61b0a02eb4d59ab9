/**
 * The real bot as a process of its own, for tests that kill it: what src/main.ts starts, with a
 * short deploy-job lock (TEST_DEPLOY_LOCK_MS, default 1 s) so that BullMQ hands a killed worker's
 * job to another worker within seconds instead of after the production 30 s.
 */
import { startBot } from '../../src/app.js';
import { scaledSlackPace } from '../../src/jobs/slack-pace.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

const result = loadConfig(process.env);
if (!result.ok) {
  process.stderr.write(`${result.problems.join('\n')}\n`);
  process.exit(2);
}
const logger = createLogger(result.config.logLevel);
const bot = await startBot(result.config, logger, {
  deployLockDurationMs: Number(process.env.TEST_DEPLOY_LOCK_MS ?? '1000'),
  slackPace: scaledSlackPace(50),
});
logger.info({ port: bot.port }, 'spcs-chatops started');
process.once('SIGTERM', () => void bot.stop().then(() => process.exit(0)));
