/**
 * `npm run demo`: the SPCS emulator and the real bot pointed at it, so anyone can try the whole
 * flow (/spcs deploy → Approve → build → running) without a Snowflake account.
 *
 * Without Slack tokens (the default) Slack is the local sandbox (sandbox/): a page at
 * http://127.0.0.1:3100 (SANDBOX_PORT) that is both Slack's Web API for the bot and the Slack
 * client for a person, with three demo people and real approval rules (the requester cannot
 * approve their own request). With SLACK_BOT_TOKEN set, the bot talks to that workspace instead
 * (Socket Mode with SLACK_APP_TOKEN), and self-approval is on so one person can walk the flow.
 *
 * The bot runs as a process of its own (`node --import tsx src/main.ts`), exactly as `npm run dev`
 * starts it: the emulator shares no code with the bot it stands in for. Settings come from the
 * environment, and from `.env` when there is one (variables already set win). Redis comes from
 * REDIS_URL, else 127.0.0.1:6379, else a private redis-server the demo starts and stops.
 * Ctrl-C stops the bot gracefully, then everything else the demo started, and exits 0.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, REDIS_HELP, resolveDemoRedis } from '../sandbox/local-redis.js';
import { APPROVER, OPS_ENGINEER } from '../sandbox/people.js';
import { startSandbox, type Sandbox } from '../sandbox/server.js';
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

Starts the SPCS emulator, the bot (ROLE=all) pointed at it and, without Slack tokens, the local
Slack sandbox at http://127.0.0.1:3100 (SANDBOX_PORT). With SLACK_BOT_TOKEN (and
SLACK_SIGNING_SECRET for HTTP mode or SLACK_APP_TOKEN for Socket Mode) the bot uses that Slack
workspace instead, with self-approval on. Redis: REDIS_URL, else 127.0.0.1:6379, else a private
redis-server. Reads .env if present. Ctrl-C stops everything.

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

const EXIT_NO_REDIS = 2;
const DEFAULT_SANDBOX_PORT = 3100;
/** The production default prefix; the demo never writes there. */
const PRODUCTION_KEY_PREFIX = 'spcs';

/** The "move time on" buttons of the sandbox's Snowflake panel, long enough for the slowest draw of each phase. */
function timeSteps(t: Timings): { label: string; advanceMs: number }[] {
  return [
    { label: 'Build finishes', advanceMs: t.buildStartMs[1] + t.buildMs[1] + 1_000 },
    { label: 'Service starts', advanceMs: t.nodeStartMs[1] + t.serviceStartMs[1] + 1_000 },
    { label: 'Endpoint ready', advanceMs: t.endpointMs[1] + 1_000 },
    { label: '+5 min', advanceMs: 5 * 60_000 },
  ];
}

/** Prints how to use the bot once /readyz answers 200 (Redis and the emulator both reachable). */
async function announceWhenReady(base: string, gone: () => boolean, keyPrefix: string, redisUrl: string): Promise<void> {
  if (!(await waitUntilReady(base, gone))) return;
  const mode = process.env.SLACK_APP_TOKEN
    ? 'Socket Mode'
    : `HTTP mode: point the Slack app's Request URLs at ${base}/slack/events (through a tunnel)`;
  console.log(`[demo] bot ready at ${base} (/healthz, /readyz), ${mode}`);
  console.log(`[demo] Redis ${redisUrl}, key prefix ${keyPrefix}; self-approval is on, so you can approve your own /spcs deploy`);
  console.log('[demo] press Ctrl-C to stop the bot and the emulator');
}

/** The one line the sandbox demo prints, once the bot can take requests. */
async function announceSandbox(pageUrl: string, botBase: string, gone: () => boolean): Promise<void> {
  if (await waitUntilReady(botBase, gone))
    console.log(`[demo] open ${pageUrl.replace(/\/$/, '')} (local Slack sandbox, no accounts needed); Ctrl-C stops everything`);
}

