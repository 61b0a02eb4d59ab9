/**
 * Measure 2: status tracking at scale. The emulator (in this process, for its SQL log and state)
 * holds N deployments in flight across S schemas on a fast clock; the tracker runs in a child
 * process (tracker-process.ts) and the parent asks it for one round every `roundMs`. Per round:
 * statements sent, duration, worker CPU; then Redis bytes per tracked deployment, and the lags
 * from a service turning RUNNING, and from its REST endpoint turning ready, in the emulator to the
 * chat.update that shows it.
 */
import type { ChildProcess } from 'node:child_process';
import { startEmulator, FAST_TIMINGS, type Emulator } from '../emulator/index.js';
import { key2 } from '../emulator/spcs/state.js';
import { startFakeSlack, blocksText, type FakeSlack } from '../test/support/fake-slack.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { toDeploymentPlan } from '../src/snowflake/index.js';
import { createNotifier, createNotifyQueues } from '../src/jobs/notifier.js';
import { deployModel } from '../src/snowflake/deploy-queries.js';
import { createSnowflakeClient } from '../src/snowflake/client.js';
import type { Deployment } from '../src/domain/deployment.js';
import { connectDeployments, deleteKeys, irisRequest } from './deployments.js';
import { CHANNEL, REQUESTER, botEnv, newKeyPrefix } from './environment.js';
import { runAtConcurrency } from './load-generator.js';
import { compiled, profileArgs, spawnNode } from './processes.js';
import { measure, type Measure } from './report.js';
import { summarize } from './stats.js';
import type { RoundMessage } from './tracker-process.js';

export interface StatusOptions {
  readonly deployments: number;
  readonly schemas: number;
  readonly roundMs: number;
  readonly emulatorSpeed: number;
  readonly timeoutMs: number;
}

