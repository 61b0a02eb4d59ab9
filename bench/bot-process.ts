/**
 * The real bot (src/app.ts startBot) as a process of its own, so the load generator never shares
 * its event loop. Prints `{"benchReady":true,"port":N}` once it listens. BENCH_SLACK_PACE_SCALE
 * divides the notifier's gaps between sends (production: 1).
 */
import { startBot } from '../src/app.js';
import { scaledSlackPace } from '../src/jobs/slack-pace.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';

const result = loadConfig(process.env);
if (!result.ok) {
  process.stderr.write(`${result.problems.join('\n')}\n`);
  process.exit(2);
}
const bot = await startBot(result.config, createLogger(result.config.logLevel), {
  slackPace: scaledSlackPace(Number(process.env.BENCH_SLACK_PACE_SCALE ?? '1')),
  slackRetryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 },
});
process.stdout.write(`${JSON.stringify({ benchReady: true, port: bot.port })}\n`);
process.once('SIGTERM', () => void bot.stop().then(() => process.exit(0)));
