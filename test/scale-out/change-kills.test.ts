import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operation } from '../../src/domain/operation.js';
import { OperationStore } from '../../src/store/operation-store.js';
import { blocksText, type FakeEphemeral } from '../support/fake-slack.js';
import { TEST_REDIS_URL } from '../support/test-bot.js';
import { APPROVER, CHANNEL, doubledPosts, eventually, REQUESTER, startFleet, type BotProcess, type Fleet } from './fleet.js';

/**
 * Issue 13: a service change (scale, drop) whose worker process is SIGKILLed after Snowflake took
 * the statement and before the worker recorded its answer. One web process takes the signed Slack
 * requests; the worker is killed while the emulator holds the statement's answer (slowQuery: it is
 * applied at once, answered late), and a new worker process picks the job up once its short lock
 * (TEST_EXECUTE_LOCK_MS, 1 s in bot-process.ts) lapses. The new worker must look at Snowflake
 * (SHOW SERVICES) and record the change done from what it sees, never send it a second time.
 */

const SERVICE = 'ML_DB.SERVING.IRIS_SVC';
/** Far longer than the test waits: the killed worker can never have seen the answer. */
const HOLD_MS = 30_000;
/** Production's execute lock is 30 s; a killed worker's job must be retaken well before that. */
const RETAKEN_WITHIN_MS = 15_000;

let fleet: Fleet;
let web: BotProcess;
let worker: BotProcess;
let redis: Redis;
let operations: OperationStore;
beforeAll(async () => {
  // The requester manages services; drops go to the approvers (SPCS_APPROVERS = APPROVER in fleet.ts).
  fleet = await startFleet({ env: { SPCS_MANAGERS: REQUESTER } });
  [web, worker] = await Promise.all([fleet.start('web'), fleet.start('worker')]);
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  operations = new OperationStore(redis, fleet.keyPrefix);
}, 120_000);
afterAll(async () => {
  redis?.disconnect();
  await fleet?.close();
});

const sent = (statement: string) => fleet.emulator.sqlLog.filter((e) => e.sqlText === statement).length;
/** Successful chat.postMessage calls whose fallback text starts so (the outcome line: "Done: scale `…`"). */
const posted = (prefix: string) =>
  fleet.fake.calls('chat.postMessage').filter((c) => c.ok && String(c.args['text']).startsWith(prefix)).length;
