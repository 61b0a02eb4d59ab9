/**
 * Many bot processes on one Redis: each is test/deploy-execution/bot-process.ts run through tsx
 * (`node --import tsx`, as `npm test` builds no dist/), with ROLE=web or ROLE=worker, against one
 * Slack double, one SPCS emulator (in this test process) and one Redis key prefix.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { FAST_TIMINGS, startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import type { DeployRequest } from '../../src/domain/deploy-request.js';
import { createDeploymentRequester } from '../../src/flows/approval/index.js';
import { createExecuteQueue, type ExecuteQueue } from '../../src/jobs/execute-queue.js';
import { createExpiryQueue, createExpiryScheduler } from '../../src/jobs/expiry-queue.js';
import { createNotifier, createNotifyQueues, type NotifyQueues } from '../../src/jobs/notifier.js';
import { createLogger } from '../../src/logger.js';
import { connectRedis } from '../../src/redis.js';
import { AuditLog } from '../../src/store/audit-log.js';
import { irisRequest } from '../support/deploy-requests.js';
import { DeploymentStore } from '../../src/store/deployment-store.js';
import type { Deployment } from '../../src/domain/deployment.js';
import { blocksText, startFakeSlack, type FakeSlack, type FakeSlackOptions } from '../support/fake-slack.js';
import { isRecord } from '../support/fake-slack-types.js';
import { createSlackRequestClient, type InputValue, type SlackRequestClient } from '../support/slack-request.js';
import { deleteKeys, TEST_REDIS_URL, TEST_SIGNING_SECRET } from '../support/test-bot.js';
import { APPROVER, CHANNEL, eventually, REQUESTER, text } from '../deploy-approval/helpers.js';
import { processEnv } from '../deploy-execution/process-env.js';

export { APPROVER, CHANNEL, eventually, REQUESTER, text };

export type Role = 'web' | 'worker' | 'all';

export interface BotProcess {
  readonly name: string;
  readonly role: Role;
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  /** Every JSON log line the process wrote to stdout. */
  readonly logs: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether it logged a step of this deployment (e.g. 'submitting': it runs the deploy job). */
  logged(deploymentId: string, step: string): boolean;
  /** Sends the signal and resolves once the process is gone, with how long that took. */
  kill(signal: NodeJS.Signals): Promise<{ ms: number; code: number | null; signal: NodeJS.Signals | null }>;
  readyz(): Promise<number>;
}

export interface FleetOptions {
  readonly redisUrl?: string;
  readonly emulator?: EmulatorOptions;
  /** Environment for every process (e.g. SHUTDOWN_TIMEOUT_MS). */
  readonly env?: Record<string, string>;
  /** Options of the Slack double (e.g. clockTimestamps, for searches by time). */
  readonly fake?: FakeSlackOptions;
}

export interface Fleet {
  readonly fake: FakeSlack;
  readonly emulator: Emulator;
  readonly keyPrefix: string;
  readonly store: DeploymentStore;
  readonly audit: AuditLog;
  readonly processes: BotProcess[];
  readonly deployQueue: ExecuteQueue;
  readonly notifyQueues: NotifyQueues;
  /** Starts a deployment as the wizard hands it over (the approval gate's requester); resolves once its summary is posted (within `waitMs`, default 15 s). */
  request(serviceName: string, change?: Partial<DeployRequest>, waitMs?: number): Promise<{ id: string; ts: string }>;
  /** Whether no notification is waiting, delayed or being sent. */
  notificationsIdle(): Promise<boolean>;
  start(role: Role, env?: Record<string, string>): Promise<BotProcess>;
  /** Signed Slack requests to one web process, as `user` (default: the requester). */
  slack(web: BotProcess, user?: string): SlackRequestClient;
  close(): Promise<void>;
}

export const POLL_INTERVAL_MS = 300;

