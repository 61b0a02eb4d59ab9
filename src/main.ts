import { startBot } from './app.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { stopOnSignals } from './shutdown.js';
import { describeSlackFailure, EXIT_CANNOT_START, loadDotEnv, redisProblem, slackProblem } from './startup.js';

function cannotStart(line: string): never {
  process.stderr.write(`spcs-chatops cannot start: ${line}\n`);
  process.exit(EXIT_CANNOT_START);
}

async function main(): Promise<void> {
  loadDotEnv(); // the environment wins over .env
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`spcs-chatops cannot start; fix these settings:\n${result.problems.map((p) => `  ${p}\n`).join('')}`);
    process.exit(EXIT_CANNOT_START);
  }
  const { config } = result;
  // Checked once, before anything retries: a wrong REDIS_URL or token is one line, not endless warnings.
  const problem = (await redisProblem(config.redis.url)) ?? (await slackProblem(config.slack));
  if (problem !== undefined) cannotStart(problem);
  const logger = createLogger(config.logLevel, undefined, config.logFormat);

  const bot = await startBot(config, logger).catch((err: unknown) => {
    // Socket Mode's apps.connections.open (with the app token) is the Slack call the check above does not make.
    const socket = config.slack.appToken !== undefined;
    const line = describeSlackFailure(err, {
      method: socket ? 'apps.connections.open' : 'auth.test',
      apiUrl: config.slack.apiUrl,
      tokenSetting: socket ? 'SLACK_APP_TOKEN' : 'SLACK_BOT_TOKEN',
    });
    if (line !== undefined) cannotStart(line);
    logger.fatal({ err }, 'spcs-chatops failed to start');
    process.exit(1);
  });
  logger.info({ role: config.role, port: bot.port, mode: config.slack.appToken ? 'socket' : 'http' }, 'spcs-chatops started');

  stopOnSignals(bot, logger, config.shutdownTimeoutMs);
}

void main();
