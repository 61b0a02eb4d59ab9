import { startBot } from './app.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';

const EXIT_BAD_CONFIG = 2;

async function main(): Promise<void> {
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`spcs-chatops cannot start; fix these settings:\n${result.problems.map((p) => `  ${p}\n`).join('')}`);
    process.exit(EXIT_BAD_CONFIG);
  }
  const { config } = result;
  const logger = createLogger(config.logLevel);

  const bot = await startBot(config, logger).catch((err: unknown) => {
    logger.fatal({ err }, 'spcs-chatops failed to start');
    process.exit(1);
  });
  logger.info({ role: config.role, port: bot.port, mode: config.slack.appToken ? 'socket' : 'http' }, 'spcs-chatops started');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, letting running jobs finish');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    void bot.stop().then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

void main();