export async function measureStatusTracking(options: StatusOptions, cpuProfDir: string | null = null): Promise<Measure[]> {
  // Frozen while the deployments are submitted, so none has moved on before the tracker watches.
  const emulator = await startEmulator({ timings: FAST_TIMINGS, speed: 0, seedRunningService: false });
  const fake = await startFakeSlack();
  const keyPrefix = newKeyPrefix();
  const env = botEnv(fake, emulator.url, keyPrefix, { LOG_LEVEL: 'error' });
  const starter = connectDeployments(keyPrefix);
  const schemas = Array.from({ length: options.schemas }, (_, i) => `BENCH_S${String(i).padStart(2, '0')}`);
  prepareEmulator(emulator, schemas);
  const parsed = loadConfig(env);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const snowflake = createSnowflakeClient(parsed.config.snowflake, { logger: createLogger('error') });
  const notifyQueues = createNotifyQueues({ connection: starter.redis, keyPrefix });
  const notifier = createNotifier(notifyQueues);
  let tracker: ChildProcess | undefined;
  try {
    // The deploys, as the deploy job sends them, then the records the tracker follows.
    const ids: string[] = [];
    const failedSubmits = await runAtConcurrency(options.deployments, 8, async (i) => {
      const schema = schemas[i % schemas.length] ?? 'SERVING';
      const request = irisRequest(`BENCH_T${i}`, schema);
      const started = await deployModel(snowflake, toDeploymentPlan(request), { delivery: { kind: 'inline' } });
      const id = `d${String(i).padStart(8, '0')}${keyPrefix.slice(6)}`;
      const d: Deployment = {
        id,
        request,
        planHash: 'a'.repeat(64),
        requestedBy: REQUESTER,
        teamId: fake.identity.teamId,
        channelId: CHANNEL,
        requestedAtMs: Date.now(),
        state: 'approved',
        approvals: [{ userId: 'U0APPROVE1', atMs: Date.now() }],
        execution: {
          phase: 'submitting',
          phaseSinceMs: Date.now(),
          queryId: started.queryId,
          buildJobName: started.buildJob.name.name,
          milestones: [],
        },
      };
      await starter.store.create(d);
      await starter.store.track(id);
      await notifier.summary(id);
      ids.push(id);
    });
    const bytesPerDeployment = Math.round((await prefixBytes(starter.redis, keyPrefix)) / Math.max(1, ids.length));

    const spawned = await spawnNode(
      compiled('bench/tracker-process.ts'),
      [],
      env,
      (l) => l.includes('benchReady'),
      60_000,
      profileArgs(cpuProfDir, 'tracker'),
      true,
    );
    tracker = spawned.child.process;
    emulator.clock.setSpeed(options.emulatorSpeed);
    const rounds: Array<RoundMessage & { statements: number; changed: number }> = [];
    let previous = new Map<string, string>(); // the tracker has seen nothing yet: its first round looks at everything
    const deadline = Date.now() + options.timeoutMs;
    for (let round = 0; Date.now() < deadline; round++) {
      const started = Date.now();
      const before = emulator.sqlLog.length;
      const current = snapshot(emulator, schemas);
      const changed = [...current].filter(([k, v]) => previous.get(k) !== v).length;
      previous = current;
      const answer = await askRound(tracker, round);
      rounds.push({ ...answer, statements: emulator.sqlLog.length - before, changed });
      if (answer.report !== null && answer.report.deployments === 0) break;
      await new Promise((r) => setTimeout(r, Math.max(0, options.roundMs - (Date.now() - started))));
    }
    // Let the last notifications go out (bounded): a Running never shown counts as not delivered.
    const finishedIds = async () =>
      (await Promise.all(ids.map((id) => starter.store.get(id)))).filter((d) => d?.execution?.phase === 'running').length;
    const drainUntil = Date.now() + Math.max(10_000, options.timeoutMs / 6);
    let lags = await stateLags(emulator, fake, starter, ids);
    while ((lags.running.length < (await finishedIds()) || lags.endpoint.length < lags.running.length) && Date.now() < drainUntil) {
      await new Promise((r) => setTimeout(r, 1000));
      lags = await stateLags(emulator, fake, starter, ids);
    }
    const lagSummary = summarize(lags.running);
    const endpointLag = summarize(lags.endpoint);
    const busy = rounds.filter((r) => (r.report?.deployments ?? 0) > 0);
    const overBudget = busy.filter((r) => r.statements > (r.report?.schemas ?? 0) + r.changed);
    const maxStatements = Math.max(0, ...busy.map((r) => r.statements));
    const duration = summarize(busy.map((r) => r.ms));
    const cpu = summarize(busy.map((r) => r.cpuMs));
    const finished = await finishedIds();
    const note = `${ids.length} deployments (${failedSubmits} submits failed) across ${schemas.length} schemas, ${busy.length} busy rounds every ${options.roundMs} ms, emulator speed ${options.emulatorSpeed}; ${finished} reached running`;
    return [
      measure(
        '2 status',
        'rounds over statement budget (schemas + changed)',
        overBudget.length,
        `of ${busy.length}`,
        '0',
        overBudget.length === 0,
        note,
      ),
      measure(
        '2 status',
        'statements per round, max',
        maxStatements,
        'count',
        '',
        null,
        `per round: ${busy
          .map((r) => `${r.statements}/${(r.report?.schemas ?? 0) + r.changed}`)
          .slice(0, 30)
          .join(' ')}`,
      ),
      measure('2 status', 'round duration p50', duration.p50, 'ms'),
      measure('2 status', 'round duration max', duration.max, 'ms'),
      measure('2 status', 'worker CPU per round p50', cpu.p50, 'ms'),
      measure('2 status', 'worker CPU per round max', cpu.max, 'ms'),
      measure('2 status', 'Redis per tracked deployment', bytesPerDeployment, 'bytes', '≤ 4096', bytesPerDeployment <= 4096),
      measure('2 status', 'lag RUNNING → chat.update p50', lagSummary.p50, 'ms'),
      measure(
        '2 status',
        'lag RUNNING → chat.update p99',
        lagSummary.p99,
        'ms',
        `≤ ${options.roundMs + 2000}`,
        lagSummary.p99 <= options.roundMs + 2000,
        `n=${lagSummary.count}; from the service turning RUNNING in the emulator to the first chat.update of its summary saying Running`,
      ),
      measure('2 status', 'lag endpoint ready → chat.update p50', endpointLag.p50, 'ms'),
      measure(
        '2 status',
        'lag endpoint ready → chat.update p99',
        endpointLag.p99,
        'ms',
        `≤ ${options.roundMs + 2000}`,
        endpointLag.p99 <= options.roundMs + 2000,
        `n=${endpointLag.count}; from the REST endpoint turning ready to the first chat.update showing its URL (closer looks at a provisioning endpoint back off: 1, 2, then every 4 rounds, ≤ 5 s)`,
      ),
      measure('2 status', 'Running shown in Slack', lagSummary.count, `of ${finished}`, 'all', lagSummary.count === finished),
      measure('2 status', 'endpoint URL shown in Slack', endpointLag.count, `of ${finished}`, 'all', endpointLag.count === finished),
      measure('2 status', 'deployments reaching running', finished, `of ${ids.length}`, 'all', finished === ids.length),
    ];
  } finally {
    tracker?.kill('SIGTERM');
    await Promise.all([notifyQueues.summaries.close(), notifyQueues.replies.close()]);
    await snowflake.close();
    await deleteKeys(starter.redis, keyPrefix).catch(() => undefined);
    await starter.close();
    await fake.close();
    await emulator.close();
  }
}

