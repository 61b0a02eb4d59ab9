/**
 * Issue 13 crash safety: an approval written to Redis whose deploy job was never added (the process
 * that took the click died between the two) is found by the sweep, a BullMQ job scheduler on the
 * deploy queue, and deployed once. A request still waiting for approval is left alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { APPROVER, deployCalls, eventually, startDeployHarness, type DeployHarness } from './helpers.js';

let h: DeployHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('the sweep of approved deployments', () => {
  it('when a deployment is approved but its job was never enqueued, then the sweep enqueues it and it deploys exactly once', async () => {
    h = await startDeployHarness({ bot: { sweep: { everyMs: 200, graceMs: 0 } } });
    const harness = h;
    const stranded = await harness.request('IRIS_SWEPT');
    const waiting = await harness.request('IRIS_WAITING');
    // What the click's compare-and-set writes, without the enqueue that should follow it.
    await harness.store.update(stranded.id, (d) => ({ ...d, state: 'approved', approvals: [{ userId: APPROVER, atMs: Date.now() }] }));

    await eventually(
      async () => (await harness.store.get(stranded.id))?.execution?.phase === 'running' || undefined,
      30_000,
      'swept deployment running',
    );
    expect(deployCalls(harness.t)).toBe(1);
    expect(
      harness.t.logs.filter(
        (l) => l['msg'] === 'approved deployment had no deploy job; enqueued by the sweep' && l['deploymentId'] === stranded.id,
      ),
    ).toHaveLength(1);
    expect((await harness.store.get(waiting.id))?.state).toBe('pending');
    expect((await harness.store.get(waiting.id))?.execution).toBeUndefined();
    const events = (await harness.audit.read(stranded.id)).map((e) => e.event);
    expect(events.filter((e) => e === 'execution_started')).toHaveLength(1);
  }, 45_000);
});
