/**
 * /spcs logs through Slack → Bolt → the real driver → the emulator: the previous container after a
 * restart (SYSTEM$GET_SERVICE_LOGS retrieve_previous_logs), the instance to read, and the event
 * table for dropped services, filtered on database, schema, service and container within a window.
 */
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../support/fake-slack.js';
import { advanceUntil, deploySpec, MIN, run, submitAsync } from '../emulator/helpers.js';
import { ackText, CHANNEL, spcs, useBotSession, type BotSession } from './support.js';

const IRIS = 'ML_DB.SERVING.IRIS_SVC';
const DAY = 24 * 60 * MIN;

/** Binds of the last statement whose text matches. */
function lastBinds(s: BotSession, pattern: RegExp): unknown[] {
  const call = s.t.emulator.sqlLog.findLast((e) => pattern.test(e.sqlText));
  return Object.values(call?.binds ?? {}).map((b) => b.value);
}

/** Drops IRIS_SVC and asks for its logs. */
async function logsAfterDrop(s: BotSession): Promise<string> {
  await run(s.sql, `DROP SERVICE ${IRIS}`);
  return (await spcs(s.t, `logs ${IRIS}`)).text;
}

const inferenceRow = async (s: BotSession, instance = '0'): Promise<Record<string, unknown> | undefined> =>
  (await run(s.sql, `SHOW SERVICE CONTAINERS IN SERVICE ${IRIS}`)).find(
    (r) => r['container_name'] === 'model-inference' && String(r['instance_id']) === instance,
  );

describe('/spcs logs of a container that restarted', () => {
  const s = useBotSession();

  /** OOM-kills IRIS_SVC's model container once and waits until the fresh container runs. */
  async function oomOnceAndRestart(): Promise<void> {
    s.t.emulator.faults.oomKill({ service: 'IRIS_SVC', afterMs: 10 * MIN });
    await advanceUntil(
      s.t.emulator,
      async () => {
        const row = await inferenceRow(s);
        return Number(row?.['restart_count']) >= 1 && row?.['status'] === 'READY';
      },
      { stepMs: 20_000, maxMs: 60 * MIN },
    );
  }

  it('when it was OOM-killed, then the fresh log says so and the Previous container button shows the OOM lines', async () => {
    await oomOnceAndRestart();
    const { reply, text } = await spcs(s.t, `logs ${IRIS}`);
    expect(text).toContain('has restarted 1 times, last exit code 137');
    expect(text).not.toContain('OOMKilled');
    expect(lastBinds(s, /SYSTEM\$GET_SERVICE_LOGS/)).toEqual([IRIS, '0', 'model-inference', '100']);

    const before = s.t.fake.ephemerals().length;
    const click = await s.t.slack.clickButton({ channel: CHANNEL, ts: reply.message_ts }, 'observe.logs.previous');
    expect(click.elapsedMs).toBeLessThan(3000);
    const previous = await waitUntil(
      () =>
        s.t.fake
          .ephemerals()
          .slice(before)
          .find((e) => e.source === 'response_url'),
      { timeoutMs: 10_000 },
    );
    const shown = JSON.stringify(previous.blocks);
    expect(shown).toContain('(previous container)');
    expect(shown).toContain('OOMKilled (exit code 137)');
    expect(shown).toContain('Current container');
    expect(lastBinds(s, /SYSTEM\$GET_SERVICE_LOGS/)).toEqual([IRIS, '0', 'model-inference', '100', 'true']);
  });

  it('when --previous is typed, then the container before the restart is read', async () => {
    await oomOnceAndRestart();
    const { text } = await spcs(s.t, `logs IRIS_SVC --previous --lines 5`);
    expect(text).toContain('previous container’s log');
    expect(text).toContain('OOMKilled');
    expect(lastBinds(s, /SYSTEM\$GET_SERVICE_LOGS/)).toEqual([IRIS, '0', 'model-inference', '5', 'true']);
    // retrieve_previous_logs goes as a BOOLEAN, not the text 'true'.
    const call = s.t.emulator.sqlLog.findLast((e) => e.sqlText.includes('SYSTEM$GET_SERVICE_LOGS'));
    expect(Object.values(call?.binds ?? {}).map((b) => b.type)).toEqual(['TEXT', 'TEXT', 'TEXT', 'FIXED', 'BOOLEAN']);
  });

  it('when --previous is asked of a container that never restarted, then it says so and shows the current log', async () => {
    const { text } = await spcs(s.t, `logs ${IRIS} --previous`);
    expect(text).toContain('has not restarted, so there is no previous container');
    expect(text).toContain('live log (SYSTEM$GET_SERVICE_LOGS)');
    expect(lastBinds(s, /SYSTEM\$GET_SERVICE_LOGS/)).toEqual([IRIS, '0', 'model-inference', '100']);
  });

  it('when the service has two instances, then --instance 1 is read and the other instance is a button', async () => {
    await run(s.sql, `ALTER SERVICE ${IRIS} SET MIN_INSTANCES = 2 MAX_INSTANCES = 2`);
    await advanceUntil(s.t.emulator, async () => (await inferenceRow(s, '1'))?.['status'] === 'READY', { stepMs: 10_000, maxMs: 30 * MIN });
    const { reply, text } = await spcs(s.t, `logs ${IRIS} --instance 1`);
    expect(text).toContain('instance 1');
    expect(lastBinds(s, /SYSTEM\$GET_SERVICE_LOGS/)).toEqual([IRIS, '1', 'model-inference', '100']);
    const before = s.t.fake.ephemerals().length;
    await s.t.slack.clickButton({ channel: CHANNEL, ts: reply.message_ts }, 'observe.logs.instance.0');
    await waitUntil(
      () =>
        s.t.fake
          .ephemerals()
          .slice(before)
          .find((e) => e.source === 'response_url'),
      { timeoutMs: 10_000 },
    );
    expect(lastBinds(s, /SYSTEM\$GET_SERVICE_LOGS/)).toEqual([IRIS, '0', 'model-inference', '100']);
  });

  it('when the instance does not exist or is not a number, then it says which instances there are, or what was expected', async () => {
    const { text } = await spcs(s.t, `logs ${IRIS} --instance 7`);
    expect(text).toContain('Instance `7`');
    expect(text).toContain('Instances: `0`');
    const res = await s.t.slack.slashCommand({ command: '/spcs', text: `logs ${IRIS} --instance one` });
    expect(ackText(res)).toContain('--instance: an instance id');
  });
});

