import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { encodePoolChoice } from '../../src/blocks/observe-pools.js';
import { AuditLog } from '../../src/store/audit-log.js';
import { blocksText, waitUntil, type FakeEphemeral } from '../support/fake-slack.js';
import { startTestBot, TEST_REDIS_URL, type TestBot } from '../support/test-bot.js';
import { clickEphemeral, MANAGE_ENV, MANAGER, messageMatching, OUTSIDER, spcsAs } from './support.js';

let t: TestBot;
let redis: Redis;
let audit: AuditLog;
beforeAll(async () => {
  t = await startTestBot({ env: MANAGE_ENV });
  redis = new Redis(TEST_REDIS_URL);
  audit = new AuditLog(redis, t.keyPrefix);
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

const sqlSince = (n: number) => t.emulator.sqlLog.slice(n).map((e) => e.sqlText);

/** The next ephemeral to `user` after `before` of them. */
function nextEphemeral(user: string, before: number, what: string): Promise<FakeEphemeral> {
  return waitUntil(
    () =>
      t.fake
        .ephemerals()
        .slice(before)
        .find((e) => e.user === user),
    { timeoutMs: 10_000, message: `no ${what}\n${t.fake.describeCalls()}` },
  );
}

/** `/spcs pools`, then the Suspend/Resume option for `pool`; resolves to the confirmation. */
async function choosePoolChange(user: string, pool: string, kind: 'suspend' | 'resume'): Promise<FakeEphemeral> {
  const { reply } = await spcsAs(t, user, 'pools');
  const before = t.fake.ephemerals().length;
  await t.slack.blockActions({
    in: { channel: reply.channel, ts: reply.message_ts },
    actionId: 'pools.change',
    value: encodePoolChoice(pool, kind),
    user: { id: user },
  });
  return nextEphemeral(user, before, `confirmation for ${kind} ${pool}`);
}

/** `/spcs pools` → Create pool as `user`. */
async function openCreatePool(user: string): Promise<FakeEphemeral> {
  const { reply } = await spcsAs(t, user, 'pools');
  expect(JSON.stringify(reply.blocks)).toContain('pools.create');
  await t.slack.clickButton({ channel: reply.channel, ts: reply.message_ts }, 'pools.create', { user: { id: user } });
  return reply;
}

describe('create a compute pool from /spcs pools', () => {
  it('when the name has a quote, a semicolon or a space, then the field says so and no SQL runs', async () => {
    await openCreatePool(MANAGER);
    const view = await waitUntil(() => t.fake.currentView(), { timeoutMs: 5_000, message: 'no create pool modal' });
    expect(JSON.stringify(view.blocks)).toContain('1 x A10G'); // families with their GPUs
    const before = t.emulator.sqlLog.length;
    for (const [name, got] of [
      ['"X"', 'a quote'],
      ['A;DROP', 'a semicolon'],
      ['MY POOL', 'a space'],
    ] as const) {
      const res = await t.slack.viewSubmission({
        viewId: view.id,
        inputs: {
          'manage.pool_name_input': name,
          'manage.pool_family_input': 'CPU_X64_S',
          'manage.pool_min_input': '1',
          'manage.pool_max_input': '2',
        },
        user: { id: MANAGER },
      });
      expect(JSON.stringify(res.body)).toContain('manage.pool_name');
      expect(JSON.stringify(res.body)).toContain(got);
    }
    const inverted = await t.slack.viewSubmission({
      viewId: view.id,
      inputs: {
        'manage.pool_name_input': 'NEW_POOL',
        'manage.pool_family_input': 'CPU_X64_S',
        'manage.pool_min_input': '3',
        'manage.pool_max_input': '2',
      },
      user: { id: MANAGER },
    });
    expect(JSON.stringify(inverted.body)).toContain('must be at least min nodes');
    expect(t.emulator.sqlLog.length).toBe(before);
  });

  it('when the input is good, then the confirmation shows the exact statement, and after Confirm the pool exists', async () => {
    await openCreatePool(MANAGER);
    const view = await waitUntil(() => t.fake.currentView(), { timeoutMs: 5_000, message: 'no create pool modal' });
    const before = t.emulator.sqlLog.length;
    const ephemerals = t.fake.ephemerals().length;
    await t.slack.viewSubmission({
      viewId: view.id,
      inputs: {
        'manage.pool_name_input': 'chatops_pool',
        'manage.pool_family_input': 'CPU_X64_S',
        'manage.pool_min_input': '1',
        'manage.pool_max_input': '2',
        'manage.pool_auto_resume_input': ['auto_resume'],
      },
      user: { id: MANAGER },
    });
    const confirmation = await nextEphemeral(MANAGER, ephemerals, 'create confirmation');
    const statement =
      'CREATE COMPUTE POOL IF NOT EXISTS CHATOPS_POOL MIN_NODES = 1 MAX_NODES = 2 INSTANCE_FAMILY = CPU_X64_S AUTO_RESUME = TRUE';
    expect(blocksText(confirmation.blocks ?? [])).toContain(statement);
    expect(sqlSince(before).some((s) => /CREATE COMPUTE POOL/i.test(s))).toBe(false); // nothing before Confirm
    await clickEphemeral(t, confirmation, 'manage.confirm', MANAGER);
    await waitUntil(() => t.emulator.pool('CHATOPS_POOL'), { timeoutMs: 10_000, message: 'pool not created' });
    expect(sqlSince(before)).toContain(statement);
    await messageMatching(t, /create compute pool `CHATOPS_POOL`: done/);
    const events = (await audit.read()).filter((e) => e.target === 'CHATOPS_POOL').map((e) => `${e.event}:${e.action ?? ''}`);
    expect(events).toEqual(expect.arrayContaining(['change_requested:pool_create', 'approved:pool_create', 'change_applied:pool_create']));
  });

  it('when a non-manager clicks Create pool, then the refusal names the action, it is audited, and no modal opens', async () => {
    const opened = t.fake.calls('views.open').length;
    const before = t.fake.ephemerals().length;
    await openCreatePool(OUTSIDER);
    const refusal = await nextEphemeral(OUTSIDER, before + 1, 'refusal'); // +1: the /spcs pools reply itself
    expect(blocksText(refusal.blocks ?? []) + refusal.text).toContain('not allowed to create compute pool');
    expect(t.fake.calls('views.open').length).toBe(opened);
    const refused = (await audit.read()).filter((e) => e.event === 'permission_refused' && e.actor === OUTSIDER);
    expect(refused).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'create compute pool' })]));
  });

  it('when a non-manager picks Suspend, then it is refused and audited, with no SQL', async () => {
    const before = t.emulator.sqlLog.length;
    const reply = await choosePoolChange(OUTSIDER, 'GPU_S_POOL', 'suspend');
    expect(blocksText(reply.blocks ?? []) + reply.text).toContain('not allowed to suspend compute pool GPU_S_POOL');
    expect(sqlSince(before).some((s) => /ALTER COMPUTE POOL/i.test(s))).toBe(false);
    expect((await audit.read()).some((e) => e.event === 'permission_refused' && e.actor === OUTSIDER && e.target === 'GPU_S_POOL')).toBe(
      true,
    );
  });
});

