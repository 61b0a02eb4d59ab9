import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { addGrant } from '../../emulator/spcs/privileges.js';
import { BOT_ROLE } from '../../emulator/seed.js';
import { key3 } from '../../emulator/spcs/state.js';
import { AuditLog } from '../../src/store/audit-log.js';
import { DeploymentStore } from '../../src/store/deployment-store.js';
import { irisRequest } from '../deploy-approval/helpers.js';
import { blocksText, waitUntil } from '../support/fake-slack.js';
import { startTestBot, TEST_REDIS_URL, type TestBot } from '../support/test-bot.js';
import { APPROVER, CHANNEL, clickEphemeral, MANAGE_ENV, MANAGER, messageMatching, OUTSIDER, SERVICE, spcsAs } from './support.js';

let t: TestBot;
let redis: Redis;
let audit: AuditLog;
let store: DeploymentStore;
beforeAll(async () => {
  t = await startTestBot({ env: MANAGE_ENV });
  redis = new Redis(TEST_REDIS_URL);
  audit = new AuditLog(redis, t.keyPrefix);
  store = new DeploymentStore(redis, t.keyPrefix);
});
afterAll(async () => {
  redis.disconnect();
  await t.stop();
});
beforeEach(() => {
  t.emulator.faults.clear();
});

const svc = () => t.emulator.service(SERVICE);
const sqlSince = (n: number) => t.emulator.sqlLog.slice(n).map((e) => e.sqlText);

describe('suspend and resume', () => {
  it('when a manager confirms suspend, then ALTER SERVICE … SUSPEND runs and the service is suspended; resume brings it back', async () => {
    const before = t.emulator.sqlLog.length;
    const { reply, text } = await spcsAs(t, MANAGER, `suspend ${SERVICE}`);
    expect(text).toMatch(/RUNNING → SUSPENDED/);
    expect(sqlSince(before).some((s) => /ALTER SERVICE/i.test(s))).toBe(false); // nothing before the confirmation
    await clickEphemeral(t, reply, 'manage.confirm', MANAGER);
    await waitUntil(() => svc()?.status === 'SUSPENDED', { timeoutMs: 10_000, message: 'not suspended' });
    expect(sqlSince(before).some((s) => /ALTER SERVICE ML_DB\.SERVING\.IRIS_SVC SUSPEND/i.test(s))).toBe(true);
    await messageMatching(t, /suspend `ML_DB\.SERVING\.IRIS_SVC`: done/);

    // A suspended service: suspending again is a no-op, said plainly.
    const again = await spcsAs(t, MANAGER, `suspend ${SERVICE}`);
    expect(again.text).toContain('already suspended');

    const resumed = await spcsAs(t, MANAGER, `resume ${SERVICE}`);
    expect(resumed.text).toMatch(/SUSPENDED → RUNNING/);
    await clickEphemeral(t, resumed.reply, 'manage.confirm', MANAGER);
    await waitUntil(() => sqlSince(before).some((s) => /ALTER SERVICE ML_DB\.SERVING\.IRIS_SVC RESUME/i.test(s)), {
      timeoutMs: 10_000,
      message: 'no RESUME',
    });
    await waitUntil(() => svc()?.status === 'RUNNING', { timeoutMs: 15_000, message: `not running again: ${svc()?.status}` });
    const events = (await audit.read()).filter((e) => e.target === SERVICE).map((e) => `${e.event}:${e.action ?? ''}`);
    expect(events).toEqual(
      expect.arrayContaining(['change_requested:suspend', 'approved:suspend', 'change_applied:suspend', 'change_applied:resume']),
    );
  });
});

