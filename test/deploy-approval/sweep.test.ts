/**
 * Issue 13 crash safety: an approval written to Redis whose job was never added (the process that
 * took the click died between the two) is found by the one sweep, a BullMQ job scheduler on the
 * execute queue, for every gate kind (deployment, service change, access change), and runs once.
 * A request still waiting for approval is left alone, and a job left in a queue of an older version
 * (`deploy`, which no worker reads any more) does not run it a second time.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { GATE_KINDS } from '../../src/domain/approval-policy.js';
import { planOf } from '../../src/domain/access-change-plan.js';
import { operationHash, type OperationChange } from '../../src/domain/operation.js';
import { queuePrefix } from '../../src/jobs/queues.js';
import { planChangeStatements } from '../../src/snowflake/index.js';
import { AccessChangeStore } from '../../src/store/access-change-store.js';
import { OperationStore } from '../../src/store/operation-store.js';
import { TEST_REDIS_URL } from '../support/test-bot.js';
import { APPROVER, CHANNEL, deployCalls, eventually, startDeployHarness, type DeployHarness } from './helpers.js';

let h: DeployHarness | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await h?.stop();
  h = undefined;
});

const SERVICE = 'ML_DB.SERVING.IRIS_SVC';

describe('the one sweep of approved records', () => {
  it('when a deployment, a service change and an access change are approved but none got a job, then the sweep enqueues each and each runs once', async () => {
    h = await startDeployHarness({ bot: { sweep: { everyMs: 200, graceMs: 0 } } });
    const harness = h;
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    // The deploy queue of the version before one execute queue, with the stranded deployment's job in it.
    const oldQueue = new Queue('deploy', { connection: redis, prefix: queuePrefix(harness.t.keyPrefix) });
    closers.push(async () => {
      await oldQueue.close();
      redis.disconnect();
    });
    const operations = new OperationStore(redis, harness.t.keyPrefix);
    const accessChanges = new AccessChangeStore(redis, harness.t.keyPrefix);

    const stranded = await harness.request('IRIS_SWEPT');
    const waiting = await harness.request('IRIS_WAITING');
    // What each click's (or confirm's) compare-and-set writes, without the enqueue that should follow it.
    const at = Date.now();
    await harness.store.update(stranded.id, (d) => ({ ...d, state: 'approved', approvals: [{ userId: APPROVER, atMs: at }] }));
    await oldQueue.add('deploy', { deploymentId: stranded.id }, { jobId: stranded.id });

    const change: OperationChange = { kind: 'scale', min: 1, max: 4 };
    const plan = planChangeStatements(SERVICE, change);
    if (!plan.ok) throw new Error(plan.message);
    const scale = plan.value.map((s) => s.text);
    await operations.create({
      id: 'o0swept001',
      service: SERVICE,
      change,
      before: { status: 'RUNNING', minInstances: 1, maxInstances: 1, autoSuspendSecs: 0 },
      gate: 'self',
      planHash: operationHash(SERVICE, change, scale),
      requestedBy: APPROVER,
      teamId: harness.t.fake.identity.teamId,
      channelId: CHANNEL,
      requestedAtMs: at,
      state: 'approved',
      approvals: [{ userId: APPROVER, atMs: at }],
    });

    const service = { database: 'ML_DB', schema: 'SERVING', name: 'IRIS_SVC' };
    const grant = { kind: 'grant', role: 'PUBLIC' } as const;
    const access = planOf({ service }, grant);
    const grantTexts = access.steps.map((s) => s.statement.text);
    await accessChanges.create({
      id: 'a0swept0000000001',
      requestedBy: APPROVER,
      requestedAtMs: at,
      planHash: access.hash,
      state: 'approved',
      approvals: [{ userId: APPROVER, atMs: at }],
      gate: 'self',
      sessionId: 'gone',
      viewId: 'V0GONE0000',
      teamId: harness.t.fake.identity.teamId,
      channelId: CHANNEL,
      service,
      change: grant,
      statements: grantTexts,
    });

    await eventually(
      async () => (await harness.store.get(stranded.id))?.execution?.phase === 'running' || undefined,
      30_000,
      'swept deployment running',
    );
    await eventually(async () => (await operations.get('o0swept001'))?.execution?.phase === 'done' || undefined, 15_000, 'swept change');
    await eventually(
      async () => (await accessChanges.get('a0swept0000000001'))?.execution?.phase === 'done' || undefined,
      15_000,
      'swept access change',
    );

    const sent = (text: string) => harness.t.emulator.sqlLog.filter((e) => e.sqlText.trim().replace(/;$/, '') === text).length;
    expect(deployCalls(harness.t)).toBe(1);
    expect(scale.map(sent)).toEqual(scale.map(() => 1));
    expect(grantTexts.map(sent)).toEqual(grantTexts.map(() => 1));
    const swept = harness.t.logs.filter((l) => l['msg'] === 'approved record had no execute job; enqueued by the sweep');
    expect(GATE_KINDS.map((kind) => swept.filter((l) => l['kind'] === kind).map((l) => l['recordId']))).toEqual([
      [stranded.id],
      ['o0swept001'],
      ['a0swept0000000001'],
    ]);

    expect((await harness.store.get(waiting.id))?.state).toBe('pending');
    expect((await harness.store.get(waiting.id))?.execution).toBeUndefined();
    const events = (await harness.audit.read(stranded.id)).map((e) => e.event);
    expect(events.filter((e) => e === 'execution_started')).toHaveLength(1);
    // Nothing reads the old queue: its job is still waiting there, and the deployment ran from the new one.
    expect(await oldQueue.getJobState(stranded.id)).toBe('waiting');
  }, 60_000);
});
