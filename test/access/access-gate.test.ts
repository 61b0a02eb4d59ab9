/**
 * `/spcs access` changes behind the one approval gate (issue 13): the confirm submit creates and
 * self-approves a record, the access worker runs it, the notifier puts the result on the modal.
 * The real bot against the Slack double, the emulator and real Redis + BullMQ.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGrant } from '../../emulator/spcs/privileges.js';
import type { AccessChangeRecord } from '../../src/domain/access-change.js';
import { planOf } from '../../src/domain/access-change-plan.js';
import { createExecuteQueue, enqueueRecord, type ExecuteQueue } from '../../src/jobs/execute-queue.js';
import type { PendingChange } from '../../src/store/access-session-store.js';
import { AccessChangeStore } from '../../src/store/access-change-store.js';
import { eventually } from '../deploy-approval/helpers.js';
import { startTestBot, TEST_REDIS_URL, type TestBot } from '../support/test-bot.js';
import { auditEntries, click, MANAGER, openAccess, submit, viewText, waitForView } from './support.js';

const SERVICE = 'ML_DB.SERVING.IRIS_SVC';
const SERVICE_FQ = { database: 'ML_DB', schema: 'SERVING', name: 'IRIS_SVC' };

let t: TestBot;
let redis: Redis;
let changes: AccessChangeStore;
let queue: ExecuteQueue;

beforeAll(async () => {
  t = await startTestBot({ env: { SPCS_MANAGERS: MANAGER.id } });
  addGrant(t.emulator.state, {
    role: 'SPCS_OPERATOR',
    privilege: 'OWNERSHIP',
    on: 'USER',
    key: 'ANALYST',
    name: 'ANALYST',
    createdOn: Date.now(),
  });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  changes = new AccessChangeStore(redis, t.keyPrefix);
  queue = createExecuteQueue({ connection: redis, keyPrefix: t.keyPrefix });
});

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await t?.stop();
});

/** Statements the emulator was sent (any outcome), normalised. */
const sent = (text: string) => t.emulator.sqlLog.filter((e) => e.sqlText.trim().replace(/;$/, '') === text);

async function records(): Promise<AccessChangeRecord[]> {
  const keys = await redis.keys(`${t.keyPrefix}:access-change:*`);
  const found = await changes.getMany(keys.map((k) => k.slice(`${t.keyPrefix}:access-change:`.length)));
  return found.filter((r): r is AccessChangeRecord => r !== null);
}

/** Opens the modal and the grant step, and submits `role`; resolves at the confirm view. */
async function grantConfirm(role: string): Promise<string> {
  const { viewId } = await openAccess(t, SERVICE, MANAGER);
  await click(t, viewId, 'access.open_grant', MANAGER);
  await waitForView(t, viewId, 'access.grant');
  await submit(t, viewId, { 'access.role': role }, MANAGER);
  await waitForView(t, viewId, 'access.grant_confirm');
  return viewId;
}

/**
 * What the confirm submit writes for `change` (created and self-approved by the manager) on the
 * modal opened for it, straight through the store: the tests then play what came after it.
 */
async function approvedRecord(
  bot: TestBot,
  store: AccessChangeStore,
  id: string,
  change: PendingChange,
  extra: Partial<AccessChangeRecord> = {},
): Promise<{ viewId: string; texts: string[] }> {
  const { viewId, overview } = await openAccess(bot, SERVICE, MANAGER);
  const sessionId = (JSON.parse(overview.private_metadata) as { s: string }).s;
  const plan = planOf({ service: SERVICE_FQ }, change);
  const texts = plan.steps.map((s) => s.statement.text);
  const now = Date.now();
  await store.create({
    id,
    requestedBy: MANAGER.id,
    requestedAtMs: now,
    planHash: plan.hash,
    state: 'approved',
    approvals: [{ userId: MANAGER.id, atMs: now }],
    gate: 'self',
    sessionId,
    viewId,
    teamId: 'T0TEST0000',
    channelId: 'C0TEST0000',
    service: SERVICE_FQ,
    change,
    statements: texts,
    ...extra,
  });
  return { viewId, texts };
}

