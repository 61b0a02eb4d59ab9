/**
 * Issue 13: a deployment's approval is bound to the statements the worker sends. A worker that
 * rebuilds them from the approved request and finds another hash (here: the approval was given to a
 * spec rendered by another bot version) sends nothing, says so in the thread, audits the refusal
 * and marks the deployment failed.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecuteQueue, enqueueRecord } from '../../src/jobs/execute-queue.js';
import { deployPlanHash, planDeployStatements } from '../../src/snowflake/index.js';
import { TEST_REDIS_URL } from '../support/test-bot.js';
import { APPROVER, CHANNEL, deployCalls, eventually, startDeployHarness, text, type DeployHarness } from './helpers.js';

let h: DeployHarness | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await h?.stop();
  h = undefined;
});

describe('the approved deploy plan hash', () => {
  it('when the statement the worker would send is not the one approved, then no SQL is sent: refused in the thread, audited, failed', async () => {
    h = await startDeployHarness();
    const harness = h;
    const { id, ts } = await harness.request('IRIS_OTHER_SPEC');
    const requested = await harness.store.get(id);
    if (requested === null) throw new Error('no deployment');
    const now = planDeployStatements(requested.request);
    // The summary shows what would be sent, and the pending record is bound to exactly that.
    expect(requested.planHash).toBe(deployPlanHash(now));
    await eventually(
      () => text(harness.t.fake.message(CHANNEL, ts)).includes('CALL SYSTEM$DEPLOY_MODEL(?)') || undefined,
      10_000,
      'statement in summary',
    );

    // Approved (the click's compare-and-set) while the spec rendered otherwise than this worker renders it.
    const approvedHash = deployPlanHash({ ...now, spec: `${now.spec}# rendered by another version\n` });
    await harness.store.update(id, (d) => ({
      ...d,
      planHash: approvedHash,
      state: 'approved',
      approvals: [{ userId: APPROVER, atMs: Date.now() }],
    }));
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = createExecuteQueue({ connection: redis, keyPrefix: harness.t.keyPrefix });
    closers.push(async () => {
      await queue.close();
      redis.disconnect();
    });
    const sqlBefore = harness.t.emulator.sqlLog.length;
    await enqueueRecord(queue, 'deployment', id);

    await eventually(async () => (await harness.store.get(id))?.execution?.phase === 'failed' || undefined, 15_000, 'refused');
    const execution = (await harness.store.get(id))?.execution;
    expect(execution?.failure?.kind).toBe('policy');
    expect(execution?.failure?.message).toMatch(/not the ones that were approved/);
    expect(deployCalls(harness.t)).toBe(0);
    // Nothing at all reached Snowflake for it: no CREATE, DROP, stage or CALL.
    expect(harness.t.emulator.sqlLog.slice(sqlBefore).filter((e) => !/^\s*(SHOW|SELECT|DESC)/i.test(e.sqlText))).toEqual([]);
    const refused = (await harness.audit.read(id)).filter((e) => e.event === 'execution_refused');
    expect(refused.map((e) => [e.detail, e.planHash])).toEqual([['plan_changed', approvedHash]]);
    const reply = await eventually(
      () =>
        harness.t.fake
          .replies(CHANNEL, ts)
          .map(text)
          .find((m) => m.includes('not the ones that were approved')),
      10_000,
      'refusal in the thread',
    );
    expect(reply).toContain('Nothing was sent to Snowflake');
  }, 45_000);
});
