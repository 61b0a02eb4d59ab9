import { afterEach, describe, expect, it } from 'vitest';
import {
  APPROVER,
  CHANNEL,
  eventually,
  sentimentRequest,
  startDeployHarness,
  text,
  type DeployHarness,
} from '../deploy-approval/helpers.js';

let h: DeployHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function approveAndWaitForReply(harness: DeployHarness, ts: string, needle: string): Promise<string> {
  await harness.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
  return eventually(
    () => {
      const all = harness.t.fake.replies(CHANNEL, ts).map(text).join('\n');
      return all.includes(needle) ? all : undefined;
    },
    25_000,
    `reply containing ${needle}`,
  );
}

describe('deploy failures reach the thread with a diagnosis', () => {
  it('when the image build fails, then the thread shows the model-build log and the build diagnosis', async () => {
    h = await startDeployHarness();
    h.t.emulator.faults.imageBuildFailure({ model: 'SENTIMENT_BERT', message: 'could not install torch==9.9' });
    const { id, ts } = await h.request('SENTIMENT_BAD', sentimentRequest('SENTIMENT_BAD'));
    const all = await approveAndWaitForReply(h, ts, 'Diagnosis');
    expect(all).toContain('Building the model image');
    expect(all).toContain('model-build');
    expect(all).toContain('could not install torch');
    expect(all).toContain('image build failed');
    const d = await h.store.get(id);
    expect(d?.execution).toMatchObject({ phase: 'failed', failure: { kind: 'build_failed' } });
    // The failure is broadcast to the channel as well.
    expect(h.t.fake.messages(CHANNEL).some((m) => text(m).includes('Diagnosis'))).toBe(true);
  });

  it('when the inference container is OOM-killed at startup, then the diagnosis says fewer workers or a larger instance', async () => {
    h = await startDeployHarness();
    h.t.emulator.faults.oomKill({ service: 'IRIS_OOM', phase: 'startup' });
    const { id, ts } = await h.request('IRIS_OOM');
    const all = await approveAndWaitForReply(h, ts, 'Diagnosis');
    expect(all).toContain('OOMKilled');
    expect(all).toContain('fewer workers');
    expect(all).toContain('larger instance family');
    expect(all).toContain('model-inference');
    expect((await h.store.get(id))?.execution?.failure?.kind).toBe('oom');
  });

  it('when the pool has no free node, then the thread says Pending scheduling: the pool is at capacity', async () => {
    h = await startDeployHarness();
    h.t.emulator.faults.noFreeNode('CPU_XS_POOL');
    const { id, ts } = await h.request('IRIS_WAIT');
    const all = await approveAndWaitForReply(h, ts, 'at capacity');
    expect(all).toContain('Pending scheduling');
    expect(all).toContain('CPU_XS_POOL');
    expect((await h.store.get(id))?.execution?.phase).toBe('starting');
    // Capacity freed: it goes on to run.
    h.t.emulator.faults.noFreeNode('CPU_XS_POOL', false);
    const harness = h;
    await eventually(async () => (await harness.store.get(id))?.execution?.phase === 'running' || undefined, 20_000, 'running');
  });

  it('when the role lacks USAGE on the pool, then the thread names the missing grant', async () => {
    h = await startDeployHarness();
    h.t.emulator.faults.missingPrivilege({ privilege: 'USAGE', on: 'COMPUTE POOL', name: 'CPU_XS_POOL' });
    const { id, ts } = await h.request('IRIS_NOPRIV');
    const all = await approveAndWaitForReply(h, ts, 'Diagnosis');
    expect(all).toContain('lacks a privilege');
    expect(all).toContain('USAGE ON COMPUTE POOL');
    expect((await h.store.get(id))?.execution?.failure?.kind).toBe('missing_privilege');
  });
});