describe('/spcs access behind the gate', () => {
  it('when a change is confirmed (twice, at once), then the worker runs it exactly once, with `executing` recorded before Snowflake sees the statement', async () => {
    const viewId = await grantConfirm('ANALYST');
    const statement = `GRANT SERVICE ROLE ${SERVICE}!ALL_ENDPOINTS_USAGE TO ROLE ANALYST`;
    // The statement is held in the emulator, so the record can be looked at while it runs.
    t.emulator.faults.slowQuery(1, 2000);
    const [a, b] = await Promise.all([
      t.slack.viewSubmission({ viewId, inputs: {}, user: MANAGER }),
      t.slack.viewSubmission({ viewId, inputs: {}, user: MANAGER }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await eventually(() => sent(statement).length > 0, 10_000, 'the GRANT reaching the emulator');
    const [running] = await records();
    expect(running?.state).toBe('approved');
    expect(running?.gate).toBe('self');
    expect(running?.execution?.phase).toBe('executing');
    expect(running?.execution?.statements.map((s) => s.text)).toEqual([statement]);

    await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes('may now call the endpoint'));
    expect(sent(statement)).toHaveLength(1);
    const [done] = await records();
    expect(done?.execution?.phase).toBe('done');
    expect(done?.execution?.statements).toEqual([{ text: statement, state: 'ran' }]);
    const entries = await auditEntries(t.keyPrefix);
    expect(entries.filter((e) => e['event'] === 'change_applied' && e['detail'] === statement)).toHaveLength(1);
    expect(entries.filter((e) => e['event'] === 'approved' && e['deploymentId'] === done?.id)).toHaveLength(1);
  });

  it('when the worker finds a change already executing (its predecessor died mid-run), then it sends nothing again and tells the person what may exist', async () => {
    const change: PendingChange = {
      kind: 'network',
      user: 'ANALYST',
      ip: '198.51.100.9',
      rule: { database: 'ML_DB', schema: 'SERVING', name: 'SPCS_ACCESS_ANALYST_RULE' },
      policy: 'SPCS_ACCESS_ANALYST_POLICY',
    };
    const id = `a${'0'.repeat(23)}1`;
    const planned = planOf({ service: SERVICE_FQ }, change).steps.map((st) => ({ text: st.statement.text }));
    // The first statement was sent; its answer never came back.
    const { viewId, texts } = await approvedRecord(t, changes, id, change, {
      execution: { phase: 'executing', sinceMs: Date.now(), statements: planned },
    });
    await enqueueRecord(queue, 'access', id);

    const view = await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes('did not run them again'));
    expect(viewText(view)).toContain('DROP NETWORK RULE ML_DB.SERVING.SPCS_ACCESS_ANALYST_RULE');
    expect(viewText(view)).toContain('*May exist now:*');
    for (const text of texts) expect(sent(text)).toEqual([]);
    expect((await changes.get(id))?.execution?.phase).toBe('needs_attention');
    const attention = (await auditEntries(t.keyPrefix)).filter((e) => e['event'] === 'change_needs_attention');
    expect(attention).toEqual([expect.objectContaining({ deploymentId: id, actor: MANAGER.id, target: SERVICE })]);
  });

  it('when the person closed the modal before the change ran, then the result reaches them as an ephemeral in the channel', async () => {
    const viewId = await grantConfirm('PUBLIC');
    const ephemerals = t.fake.calls('chat.postEphemeral').length;
    t.emulator.faults.slowQuery(1, 1500);
    await submit(t, viewId, {}, MANAGER);
    t.fake.closeView(viewId, true);
    const calls = await t.fake.waitForCalls('chat.postEphemeral', ephemerals + 1, () => true, 10_000);
    const posted = calls[ephemerals];
    expect(posted?.args['user']).toBe(MANAGER.id);
    expect(String(posted?.args['text'])).toContain('may now call the endpoint');
  });
});

describe('an access run, statement by statement', () => {
  it('when a three-statement network setup runs, then each outcome is on the record before the next statement is answered', async () => {
    const change: PendingChange = {
      kind: 'network',
      user: 'ANALYST',
      ip: '198.51.100.7',
      rule: { database: 'ML_DB', schema: 'SERVING', name: 'SPCS_ACCESS_STEPWISE_RULE' },
      policy: 'SPCS_ACCESS_STEPWISE_POLICY',
    };
    const id = `a${'0'.repeat(23)}3`;
    const { texts } = await approvedRecord(t, changes, id, change);
    expect(texts).toHaveLength(3);
    // The first two statements each take 1.5 s to answer: the second is held while we look.
    t.emulator.faults.slowQuery(2, 1500);
    await enqueueRecord(queue, 'access', id);

    await eventually(() => sent(texts[1] ?? '').length === 1 || undefined, 10_000, 'second statement sent');
    const during = (await changes.get(id))?.execution;
    expect(during?.phase).toBe('executing');
    expect(during?.statements.map((st) => st.state)).toEqual(['ran', undefined, undefined]);

    await eventually(async () => (await changes.get(id))?.execution?.phase === 'done' || undefined, 15_000, 'done');
    expect((await changes.get(id))?.execution?.statements.map((st) => st.state)).toEqual(['ran', 'ran', 'ran']);
    for (const text of texts) expect(sent(text)).toHaveLength(1);
  }, 30_000);
});

describe('the sweep of confirmed access changes', () => {
  it('when a change was confirmed but its job was never enqueued (the web process died in between), then the sweep enqueues it and it runs once', async () => {
    const bot = await startTestBot({ env: { SPCS_MANAGERS: MANAGER.id }, bot: { sweep: { everyMs: 200, graceMs: 0 } } });
    const store = new AccessChangeStore(redis, bot.keyPrefix);
    try {
      const id = `a${'0'.repeat(23)}2`;
      // What the confirm submit writes, without the enqueue after it.
      const { texts } = await approvedRecord(bot, store, id, { kind: 'grant', role: 'PUBLIC' });

      await eventually(async () => (await store.get(id))?.execution?.phase === 'done' || undefined, 15_000, 'swept change done');
      const ran = (text: string) => bot.emulator.sqlLog.filter((e) => e.sqlText.trim().replace(/;$/, '') === text);
      expect(texts).toHaveLength(1);
      expect(ran(texts[0] ?? '')).toHaveLength(1);
      expect(
        bot.logs.filter(
          (l) => l['msg'] === 'approved record had no execute job; enqueued by the sweep' && l['recordId'] === id && l['kind'] === 'access',
        ),
      ).toHaveLength(1);
    } finally {
      await bot.stop();
    }
  }, 45_000);
});
