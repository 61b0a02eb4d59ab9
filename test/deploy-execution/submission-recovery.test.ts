/**
 * Issue 13 crash safety, the outcomes worker-restart.test.ts does not reach: a deployment left in
 * `submitting` with no query id (what a worker killed mid-CALL leaves) is picked up by a worker
 * that cannot find the tagged CALL. It never sends SYSTEM$DEPLOY_MODEL again: with a readable
 * history and no service it fails ("not taken"); with an unreadable history it waits for a person.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecuteQueue, enqueueRecord } from '../../src/jobs/execute-queue.js';
import { TEST_REDIS_URL } from '../support/test-bot.js';
import {
  APPROVER,
  CHANNEL,
  OUTSIDER,
  deployCalls,
  ephemeralTo,
  eventually,
  startDeployHarness,
  text,
  type DeployHarness,
} from '../deploy-approval/helpers.js';

let h: DeployHarness | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await h?.stop();
  h = undefined;
});

/** What a worker killed between "about to send the CALL" and "query id stored" leaves behind, handed to the deploy queue again. */
async function strandInSubmitting(harness: DeployHarness, serviceName: string): Promise<{ id: string; ts: string }> {
  const requested = await harness.request(serviceName);
  const at = Date.now();
  await harness.store.update(requested.id, (d) => ({
    ...d,
    state: 'approved',
    approvals: [{ userId: APPROVER, atMs: at }],
    execution: { phase: 'submitting', phaseSinceMs: at, milestones: ['approved'] },
  }));
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = createExecuteQueue({ connection: redis, keyPrefix: harness.t.keyPrefix });
  closers.push(async () => {
    await queue.close();
    redis.disconnect();
  });
  await enqueueRecord(queue, 'deployment', requested.id);
  return requested;
}

const phaseOf = async (harness: DeployHarness, id: string) => (await harness.store.get(id))?.execution;

describe('a deployment found in submitting without its query id', () => {
  it('when the query history cannot be read, then it is not sent again: the deployment needs attention, and the thread and summary say why', async () => {
    // No SNOWFLAKE_WAREHOUSE: INFORMATION_SCHEMA.QUERY_HISTORY_BY_USER answers 000606.
    h = await startDeployHarness();
    const harness = h;
    const { id, ts } = await strandInSubmitting(harness, 'IRIS_UNKNOWN');

    await eventually(async () => (await phaseOf(harness, id))?.phase === 'needs_attention' || undefined, 15_000, 'needs attention');
    const execution = await phaseOf(harness, id);
    expect(execution?.attention?.reason).toBe('history_unreadable');
    expect(execution?.attention?.detail).toMatch(/No active warehouse/);
    expect(deployCalls(harness.t)).toBe(0);
    // It looked: the history (refused) and SHOW SERVICES for the service.
    expect(harness.t.emulator.sqlLog.some((e) => /QUERY_HISTORY_BY_USER/.test(e.sqlText))).toBe(true);
    expect(harness.t.emulator.sqlLog.some((e) => /SHOW SERVICES IN SCHEMA ML_DB\.SERVING STARTS WITH 'IRIS_UNKNOWN'/.test(e.sqlText))).toBe(
      true,
    );

    const reply = await eventually(
      () =>
        harness.t.fake
          .replies(CHANNEL, ts)
          .map(text)
          .find((m) => m.includes('Needs attention')),
      10_000,
      'needs-attention reply',
    );
    expect(reply).toContain(`QUERY_TAG 'spcs-chatops:deploy:${id}'`);
    expect(reply).toContain('*not* sent again');
    await eventually(
      () => text(harness.t.fake.message(CHANNEL, ts)).includes('Needs attention') || undefined,
      10_000,
      'summary status line',
    );
    const events = (await harness.audit.read(id)).map((e) => e.detail);
    expect(events).toContain('needs_attention');

    // The summary asks a person: someone who is neither requester nor approver is refused.
    await harness.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.recheck', { user: { id: OUTSIDER } });
    await eventually(() => ephemeralTo(harness, OUTSIDER).includes('Only the requester or an approver') || undefined, 5_000, 'refusal');
    expect((await phaseOf(harness, id))?.attention?.checks).toBe(0);

    // Check again: a new look (history still unreadable), never the CALL.
    const historyReads = () => harness.t.emulator.sqlLog.filter((e) => /QUERY_HISTORY_BY_USER/.test(e.sqlText)).length;
    const readsBefore = historyReads();
    await harness.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.recheck', { user: { id: APPROVER } });
    await eventually(() => historyReads() > readsBefore || undefined, 10_000, 'looked again');
    await eventually(
      async () => {
        const e = await phaseOf(harness, id);
        return (e?.phase === 'needs_attention' && e.attention?.checks === 1 && e.attention.checking !== true) || undefined;
      },
      10_000,
      'still needs attention after the second look',
    );
    expect(deployCalls(harness.t)).toBe(0);

    // Mark as failed: closed, said in the thread with who did it, audited.
    await harness.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.mark_failed', { user: { id: APPROVER } });
    await eventually(async () => (await phaseOf(harness, id))?.phase === 'failed' || undefined, 10_000, 'marked failed');
    const closed = await eventually(
      () =>
        harness.t.fake
          .replies(CHANNEL, ts)
          .map(text)
          .find((m) => m.includes(`Marked as failed by <@${APPROVER}>`)),
      10_000,
      'failure reply',
    );
    expect(closed).toContain('could not tell whether Snowflake took the deployment');
    const answers = (await harness.audit.read(id)).filter((e) => e.event === 'deploy_resolved');
    expect(answers.map((e) => [e.actor, e.detail])).toEqual([
      [APPROVER, 'recheck'],
      [APPROVER, 'mark_failed'],
    ]);
    // Answered: the summary no longer offers the buttons, and says failed.
    await eventually(() => text(harness.t.fake.message(CHANNEL, ts)).includes('Failed') || undefined, 10_000, 'summary failed');
    expect(text(harness.t.fake.message(CHANNEL, ts))).not.toContain('approval.recheck');
    expect(deployCalls(harness.t)).toBe(0);
  }, 60_000);

  it('when the history is readable and holds no tagged CALL and there is no service, then Snowflake did not take it: failed, and not sent again', async () => {
    h = await startDeployHarness({ env: { SNOWFLAKE_WAREHOUSE: 'COMPUTE_WH' } });
    const harness = h;
    const { id, ts } = await strandInSubmitting(harness, 'IRIS_NOT_TAKEN');

    await eventually(async () => (await phaseOf(harness, id))?.phase === 'failed' || undefined, 15_000, 'failed');
    expect((await phaseOf(harness, id))?.failure?.message).toMatch(/Snowflake did not take it/);
    expect(deployCalls(harness.t)).toBe(0);
    // "Not taken" needs both: no tagged CALL in the history, and no service SHOW SERVICES knows of.
    expect(
      harness.t.emulator.sqlLog.some((e) => /SHOW SERVICES IN SCHEMA ML_DB\.SERVING STARTS WITH 'IRIS_NOT_TAKEN'/.test(e.sqlText)),
    ).toBe(true);
    const reply = await eventually(
      () =>
        harness.t.fake
          .replies(CHANNEL, ts)
          .map(text)
          .find((m) => m.includes('did not take it')),
      10_000,
      'failure reply',
    );
    expect(reply).toContain('request the deployment again');
  }, 45_000);
});
