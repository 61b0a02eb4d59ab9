import type { RetryOptions } from '@slack/web-api';
import type { Config } from './config.js';
import { registerSpcsCommand } from './flows/spcs-command.js';
import { healthRoutes, startHealthServer, type DependencyCheck } from './health.js';
import type { Logger } from './logger.js';
import { redisReadinessCheck } from './redis.js';
import { createSlackApp } from './slack-app.js';
import { createSnowflakeClient, type SnowflakeClient } from './snowflake/client.js';

export interface RunningBot {
  /** The HTTP port serving /healthz and /readyz (and /slack/events in HTTP mode). */
  readonly port: number;
  /** Stops taking requests, lets running jobs finish, closes connections. */
  stop(): Promise<void>;
}

export interface BotOverrides {
  readonly slackRetryConfig?: RetryOptions;
}

/**
 * Composition root: config → clients → Bolt app → flows → workers. Nothing else constructs
 * clients, so every dependency a flow uses is visible here.
 */
export async function startBot(config: Config, logger: Logger, overrides: BotOverrides = {}): Promise<RunningBot> {
  const redisCheck = redisReadinessCheck(config.redis.url);
  const snowflake = createSnowflakeClient(config.snowflake, { logger });
  const checks: DependencyCheck[] = [redisCheck, snowflakeReadinessCheck(snowflake)];
  const routes = healthRoutes(checks);
  const closers: Array<() => Promise<void>> = [() => redisCheck.close(), () => snowflake.close()];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch((err: unknown) => logger.warn({ err }, 'close failed'));
  };

  try {
    let port: number;
    if (config.role === 'worker') {
      const server = await startHealthServer(config.port, routes);
      const address = server.address();
      port = typeof address === 'object' && address ? address.port : config.port;
      closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    } else {
      const slack = createSlackApp({
        slack: config.slack,
        port: config.port,
        routes,
        logger,
        ...(overrides.slackRetryConfig && { retryConfig: overrides.slackRetryConfig }),
      });
      registerSpcsCommand(slack.app, []);
      port = await slack.start();
      // Registered after start so that on shutdown requests stop first (closers run in reverse).
      closers.push(() => slack.stop());
    }
    return { port, stop: close };
  } catch (err) {
    await close();
    throw err;
  }
}

function snowflakeReadinessCheck(snowflake: SnowflakeClient): DependencyCheck {
  return {
    name: 'snowflake',
    async check() {
      const result = await snowflake.ping();
      if (!result.ok) throw result.error;
    },
  };
}
