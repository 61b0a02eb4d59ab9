import { afterEach, describe, expect, it } from 'vitest';
import { FAST_TIMINGS } from '../../emulator/index.js';
import { APPROVER, CHANNEL, deployCalls, eventually, startDeployHarness, text, type DeployHarness } from '../deploy-approval/helpers.js';

let h: DeployHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('deploy execution', () => {
  it('when an approver approves a CPU deployment, then it runs and the thread gets the endpoint and usage', async () => {
    h = await startDeployHarness();
    const { t } = h;
    const { id, ts } = await h.request('IRIS_NEW');
    expect(text(t.fake.message(CHANNEL, ts))).toContain('Approve');

    const res = await t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });
    expect(res.status).toBe(200);

    // Running, with the REST endpoint's URL (in the running reply, or right after it once provisioned).
    const running = await eventually(
      async () => {
        const d = await h?.store.get(id);
        return d?.execution?.phase === 'running' && d.execution.ingressUrl !== undefined ? d : undefined;
      },
      20_000,
      'running with its endpoint',
    );
    expect(running.execution?.ingressUrl).toMatch(/^https:\/\/.+snowflakecomputing\.app$/);
    expect(deployCalls(t)).toBe(1);

    const replies = await eventually(
      () => {
        const r = t.fake.replies(CHANNEL, ts);
        return r.some((m) => text(m).includes('is *running*')) &&
          r.some((m) => text(m).includes(`${running.execution?.ingressUrl ?? '?'}/predict`))
          ? r
          : undefined;
      },
      10_000,
      'running reply and REST usage',
    );
    const all = replies.map(text).join('\n');
    expect(all).toContain('Approved by');
    expect(all).toContain('SELECT ML_DB.SERVING.IRIS_NEW!PREDICT(SEPAL_LENGTH, SEPAL_WIDTH, PETAL_LENGTH, PETAL_WIDTH) FROM');
    expect(all).toContain('mv.run(df, function_name=\\"predict\\", service_name=\\"IRIS_NEW\\")');
    expect(all).toContain(`${running.execution?.ingressUrl}/predict`);
    expect(all).toContain('Snowflake Token=\\"&lt;PAT&gt;\\"'); // Slack shows &lt; as <
    expect(all).toContain('{\\"data\\": [[0, 0, 0, 0, 0]]}');
    expect(all).toContain('/spcs access ML_DB.SERVING.IRIS_NEW');
    // The final outcome is broadcast to the channel too.
    expect(t.fake.calls('chat.postMessage').some((c) => c.args['reply_broadcast'] === true || c.args['reply_broadcast'] === 'true')).toBe(
      true,
    );
    // The parent keeps no buttons and shows who approved and the running status.
    const parent = text(t.fake.message(CHANNEL, ts));
    expect(parent).not.toContain('approval.approve');
    expect(parent).toContain(`Approved by <@${APPROVER}>`);
    await eventually(() => text(t.fake.message(CHANNEL, ts)).includes('Running') || undefined, 5_000, 'parent running');
    expect(t.emulator.unsupportedSql()).toEqual([]);

    // The log tells the deployment's story: one info line per step, each with its id, channel and service.
    const steps = await eventually(
      () => {
        const s = t.logs.filter((l) => l.level === 30 && l.deploymentId === id && typeof l.step === 'string');
        return s.some((l) => l.step === 'endpoint_ready') ? s : undefined;
      },
      5_000,
      'the endpoint_ready step line',
    );
    expect(steps.map((l) => l.step)).toEqual(
      expect.arrayContaining(['requested', 'approved', 'submitting', 'submitted', 'starting', 'running', 'endpoint_ready']),
    );
    for (const line of steps)
      expect(line).toMatchObject({
        channelId: CHANNEL,
        service: 'ML_DB.SERVING.IRIS_NEW',
        msg: `deployment ${String(line.step).replaceAll('_', ' ')}`,
      });
    const order = steps.map((l) => String(l.step));
    expect(order.indexOf('requested')).toBeLessThan(order.indexOf('approved'));
    expect(order.indexOf('submitted')).toBeLessThan(order.indexOf('running'));
  });

  it('when the service runs before its REST endpoint is ready, then the thread says running with SQL and Python at once, and the URL follows', async () => {
    // The endpoint comes up 8 s (virtual; 2 s real) after the service runs: the tracker sees RUNNING first.
    h = await startDeployHarness({ emulator: { timings: { ...FAST_TIMINGS, endpointMs: [8_000, 8_000] } } });
    const { t } = h;
    const harness = h;
    const { id, ts } = await h.request('IRIS_LATE_REST');
    await t.slack.clickButton({ channel: CHANNEL, ts }, 'approval.approve', { user: { id: APPROVER } });

    const early = await eventually(
      async () => {
        const d = await harness.store.get(id);
        return d?.execution?.phase === 'running' ? d : undefined;
      },
      20_000,
      'running',
    );
    expect(early.execution?.endpointPending).toBe(true);
    expect(early.execution?.ingressUrl).toBeUndefined();
    const runningReply = await eventually(
      () => t.fake.replies(CHANNEL, ts).find((m) => text(m).includes('is *running*')),
      10_000,
      'running reply',
    );
    expect(text(runningReply)).toContain('SELECT ML_DB.SERVING.IRIS_LATE_REST!PREDICT(');
    expect(text(runningReply)).toContain('still being provisioned');
    expect(text(runningReply)).not.toContain('curl');
    await eventually(
      () => text(t.fake.message(CHANNEL, ts)).includes('REST endpoint provisioning') || undefined,
      5_000,
      'summary says provisioning',
    );

    // Then the URL: stored, posted once in the thread with a ready-to-run request, and on the summary.
    const ready = await eventually(
      async () => {
        const d = await harness.store.get(id);
        return d?.execution?.ingressUrl !== undefined ? d : undefined;
      },
      20_000,
      'endpoint ready',
    );
    const url = ready.execution?.ingressUrl ?? '?';
    expect(ready.execution?.endpointPending).toBe(false);
    const restReply = await eventually(
      () => t.fake.replies(CHANNEL, ts).find((m) => text(m).includes('REST endpoint of')),
      10_000,
      'endpoint reply',
    );
    expect(text(restReply)).toContain(`${url}/predict`);
    await eventually(() => text(t.fake.message(CHANNEL, ts)).includes(`at ${url}`) || undefined, 5_000, 'summary shows the URL');
    expect(t.fake.replies(CHANNEL, ts).filter((m) => text(m).includes('REST endpoint of'))).toHaveLength(1);
    // Followed no longer: the tracker dropped it once the URL was known.
    expect(await harness.store.trackedIds()).not.toContain(id);
  });
});