/** The operation id a gate button carries in its value. */
const operationIdIn = (blocks: unknown): string =>
  /\{\\"o\\":\\"(o[0-9a-z]+)\\"/.exec(JSON.stringify(blocks))?.[1] ?? fail('no operation id in the buttons');

async function spcs(text: string): Promise<FakeEphemeral> {
  const before = fleet.fake.ephemerals().length;
  const res = await fleet.slack(web).slashCommand({ command: '/spcs', text });
  if (res.status !== 200) throw new Error(`/spcs ${text} answered ${res.status}`);
  return eventually(
    () =>
      fleet.fake
        .ephemerals()
        .slice(before)
        .find((e) => e.user === REQUESTER),
    10_000,
    `reply to /spcs ${text}`,
  );
}

/**
 * Waits for the statement in the emulator, kills the worker, checks the record it left (executing,
 * the statement unanswered), starts a new worker and waits for the change to be recorded done.
 */
async function killMidStatementAndResume(id: string, statement: string): Promise<{ done: Operation; retakenMs: number }> {
  await eventually(() => sent(statement) === 1 || undefined, 15_000, `${statement} received by Snowflake`);
  await worker.kill('SIGKILL');
  const killedAt = performance.now();
  const left = await operations.get(id);
  expect(left?.execution).toMatchObject({ phase: 'executing', statements: [{ text: statement }] });
  expect(left?.execution?.statements[0]?.outcome).toBeUndefined();

  worker = await fleet.start('worker');
  // Any final phase ends the wait (a blind resend of the DROP fails): the assertions say which.
  const done = await eventually(
    async () => {
      const op = await operations.get(id);
      return op?.execution?.phase !== undefined && op.execution.phase !== 'executing' ? op : undefined;
    },
    RETAKEN_WITHIN_MS,
    `${id} finished after the new worker took it`,
  );
  return { done, retakenMs: performance.now() - killedAt };
}

/** The new worker looked before sending and saw the change applied. */
const observedApplied = (id: string) =>
  worker.logs.some((l) => l['operationId'] === id && l['msg'] === 'looked at Snowflake before sending again' && l['effect'] === 'applied');

describe('a service change whose worker is SIGKILLed after Snowflake took the statement', () => {
  it('when a confirmed scale loses its worker right after the ALTER reached Snowflake, then a new worker sees it applied, records it done without a second ALTER, and the outcome is posted once', async () => {
    const statement = `ALTER SERVICE ${SERVICE} SET MIN_INSTANCES = 1 MAX_INSTANCES = 3`;
    const reply = await spcs(`scale ${SERVICE} --min 1 --max 3`);
    const id = operationIdIn(reply.blocks);
    // Armed after the command's own look at the service: the next statement is the worker's ALTER.
    fleet.emulator.faults.slowQuery(1, HOLD_MS);
    const click = await fleet.slack(web).clickButton({ channel: reply.channel, ts: reply.message_ts }, 'manage.confirm');
    expect(click.status).toBe(200);

    const { done, retakenMs } = await killMidStatementAndResume(id, statement);
    expect(fleet.emulator.service(SERVICE)?.maxInstances).toBe(3);
    expect(sent(statement)).toBe(1);
    expect(done.execution?.phase).toBe('done');
    expect(done.execution?.statements).toEqual([expect.objectContaining({ text: statement, outcome: 'accepted', learnedBy: 'observed' })]);
    expect(observedApplied(id)).toBe(true);
    expect(retakenMs).toBeLessThan(RETAKEN_WITHIN_MS);

    await eventually(() => posted('Done: scale') > 0 || undefined, 10_000, 'scale outcome posted');
    await eventually(() => fleet.notificationsIdle(), 10_000, 'notifications sent');
    expect(posted('Done: scale')).toBe(1);
    expect(doubledPosts(fleet)).toEqual([]);
  }, 60_000);

  it('when an approved drop loses its worker right after DROP SERVICE reached Snowflake, then a new worker finds the service gone, records it done without a second DROP, and the outcome is posted once', async () => {
    const statement = `DROP SERVICE ${SERVICE}`;
    const reply = await spcs(`drop ${SERVICE}`);
    expect(blocksText(reply.blocks ?? []) + reply.text).toContain('needs approval');
    const summary = await eventually(
      () =>
        fleet.fake
          .messages(CHANNEL)
          .find((m) => JSON.stringify(m.blocks).includes('manage.approve') && blocksText(m.blocks ?? []).includes('dropped')),
      10_000,
      'drop summary with Approve',
    );
    const id = operationIdIn(summary.blocks);
    expect(fleet.emulator.service(SERVICE)).toBeDefined();
    fleet.emulator.faults.slowQuery(1, HOLD_MS);
    const click = await fleet.slack(web, APPROVER).clickButton({ channel: CHANNEL, ts: summary.ts }, 'manage.approve');
    expect(click.status).toBe(200);

    const { done, retakenMs } = await killMidStatementAndResume(id, statement);
    const svc = fleet.emulator.service(SERVICE);
    expect(svc === undefined || svc.status === 'DELETED').toBe(true);
    expect(sent(statement)).toBe(1);
    expect(done.execution?.phase).toBe('done');
    expect(done.execution?.statements).toEqual([expect.objectContaining({ text: statement, outcome: 'accepted', learnedBy: 'observed' })]);
    expect(observedApplied(id)).toBe(true);
    expect(retakenMs).toBeLessThan(RETAKEN_WITHIN_MS);

    await eventually(() => posted('Done: drop') > 0 || undefined, 10_000, 'drop outcome posted');
    await eventually(() => fleet.notificationsIdle(), 10_000, 'notifications sent');
    expect(posted('Done: drop')).toBe(1);
    expect(doubledPosts(fleet)).toEqual([]);
  }, 60_000);
});

function fail(message: string): never {
  throw new Error(message);
}
