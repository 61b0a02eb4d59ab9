import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { startFakeSlack, waitUntil, type FakeSlack } from '../support/fake-slack.js';
import { createSlackRequestClient } from '../support/slack-request.js';
import { deleteKeys, TEST_REDIS_URL, TEST_SIGNING_SECRET } from '../support/test-bot.js';

let fake: FakeSlack | undefined;
let emulator: Emulator | undefined;
afterEach(async () => {
  await fake?.close();
  await emulator?.close();
  await deleteKeys(TEST_REDIS_URL, 'test-shutdown'); // the queues' keys the bot created
});

describe('graceful shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('when the process gets %s, then it stops taking requests and exits 0', async (signal) => {
    fake = await startFakeSlack();
    emulator = await startEmulator();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
        SLACK_API_URL: fake.url,
        PORT: '0',
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: 'test-shutdown',
        LOG_LEVEL: 'info',
        SNOWFLAKE_ACCOUNT: emulator.credentials.account,
        SNOWFLAKE_USER: emulator.credentials.user,
        SNOWFLAKE_PASSWORD: emulator.credentials.password,
        SNOWFLAKE_ACCESS_URL: emulator.url,
        SNOWFLAKE_DISABLE_PLATFORM_DETECTION: 'true',
        SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    const started = await waitUntil(() => lines.find((l) => l.msg === 'spcs-chatops started'), { timeoutMs: 10_000 });
    const port = Number(started.port);

    const slack = createSlackRequestClient({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: TEST_SIGNING_SECRET, fake });
    expect((await slack.slashCommand({ command: '/spcs', text: 'help' })).status).toBe(200);

    const exited = once(child, 'exit');
    child.kill(signal);
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^shutting down/), 'stopped']));
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