describe('scale and auto-suspend', () => {
  it('when the Scale modal gets bad numbers, then the fields say so and no SQL runs; good numbers show current → new and apply after confirmation', async () => {
    const status = await spcsAs(t, MANAGER, `status ${SERVICE}`);
    expect(JSON.stringify(status.reply.blocks)).toMatch(/manage\.(suspend|resume).*manage\.scale.*manage\.autosuspend.*manage\.drop/);
    await t.slack.clickButton({ channel: status.reply.channel, ts: status.reply.message_ts }, 'manage.scale', { user: { id: MANAGER } });
    const view = await waitUntil(() => t.fake.currentView(), { timeoutMs: 5_000, message: 'no scale modal' });
    const before = t.emulator.sqlLog.length;
    const bad = await t.slack.viewSubmission({
      viewId: view.id,
      inputs: { 'manage.min_input': '3', 'manage.max_input': '2.5' },
      user: { id: MANAGER },
    });
    expect(JSON.stringify(bad.body)).toContain('manage.max');
    const inverted = await t.slack.viewSubmission({
      viewId: view.id,
      inputs: { 'manage.min_input': '3', 'manage.max_input': '2' },
      user: { id: MANAGER },
    });
    expect(JSON.stringify(inverted.body)).toContain('must be at least min instances');
    expect(t.emulator.sqlLog.length).toBe(before);

    const ephemerals = t.fake.ephemerals().length;
    await t.slack.viewSubmission({ viewId: view.id, inputs: { 'manage.min_input': '1', 'manage.max_input': '3' }, user: { id: MANAGER } });
    const confirmation = await waitUntil(
      () =>
        t.fake
          .ephemerals()
          .slice(ephemerals)
          .find((e) => e.user === MANAGER),
      { timeoutMs: 10_000, message: 'no confirmation' },
    );
    expect(blocksText(confirmation.blocks ?? [])).toContain('min 1, max 2 → min 1, max 3');
    await clickEphemeral(t, confirmation, 'manage.confirm', MANAGER);
    await waitUntil(() => svc()?.maxInstances === 3, { timeoutMs: 10_000, message: 'not scaled' });
    expect(sqlSince(before).some((s) => /SET MIN_INSTANCES = 1 MAX_INSTANCES = 3/i.test(s))).toBe(true);
  });

  it('when scale is typed with bad arguments, then the ack says what was expected', async () => {
    const res = await t.slack.slashCommand({ command: '/spcs', text: `scale ${SERVICE} --max two`, user: { id: MANAGER } });
    expect(res.text).toContain('--max needs a whole number');
    expect(res.text).toContain('/spcs scale &lt;service&gt; [--min N] --max N');
  });

  it('when auto-suspend is set by command and confirmed, then AUTO_SUSPEND_SECS changes', async () => {
    const { reply, text } = await spcsAs(t, MANAGER, `autosuspend ${SERVICE} 600`);
    expect(text).toMatch(/Auto-suspend:\*? .* → 10 min/);
    await clickEphemeral(t, reply, 'manage.confirm', MANAGER);
    await waitUntil(() => svc()?.autoSuspendSecs === 600, { timeoutMs: 10_000, message: 'auto-suspend not set' });
  });
});

