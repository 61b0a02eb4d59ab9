import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/fake-slack.js';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { connect, destroy, run, type Connection } from '../emulator/helpers.js';
import { ackText, CHANNEL, nextFile, spcs } from './support.js';

const IRIS = 'ML_DB.SERVING.IRIS_SVC';
let t: TestBot;
let sql: Connection;
beforeEach(async () => {
  t = await startTestBot();
  sql = await connect(t.emulator);
});
afterEach(async () => {
  await destroy(sql);
  await t.stop();
});

/** Advances the emulator's virtual clock in steps until `probe` holds. */
async function advanceUntil(probe: () => Promise<boolean>, stepMs = 5_000, steps = 40): Promise<void> {
  for (let i = 0; i < steps; i++) {
    if (await probe()) return;
    t.emulator.clock.advance(stepMs);
  }
  throw new Error('condition not reached on the virtual clock');
}

const serviceStatus = async (): Promise<string> =>
  String((await run(sql, `SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH 'IRIS_SVC'`))[0]?.['status']);

/** ALTER SERVICE … SUSPEND, then the virtual clock until it is SUSPENDED. */
async function suspendIris(): Promise<void> {
  await run(sql, `ALTER SERVICE ${IRIS} SUSPEND`);
  await advanceUntil(async () => (await serviceStatus()) === 'SUSPENDED', 1_000);
}

describe('/spcs logs', () => {
  it('when the service runs, then the live model-inference log is shown as a code block', async () => {
    const { res, text } = await spcs(t, `logs ${IRIS}`);
    expect(res.elapsedMs).toBeLessThan(3000);
    expect(text).toContain('Logs: ML_DB.SERVING.IRIS_SVC / model-inference');
    expect(text).toContain('live log (SYSTEM$GET_SERVICE_LOGS)');
    expect(text).toContain('```');
    const call = t.emulator.sqlLog.find((e) => e.sqlText.includes('SYSTEM$GET_SERVICE_LOGS'));
    expect(Object.values(call?.binds ?? {}).map((b) => b.value)).toEqual([IRIS, '0', 'model-inference', '100']);
  });

  it('when proxy and --lines 5 are asked, then the proxy container is read with 5 lines', async () => {
    const { text } = await spcs(t, 'logs IRIS_SVC proxy --lines 5');
    expect(text).toContain('/ proxy');
    const call = t.emulator.sqlLog.findLast((e) => e.sqlText.includes('SYSTEM$GET_SERVICE_LOGS'));
    expect(Object.values(call?.binds ?? {}).map((b) => b.value)).toEqual([IRIS, '0', 'proxy', '5']);
  });

  it('when --history is asked, then SPCS_GET_LOGS is read', async () => {
    const { text } = await spcs(t, `logs ${IRIS} --history`);
    expect(text).toContain('log history (SPCS_GET_LOGS');
    expect(t.emulator.sqlLog.some((e) => e.sqlText.includes('!SPCS_GET_LOGS()'))).toBe(true);
  });

  it('when --file is asked, then the lines are uploaded as a text file to the channel', async () => {
    const files = t.fake.files().length;
    await t.slack.slashCommand({ command: '/spcs', text: `logs ${IRIS} --lines 20 --file` });
    const file = await nextFile(t, files);
    expect(file.name).toBe('ML_DB.SERVING.IRIS_SVC-model-inference.log');
    expect(file.channelId).toBe(CHANNEL);
    expect(file.bytes.toString()).toContain('# ML_DB.SERVING.IRIS_SVC / model-inference');
  });

  it('when --lines is not a number, then the ack says what was expected', async () => {
    const res = await t.slack.slashCommand({ command: '/spcs', text: `logs ${IRIS} --lines lots` });
    expect(ackText(res)).toContain('--lines: a whole number from 1 to 1000');
  });

  it('when an instance waits for a node, then the logs say Snowflake\'s container message (from "…, Container Status: PENDING")', async () => {
    t.emulator.faults.noFreeNode('CPU_XS_POOL');
    await run(sql, `ALTER SERVICE ${IRIS} SET MIN_INSTANCES = 2 MAX_INSTANCES = 2`);
    await advanceUntil(
      async () => (await run(sql, `SHOW SERVICE CONTAINERS IN SERVICE ${IRIS}`)).some((c) => c['instance_id'] === '1'),
      1_000,
    );
    const { text } = await spcs(t, `logs ${IRIS} --instance 1`);
    expect(text).toContain('is not running: `Compute pool node(s) are being provisioned`');
    expect(text).not.toContain('Container Status');
  });

  it('when the service is suspended, then it says the container is not running and shows its history', async () => {
    await suspendIris();
    const { text } = await spcs(t, `logs ${IRIS}`);
    expect(text).toContain('is not running');
    expect(text).toContain('log history');
  });
});

describe('/spcs status of a suspended service', () => {
  it('when the service is suspended, then it says so and that no containers run', async () => {
    await suspendIris();
    const { text } = await spcs(t, `status ${IRIS}`);
    expect(text).toContain('is *SUSPENDED*');
    expect(text).toContain('no containers are running');
  });
});

