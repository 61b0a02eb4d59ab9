/** What every measure shares: the emulator as a child process, Redis, and the environment of a bot process. */
import { randomUUID } from 'node:crypto';
import type { FakeSlack } from '../test/support/fake-slack.js';
import { spawnNode, type Child } from './processes.js';

export const SIGNING_SECRET = 'bench-signing-secret-0123456789';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const CHANNEL = 'C0DEPLOYS0';
export const APPROVER = 'U0APPROVE1';
export const REQUESTER = 'U0REQUESTR';

export const newKeyPrefix = (): string => `bench-${randomUUID().slice(0, 8)}`;

/** The SPCS emulator (fast timings) as its own process: `{ url, child }`. */
export async function startEmulatorProcess(): Promise<{ url: string; child: Child }> {
  const { child, readyLine } = await spawnNode('emulator/main.ts', ['--port', '0', '--fast', '--quiet'], baseEnv(), (l) =>
    l.includes('listening on'),
  );
  const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(readyLine)?.[1];
  if (url === undefined) throw new Error(`emulator printed no URL: ${readyLine}`);
  return { url, child };
}

function baseEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    NO_PROXY: '127.0.0.1,localhost',
    SNOWFLAKE_DISABLE_PLATFORM_DETECTION: 'true',
    SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: '1',
  };
}

/** The environment of a bot process (src/main.ts or bench/bot-process.ts) against the fake Slack and the emulator. */
export function botEnv(fake: FakeSlack, emulatorUrl: string, keyPrefix: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PORT: '0',
    REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    LOG_LEVEL: 'warn',
    SNOWFLAKE_ACCOUNT: 'EMUACCT',
    SNOWFLAKE_USER: 'SPCS_BOT',
    SNOWFLAKE_PASSWORD: 'emulator',
    SNOWFLAKE_ROLE: 'SPCS_OPERATOR',
    SNOWFLAKE_ACCESS_URL: emulatorUrl,
    SPCS_APPROVERS: APPROVER,
    ...extra,
  };
}
