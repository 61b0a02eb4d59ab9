import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { FAST_TIMINGS, startEmulator, type Emulator } from '../../emulator/index.js';
import type { DeployRequest } from '../../src/domain/deploy-request.js';
import { createExecuteQueue, type ExecuteQueue } from '../../src/jobs/execute-queue.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { createSlackRequestClient } from '../support/slack-request.js';
import { deleteKeys, TEST_REDIS_URL, TEST_SIGNING_SECRET } from '../support/test-bot.js';
import { APPROVER, CHANNEL, connectDeployments, deployCalls, eventually, text, type DeploymentClient } from '../deploy-approval/helpers.js';
import { processEnv } from './process-env.js';

/**
 * The bot runs as child processes (test/deploy-execution/bot-process.ts, ROLE=all, deploy-job lock
 * 1 s) so that one can be SIGKILLed mid-deployment and another started on the same Redis prefix.
 */

interface BotProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  readonly exited: Promise<unknown>;
}

interface Scenario {
  readonly emulator: Emulator;
  readonly deployments: DeploymentClient;
  readonly deployQueue: ExecuteQueue;
  readonly first: BotProcess;
  readonly id: string;
  readonly ts: string;
  approve(): Promise<void>;
  startAnotherBot(): Promise<BotProcess>;
  runningReply(): Promise<string>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startBotProcess(fake: FakeSlack, emulator: Emulator, keyPrefix: string): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/deploy-execution/bot-process.ts'], {
    env: processEnv(fake, keyPrefix, {
      LOG_LEVEL: 'info',
      SPCS_APPROVERS: APPROVER,
      SPCS_POLL_INTERVAL_MS: '150',
      SNOWFLAKE_ACCOUNT: emulator.credentials.account,
      SNOWFLAKE_USER: emulator.credentials.user,
      SNOWFLAKE_PASSWORD: emulator.credentials.password,
      SNOWFLAKE_ACCESS_URL: emulator.url,
      // The query history (INFORMATION_SCHEMA.QUERY_HISTORY_BY_USER) is read on a warehouse.
      SNOWFLAKE_WAREHOUSE: 'COMPUTE_WH',
    }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  cleanups.push(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  const exited = once(child, 'exit');
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bot process did not start within 15 s: ${stderr}`)), 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const port = /"port":(\d+).*"msg":"spcs-chatops started"/.exec(chunk.toString())?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      resolve(Number(port));
    });
    void exited.then(() => reject(new Error(`bot process exited before starting: ${stderr}`)));
  });
  return { child, port, exited };
}

/** Fake Slack, emulator, a first bot process, and a deployment requested (summary posted) on it. */
async function startScenario(serviceName: string, change: Partial<DeployRequest> = {}): Promise<Scenario> {
  const keyPrefix = `test-${randomUUID().slice(0, 8)}`;
  const fake = await startFakeSlack();
  const emulator = await startEmulator({ timings: FAST_TIMINGS, speed: 4 });
  const deployments = connectDeployments(keyPrefix, fake);
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const deployQueue = createExecuteQueue({ connection: redis, keyPrefix });
  cleanups.push(async () => {
    await deployQueue.close();
    redis.disconnect();
    await deployments.close();
    await fake.close();
    await emulator.close();
    await deleteKeys(TEST_REDIS_URL, keyPrefix);
  });
  const first = await startBotProcess(fake, emulator, keyPrefix);
  const { id, ts } = await deployments.request(serviceName, change);
  return {
    emulator,
    deployments,
    deployQueue,
    first,
    id,
    ts,
    async approve() {
      const slack = createSlackRequestClient({
        url: `http://127.0.0.1:${first.port}/slack/events`,
        signingSecret: TEST_SIGNING_SECRET,
        fake,
      });
      expect((await slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } })).status).toBe(200);
    },
    startAnotherBot: () => startBotProcess(fake, emulator, keyPrefix),
    runningReply: () =>
      eventually(
        () =>
          fake
            .replies(CHANNEL, ts)
            .map(text)
            .find((m) => m.includes('is *running*') && m.includes('!PREDICT(')),
        10_000,
        'usage reply',
      ),
  };
}

async function killFirstBot(s: Scenario): Promise<void> {
  s.first.child.kill('SIGKILL');
  await s.first.exited;
}

const phaseOf = async (s: Scenario) => (await s.deployments.store.get(s.id))?.execution;