describe('authorization and failures', () => {
  it('when a non-manager asks to suspend, then the refusal names the action and it is audited, with no SQL', async () => {
    const before = t.emulator.sqlLog.length;
    const { text } = await spcsAs(t, OUTSIDER, `suspend ${SERVICE}`);
    expect(text).toContain(`not allowed to suspend ${SERVICE}`);
    expect(text).toContain('SPCS_MANAGERS');
    expect(t.emulator.sqlLog.length).toBe(before);
    const refused = (await audit.read()).filter((e) => e.event === 'permission_refused' && e.actor === OUTSIDER);
    expect(refused).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'suspend', target: SERVICE })]));
  });

  it('when a non-deployer runs /spcs deploy, then the ack refuses it and no modal opens', async () => {
    const res = await t.slack.slashCommand({ command: '/spcs', text: 'deploy', user: { id: OUTSIDER } });
    expect(res.text).toContain('not allowed to request a deployment');
    expect(t.fake.calls('views.open').filter((c) => JSON.stringify(c.args).includes('deploy'))).toEqual([]);
    expect((await audit.read()).some((e) => e.event === 'permission_refused' && e.action === 'request a deployment')).toBe(true);
  });

  it('when OPERATE on the service is missing, then a suspend names the grant to ask for', async () => {
    const { reply } = await spcsAs(t, MANAGER, `suspend ${SERVICE}`);
    t.emulator.faults.missingPrivilege({ privilege: 'OPERATE', on: 'SERVICE', name: SERVICE });
    await clickEphemeral(t, reply, 'manage.confirm', MANAGER);
    const text = await messageMatching(t, /GRANT OPERATE ON SERVICE ML_DB\.SERVING\.IRIS_SVC/);
    expect(text).toContain('lacks a privilege');
    expect(svc()?.status).toBe('RUNNING');
  });

  it('when the service does not exist, then it says not found', async () => {
    const { text } = await spcsAs(t, MANAGER, 'suspend ML_DB.SERVING.NOPE_SVC');
    expect(text).toContain('not found or not authorized');
  });
});

describe('ALTER SERVICE rules (issue 12, point 5)', () => {
  it('when auto-suspend is typed as 1 to 299 seconds, then the ack refuses it with the rule and no SQL runs', async () => {
    const before = t.emulator.sqlLog.length;
    const res = await t.slack.slashCommand({ command: '/spcs', text: `autosuspend ${SERVICE} 120`, user: { id: MANAGER } });
    expect(res.text).toContain('0 (off) or at least 300 seconds');
    expect(t.emulator.sqlLog.length).toBe(before);
  });

  it('when the Auto-suspend modal gets 60, then the field says 0 or at least 300 and no SQL runs; 300 goes on to the confirmation', async () => {
    const status = await spcsAs(t, MANAGER, `status ${SERVICE}`);
    await t.slack.clickButton({ channel: status.reply.channel, ts: status.reply.message_ts }, 'manage.autosuspend', {
      user: { id: MANAGER },
    });
    const view = await waitUntil(() => t.fake.currentView(), { timeoutMs: 5_000, message: 'no auto-suspend modal' });
    const before = t.emulator.sqlLog.length;
    const bad = await t.slack.viewSubmission({ viewId: view.id, inputs: { 'manage.seconds_input': '60' }, user: { id: MANAGER } });
    expect(bad.body).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(bad.body)).toContain('at least 300 seconds');
    expect(t.emulator.sqlLog.length).toBe(before);

    const ephemerals = t.fake.ephemerals().length;
    await t.slack.viewSubmission({ viewId: view.id, inputs: { 'manage.seconds_input': '300' }, user: { id: MANAGER } });
    const confirmation = await waitUntil(
      () =>
        t.fake
          .ephemerals()
          .slice(ephemerals)
          .find((e) => e.user === MANAGER),
      { timeoutMs: 10_000, message: 'no confirmation' },
    );
    expect(blocksText(confirmation.blocks ?? [])).toMatch(/Auto-suspend:\*? .* → 5 min/);
  });

  it('when min instances goes below min_ready_instances, then MIN_READY_INSTANCES goes down with it in the same ALTER, said in the confirmation', async () => {
    expect(svc()?.minReadyInstances).toBe(1);
    const before = t.emulator.sqlLog.length;
    const { reply, text } = await spcsAs(t, MANAGER, `scale ${SERVICE} --min 0 --max 2`);
    expect(text).toMatch(/Min ready instances:\*? 1 → 0/);
    await clickEphemeral(t, reply, 'manage.confirm', MANAGER);
    await waitUntil(() => svc()?.minInstances === 0, { timeoutMs: 10_000, message: `not scaled: ${t.fake.describeCalls()}` });
    expect(svc()?.minReadyInstances).toBe(0);
    expect(sqlSince(before)).toContainEqual(expect.stringMatching(/SET MIN_INSTANCES = 0 MAX_INSTANCES = 2 MIN_READY_INSTANCES = 0/));
    await messageMatching(t, /scale `ML_DB\.SERVING\.IRIS_SVC`: done/);

    // Raising the minimum again leaves min ready alone (it is already within bounds).
    const back = await spcsAs(t, MANAGER, `scale ${SERVICE} --min 1 --max 2`);
    expect(back.text).not.toContain('Min ready');
    await clickEphemeral(t, back.reply, 'manage.confirm', MANAGER);
    await waitUntil(() => svc()?.minInstances === 1, { timeoutMs: 10_000, message: 'not scaled back' });
  });

  it('when the bot role can operate the service but does not own it, then auto-suspend names OWNERSHIP (not a GRANT) while suspend still works', async () => {
    // As GRANT USAGE, MONITOR, OPERATE ON SERVICE … TO ROLE SPCS_OPERATOR, with ownership held by another role.
    for (const privilege of ['USAGE', 'MONITOR', 'OPERATE']) {
      addGrant(t.emulator.state, {
        role: BOT_ROLE,
        privilege,
        on: 'SERVICE',
        key: key3('ML_DB', 'SERVING', 'IRIS_SVC'),
        name: SERVICE,
        createdOn: Date.now(),
      });
    }
    t.emulator.faults.missingPrivilege({ privilege: 'OWNERSHIP', on: 'SERVICE', name: SERVICE, role: BOT_ROLE });
    const { reply } = await spcsAs(t, MANAGER, `autosuspend ${SERVICE} 1800`);
    await clickEphemeral(t, reply, 'manage.confirm', MANAGER);
    const text = await messageMatching(t, /OWNERSHIP ON SERVICE ML_DB\.SERVING\.IRIS_SVC/);
    expect(text).toContain('does not transfer service ownership');
    expect(text).not.toContain('GRANT OWNERSHIP');
    expect(svc()?.autoSuspendSecs).not.toBe(1800);

    const suspend = await spcsAs(t, MANAGER, `suspend ${SERVICE}`);
    await clickEphemeral(t, suspend.reply, 'manage.confirm', MANAGER);
    await waitUntil(() => svc()?.status === 'SUSPENDED', {
      timeoutMs: 10_000,
      message: `not suspended with OPERATE: ${t.fake.describeCalls()}`,
    });
    t.emulator.faults.clear();
    const resumed = await spcsAs(t, MANAGER, `resume ${SERVICE}`);
    await clickEphemeral(t, resumed.reply, 'manage.confirm', MANAGER);
    await waitUntil(() => svc()?.status === 'RUNNING', { timeoutMs: 15_000, message: `not running again: ${svc()?.status}` });
  });
});