function prepareEmulator(emulator: Emulator, schemas: readonly string[]): void {
  const now = emulator.clock.now();
  for (const schema of schemas) {
    emulator.state.schemas.set(key2('ML_DB', schema), {
      database: 'ML_DB',
      name: schema,
      createdOn: now,
      owner: 'SYSADMIN',
      comment: null,
    });
    for (const privilege of ['USAGE', 'CREATE SERVICE']) {
      emulator.state.grants.push({
        role: 'SPCS_OPERATOR',
        privilege,
        on: 'SCHEMA',
        key: key2('ML_DB', schema),
        name: `ML_DB.${schema}`,
        grantOption: false,
        grantedBy: 'SYSADMIN',
        createdOn: now,
      });
    }
  }
  const pool = emulator.state.pools.get('CPU_M_POOL');
  if (pool !== undefined) pool.maxNodes = 5000;
}

/** Service (and build job) statuses plus endpoint readiness: what a round could see change. */
function snapshot(emulator: Emulator, schemas: readonly string[]): Map<string, string> {
  emulator.sync();
  const now = emulator.clock.now();
  const wanted = new Set(schemas);
  const out = new Map<string, string>();
  for (const s of emulator.state.services.values()) {
    if (!wanted.has(s.schema)) continue;
    const ready = s.endpoints.some((e) => e.readyAt !== null && e.readyAt <= now);
    out.set(`${s.schema}.${s.name}`, `${s.status}${ready ? '+ep' : ''}${s.dropped ? '-' : ''}`);
  }
  return out;
}

function askRound(tracker: ChildProcess, round: number): Promise<RoundMessage> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      const m = message as RoundMessage;
      if (m.round !== round) return;
      tracker.off('message', onMessage);
      resolve(m);
    };
    tracker.on('message', onMessage);
    tracker.send({ round });
  });
}

interface Lags {
  /** The service turning RUNNING → the first chat.update of its summary saying Running. */
  readonly running: number[];
  /** Its REST endpoint turning ready → the first chat.update showing the endpoint's URL. */
  readonly endpoint: number[];
}

/** Real-time lags from state changes in the emulator to the chat.update that shows them. */
async function stateLags(
  emulator: Emulator,
  fake: FakeSlack,
  starter: ReturnType<typeof connectDeployments>,
  ids: readonly string[],
): Promise<Lags> {
  const virtualNow = emulator.clock.now();
  const realNow = Date.now();
  const speed = emulator.clock.speed;
  const toReal = (virtual: number) => realNow - (virtualNow - virtual) / speed;
  const updates = fake.calls('chat.update');
  const lags: Lags = { running: [], endpoint: [] };
  const firstShowing = (ts: string, text: string) =>
    updates.find((c) => c.args['ts'] === ts && blocksText(parseBlocks(c.args['blocks'])).includes(text));
  for (const id of ids) {
    const d = await starter.store.get(id);
    if (d?.messageTs === undefined || d.execution?.phase !== 'running') continue;
    const s = emulator.service(`ML_DB.${d.request.service.schema}.${d.request.service.name}`);
    const firstRunning = s?.firstRunningAt ?? null;
    if (firstRunning === null) continue;
    const running = firstShowing(d.messageTs, 'Running');
    if (running !== undefined) lags.running.push(Math.max(0, running.at - toReal(firstRunning)));
    const readyAt = s?.endpoints.map((e) => e.readyAt ?? Infinity).reduce((a, b) => Math.min(a, b), Infinity) ?? Infinity;
    const url = d.execution.ingressUrl;
    const shownUrl = url === undefined ? undefined : firstShowing(d.messageTs, url);
    if (shownUrl !== undefined && Number.isFinite(readyAt))
      lags.endpoint.push(Math.max(0, shownUrl.at - toReal(Math.max(firstRunning, readyAt))));
  }
  return lags;
}

function parseBlocks(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return [];
  const parsed: unknown = JSON.parse(value);
  return Array.isArray(parsed) ? parsed : [];
}

async function prefixBytes(redis: ReturnType<typeof connectDeployments>['redis'], prefix: string): Promise<number> {
  let total = 0;
  for (const pattern of [`${prefix}:deployment:*`, `${prefix}:deployments:active`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) total += Number((await redis.memory('USAGE', key)) ?? 0);
    } while (cursor !== '0');
  }
  return total;
}