describe('a worker killed mid-deployment', () => {
  it('when the worker is killed after CALL SYSTEM$DEPLOY_MODEL, then a new worker takes it to running without deploying again', async () => {
    const s = await startScenario('IRIS_KILLED');
    await s.approve();
    // Killed the moment Snowflake's query id is stored: the CALL went out, nothing after it is sure to have run.
    await eventually(async () => (await phaseOf(s))?.queryId !== undefined || undefined, 15_000, 'query id stored');
    await killFirstBot(s);
    expect(deployCalls(s)).toBe(1);
    // Usually the job had just completed (the tracker resumes); if not, its lock lapses and BullMQ re-delivers it.
    const stateAtKill = await s.deployQueue.getJobState(s.id);
    expect(['active', 'completed']).toContain(stateAtKill);

    await s.startAnotherBot();
    await eventually(async () => (await phaseOf(s))?.phase === 'running' || undefined, 25_000, 'running after restart');
    await eventually(async () => (await phaseOf(s))?.ingressUrl, 10_000, 'endpoint URL stored');
    expect(await s.runningReply()).toContain('/spcs access ML_DB.SERVING.IRIS_KILLED');
    await eventually(async () => (await s.deployQueue.getJobState(s.id)) === 'completed' || undefined, 10_000, 'job completed');
    expect(['submitted', 'resumed']).toContain((await s.deployQueue.getJob(s.id))?.returnvalue);
    expect(deployCalls(s)).toBe(1);
    const events = (await s.deployments.audit.read(s.id)).map((e) => e.event);
    expect(events.filter((e) => e === 'deploy_submitted')).toHaveLength(1);
    expect(events.filter((e) => e === 'execution_started')).toHaveLength(1);
  }, 60_000);

  it('when the worker is killed after Snowflake took the CALL but before the query id reached it, then a new worker finds the query by its tag and takes it to running, with one CALL', async () => {
    const s = await startScenario('IRIS_UNANSWERED');
    // Snowflake runs the CALL at once; the answer with its query id is held back for 20 s.
    s.emulator.faults.lateAsyncAnswer(1, 20_000);
    await s.approve();
    await eventually(() => deployCalls(s) === 1 || undefined, 15_000, 'CALL received by Snowflake');
    expect((await phaseOf(s))?.phase).toBe('submitting');
    expect((await phaseOf(s))?.queryId).toBeUndefined();
    await killFirstBot(s);

    await s.startAnotherBot();
    await eventually(async () => (await phaseOf(s))?.phase === 'running' || undefined, 25_000, 'running after restart');
    const call = s.emulator.sqlLog.find((e) => e.kind === 'deployModel');
    expect(call?.parameters['QUERY_TAG']).toBe(`spcs-chatops:deploy:${s.id}`);
    expect((await phaseOf(s))?.queryId).toBe(call?.queryId);
    expect(await s.runningReply()).toContain('ML_DB.SERVING.IRIS_UNANSWERED');
    await eventually(async () => (await s.deployQueue.getJobState(s.id)) === 'completed' || undefined, 10_000, 'job completed');
    expect((await s.deployQueue.getJob(s.id))?.returnvalue).toBe('resumed');
    expect(deployCalls(s)).toBe(1);
    const submitted = (await s.deployments.audit.read(s.id)).filter((e) => e.event === 'deploy_submitted');
    expect(submitted.map((e) => e.detail)).toEqual([`${call?.queryId ?? '?'} (found again in the query history)`]);
  }, 60_000);

  it('when the worker is killed while its deploy job runs, then BullMQ hands the job to a new worker, which deploys exactly once', async () => {
    const pool = {
      kind: 'create',
      name: 'RESTART_POOL',
      instanceFamily: 'CPU_X64_XS',
      gpu: null,
      minNodes: 1,
      maxNodes: 1,
      autoResume: true,
    } as const;
    const s = await startScenario('IRIS_HANDED_OVER', { pool });
    // CREATE COMPUTE POOL (the job's first statement) answers after 3 s: the job is surely running then.
    s.emulator.faults.slowQuery(1, 3_000);
    await s.approve();
    await eventually(async () => (await phaseOf(s))?.phase === 'creating_pool' || undefined, 15_000, 'creating the pool');
    await killFirstBot(s);
    expect(await s.deployQueue.getJobState(s.id)).toBe('active'); // and its lock is no longer renewed
    expect(deployCalls(s)).toBe(0);

    await s.startAnotherBot();
    await eventually(async () => (await phaseOf(s))?.phase === 'running' || undefined, 25_000, 'running after hand-over');
    await eventually(async () => (await s.deployQueue.getJobState(s.id)) === 'completed' || undefined, 10_000, 'job completed');
    expect((await s.deployQueue.getJob(s.id))?.returnvalue).toBe('submitted');
    expect(deployCalls(s)).toBe(1);
    await s.runningReply();
  }, 60_000);
});
