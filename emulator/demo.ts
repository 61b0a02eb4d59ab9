/**
 * `npm run demo`: the SPCS emulator and the real bot pointed at it, so one person can try the
 * whole flow (/spcs deploy → Approve → build → running) in their own Slack workspace without a
 * Snowflake account.
 *
 * The bot runs as a process of its own (`node --import tsx src/main.ts`), exactly as `npm run dev`
 * starts it: the emulator shares no code with the bot it stands in for. Slack and Redis settings
 * come from the environment, and from `.env` when there is one (variables already set win).
 * Ctrl-C stops the bot gracefully, then the emulator, and exits 0.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FAST_TIMINGS, startEmulator, type Timings } from './index.js';

/** About a minute for the image build, seconds for everything else: slow enough to watch, fast enough to wait for. */
export const DEMO_TIMINGS: Timings = {
  ...FAST_TIMINGS,
  nodeStartMs: [8_000, 15_000],
  buildStartMs: [3_000, 5_000],
  buildMs: [50_000, 70_000],
  serviceStartMs: [8_000, 15_000],
  endpointMs: [3_000, 6_000],
};

const USAGE = `Usage: npm run demo -- [--emulator-port N] [--env-file PATH | --no-env-file]

Starts the SPCS emulator and the bot (ROLE=all, SPCS_ALLOW_SELF_APPROVAL=true) pointed at it.
Needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode), and
Redis at REDIS_URL (default redis://127.0.0.1:6379). Reads .env if present. Ctrl-C stops both.

  --emulator-port N   emulator port (0 = any free port)       [8085]
  --env-file PATH     settings file                           [.env, if it exists]
  --no-env-file       read settings from the environment only`;

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Removes every SNOWFLAKE_* setting: the demo's bot talks to the emulator, never to a real account. */
function withoutSnowflakeSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('SNOWFLAKE_') && !name.startsWith('SF_')));
}

function rangeText([min, max]: readonly [number, number]): string {
  return min === max ? `${min / 1000} s` : `${min / 1000}–${max / 1000} s`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** Prints how to use the bot once /readyz answers 200 (Redis and the emulator both reachable). */
async function announceWhenReady(base: string, gone: () => boolean, keyPrefix: string): Promise<void> {
  while (!gone()) {
    const status = await fetch(`${base}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) {
      const mode = process.env.SLACK_APP_TOKEN ? 'Socket Mode' : `HTTP mode: point the Slack app's Request URLs at ${base}/slack/events (through a tunnel)`;
      console.log(`[demo] bot ready at ${base} (/healthz, /readyz), ${mode}`);
      console.log(`[demo] Redis ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}, key prefix ${keyPrefix}; self-approval is on, so you can approve your own /spcs deploy`);
      console.log('[demo] press Ctrl-C to stop the bot and the emulator');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'emulator-port': { type: 'string', default: '8085' },
      'env-file': { type: 'string' },
      'no-env-file': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const envFile = values['env-file'] ?? '.env';
  if (!values['no-env-file'] && existsSync(envFile)) {
    process.loadEnvFile(envFile);
    console.log(`[demo] read settings from ${envFile} (variables already set win)`);
  }

  const emulator = await startEmulator({ port: Number(values['emulator-port']), timings: DEMO_TIMINGS, speed: 1 });
  const c = emulator.credentials;
  console.log(`[demo] SPCS emulator on ${emulator.url} (user ${c.user}, password ${c.password}; state: ${emulator.url}/__emulator/state)`);
  console.log(
    `[demo] timings: image build ${rangeText(DEMO_TIMINGS.buildMs)}, pool nodes ${rangeText(DEMO_TIMINGS.nodeStartMs)}, service start ${rangeText(DEMO_TIMINGS.serviceStartMs)}, endpoint ${rangeText(DEMO_TIMINGS.endpointMs)}`,
  );

  const keyPrefix = process.env.REDIS_KEY_PREFIX ?? 'spcs-demo';
  // Known up front (a free one for PORT=0), so the demo can tell when the bot is ready.
  const port = Number(process.env.PORT ?? '3000') || (await freePort());
  const bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...withoutSnowflakeSettings(process.env),
      ROLE: 'all',
      PORT: String(port),
      REDIS_KEY_PREFIX: keyPrefix,
      SPCS_ALLOW_SELF_APPROVAL: 'true',
      SNOWFLAKE_ACCOUNT: c.account,
      SNOWFLAKE_USER: c.user,
      SNOWFLAKE_PASSWORD: c.password,
      SNOWFLAKE_ROLE: c.role,
      SNOWFLAKE_ACCESS_URL: emulator.url,
      SNOWFLAKE_DISABLE_PLATFORM_DETECTION: 'true',
      SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: '1',
    },
    // A process group of its own: Ctrl-C reaches the demo only, which passes exactly one SIGINT on
    // (a second one would cut the bot's graceful shutdown short).
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
  });

  void announceWhenReady(`http://127.0.0.1:${port}`, () => bot.exitCode !== null || bot.signalCode !== null, keyPrefix);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('[demo] stopping the bot, then the emulator');
    if (bot.exitCode === null && bot.signalCode === null) bot.kill('SIGINT');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => bot.once('exit', (c, s) => resolve([c, s])));
  await emulator.close();
  if (stopping) {
    console.log('[demo] stopped');
    return code ?? 0;
  }
  console.error(`[demo] the bot exited on its own (${signal ?? `code ${code}`}); stopped the emulator`);
  return code ?? 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[demo] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
