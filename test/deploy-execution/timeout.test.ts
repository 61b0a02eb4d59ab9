import { afterEach, describe, expect, it } from 'vitest';
import { APPROVER, CHANNEL, eventually, startDeployHarness, text, type DeployHarness } from '../deploy-approval/helpers.js';

let h: DeployHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('phase timeout', () => {
  it('when a deployment stays Pending scheduling longer than SPCS_PHASE_TIMEOUT_MS, then it ends timed_out with the capacity diagnosis broadcast', async () => {
    h = await startDeployHarness({ env: { SPCS_PHASE_TIMEOUT_MS: '2000' } });
    h.t.emulator.faults.noFreeNode('CPU_XS_POOL');
    const { id, ts } = await h.request('IRIS_STUCK');
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
    const harness = h;
    const d = await eventually(
      async () => {
        const current = await harness.store.get(id);
        return current?.execution?.phase === 'timed_out' ? current : undefined;
      },
      15_000,
      'timed out',
    );
    expect(d.execution?.failure?.kind).toBe('timed_out');
    expect(d.execution?.failure?.message).toMatch(
      /^No progress for 2 seconds while starting \(Compute pool node\(s\) are being provisioned/,
    );
    // It waited the whole limit in that phase: the timeout counts from phaseSinceMs, not from the request.
    const starting = (await h.audit.read(id)).find((e) => e.event === 'phase_changed' && e.detail === 'starting');
    const outcome = (await h.audit.read(id)).find((e) => e.event === 'outcome');
    expect(outcome?.detail).toBe('timed_out: timed_out');
    expect((outcome?.atMs ?? 0) - (starting?.atMs ?? 0)).toBeGreaterThan(2_000);

    // The final reply, broadcast to the channel, says why and what to do.
    const final = await eventually(
      () =>
        harness.t.fake
          .calls('chat.postMessage')
          .find((c) => String(c.args['reply_broadcast']) === 'true' && JSON.stringify(c.args).includes('Timed out')),
      5_000,
      'broadcast final reply',
    );
    const finalText = JSON.stringify(final.args);
    expect(finalText).toContain('Diagnosis');
    expect(finalText).toContain('Pending scheduling');
    expect(finalText).toContain('at capacity');
    expect(finalText).toContain('MAX_NODES');
    expect(harness.t.fake.replies(CHANNEL, ts).some((m) => text(m).includes('Timed out'))).toBe(true);
    await eventually(() => text(harness.t.fake.message(CHANNEL, ts)).includes('Timed out') || undefined, 5_000, 'parent timed out');
  });
});
