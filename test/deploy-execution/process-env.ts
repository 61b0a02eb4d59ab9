import type { FakeSlack } from '../support/fake-slack.js';
import { TEST_REDIS_URL, TEST_SIGNING_SECRET } from '../support/test-bot.js';

/** The environment of a bot (or demo) process under test: the Slack double, real Redis on the test's prefix, any free port. */
export function processEnv(fake: FakeSlack, keyPrefix: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PORT: '0',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    SNOWFLAKE_DISABLE_PLATFORM_DETECTION: 'true',
    SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: '1',
    ...extra,
  };
}
