import { afterEach, describe, expect, it } from 'vitest';
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

    const running = await eventually(async () => {
      const d = await h?.store.get(id);
      return d?.execution?.phase === 'running' ? d : undefined;
    }, 20_000, 'running');
    expect(running.execution?.ingressUrl).toMatch(/^https:\/\/.+snowflakecomputing\.app$/);
    expect(deployCalls(t)).toBe(1);

    const replies = await eventually(() => {
      const r = t.fake.replies(CHANNEL, ts);
      return r.some((m) => text(m).includes('is *running*')) ? r : undefined;
    }, 10_000, 'running reply');
    const all = replies.map(text).join('\n');
    expect(all).toContain('Approved by');
    expect(all).toContain('SELECT ML_DB.SERVING.IRIS_NEW!PREDICT(SEPAL_LENGTH, SEPAL_WIDTH, PETAL_LENGTH, PETAL_WIDTH) FROM');
    expect(all).toContain('mv.run(df, function_name=\\"predict\\", service_name=\\"IRIS_NEW\\")');
    expect(all).toContain(`${running.execution?.ingressUrl}/predict`);
    expect(all).toContain('Snowflake Token=\\"&lt;PAT&gt;\\"'); // Slack shows &lt; as <
    expect(all).toContain('{\\"data\\": [[0, 0, 0, 0, 0]]}');
    expect(all).toContain('/spcs access ML_DB.SERVING.IRIS_NEW');
    // The final outcome is broadcast to the channel too.
    expect(t.fake.calls('chat.postMessage').some((c) => c.args['reply_broadcast'] === true || c.args['reply_broadcast'] === 'true')).toBe(true);
    // The parent keeps no buttons and shows who approved and the running status.
    const parent = text(t.fake.message(CHANNEL, ts));
    expect(parent).not.toContain('approval.approve');
    expect(parent).toContain(`Approved by <@${APPROVER}>`);
    await eventually(() => text(t.fake.message(CHANNEL, ts)).includes('Running') || undefined, 5_000, 'parent running');
    expect(t.emulator.unsupportedSql()).toEqual([]);
  });
});
