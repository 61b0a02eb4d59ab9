/**
 * What a new user meets first: `npm start` (src/main.ts), the bench and the test run read `.env`,
 * and stop within seconds with one line naming the setting when Redis or Slack does not answer.
 * Each case spawns the real entry point as `npm start` / `npm run dev` would.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, waitUntil, type FakeSlack } from '../support/fake-slack.js';
import { deleteKeys, TEST_REDIS_URL, TEST_SIGNING_SECRET } from '../support/test-bot.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Absolute, so the process may run in a directory of its own (where its .env is).
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

interface Exit {
  readonly code: number | null;
  readonly stderr: string;
  readonly stdout: string;
  readonly ms: number;
}

function run(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string = ROOT, timeoutMs = 15_000): Promise<Exit> {
  const started = Date.now();
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr, stdout, ms: Date.now() - started });
    }),
  );
}

/** A port nothing listens on: taken from the OS, then let go. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Settings that pass validation; Snowflake is never reached before the checks under test. */
function botEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    SLACK_BOT_TOKEN: 'xoxb-fake-bot-token',
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    PORT: '0',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: 'test-startup',
    SNOWFLAKE_ACCOUNT: 'EMUACCT',
    SNOWFLAKE_USER: 'SPCS_BOT',
    SNOWFLAKE_PASSWORD: 'unused',
    SNOWFLAKE_ACCESS_URL: 'http://127.0.0.1:9',
    SNOWFLAKE_DISABLE_PLATFORM_DETECTION: 'true',
    SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: '1',
    ...extra,
  };
}

const MAIN = ['--import', TSX, join(ROOT, 'src/main.ts')];
const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

let fake: FakeSlack | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  await deleteKeys(TEST_REDIS_URL, 'test-startup'); // the bot that starts creates its queues' keys
});

function dirWithDotEnv(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'spcs-startup-'));
  dirs.push(dir);
  writeFileSync(join(dir, '.env'), text);
  return dir;
}

