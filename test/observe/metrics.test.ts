/**
 * /spcs metrics through Slack → Bolt → the real driver → the emulator. Platform metrics exist only
 * while the service spec has platformMonitor; limits come from the container.*.limit metrics
 * (system_limits group); container.gpu.utilization is a 0–1 ratio per GPU, shown as a percent.
 */
import { describe, expect, it } from 'vitest';
import { isPng } from '../support/fake-slack.js';
import { advanceUntil, deploySpec, MIN, run, submitAsync } from '../emulator/helpers.js';
import { CHANNEL, nextFile, spcs, useBotSession } from './support.js';

const IRIS = 'ML_DB.SERVING.IRIS_SVC';
const s = useBotSession();

/** `/spcs metrics …` and the comment of the chart it uploads. */
async function chartComment(text: string): Promise<string> {
  const files = s.t.fake.files().length;
  const { elapsedMs } = await s.t.slack.slashCommand({ command: '/spcs', text });
  expect(elapsedMs).toBeLessThan(3000);
  const file = await nextFile(s.t, files);
  expect(isPng(file.bytes)).toBe(true);
  expect(file.channelId).toBe(CHANNEL);
  return file.initialComment ?? '';
}

/** The number in "<title> peak N <unit>" of the chart comment. */
function peakOf(comment: string, title: string): number {
  const m = new RegExp(`${title} peak ([0-9.]+)`).exec(comment);
  if (m?.[1] === undefined) throw new Error(`no "${title} peak" in:\n${comment}`);
  return Number(m[1]);
}

describe('/spcs metrics', () => {
  it('when the spec has no platformMonitor, then no chart: it says metrics are not collected and how to enable them', async () => {
    const files = s.t.fake.files().length;
    const { text } = await spcs(s.t, `metrics ${IRIS}`);
    expect(text).toContain('has no `platformMonitor`');
    expect(text).toContain('metricConfig: {groups: [system, system_limits]}');
    expect(text).toContain('ALTER SERVICE … FROM SPECIFICATION');
    expect(text).not.toMatch(/suspended or new/);
    expect(s.t.fake.files().length).toBe(files);
    expect(s.t.emulator.sqlLog.some((e) => /^DESCRIBE SERVICE ML_DB\.SERVING\.IRIS_SVC$/i.test(e.sqlText.trim()))).toBe(true);
  });

  it('when platformMonitor was just added, then it says the first samples are on their way, not that none are collected', async () => {
    s.t.emulator.setPlatformMonitor(IRIS, ['system', 'system_limits']);
    const { text } = await spcs(s.t, `metrics ${IRIS}`);
    expect(text).toContain('collecting `system`, `system_limits`');
    expect(text).toContain('the first samples are still on their way');
    expect(text).not.toContain('has no `platformMonitor`');
  });

  it('when platformMonitor collects system and system_limits, then peaks are held against container.memory.limit and container.cpu.limit', async () => {
    s.t.emulator.setPlatformMonitor(IRIS, ['system', 'system_limits']);
    s.t.emulator.clock.advance(10 * MIN);
    const comment = await chartComment(`metrics ${IRIS}`);
    expect(comment).toMatch(/Memory peak [0-9.]+ GiB of 6\.0 GiB \(\d+%\) in model-inference/);
    expect(comment).toMatch(/CPU peak [0-9.]+ vCPU of 1\.0 vCPU/);
    expect(comment).not.toContain('not collected');
  });

  it('when only the system group is collected, then the limits are said to be missing, not taken from the node size', async () => {
    // Through the emulator's admin route, as a demo would do it.
    const admin = (body: unknown): Promise<Response> =>
      fetch(`${s.t.emulator.url}/__emulator/platform-monitor`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await admin({ service: 'IRIS_SVC', groups: ['system', 'gpu-magic'] })).status).toBe(400);
    expect((await admin({ service: 'IRIS_SVC', groups: ['system'] })).status).toBe(200);
    s.t.emulator.clock.advance(10 * MIN);
    const comment = await chartComment(`metrics ${IRIS}`);
    expect(comment).toMatch(/Memory peak [0-9.]+ GiB \(limit not collected\)/);
    expect(comment).toContain('system_limits');
    expect(comment).not.toContain('of 6.0 GiB');
  });

  it('when a GPU service with an 8 GiB memory limit is charted, then GPU utilization is a percent and memory is held against 8 GiB', async () => {
    const spec = deploySpec({
      model: 'ML_DB.REGISTRY.SENTIMENT_BERT',
      version: 'V2',
      service: 'ML_DB.SERVING.BERT_GPU',
      pool: 'GPU_S_POOL',
      gpu: 1,
      extra: '  memory: 8Gi\n  num_workers: 1',
    });
    await submitAsync(s.sql, 'CALL SYSTEM$DEPLOY_MODEL(?)', [spec]);
    await advanceUntil(
      s.t.emulator,
      async () => (await run(s.sql, "SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH 'BERT_GPU'"))[0]?.['status'] === 'RUNNING',
      { stepMs: 30_000, maxMs: 120 * MIN },
    );
    s.t.emulator.setPlatformMonitor('ML_DB.SERVING.BERT_GPU', ['system', 'system_limits']);
    s.t.emulator.clock.advance(10 * MIN);
    const comment = await chartComment('metrics ML_DB.SERVING.BERT_GPU');
    // The emulator's GPU utilization ratio lies in 0.25–0.75: 25–75 %, not 0.25–0.75 %.
    const gpu = peakOf(comment, 'GPU utilization');
    expect(gpu).toBeGreaterThanOrEqual(25);
    expect(gpu).toBeLessThanOrEqual(100);
    expect(comment).toMatch(/GPU utilization peak [0-9.]+ % of 100 %/);
    // container.memory.limit is the spec's 8Gi, not GPU_NV_S's 27 GiB per node.
    expect(comment).toMatch(/Memory peak [0-9.]+ GiB of 8\.0 GiB/);
    expect(comment).toMatch(/GPU memory per GPU peak [0-9.]+ GiB of 24 GiB/);
  });
});
