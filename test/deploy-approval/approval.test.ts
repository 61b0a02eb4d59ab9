import { afterEach, describe, expect, it } from 'vitest';
import {
  APPROVER,
  APPROVER_2,
  CHANNEL,
  OUTSIDER,
  REQUESTER,
  deployCalls,
  ephemeralTo,
  eventually,
  startDeployHarness,
  text,
  type DeployHarness,
} from './helpers.js';

let h: DeployHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('approval gate', () => {
  it('when an approver rejects with a reason, then the buttons are replaced by who, when and why, and nothing deploys', async () => {
    h = await startDeployHarness();
    const { t } = h;
    const { id, ts } = await h.request('IRIS_REJ');
    await t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.reject', { user: { id: APPROVER } });
    await eventually(() => t.fake.currentView()?.open === true || undefined, 5_000, 'reject modal');
    const submitted = await t.slack.viewSubmission({
      user: { id: APPROVER },
      inputs: { 'approval.reason_input': 'Use the GPU pool instead' },
    });
    expect(submitted.status).toBe(200);
    const parent = await eventually(
      () => {
        const m = text(t.fake.message(CHANNEL, ts));
        return m.includes('Rejected by') ? m : undefined;
      },
      5_000,
      'rejected parent',
    );
    expect(parent).toContain(`Rejected by <@${APPROVER}>`);
    expect(parent).toContain('Use the GPU pool instead');
    expect(parent).not.toContain('approval.approve');
    expect((await h.store.get(id))?.state).toBe('rejected');
    expect((await h.audit.read(id)).map((e) => e.event)).toEqual(['requested', 'rejected']);
    expect(deployCalls(t)).toBe(0);
    const steps = t.logs.filter((l) => l.deploymentId === id && typeof l.step === 'string');
    expect(steps.map((l) => l.step)).toEqual(['requested', 'rejected']);
    expect(steps[1]).toMatchObject({
      level: 30,
      msg: 'deployment rejected',
      channelId: CHANNEL,
      service: 'ML_DB.SERVING.IRIS_REJ',
      rejectedBy: APPROVER,
    });
  });

  it('when the requester approves their own request, then it is refused ephemerally and audited', async () => {
    h = await startDeployHarness({ env: { SPCS_APPROVERS: `${APPROVER} ${REQUESTER}` } });
    const { id, ts } = await h.request('IRIS_SELF');
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: REQUESTER } });
    const harness = h;
    await eventually(() => ephemeralTo(harness, REQUESTER).includes('someone else has to approve') || undefined, 5_000, 'refusal');
    expect((await h.store.get(id))?.state).toBe('pending');
    const refused = (await h.audit.read(id)).find((e) => e.event === 'refused');
    expect(refused).toMatchObject({ actor: REQUESTER, detail: 'own_request' });
    expect(refused?.planHash).toHaveLength(64);
  });

  it('when SPCS_ALLOW_SELF_APPROVAL is true, then the requester may approve their own request', async () => {
    h = await startDeployHarness({ env: { SPCS_APPROVERS: REQUESTER, SPCS_ALLOW_SELF_APPROVAL: 'true' } });
    const { id, ts } = await h.request('IRIS_SELF_OK');
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: REQUESTER } });
    const harness = h;
    await eventually(async () => (await harness.store.get(id))?.state === 'approved' || undefined, 5_000, 'approved');
  });

  it('when someone who is not an approver clicks, then it is refused; a user-group member is accepted', async () => {
    h = await startDeployHarness({ env: { SPCS_APPROVERS: 'S0PLATFORM' } });
    h.t.fake.seedUserGroup('S0PLATFORM', [APPROVER]);
    const { id, ts } = await h.request('IRIS_OUT');
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: OUTSIDER } });
    const harness = h;
    await eventually(() => ephemeralTo(harness, OUTSIDER).includes('not one of the approvers') || undefined, 5_000, 'refusal');
    expect((await h.store.get(id))?.state).toBe('pending');
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
    await eventually(async () => (await harness.store.get(id))?.state === 'approved' || undefined, 5_000, 'approved via group');
    expect(h.t.fake.calls('usergroups.users.list').length).toBeGreaterThan(0);
  });

  it('when SPCS_APPROVERS is empty, then channel members may approve and others may not', async () => {
    h = await startDeployHarness({ env: { SPCS_APPROVERS: '' } });
    h.t.fake.seedChannelMembers(CHANNEL, [REQUESTER, APPROVER]);
    const { id, ts } = await h.request('IRIS_MEMBERS');
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: OUTSIDER } });
    const harness = h;
    await eventually(() => ephemeralTo(harness, OUTSIDER).includes('Only members of this channel') || undefined, 5_000, 'refusal');
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
    await eventually(async () => (await harness.store.get(id))?.state === 'approved' || undefined, 5_000, 'approved');
  });

  it('when two approvals are required, then the first is recorded, a repeat is refused and the second approves', async () => {
    h = await startDeployHarness({ env: { SPCS_REQUIRED_APPROVALS: '2' } });
    const { id, ts } = await h.request('IRIS_TWO');
    const harness = h;
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
    await eventually(() => ephemeralTo(harness, APPROVER).includes('1 of 2') || undefined, 5_000, 'recorded');
    await eventually(() => text(harness.t.fake.message(CHANNEL, ts)).includes('1 of 2') || undefined, 5_000, 'parent shows progress');
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
    await eventually(() => ephemeralTo(harness, APPROVER).includes('already approved') || undefined, 5_000, 'repeat refused');
    expect((await h.store.get(id))?.state).toBe('pending');
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER_2 } });
    const d = await eventually(
      async () => {
        const current = await harness.store.get(id);
        return current?.state === 'approved' ? current : undefined;
      },
      5_000,
      'approved',
    );
    expect(d.approvals.map((a) => a.userId)).toEqual([APPROVER, APPROVER_2]);
    const events = (await h.audit.read(id)).map((e) => e.event);
    expect(events.slice(0, 4)).toEqual(['requested', 'approval_recorded', 'refused', 'approved']);
  });

  it('when the request is older than SPCS_APPROVAL_TTL, then approving is refused and the summary says expired', async () => {
    h = await startDeployHarness({ env: { SPCS_APPROVAL_TTL: '1s' } });
    const { id, ts } = await h.request('IRIS_OLD');
    await h.cancelExpiry(id); // the click, not the expiry job, finds it expired
    await new Promise((r) => setTimeout(r, 1_100));
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
    const harness = h;
    await eventually(() => ephemeralTo(harness, APPROVER).includes('expired') || undefined, 5_000, 'refusal');
    expect((await h.store.get(id))?.state).toBe('expired');
    await eventually(
      () => text(harness.t.fake.message(CHANNEL, ts)).includes('Expired before it was approved') || undefined,
      5_000,
      'expired parent',
    );
    expect(deployCalls(h.t)).toBe(0);
  });

  it('when nobody decides within SPCS_APPROVAL_TTL, then the request expires by itself, the buttons give way to Expired and it is audited', async () => {
    h = await startDeployHarness({ env: { SPCS_APPROVAL_TTL: '2s' } });
    const { id, ts } = await h.request('IRIS_IGNORED');
    const harness = h;
    const before = structuredClone(h.t.fake.message(CHANNEL, ts)); // the fake updates messages in place
    expect(text(before)).toContain('approval.approve');
    const parent = await eventually(
      () => {
        const m = text(harness.t.fake.message(CHANNEL, ts));
        return m.includes('Expired') ? m : undefined;
      },
      8_000,
      'expired parent',
    );
    expect(parent).not.toContain('approval.approve');
    expect(parent).not.toContain('approval.reject');
    const d = await h.store.get(id);
    expect(d?.state).toBe('expired');
    const entries = await h.audit.read(id);
    expect(entries.map((e) => e.event)).toEqual(['requested', 'expired']);
    const [requested, expired] = entries;
    expect((expired?.atMs ?? 0) - (requested?.atMs ?? 0)).toBeGreaterThan(2_000);
    // A click on a screen that still shows the old buttons is refused as expired, and changes nothing.
    const stale = h.t.fake.postAsUser(CHANNEL, { user: REQUESTER, text: 'stale copy', blocks: before?.blocks ?? [] });
    await h.t.slack.clickButton({ channel: CHANNEL, ts: stale.ts }, 'approval.approve', { user: { id: APPROVER } });
    await eventually(() => ephemeralTo(harness, APPROVER).includes('has expired') || undefined, 5_000, 'refusal');
    expect((await h.audit.read(id)).filter((e) => e.event === 'expired')).toHaveLength(1);
    expect(deployCalls(h.t)).toBe(0);
    expect(h.t.logs.find((l) => l.deploymentId === id && l.step === 'expired')).toMatchObject({
      level: 30,
      msg: 'deployment expired',
      channelId: CHANNEL,
      service: 'ML_DB.SERVING.IRIS_IGNORED',
    });
  });

  it('when the button carries another plan hash, then the approval is refused as plan changed', async () => {
    h = await startDeployHarness();
    const { id, ts } = await h.request('IRIS_HASH');
    await h.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', {
      user: { id: APPROVER },
      mutate: (payload) => {
        const actions = payload['actions'];
        if (Array.isArray(actions) && typeof actions[0] === 'object' && actions[0] !== null && !Array.isArray(actions[0])) {
          actions[0]['value'] = JSON.stringify({ d: id, h: '0'.repeat(64) });
        }
      },
    });
    const harness = h;
    await eventually(() => ephemeralTo(harness, APPROVER).includes('plan changed') || undefined, 5_000, 'refusal');
    expect((await h.store.get(id))?.state).toBe('pending');
    expect((await h.audit.read(id)).find((e) => e.event === 'refused')?.detail).toBe('plan_changed');
  });

  it('when ten approvers click at once, then exactly one CALL SYSTEM$DEPLOY_MODEL is sent', async () => {
    const approvers = Array.from({ length: 10 }, (_, i) => `U0MANY${String(i).padStart(4, '0')}`);
    h = await startDeployHarness({ env: { SPCS_APPROVERS: approvers.join(',') } });
    h.t.fake.seedUsers(approvers.map((id) => ({ id, name: id.toLowerCase() })));
    const { id, ts } = await h.request('IRIS_RACE');
    const harness = h;
    const clicks = await Promise.all(
      approvers.map((user) => harness.t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: user } })),
    );
    expect(clicks.every((c) => c.status === 200)).toBe(true);
    await eventually(async () => (await harness.store.get(id))?.execution?.phase === 'running' || undefined, 20_000, 'running');
    expect(deployCalls(h.t)).toBe(1);
    const events = (await h.audit.read(id)).map((e) => e.event);
    expect(events.filter((e) => e === 'approved')).toHaveLength(1);
    expect(events.filter((e) => e === 'refused')).toHaveLength(9);
    expect(events.filter((e) => e === 'execution_started')).toHaveLength(1);
  });
});