describe('/spcs diagnose', () => {
  it('when the model container is OOM-killed, then the diagnosis names OOM and the fix', async () => {
    t.emulator.faults.oomKill({ service: 'IRIS_SVC' });
    await advanceUntil(async () => (await run(sql, `SHOW SERVICE CONTAINERS IN SERVICE ${IRIS}`)).some((c) => c['last_exit_code'] === 137));
    const { res, text } = await spcs(t, `diagnose ${IRIS}`);
    expect(res.elapsedMs).toBeLessThan(3000);
    expect(text).toContain('OOM-killed');
    expect(text).toContain('exit code 137');
    expect(text).toMatch(/larger instance family/);
    expect(text).toMatch(/num_workers/);
  });

  it('when new instances wait for a node, then the diagnosis says the pool is at capacity', async () => {
    t.emulator.faults.noFreeNode('CPU_XS_POOL');
    await run(sql, `ALTER SERVICE ${IRIS} SET MIN_INSTANCES = 2 MAX_INSTANCES = 2`);
    await advanceUntil(async () =>
      (await run(sql, `SHOW SERVICE CONTAINERS IN SERVICE ${IRIS}`)).some(
        (c) => c['message'] === 'Compute pool node(s) are being provisioned',
      ),
    );
    const { text } = await spcs(t, `diagnose ${IRIS}`);
    expect(text).toContain('Pending scheduling: the compute pool is at capacity');
    expect(text).toContain('MAX_NODES');
  });

  it("when the model container is OOM-killed, then the diagnosis cites Snowflake's platform event (SPCS_GET_EVENTS)", async () => {
    t.emulator.faults.oomKill({ service: 'IRIS_SVC' });
    await advanceUntil(async () => (await run(sql, `SHOW SERVICE CONTAINERS IN SERVICE ${IRIS}`)).some((c) => c['last_exit_code'] === 137));
    const { text } = await spcs(t, `diagnose ${IRIS}`);
    expect(text).toContain('event CONTAINER.STATUS_CHANGE: model-inference (instance 0): Container was OOMKilled due to resource usage');
    expect(text).toMatch(/\d+ platform events/);
  });

  it('when the image cannot be pulled, then the diagnosis names it from the container message and the ERROR event', async () => {
    t.emulator.faults.imagePullFailure('IRIS_SVC');
    await suspendIris();
    await run(sql, `ALTER SERVICE ${IRIS} RESUME`);
    await advanceUntil(
      async () => (await run(sql, `SHOW SERVICE CONTAINERS IN SERVICE ${IRIS}`)).some((c) => c['message'] === 'Failed to pull image'),
      1_000,
      200,
    );
    const { text } = await spcs(t, `diagnose ${IRIS}`);
    expect(text).toContain('Snowflake failed to pull the container image');
    expect(text).toContain('event CONTAINER.STATUS_CHANGE: model-inference: Failed to pull image');
    expect(text).toContain('READ on the image repository');
  });

  it('when DESCRIBE COMPUTE POOL reports error_code / status_message, then the diagnosis quotes Snowflake', async () => {
    t.emulator.faults.poolError('CPU_XS_POOL', { code: '392507', message: 'Compute pool is starting for the last 3 minutes' });
    const [described] = await run(sql, 'DESCRIBE COMPUTE POOL CPU_XS_POOL');
    expect(described).toMatchObject({
      name: 'CPU_XS_POOL',
      error_code: '392507',
      status_message: 'Compute pool is starting for the last 3 minutes',
    });
    const { text } = await spcs(t, `diagnose ${IRIS}`);
    expect(text).toContain('Compute pool CPU_XS_POOL reports error 392507');
    expect(text).toContain('Snowflake says: Compute pool is starting for the last 3 minutes');
  });

  it('when the model server has started but not passed its readiness probe, then the diagnosis says so', async () => {
    await suspendIris();
    await run(sql, `ALTER SERVICE ${IRIS} RESUME`);
    await advanceUntil(
      async () =>
        (await run(sql, `SHOW SERVICE CONTAINERS IN SERVICE ${IRIS}`)).some((c) =>
          String(c['message']).startsWith('Readiness probe is failing at path: /health, port: 5000'),
        ),
      1_000,
      200,
    );
    const { text } = await spcs(t, `diagnose ${IRIS}`);
    expect(text).toContain('The model server does not pass its readiness probe yet');
    expect(text).toContain('Readiness probe is failing at path: /health, port: 5000');
  });

  it('when the Diagnose button under a status is clicked, then the diagnosis comes back to the clicker', async () => {
    const { reply } = await spcs(t, `status ${IRIS}`);
    const before = t.fake.ephemerals().length;
    const click = await t.slack.clickButton({ channel: CHANNEL, ts: reply.message_ts }, 'observe.diagnose');
    expect(click.elapsedMs).toBeLessThan(3000);
    const diagnosis = await waitUntil(
      () =>
        t.fake
          .ephemerals()
          .slice(before)
          .find((e) => e.text.includes(IRIS)),
      { timeoutMs: 10_000 },
    );
    expect(diagnosis.text).toContain('No problems found');
  });
});