describe('the approval gate', () => {
  it.each([
    ['approved and building', 'approved'],
    ['still waiting for approval', 'pending'],
  ] as const)('when a deployment of the service is in flight (%s), then even a scale needs an approver', async (_label, state) => {
    const id = `dinflight${state === 'pending' ? '02' : '01'}`;
    const progress =
      state === 'approved'
        ? {
            approvals: [{ userId: APPROVER, atMs: Date.now() }],
            execution: { phase: 'building_image' as const, phaseSinceMs: Date.now(), milestones: [] },
          }
        : { approvals: [] };
    await store.create({
      id,
      request: irisRequest('IRIS_SVC'),
      planHash: 'a'.repeat(64),
      requestedBy: MANAGER,
      teamId: 'T0',
      channelId: CHANNEL,
      requestedAtMs: Date.now(),
      state,
      ...progress,
    });
    const max = state === 'pending' ? 5 : 4;
    const { text } = await spcsAs(t, MANAGER, `scale ${SERVICE} --max ${max}`);
    expect(text).toContain('in flight');
    const summary = await waitUntil(
      () =>
        t.fake
          .messages(CHANNEL)
          .find((m) => JSON.stringify(m.blocks).includes('manage.approve') && JSON.stringify(m.blocks).includes(`max ${max}`)),
      { timeoutMs: 10_000, message: 'no approval summary' },
    );
    await t.slack.clickButton({ channel: CHANNEL, ts: summary.ts }, 'manage.approve', { user: { id: APPROVER } });
    await waitUntil(() => svc()?.maxInstances === max, { timeoutMs: 10_000, message: 'not scaled after approval' });
    await store.update(id, (d) => ({ ...d, state: 'rejected' })); // out of flight for the next test
  });

  it('when an approver rejects a drop with a reason, then the summary shows who, when and why instead of the buttons, it is audited and nothing is dropped', async () => {
    const before = t.emulator.sqlLog.length;
    await spcsAs(t, MANAGER, `drop ${SERVICE}`);
    const summary = await waitUntil(
      () =>
        t.fake
          .messages(CHANNEL)
          .find((m) => JSON.stringify(m.blocks).includes('manage.reject') && blocksText(m.blocks ?? []).includes('dropped')),
      { timeoutMs: 10_000, message: 'no drop summary' },
    );
    // Someone who may not reject gets no modal, only the reason.
    const opened = t.fake.calls('views.open').length;
    const ephemerals = t.fake.ephemerals().length;
    await t.slack.clickButton({ channel: CHANNEL, ts: summary.ts }, 'manage.reject', { user: { id: OUTSIDER } });
    const refusal = await waitUntil(
      () =>
        t.fake
          .ephemerals()
          .slice(ephemerals)
          .find((e) => e.user === OUTSIDER),
      { timeoutMs: 5_000, message: 'no refusal' },
    );
    expect(refusal.text).toContain('not one of the approvers');
    expect(t.fake.calls('views.open')).toHaveLength(opened);

    await t.slack.clickButton({ channel: CHANNEL, ts: summary.ts }, 'manage.reject', { user: { id: APPROVER } });
    const view = await waitUntil(() => (t.fake.calls('views.open').length > opened ? t.fake.currentView() : undefined), {
      timeoutMs: 5_000,
      message: 'no reject modal',
    });
    expect(JSON.stringify(view)).toContain('Reason (optional)');
    await t.slack.viewSubmission({
      viewId: view.id,
      inputs: { 'manage.reason_input': '  Keep it for the demo <tomorrow>  ' },
      user: { id: APPROVER },
    });
    const shown = await waitUntil(
      () => {
        const m = t.fake.message(CHANNEL, summary.ts);
        const text = blocksText(m?.blocks ?? []);
        return text.includes('Rejected by') ? { text, blocks: JSON.stringify(m?.blocks) } : undefined;
      },
      { timeoutMs: 5_000, message: 'summary not rejected' },
    );
    expect(shown.text).toContain(`Rejected by <@${APPROVER}> (<!date^`);
    expect(shown.text).toContain('*Reason:* Keep it for the demo &lt;tomorrow&gt;');
    expect(shown.blocks).not.toContain('manage.approve');
    expect(shown.blocks).not.toContain('manage.reject');
    const rejected = (await audit.read()).filter((e) => e.event === 'rejected' && e.action === 'drop' && e.target === SERVICE);
    expect(rejected).toEqual([expect.objectContaining({ actor: APPROVER, detail: 'Keep it for the demo <tomorrow>' })]);
    expect(svc()?.status).toBe('RUNNING');
    expect(sqlSince(before).some((s) => /DROP SERVICE/i.test(s))).toBe(false);
  });

  it('when the bot is not in the channel, then whoever confirmed a change gets its outcome ephemerally with how to invite the bot', async () => {
    const { reply } = await spcsAs(t, MANAGER, `suspend ${SERVICE}`);
    t.fake.failNext('chat.postMessage', 'not_in_channel');
    const before = t.fake.ephemerals().length;
    await clickEphemeral(t, reply, 'manage.confirm', MANAGER);
    const told = await waitUntil(
      () =>
        t.fake
          .ephemerals()
          .slice(before)
          .find((e) => e.user === MANAGER && e.text.includes("I'm not in")),
      {
        timeoutMs: 10_000,
        message: 'the person who confirmed was not told',
      },
    );
    expect(told.text).toContain('Done: suspend `ML_DB.SERVING.IRIS_SVC`');
    expect(told.text).toContain(`I'm not in <#${CHANNEL}>`);
    expect(told.text).toContain('`/invite @spcs`');

    // Running again for the tests that follow.
    await waitUntil(() => svc()?.status === 'SUSPENDED', { timeoutMs: 10_000, message: 'not suspended' });
    const resumed = await spcsAs(t, MANAGER, `resume ${SERVICE}`);
    await clickEphemeral(t, resumed.reply, 'manage.confirm', MANAGER);
    await waitUntil(() => svc()?.status === 'RUNNING', { timeoutMs: 15_000, message: `not running again: ${svc()?.status}` });
  });

  it('when the bot is not in the channel, then a drop request says how to invite it and nothing is dropped', async () => {
    const before = t.emulator.sqlLog.length;
    t.fake.failNext('chat.postMessage', 'not_in_channel');
    const { text } = await spcsAs(t, MANAGER, `drop ${SERVICE}`);
    expect(text).toContain(`I'm not in <#${CHANNEL}>`);
    expect(text).toContain('`/invite @spcs`');
    expect(svc()?.status).toBe('RUNNING');
    expect(sqlSince(before).some((s) => /DROP SERVICE/i.test(s))).toBe(false);
  });

  it('when a drop is requested, then the requester cannot approve it, an approver can, and the service is gone', async () => {
    const { text } = await spcsAs(t, MANAGER, `drop ${SERVICE}`);
    expect(text).toContain('needs approval');
    const summary = await waitUntil(
      () =>
        t.fake
          .messages(CHANNEL)
          .find((m) => JSON.stringify(m.blocks).includes('manage.approve') && blocksText(m.blocks ?? []).includes('dropped')),
      { timeoutMs: 10_000, message: 'no drop summary' },
    );
    const before = t.fake.ephemerals().length;
    await t.slack.clickButton({ channel: CHANNEL, ts: summary.ts }, 'manage.approve', { user: { id: MANAGER } });
    const refusal = await waitUntil(
      () =>
        t.fake
          .ephemerals()
          .slice(before)
          .find((e) => e.user === MANAGER),
      { timeoutMs: 5_000, message: 'no refusal' },
    );
    expect(refusal.text).toContain('someone else has to approve');
    expect(svc()).toBeDefined();
    await t.slack.clickButton({ channel: CHANNEL, ts: summary.ts }, 'manage.approve', { user: { id: APPROVER } });
    await waitUntil(() => svc() === undefined || svc()?.status === 'DELETED', { timeoutMs: 10_000, message: 'service not dropped' });
    expect(t.emulator.sqlLog.some((e) => /DROP SERVICE ML_DB\.SERVING\.IRIS_SVC/i.test(e.sqlText))).toBe(true);
    await messageMatching(t, /drop `ML_DB\.SERVING\.IRIS_SVC`: done/);
  });
});

describe('help for the management commands', () => {
  it.each([
    ['suspend', '/spcs suspend <service>'],
    ['resume', '/spcs resume <service>'],
    ['scale', '/spcs scale <service> [--min N] --max N'],
    ['autosuspend', '/spcs autosuspend <service> <seconds>'],
    ['drop', '/spcs drop <service>'],
  ])('when help for %s is asked, then its usage and examples are shown', async (name, usage) => {
    const res = await t.slack.slashCommand({ command: '/spcs', text: `help ${name}` });
    expect(res.text).toContain(usage);
    expect(res.text).toContain('Examples');
  });
});