export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const redisUrl = options.redisUrl ?? TEST_REDIS_URL;
  const keyPrefix = `test-${randomUUID().slice(0, 8)}`;
  const fake = await startFakeSlack(options.fake);
  fake.seedUsers([REQUESTER, APPROVER].map((id) => ({ id, name: id.toLowerCase() })));
  const emulator = await startEmulator({ timings: FAST_TIMINGS, speed: 4, ...options.emulator });
  // Through src/redis.ts, so a redis+sentinel:// URL works here as in the bot.
  const redis = connectRedis(redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined); // a test may take its private Redis down on purpose
  const processes: BotProcess[] = [];
  let count = 0;
  const queues = { connection: redis, keyPrefix };
  const store = new DeploymentStore(redis, keyPrefix);
  const audit = new AuditLog(redis, keyPrefix);
  const notifyQueues = createNotifyQueues(queues);
  const deployQueue = createExecuteQueue(queues);
  const expiryQueue = createExpiryQueue(queues);
  // A test may take its private Redis down on purpose; the queues' reconnects are not failures.
  for (const q of [notifyQueues.summaries, notifyQueues.replies, deployQueue, expiryQueue]) q.on('error', () => undefined);
  // ttlMs 0: the job runs at once and the bot's expiry worker moves it to the bot's own TTL.
  const expiry = createExpiryScheduler(expiryQueue, { ttlMs: 0, now: Date.now });
  const requester = createDeploymentRequester({
    store,
    audit,
    notifier: createNotifier(notifyQueues),
    expiry,
    logger: createLogger('silent'),
    now: Date.now,
  });

  const start = async (role: Role, env: Record<string, string> = {}): Promise<BotProcess> => {
    const name = `${role}-${++count}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/deploy-execution/bot-process.ts'], {
      env: processEnv(fake, keyPrefix, {
        ROLE: role,
        REDIS_URL: redisUrl,
        LOG_LEVEL: 'info',
        SPCS_APPROVERS: APPROVER,
        SPCS_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
        SNOWFLAKE_ACCOUNT: emulator.credentials.account,
        SNOWFLAKE_USER: emulator.credentials.user,
        SNOWFLAKE_PASSWORD: emulator.credentials.password,
        SNOWFLAKE_ACCESS_URL: emulator.url,
        // The query history (INFORMATION_SCHEMA.QUERY_HISTORY_BY_USER) is read on a warehouse.
        SNOWFLAKE_WAREHOUSE: 'COMPUTE_WH',
        ...options.env,
        ...env,
      }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit').then(() => ({ code: child.exitCode, signal: child.signalCode }));
    const logs: Record<string, unknown>[] = [];
    let partial = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s: ${stderr}`)), 60_000);
      child.stdout.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line.trim() === '') continue;
          const entry = parseLine(line);
          logs.push(entry);
          if (entry['msg'] === 'spcs-chatops started' && typeof entry['port'] === 'number') {
            clearTimeout(timer);
            resolve(entry['port']);
          }
        }
      });
      void exited.then(() => reject(new Error(`${name} exited before starting: ${stderr}`)));
    });
    const bot: BotProcess = {
      name,
      role,
      child,
      port,
      logs,
      exited,
      logged: (deploymentId, step) => logs.some((l) => l['deploymentId'] === deploymentId && l['step'] === step),
      async kill(signal) {
        const started = performance.now();
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        const how = await exited;
        return { ms: performance.now() - started, ...how };
      },
      async readyz() {
        return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status ?? 0;
      },
    };
    processes.push(bot);
    return bot;
  };

  return {
    fake,
    emulator,
    keyPrefix,
    store,
    audit,
    processes,
    deployQueue,
    notifyQueues,
    async request(serviceName, change = {}, waitMs = 15_000) {
      const { deploymentId } = await requester.request({
        request: { ...irisRequest(serviceName), ...change },
        requestedBy: REQUESTER,
        teamId: fake.identity.teamId,
        channelId: CHANNEL,
      });
      const ts = await eventually(async () => (await store.get(deploymentId))?.messageTs, waitMs, `summary of ${serviceName}`);
      return { id: deploymentId, ts };
    },
    async notificationsIdle() {
      const counts = await Promise.all(
        [notifyQueues.summaries, notifyQueues.replies].map((q) => q.getJobCounts('active', 'waiting', 'delayed', 'prioritized')),
      );
      return counts.every((c) => Object.values(c).every((n) => n === 0));
    },
    start,
    slack: (web, user = REQUESTER) =>
      createSlackRequestClient({
        url: `http://127.0.0.1:${web.port}/slack/events`,
        signingSecret: TEST_SIGNING_SECRET,
        fake,
        user: { id: user },
      }),
    async close() {
      await Promise.all(processes.map((p) => p.kill('SIGKILL')));
      await Promise.all([notifyQueues.summaries, notifyQueues.replies, deployQueue, expiryQueue].map((q) => q.close()));
      redis.disconnect();
      await fake.close();
      await emulator.close();
      await deleteKeys(redisUrl, keyPrefix);
    },
  };
}

function parseLine(line: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(line);
    return isRecord(parsed) ? parsed : { msg: line };
  } catch {
    return { msg: line };
  }
}

/**
 * /spcs deploy through every wizard step as signed Slack requests, each step to the next of
 * `webs` in turn (the draft lives in Redis, not in a process), then waits for the summary in the
 * channel. Returns the summary's ts.
 */