/** True once /readyz answers 200 (Redis and the emulator both reachable); false if the bot exits first. */
async function waitUntilReady(base: string, gone: () => boolean): Promise<boolean> {
  while (!gone()) {
    const status = await fetch(`${base}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return false;
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
  const readEnvFile = !values['no-env-file'] && existsSync(envFile);
  if (readEnvFile) process.loadEnvFile(envFile);

  // The sandbox replaces Slack only when no Slack workspace is configured.
  const sandboxMode = (process.env.SLACK_BOT_TOKEN ?? '') === '';
  const say = (line: string): void => {
    if (!sandboxMode) console.log(line);
  };
  if (readEnvFile) say(`[demo] read settings from ${envFile} (variables already set win)`);

  const redis = await resolveDemoRedis({ redisUrl: process.env.REDIS_URL });
  if (!redis) {
    console.error(REDIS_HELP);
    return EXIT_NO_REDIS;
  }
  if (redis.local) {
    cleanups.push(() => redis.local?.stop());
    say(`[demo] started a private redis-server at ${redis.url} (stopped on exit)`);
  }

  const emulator = await startEmulator({
    port: Number(values['emulator-port']),
    timings: DEMO_TIMINGS,
    speed: 1,
    // The demo's PAT test call has no network policy to stand behind; Snowflake's authentication-policy switch lifts the rule.
    patNetworkPolicyEvaluation: 'ENFORCED_NOT_REQUIRED',
  });
  // The seed's IRIS_CLASSIFIER V1 image is already built (IRIS_SVC runs it); forget it, so the first
  // deploy builds an image as a first deploy in a real account does.
  emulator.state.builtImages.clear();
  cleanups.push(() => emulator.close());
  const c = emulator.credentials;
  say(`[demo] SPCS emulator on ${emulator.url} (user ${c.user}, password ${c.password}; state: ${emulator.url}/__emulator/state)`);
  say(
    `[demo] timings: image build ${rangeText(DEMO_TIMINGS.buildMs)}, pool nodes ${rangeText(DEMO_TIMINGS.nodeStartMs)}, service start ${rangeText(DEMO_TIMINGS.serviceStartMs)}, endpoint ${rangeText(DEMO_TIMINGS.endpointMs)}`,
  );

  const givenPrefix = process.env.REDIS_KEY_PREFIX;
  const keyPrefix = givenPrefix === undefined || givenPrefix === '' || givenPrefix === PRODUCTION_KEY_PREFIX ? 'spcs-demo' : givenPrefix;
  // Known up front (a free one for PORT=0), so the demo can tell when the bot is ready.
  const port = sandboxMode ? await freePort() : Number(process.env.PORT ?? '3000') || (await freePort());

  let sandbox: Sandbox | undefined;
  let slackEnv: NodeJS.ProcessEnv = { SPCS_ALLOW_SELF_APPROVAL: 'true' };
  if (sandboxMode) {
    const signingSecret = randomBytes(24).toString('hex');
    const botToken = `xoxb-sandbox-${randomBytes(12).toString('hex')}`;
    sandbox = await startSandbox({
      port: Number(process.env.SANDBOX_PORT ?? DEFAULT_SANDBOX_PORT),
      botEventsUrl: `http://127.0.0.1:${port}/slack/events`,
      signingSecret,
      botToken,
      emulatorUrl: emulator.url,
      timeSteps: timeSteps(DEMO_TIMINGS),
    });
    const started = sandbox;
    cleanups.push(() => started.close());
    slackEnv = {
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: sandbox.slackApiUrl,
      SLACK_APP_TOKEN: '',
      // Real approval rules: Sam (or Priya) approves what Dana asks for; Priya and Sam manage services.
      SPCS_APPROVERS: `${APPROVER.id},${OPS_ENGINEER.id}`,
      SPCS_MANAGERS: `${OPS_ENGINEER.id},${APPROVER.id}`,
      SPCS_ALLOW_SELF_APPROVAL: 'false',
      SPCS_REQUIRED_APPROVALS: '1',
      SPCS_DEPLOYERS: '',
      SPCS_POLL_INTERVAL_MS: process.env.SPCS_POLL_INTERVAL_MS ?? '1000',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    };
  }
  const bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...withoutSnowflakeSettings(process.env),
      ROLE: 'all',
      PORT: String(port),
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: keyPrefix,
      // /spcs access's test call goes to the emulator's ingress, over plain http on loopback.
      SPCS_INGRESS_URL_OVERRIDE: `${emulator.url}/ingress/{host}`,
      ...slackEnv,
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

  const botGone = (): boolean => bot.exitCode !== null || bot.signalCode !== null;
  if (sandbox) void announceSandbox(sandbox.url, `http://127.0.0.1:${port}`, botGone);
  else void announceWhenReady(`http://127.0.0.1:${port}`, botGone, keyPrefix, redis.url);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    say('[demo] stopping the bot, then the emulator');
    if (!botGone()) bot.kill('SIGINT');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    bot.once('exit', (c, s) => resolve([c, s])),
  );
  await runCleanups();
  if (stopping) {
    console.log('[demo] stopped');
    return code ?? 0;
  }
  console.error(`[demo] the bot exited on its own (${signal ?? `code ${code}`}); stopped everything else`);
  return code ?? 1;
}

/** What the demo started besides the bot, stopped in reverse order on every way out. */
const cleanups: (() => Promise<void> | undefined)[] = [];

async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()?.catch(() => undefined);
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error(`[demo] ${err instanceof Error ? err.message : String(err)}`);
    await runCleanups();
    process.exit(1);
  },
);