describe('start-up checks', () => {
  it('when Redis does not answer, then the bot exits 2 within seconds with one line naming REDIS_URL', async () => {
    const port = await closedPort();
    const exit = await run(MAIN, botEnv({ REDIS_URL: `redis://127.0.0.1:${port}` }));
    expect(exit.code).toBe(2);
    // "Within seconds" against the same entry point stopping on a settings error, which reaches
    // no server: what is left is the Redis check itself, without retries (a busy machine slows both).
    const { SLACK_BOT_TOKEN: _missing, ...withoutToken } = botEnv();
    const baseline = await run(MAIN, withoutToken);
    expect(baseline.code).toBe(2);
    expect(exit.ms - baseline.ms).toBeLessThan(3_000);
    expect(lines(exit.stderr)).toEqual([
      `spcs-chatops cannot start: Redis is not reachable at redis://127.0.0.1:${port} (REDIS_URL): connect ECONNREFUSED 127.0.0.1:${port}; start it (\`redis-server\`, or \`docker compose up -d redis\`) or set REDIS_URL`,
    ]);
    expect(exit.stdout).toBe('');
  });

  it('when a .env is in the working directory, then its settings are read and the environment wins over it', async () => {
    const [fromFile, fromEnv] = [await closedPort(), await closedPort()];
    const { REDIS_URL: _unset, ...withoutRedis } = botEnv();
    const dir = dirWithDotEnv(`# as in .env.example\nREDIS_URL=redis://127.0.0.1:${fromFile}\n`);

    const fileOnly = await run(MAIN, withoutRedis, dir);
    expect(fileOnly.code).toBe(2);
    expect(fileOnly.stderr).toContain(`Redis is not reachable at redis://127.0.0.1:${fromFile} (REDIS_URL)`);

    const both = await run(MAIN, { ...withoutRedis, REDIS_URL: `redis://127.0.0.1:${fromEnv}` }, dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(`Redis is not reachable at redis://127.0.0.1:${fromEnv} (REDIS_URL)`);
  });

  it('when Slack refuses the bot token, then one line names SLACK_BOT_TOKEN, without raw JSON or the token', async () => {
    fake = await startFakeSlack();
    const token = 'xoxb-9999-wrong-token';
    const exit = await run(MAIN, botEnv({ SLACK_API_URL: fake.url, SLACK_BOT_TOKEN: token }));
    expect(exit.code).toBe(2);
    expect(lines(exit.stderr)).toHaveLength(1);
    expect(exit.stderr).toMatch(
      /^spcs-chatops cannot start: Slack refused SLACK_BOT_TOKEN \(invalid_auth\): it is not a valid token; copy the token again .*OAuth & Permissions/,
    );
    expect(exit.stderr + exit.stdout).not.toContain(token);
    expect(exit.stderr).not.toContain('{');
  });

  it('when Slack refuses the app token in Socket Mode, then the last line names SLACK_APP_TOKEN and the bot exits 2', async () => {
    fake = await startFakeSlack();
    const token = 'xapp-1-A0WRONG-1-wrong';
    const exit = await run(MAIN, botEnv({ SLACK_API_URL: fake.url, SLACK_APP_TOKEN: token }));
    expect(exit.code).toBe(2);
    expect(lines(exit.stderr).at(-1)).toMatch(
      /^spcs-chatops cannot start: Slack refused SLACK_APP_TOKEN \(invalid_auth\): it is not a valid token; .*App-Level Tokens/,
    );
    expect(exit.stderr + exit.stdout).not.toContain(token);
  });

  it('when the Slack API cannot be reached, then one line names the URL and what to check, with no retries', async () => {
    const port = await closedPort();
    const apiUrl = `http://127.0.0.1:${port}/api/`;
    const exit = await run(MAIN, botEnv({ SLACK_API_URL: apiUrl }));
    expect(exit.code).toBe(2);
    expect(exit.ms).toBeLessThan(8_000);
    expect(lines(exit.stderr)).toEqual([
      `spcs-chatops cannot start: Slack auth.test against ${apiUrl} failed: fetch failed (connect ECONNREFUSED 127.0.0.1:${port}) — check the network or SLACK_API_URL`,
    ]);
    expect(exit.stdout).toBe('');
  });

  it('when LOG_FORMAT=pretty, then the bot logs lines for people instead of JSON', async () => {
    fake = await startFakeSlack();
    const child = spawn(process.execPath, MAIN, {
      cwd: ROOT,
      env: botEnv({ SLACK_API_URL: fake.url, LOG_FORMAT: 'pretty' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitUntil(() => stdout.includes('spcs-chatops started') || child.exitCode !== null, {
        timeoutMs: 10_000,
        message: `no start line: ${stdout}`,
      });
    } finally {
      child.kill('SIGTERM');
    }
    await exited; // test/foundation/shutdown.test.ts covers how it stops
    const started = lines(stdout).find((l) => l.includes('spcs-chatops started'));
    expect(started).toMatch(/INFO.*spcs-chatops started/);
    expect(lines(stdout).filter((l) => l.startsWith('{'))).toEqual([]);
  });

  it('when Redis does not answer, then the bench exits 2 at once with the same line', async () => {
    const port = await closedPort();
    const exit = await run(['--import', TSX, join(ROOT, 'bench/main.ts'), '--tiny'], {
      PATH: process.env.PATH ?? '',
      REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    expect(exit.code).toBe(2);
    expect(lines(exit.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(`^bench cannot start: Redis is not reachable at redis://127\\.0\\.0\\.1:${port} \\(REDIS_URL\\): connect ECONNREFUSED`),
      ),
    ]);
  });

  it('when Redis does not answer, then the test run stops at once with one line and exit 2', async () => {
    const port = await closedPort();
    const vitest = join(ROOT, 'node_modules/vitest/vitest.mjs');
    const exit = await run(
      [vitest, 'run', 'test/foundation/logger.test.ts'],
      { PATH: process.env.PATH ?? '', REDIS_URL: `redis://127.0.0.1:${port}` },
      ROOT,
      30_000,
    );
    expect(exit.code).toBe(2);
    expect(exit.ms).toBeLessThan(15_000);
    const output = lines(exit.stdout + exit.stderr).filter((l) => l.includes('Redis'));
    expect(output).toEqual([
      expect.stringContaining(`The tests cannot run: Redis is not reachable at redis://127.0.0.1:${port} (REDIS_URL)`),
    ]);
    expect(exit.stdout).not.toContain('logger');
  });
});