export async function requestThroughWizard(
  fleet: Fleet,
  webs: readonly BotProcess[],
  serviceName: string,
  pool = 'CPU_XS_POOL',
): Promise<string> {
  let turn = 0;
  const next = () => fleet.slack(webs[turn++ % webs.length] ?? fail('no web process'));
  const opens = fleet.fake.calls('views.open').length;
  const command = await next().slashCommand({ command: '/spcs', text: 'deploy ML_DB.REGISTRY.IRIS_CLASSIFIER V1' });
  if (command.status !== 200) throw new Error(`/spcs deploy answered ${command.status}`);
  const calls = await fleet.fake.waitForCalls('views.open', opens + 1, undefined, 10_000);
  const opened = calls[opens]?.response['view'];
  const viewId = isRecord(opened) && typeof opened['id'] === 'string' ? opened['id'] : fail('views.open returned no view id');
  const steps: Array<[string, Record<string, InputValue>]> = [
    ['model', {}],
    ['location', { 'deploy.service_database': 'ML_DB', 'deploy.service_schema': 'SERVING', 'deploy.service_name': serviceName }],
    ['pool', { 'deploy.pool': pool }],
    ['instances', { 'deploy.max_instances': '1' }],
    ['workers', { 'deploy.workers_mode': 'auto' }],
    ['review', {}],
  ];
  for (const [step, inputs] of steps) {
    await eventually(
      () => {
        const view = fleet.fake.view(viewId);
        const loading = view !== undefined && blocksText(view.blocks as unknown[]).includes(':hourglass_flowing_sand:');
        return view?.open === true && view.callback_id === `deploy.wizard.${step}` && !loading;
      },
      10_000,
      `wizard step ${step} of ${serviceName}`,
    );
    const res = await next().viewSubmission({ viewId, inputs });
    if (res.status !== 200 || res.viewOutcome?.ok !== true) throw new Error(`${step}: ${res.status} ${JSON.stringify(res.viewOutcome)}`);
  }
  const summary = await eventually(
    () => fleet.fake.messages(CHANNEL).find((m) => m.thread_ts === undefined && text(m).includes(serviceName)),
    10_000,
    `summary of ${serviceName}`,
  );
  return summary.ts;
}

/** Approve, clicked by the approver on the summary, through `web`. */
export async function approve(fleet: Fleet, web: BotProcess, ts: string): Promise<void> {
  const res = await fleet.slack(web, APPROVER).clickButton({ channel: CHANNEL, ts }, 'approval.approve');
  if (res.status !== 200) throw new Error(`Approve answered ${res.status}`);
}

export async function deploymentAt(fleet: Fleet, ts: string): Promise<Deployment> {
  return eventually(
    async () => (await fleet.store.forService({ database: 'ML_DB', schema: 'SERVING', name: serviceOf(fleet, ts) })).at(0),
    10_000,
    `deployment of the summary ${ts}`,
  );
}

function serviceOf(fleet: Fleet, ts: string): string {
  const summary = fleet.fake.messages(CHANNEL).find((m) => m.ts === ts);
  const name = /ML_DB\.SERVING\.([A-Z0-9_]+)/.exec(text(summary))?.[1];
  return name ?? fail(`no service named in the summary ${ts}`);
}

/** CALL SYSTEM$DEPLOY_MODEL statements the emulator received for one deployment (by its QUERY_TAG). */
export function deployCallsFor(fleet: Fleet, deploymentId: string): number {
  return fleet.emulator.sqlLog.filter(
    (e) => e.kind === 'deployModel' && e.parameters['QUERY_TAG'] === `spcs-chatops:deploy:${deploymentId}`,
  ).length;
}

export async function phaseOf(fleet: Fleet, id: string): Promise<string | undefined> {
  return (await fleet.store.get(id))?.execution?.phase;
}

/** The thread's reply saying the service runs, with its SQL usage. */
export function runningReplies(fleet: Fleet, ts: string): string[] {
  return fleet.fake
    .replies(CHANNEL, ts)
    .map(text)
    .filter((m) => m.includes('is *running*') && m.includes('!PREDICT('));
}

/** chat.postMessage calls that carried the same message twice (same channel, thread and text). */
export function doubledPosts(fleet: Fleet): string[] {
  const seen = new Map<string, number>();
  for (const call of fleet.fake.calls('chat.postMessage')) {
    if (!call.ok) continue;
    const key = JSON.stringify([call.args['channel'], call.args['thread_ts'], call.args['text'], call.args['blocks']]);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([key]) => key.slice(0, 300));
}

function fail(message: string): never {
  throw new Error(message);
}