describe('suspend and resume a compute pool', () => {
  it('when a manager confirms suspending an active pool, then it shows the services on it and the pool suspends', async () => {
    const before = t.emulator.sqlLog.length;
    const confirmation = await choosePoolChange(MANAGER, 'CPU_XS_POOL', 'suspend');
    const text = blocksText(confirmation.blocks ?? []);
    expect(text).toMatch(/ACTIVE → SUSPENDED/);
    expect(text).toMatch(/Services on it:\*? 1: suspending the pool suspends it/);
    expect(sqlSince(before).some((s) => /ALTER COMPUTE POOL/i.test(s))).toBe(false);
    await clickEphemeral(t, confirmation, 'manage.confirm', MANAGER);
    await waitUntil(() => ['STOPPING', 'SUSPENDED'].includes(t.emulator.poolState('CPU_XS_POOL') ?? ''), {
      timeoutMs: 10_000,
      message: `not suspended: ${t.emulator.poolState('CPU_XS_POOL')}`,
    });
    expect(sqlSince(before)).toContain('ALTER COMPUTE POOL CPU_XS_POOL SUSPEND');
    await messageMatching(t, /suspend compute pool `CPU_XS_POOL`: done/);
  });

  it('when a manager confirms resuming CPU_M_POOL, then ALTER … RESUME runs and the pool leaves SUSPENDED', async () => {
    expect(t.emulator.poolState('CPU_M_POOL')).toBe('SUSPENDED');
    const before = t.emulator.sqlLog.length;
    const confirmation = await choosePoolChange(MANAGER, 'CPU_M_POOL', 'resume');
    expect(blocksText(confirmation.blocks ?? [])).toMatch(/SUSPENDED → running again/);
    await clickEphemeral(t, confirmation, 'manage.confirm', MANAGER);
    await waitUntil(() => t.emulator.poolState('CPU_M_POOL') !== 'SUSPENDED', { timeoutMs: 10_000, message: 'still suspended' });
    expect(sqlSince(before)).toContain('ALTER COMPUTE POOL CPU_M_POOL RESUME');
    await messageMatching(t, /resume compute pool `CPU_M_POOL`: done/);
    const events = (await audit.read()).filter((e) => e.target === 'CPU_M_POOL').map((e) => `${e.event}:${e.action ?? ''}`);
    expect(events).toEqual(expect.arrayContaining(['change_requested:pool_resume', 'change_applied:pool_resume']));
  });
});