describe('/spcs logs of a dropped service', () => {
  const s = useBotSession({ env: { SNOWFLAKE_WAREHOUSE: 'COMPUTE_WH' } });

  it('when the service was dropped, then its last lines come from the event table, filtered on database, schema, service, container and time', async () => {
    const text = await logsAfterDrop(s);
    expect(text).toContain('no longer exists');
    expect(text).toContain('event table, last 7 days');
    expect(text).toContain('Loading model ML_DB.REGISTRY.IRIS_CLASSIFIER');
    const query = s.t.emulator.sqlLog.findLast((e) => /FROM SNOWFLAKE\.TELEMETRY\.EVENTS/i.test(e.sqlText));
    expect(query?.sqlText).toContain(`timestamp > DATEADD('day', -7, SYSDATE())`);
    expect(lastBinds(s, /FROM SNOWFLAKE\.TELEMETRY\.EVENTS/i)).toEqual(['ML_DB', 'SERVING', 'IRIS_SVC', 'model-inference']);
  });

  it('when two dropped services share a name in different schemas, then each shows only its own lines', async () => {
    const spec = deploySpec({
      model: 'ML_DB.REGISTRY.SENTIMENT_BERT',
      version: 'V1',
      service: 'ML_DB.REGISTRY.IRIS_SVC',
      pool: 'CPU_M_POOL',
    });
    await submitAsync(s.sql, 'CALL SYSTEM$DEPLOY_MODEL(?)', [spec]);
    await advanceUntil(
      s.t.emulator,
      async () => (await run(s.sql, "SHOW SERVICES IN SCHEMA ML_DB.REGISTRY STARTS WITH 'IRIS_SVC'"))[0]?.['status'] === 'RUNNING',
      { stepMs: 30_000, maxMs: 120 * MIN },
    );
    await run(s.sql, `DROP SERVICE ${IRIS}`);
    await run(s.sql, 'DROP SERVICE ML_DB.REGISTRY.IRIS_SVC');

    const serving = await spcs(s.t, `logs ${IRIS}`);
    expect(serving.text).toContain('Loading model ML_DB.REGISTRY.IRIS_CLASSIFIER');
    expect(serving.text).not.toContain('SENTIMENT_BERT');
    const registry = await spcs(s.t, 'logs ML_DB.REGISTRY.IRIS_SVC');
    expect(registry.text).toContain('Loading model ML_DB.REGISTRY.SENTIMENT_BERT');
    expect(registry.text).not.toContain('IRIS_CLASSIFIER');
  });

  it('when its lines are older than the window, then it says none were found in the last 7 days', async () => {
    await run(s.sql, `DROP SERVICE ${IRIS}`);
    s.t.emulator.clock.advance(8 * DAY);
    const { text } = await spcs(s.t, `logs ${IRIS}`);
    expect(text).toContain('has no `model-inference` logs for it in the last 7 days');
  });

  it('when only the bare name of a dropped service is given, then it asks for the full name instead of guessing the schema', async () => {
    await run(s.sql, `DROP SERVICE ${IRIS}`);
    const { text } = await spcs(s.t, 'logs IRIS_SVC');
    expect(text).toContain('give its full name (DATABASE.SCHEMA.SERVICE)');
    expect(s.t.emulator.sqlLog.some((e) => /TELEMETRY\.EVENTS/i.test(e.sqlText))).toBe(false);
  });
});

describe('/spcs logs of a dropped service without a warehouse', () => {
  const s = useBotSession();

  it('when the bot has no warehouse, then it names SNOWFLAKE_WAREHOUSE instead of showing nothing', async () => {
    const text = await logsAfterDrop(s);
    expect(text).toContain('reading a table needs a warehouse');
    expect(text).toContain('`SNOWFLAKE_WAREHOUSE`');
    expect(text).toContain('SNOWFLAKE.TELEMETRY.EVENTS');
  });
});
