/**
 * Issue 13: approved service and pool changes run in the execute worker, not in the click. The
 * record says how far a run got (`executing` before the statement, its outcome right after), so a
 * worker that finds a change `executing` (its predecessor died) looks at Snowflake before sending it
 * again, and asks a person when it cannot tell. A sweep picks up approvals whose job was never added.
 *
 * A dead worker is simulated by writing the record it would have left through the store (and, for
 * "Snowflake had applied it", by sending its ALTER with a client of our own), then handing the job
 * to the bot's worker as BullMQ does once the dead worker's lock expires.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationHash, type Operation, type OperationChange } from '../../src/domain/operation.js';
import { createExecuteQueue, enqueueRecord, type ExecuteQueue } from '../../src/jobs/execute-queue.js';
import { parseQualifiedName, planChangeStatements, setServiceInstances, type SnowflakeClient } from '../../src/snowflake/index.js';
import { AuditLog } from '../../src/store/audit-log.js';
import { OperationStore } from '../../src/store/operation-store.js';
import { eventually } from '../deploy-approval/helpers.js';
import { clientFor, envFor } from '../snowflake/support/emulator.js';
import { blocksText, waitUntil } from '../support/fake-slack.js';
import { startTestBot, TEST_REDIS_URL, type TestBot } from '../support/test-bot.js';
import { CHANNEL, clickEphemeral, MANAGE_ENV, MANAGER, messageMatching, OUTSIDER, SERVICE, spcsAs } from './support.js';

let t: TestBot;
let redis: Redis;
let audit: AuditLog;
let operations: OperationStore;
let queue: ExecuteQueue;
let db: SnowflakeClient;
beforeAll(async () => {
  t = await startTestBot({ env: MANAGE_ENV, bot: { sweep: { everyMs: 200, graceMs: 0 } } });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  audit = new AuditLog(redis, t.keyPrefix);
  operations = new OperationStore(redis, t.keyPrefix);
  queue = createExecuteQueue({ connection: redis, keyPrefix: t.keyPrefix });
  db = clientFor(envFor(t.emulator));
});
afterAll(async () => {
  await db.close();
  await queue.close();
  redis.disconnect();
  await t.stop();
});

const svc = () => t.emulator.service(SERVICE);
const sent = (text: string) => t.emulator.sqlLog.filter((e) => e.sqlText === text).length;

/** A change request as the click's compare-and-set leaves it: approved by its requester (own gate). */
function approvedChange(id: string, service: string, change: OperationChange, execution?: Operation['execution']): Operation {
  const plan = planChangeStatements(service, change);
  if (!plan.ok) throw new Error(plan.message);
  const texts = plan.value.map((s) => s.text);
  const now = Date.now();
  return {
    id,
    service,
    change,
    before: { status: 'RUNNING', minInstances: 1, maxInstances: 2, autoSuspendSecs: 0 },
    gate: 'self',
    planHash: operationHash(service, change, texts),
    requestedBy: MANAGER,
    teamId: t.fake.identity.teamId,
    channelId: CHANNEL,
    requestedAtMs: now,
    state: 'approved',
    approvals: [{ userId: MANAGER, atMs: now }],
    ...(execution !== undefined && { execution }),
  };
}

const executing = (texts: readonly string[]): Operation['execution'] => ({
  phase: 'executing',
  sinceMs: Date.now(),
  round: 1,
  statements: texts.map((text) => ({ text })),
});

