import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { deleteKeys, TEST_REDIS_URL } from '../support/test-bot.js';
import { eventually } from '../deploy-approval/helpers.js';
import { processEnv } from './process-env.js';

let fake: FakeSlack | undefined;
const keyPrefix = `test-${randomUUID().slice(0, 8)}`;
afterEach(async () => {
  await fake?.close();
  await deleteKeys(TEST_REDIS_URL, keyPrefix);
});

describe('npm run demo', () => {
  it('when the demo starts, then the bot becomes ready against the emulator, and Ctrl-C stops both with exit 0', async () => {
    fake = await startFakeSlack();
    const demo = spawn(process.execPath, ['--import', 'tsx', 'emulator/demo.ts', '--emulator-port', '0', '--no-env-file'], {
      // A real account's settings must not reach the demo's bot (they would also clash with each other).
      env: processEnv(fake, keyPrefix, { LOG_LEVEL: 'warn', SNOWFLAKE_CONNECTION_NAME: 'production' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(demo, 'exit');
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    try {
      const base = await eventually(
        () => /\[demo\] bot ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1],
        25_000,
        'demo ready',
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}; demo output:\n${output}`);
      });
      expect(output).toMatch(/\[demo\] SPCS emulator on http:\/\/127\.0\.0\.1:\d+/);
      expect(output).toContain('image build 50–70 s');
      // The stop hint is printed right after the ready line, possibly in a later chunk.
      await eventually(() => output.includes('Ctrl-C') || undefined, 5_000, 'the Ctrl-C hint');
      await eventually(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200 || undefined, 15_000, '/readyz 200');

      demo.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      expect(output).toContain('[demo] stopped');
      await expect(fetch(`${base}/healthz`)).rejects.toThrow(); // the bot is gone too
    } finally {
      if (demo.exitCode === null) demo.kill('SIGKILL');
    }
  }, 60_000);
});
