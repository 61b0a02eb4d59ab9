/**
 * Starts the real bot (src/app.ts) in HTTP mode against the Slack double and real Redis, with a
 * key prefix of its own, and tears all of it down again. End-to-end tests go through this.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { scaledSlackPace } from '../../src/jobs/slack-pace.js';
import { startBot, type BotOverrides, type RunningBot } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { startEmulator, FAST_TIMINGS, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { startFakeSlack, type FakeSlack, type FakeSlackOptions } from './fake-slack.js';
import { createSlackRequestClient, type SlackRequestClient } from './slack-request.js';

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestBot {
  readonly fake: FakeSlack;
  readonly emulator: Emulator;
  readonly bot: RunningBot;
  readonly slack: SlackRequestClient;
  /** http://127.0.0.1:PORT */
  readonly baseUrl: string;
  readonly keyPrefix: string;
  /** Every JSON log line the bot wrote. */
  readonly logs: Record<string, unknown>[];
  /** The bot's logger (its lines land in `logs`). */
  readonly logger: Logger;
  /** All log output as one string, for "never logged" assertions. */
  logText(): string;
  stop(): Promise<void>;
}

export interface TestBotOptions {
  readonly env?: Record<string, string>;
  readonly fakeSlack?: FakeSlackOptions;
  readonly emulator?: EmulatorOptions;
  /** Passed to startBot, e.g. a recording DeploymentRequester. */
  readonly bot?: Omit<BotOverrides, 'slackRetryConfig'>;
}

export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const fake = await startFakeSlack(options.fakeSlack);
  const emulator = await startEmulator({ timings: FAST_TIMINGS, ...options.emulator });
  const keyPrefix = `test-${randomUUID().slice(0, 8)}`;
  const result = loadConfig({
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PORT: '0',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    LOG_LEVEL: 'debug',
    SNOWFLAKE_ACCOUNT: emulator.credentials.account,
    SNOWFLAKE_USER: emulator.credentials.user,
    SNOWFLAKE_PASSWORD: emulator.credentials.password,
    SNOWFLAKE_ROLE: emulator.credentials.role,
    SNOWFLAKE_ACCESS_URL: emulator.url,
    // REST calls to an ingress host go to the emulator's plain-http ingress, as Snowflake calls do.
    SPCS_INGRESS_URL_OVERRIDE: `${emulator.url}/ingress/{host}`,
    ...options.env,
  });
  if (!result.ok) throw new Error(`test config invalid: ${result.problems.join('; ')}`);

  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger('debug', sink);
  const bot = await startBot(result.config, logger, {
    slackRetryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 },
    // Slack's pace, fifty times faster: tests do not wait for real seconds between messages.
    slackPace: scaledSlackPace(50),
    ...options.bot,
  });
  const baseUrl = `http://127.0.0.1:${bot.port}`;
  const slack = createSlackRequestClient({ url: `${baseUrl}/slack/events`, signingSecret: TEST_SIGNING_SECRET, fake });

  return {
    fake,
    emulator,
    bot,
    slack,
    baseUrl,
    keyPrefix,
    logs,
    logger,
    logText: () => JSON.stringify(logs),
    async stop() {
      await bot.stop();
      await fake.close();
      await emulator.close();
      await deleteKeys(TEST_REDIS_URL, keyPrefix);
    },
  };
}

/** Removes every key the test's bot wrote (its prefix is unique to it). */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined); // a failed connect is reported by connect() below
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } catch {
    // Redis may be the thing the test took down; nothing to clean then.
  } finally {
    redis.disconnect();
  }
}