describe('the worker runs a confirmed change', () => {
  it('when a manager confirms a scale, then the worker sends it exactly once, with executing and the outcome on the record before the message', async () => {
    const { reply } = await spcsAs(t, MANAGER, `scale ${SERVICE} --min 1 --max 3`);
    const value = JSON.stringify(reply.blocks).match(/\{\\"o\\":\\"(o[0-9a-z]+)\\"/);
    const id = value?.[1] ?? '';
    expect(id).toMatch(/^o/);
    const statement = 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET MIN_INSTANCES = 1 MAX_INSTANCES = 3';
    // Snowflake applies it at once but answers late: the window in which a worker may die.
    t.emulator.faults.slowQuery(1, 1500);
    await clickEphemeral(t, reply, 'manage.confirm', MANAGER);

    const inFlight = await waitUntil(() => (svc()?.maxInstances === 3 ? true : undefined), { timeoutMs: 10_000, message: 'not applied' });
    expect(inFlight).toBe(true);
    const during = await operations.get(id);
    expect(during?.execution).toMatchObject({ phase: 'executing', statements: [{ text: statement }] });
    expect(during?.execution?.statements[0]?.outcome).toBeUndefined();
    expect(t.fake.allMessages().some((m) => blocksText(m.blocks ?? []).includes('scale `ML_DB.SERVING.IRIS_SVC`: done'))).toBe(false);

    await messageMatching(t, /scale `ML_DB\.SERVING\.IRIS_SVC`: done/);
    const after = await operations.get(id);
    expect(after?.execution).toMatchObject({ phase: 'done', statements: [{ text: statement, outcome: 'accepted' }] });
    expect(after?.execution?.statements[0]?.learnedBy).toBeUndefined();
    expect(sent(statement)).toBe(1);
    const events = (await audit.read(id)).map((e) => e.event);
    expect(events).toEqual(['change_requested', 'approved', 'execution_started', 'change_applied']);
  });

  it('when an approved drop of a service that is gone is enqueued twice, then DROP is sent once and its failure kind is recorded and reported', async () => {
    const before = sent('DROP SERVICE ML_DB.SERVING.NOPE_SVC');
    const op = approvedChange('o0dropgone1', 'ML_DB.SERVING.NOPE_SVC', { kind: 'drop' });
    await operations.create(op);
    await enqueueRecord(queue, 'operation', op.id);
    await enqueueRecord(queue, 'operation', op.id); // a double enqueue is one job
    const done = await eventually(
      async () => {
        const r = await operations.get(op.id);
        return r?.execution?.phase === 'failed' ? r : undefined;
      },
      10_000,
      'not finished',
    );
    expect(done.execution?.statements[0]).toMatchObject({ outcome: 'failed', failureKind: 'not_found' });
    expect(sent('DROP SERVICE ML_DB.SERVING.NOPE_SVC') - before).toBe(1);
    await messageMatching(t, /Could not drop ML_DB\.SERVING\.NOPE_SVC/);
  });
});

describe('a worker that finds a change executing (its predecessor died)', () => {
  it('when Snowflake already shows the change, then it is not sent again, it is recorded accepted (observed) and reported done', async () => {
    const change: OperationChange = { kind: 'scale', min: 1, max: 4 };
    const statement = 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET MIN_INSTANCES = 1 MAX_INSTANCES = 4';
    // The dead worker wrote `executing`, sent the ALTER (Snowflake applied it), and died before recording the answer.
    await operations.create(approvedChange('o0deadwrk1', SERVICE, change, executing([statement])));
    const name = parseQualifiedName(SERVICE, 'Service', { parts: 3 });
    if (!name.ok) throw new Error(name.message);
    await setServiceInstances(db, name.value, change);
    expect(svc()?.maxInstances).toBe(4);
    const shows = t.emulator.sqlLog.length;

    await enqueueRecord(queue, 'operation', 'o0deadwrk1');
    await messageMatching(t, /scale `ML_DB\.SERVING\.IRIS_SVC`: done.*max 4/);
    const op = await operations.get('o0deadwrk1');
    expect(op?.execution).toMatchObject({ phase: 'done', statements: [{ text: statement, outcome: 'accepted', learnedBy: 'observed' }] });
    expect(sent(statement)).toBe(1); // ours only
    expect(t.emulator.sqlLog.slice(shows).some((e) => /^SHOW SERVICES IN SCHEMA ML_DB\.SERVING/.test(e.sqlText))).toBe(true);
    expect((await audit.read('o0deadwrk1')).map((e) => e.event)).toEqual(['change_applied']);
  });

  it('when Snowflake does not show the change, then it is safe to send, and it is sent once', async () => {
    const change: OperationChange = { kind: 'autosuspend', seconds: 900 };
    const statement = 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET AUTO_SUSPEND_SECS = 900';
    await operations.create(approvedChange('o0deadwrk2', SERVICE, change, executing([statement])));
    await enqueueRecord(queue, 'operation', 'o0deadwrk2');
    await waitUntil(() => (svc()?.autoSuspendSecs === 900 ? true : undefined), { timeoutMs: 10_000, message: 'not sent' });
    await eventually(async () => (await operations.get('o0deadwrk2'))?.execution?.phase === 'done', 10_000, 'not done');
    expect(sent(statement)).toBe(1);
  });

  it('when it cannot tell, then the change needs attention with its buttons; Retry looks again, and "I checked" marks it done, audited', async () => {
    const service = 'ML_DB.SERVING.GHOST_SVC';
    const change: OperationChange = { kind: 'scale', min: 1, max: 2 };
    const statement = 'ALTER SERVICE ML_DB.SERVING.GHOST_SVC SET MIN_INSTANCES = 1 MAX_INSTANCES = 2';
    await operations.create(approvedChange('o0cannottel', service, change, executing([statement])));
    await enqueueRecord(queue, 'operation', 'o0cannottel');

    const attention = () =>
      t.fake
        .messages(CHANNEL)
        .filter((m) => JSON.stringify(m.blocks).includes('manage.mark_done') && JSON.stringify(m.blocks).includes('GHOST_SVC'));
    const first = await waitUntil(() => attention()[0], { timeoutMs: 10_000, message: `no attention message\n${t.fake.describeCalls()}` });
    expect(blocksText(first.blocks ?? [])).toContain('cannot tell whether Snowflake took it');
    expect(blocksText(first.blocks ?? [])).toContain(statement);
    expect((await operations.get('o0cannottel'))?.execution?.phase).toBe('needs_attention');
    expect(sent(statement)).toBe(0);

    // Only a manager may answer for Snowflake.
    const before = t.fake.ephemerals().length;
    await t.slack.clickButton({ channel: CHANNEL, ts: first.ts }, 'manage.mark_done', { user: { id: OUTSIDER } });
    const refusal = await waitUntil(
      () =>
        t.fake
          .ephemerals()
          .slice(before)
          .find((e) => e.user === OUTSIDER),
      { timeoutMs: 5_000, message: 'no refusal' },
    );
    expect(refusal.text).toContain('SPCS_MANAGERS');
    expect((await operations.get('o0cannottel'))?.execution?.phase).toBe('needs_attention');

    // Retry: the worker looks again; still nothing to see, so a person is asked again (a second message).
    await t.slack.clickButton({ channel: CHANNEL, ts: first.ts }, 'manage.retry', { user: { id: MANAGER } });
    await waitUntil(() => attention()[1], { timeoutMs: 10_000, message: 'no second attention message' });
    expect((await operations.get('o0cannottel'))?.execution).toMatchObject({ phase: 'needs_attention', round: 2 });
    expect(sent(statement)).toBe(0);

    await t.slack.clickButton({ channel: CHANNEL, ts: first.ts }, 'manage.mark_done', { user: { id: MANAGER } });
    await messageMatching(t, /scale `ML_DB\.SERVING\.GHOST_SVC`: done/);
    const op = await operations.get('o0cannottel');
    expect(op?.execution).toMatchObject({ phase: 'done', statements: [{ outcome: 'accepted', learnedBy: 'person' }] });
    const events = (await audit.read('o0cannottel')).map((e) => `${e.event}:${e.detail ?? ''}`);
    expect(events).toEqual([
      expect.stringMatching(/^change_needs_attention:/),
      'change_resolved:retry',
      expect.stringMatching(/^change_needs_attention:/),
      'change_resolved:marked_done',
      `change_applied:marked done by ${MANAGER}`,
    ]);
    // A second click finds nothing waiting.
    const ephemerals = t.fake.ephemerals().length;
    await t.slack.clickButton({ channel: CHANNEL, ts: first.ts }, 'manage.mark_done', { user: { id: MANAGER } });
    await waitUntil(
      () =>
        t.fake
          .ephemerals()
          .slice(ephemerals)
          .find((e) => e.user === MANAGER && e.text.includes('not waiting')),
      { timeoutMs: 5_000, message: 'no answer to the second click' },
    );
    expect(sent(statement)).toBe(0);
  });
});

describe('the sweep of approved changes', () => {
  it('when a change is approved but its job was never enqueued, then the sweep enqueues it and it runs once', async () => {
    const statement = 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET MIN_INSTANCES = 1 MAX_INSTANCES = 5';
    // What the click's compare-and-set writes, without the enqueue that should follow it.
    await operations.create(approvedChange('o0stranded', SERVICE, { kind: 'scale', min: 1, max: 5 }));
    await waitUntil(() => (svc()?.maxInstances === 5 ? true : undefined), { timeoutMs: 10_000, message: 'not swept' });
    await eventually(async () => (await operations.get('o0stranded'))?.execution?.phase === 'done', 10_000, 'not done');
    expect(sent(statement)).toBe(1);
    expect(
      t.logs.filter(
        (l) =>
          l['msg'] === 'approved record had no execute job; enqueued by the sweep' &&
          l['recordId'] === 'o0stranded' &&
          l['kind'] === 'operation',
      ),
    ).toHaveLength(1);
  });
});
