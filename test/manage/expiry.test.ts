import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { AuditLog } from '../../src/store/audit-log.js';
import { OperationStore } from '../../src/store/operation-store.js';
import { blocksText, waitUntil } from '../support/fake-slack.js';
import { startTestBot, TEST_REDIS_URL, type TestBot } from '../support/test-bot.js';
import { APPROVER, CHANNEL, MANAGE_ENV, MANAGER, SERVICE, spcsAs } from './support.js';

let t: TestBot;
let redis: Redis;
let audit: AuditLog;
let operations: OperationStore;
beforeAll(async () => {
  t = await startTestBot({ env: { ...MANAGE_ENV, SPCS_APPROVAL_TTL: '2s' } });
  redis = new Redis(TEST_REDIS_URL);
  audit = new AuditLog(redis, t.keyPrefix);
  operations = new OperationStore(redis, t.keyPrefix);
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});

describe("a change request behind the approvers' gate", () => {
  it('when nobody decides within SPCS_APPROVAL_TTL, then it expires by itself: the buttons give way to Expired, it is audited and a late click changes nothing', async () => {
    const before = t.emulator.sqlLog.length;
    const { text } = await spcsAs(t, MANAGER, `drop ${SERVICE}`);
    expect(text).toContain('needs approval');
    const summary = await waitUntil(() => t.fake.messages(CHANNEL).find((m) => JSON.stringify(m.blocks).includes('manage.approve')), {
      timeoutMs: 10_000,
      message: 'no drop summary',
    });
    const shown = structuredClone(summary); // the fake updates messages in place

    // No click: the expiry job alone replaces the buttons.
    const expired = await waitUntil(
      () => {
        const m = t.fake.message(CHANNEL, summary.ts);
        return blocksText(m?.blocks ?? []).includes('Expired before it was approved') ? JSON.stringify(m?.blocks) : undefined;
      },
      { timeoutMs: 8_000, message: 'summary not expired' },
    );
    expect(expired).not.toContain('manage.approve');
    expect(expired).not.toContain('manage.reject');

    const entries = (await audit.read()).filter((e) => e.target === SERVICE && e.action === 'drop');
    expect(entries.map((e) => e.event)).toEqual(['change_requested', 'expired']);
    const [requested, expiredEntry] = entries;
    expect((expiredEntry?.atMs ?? 0) - (requested?.atMs ?? 0)).toBeGreaterThan(2_000);
    expect(expiredEntry?.detail).toContain('SPCS_APPROVAL_TTL');
    expect((await operations.get(requested?.deploymentId ?? ''))?.state).toBe('expired');

    // A screen that still shows the buttons: the click is refused as expired, and nothing runs.
    const ephemerals = t.fake.ephemerals().length;
    const stale = t.fake.postAsUser(CHANNEL, { user: MANAGER, text: 'stale copy', blocks: shown.blocks ?? [] });
    await t.slack.clickButton({ channel: CHANNEL, ts: stale.ts }, 'manage.approve', { user: { id: APPROVER } });
    const refusal = await waitUntil(
      () =>
        t.fake
          .ephemerals()
          .slice(ephemerals)
          .find((e) => e.user === APPROVER),
      { timeoutMs: 5_000, message: 'no refusal' },
    );
    expect(refusal.text).toContain('has expired (SPCS_APPROVAL_TTL)');
    expect(t.emulator.sqlLog.slice(before).some((e) => /DROP SERVICE/i.test(e.sqlText))).toBe(false);
    expect((await audit.read()).filter((e) => e.target === SERVICE && e.event === 'expired')).toHaveLength(1);
  });
});
