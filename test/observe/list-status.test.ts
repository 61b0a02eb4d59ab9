import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { ackText, spcs } from './support.js';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot();
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  t.emulator.faults.clear();
});

describe('/spcs list', () => {
  it('when run without a schema, then every visible service is listed with status, instances, pool, auto-suspend and endpoint', async () => {
    const { res, reply, text } = await spcs(t, 'list');
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(3000);
    expect(reply.source).toBe('response_url');
    expect(text).toContain('ML_DB.SERVING.IRIS_SVC');
    expect(text).toContain('RUNNING');
    expect(text).toMatch(/Instances 1\/1 \(min 1, max 2\)/);
    expect(text).toContain('CPU_XS_POOL');
    expect(text).toContain('snowflakecomputing.app');
    // One SHOW SERVICES IN DATABASE per database SHOW DATABASES listed.
    expect(t.emulator.sqlLog.some((e) => /SHOW SERVICES IN DATABASE ML_DB/i.test(e.sqlText))).toBe(true);
    expect(t.emulator.unsupportedSql()).toEqual([]);
  });

  it('when run with DB.SCHEMA, then only that schema is listed', async () => {
    const { text } = await spcs(t, 'list ML_DB.SERVING');
    expect(text).toContain('ML_DB.SERVING.IRIS_SVC');
    expect(text).toContain('`ML_DB.SERVING`');
  });

  it('when the schema is malformed, then the ack says what was expected, escaped, and nothing runs', async () => {
    const before = t.emulator.sqlLog.length;
    const res = await t.slack.slashCommand({ command: '/spcs', text: 'list ML_DB.SERVING;<!channel>' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response_type: 'ephemeral' });
    const text = ackText(res);
    expect(text).toContain('Usage: `/spcs list [DATABASE.SCHEMA]`');
    expect(res.text).not.toContain('<!channel>');
    expect(t.emulator.sqlLog.length).toBe(before);
  });

  it('when the schema does not exist, then it says not found or not authorized', async () => {
    const { text } = await spcs(t, 'list ML_DB.NOPE');
    expect(text).toContain('not found or not authorized');
  });
});

describe('/spcs status', () => {
  it('when IRIS_SVC runs, then status, instances, pool, endpoint and each container are shown with Logs/Metrics/Diagnose', async () => {
    const { res, reply, text } = await spcs(t, 'status ML_DB.SERVING.IRIS_SVC');
    expect(res.elapsedMs).toBeLessThan(3000);
    expect(text).toContain('RUNNING');
    expect(text).toContain('CPU_XS_POOL');
    expect(text).toContain('model-inference');
    expect(text).toContain('proxy');
    expect(text).toContain('0 restarts');
    const actions = (reply.blocks ?? []).filter((b) => b.type === 'actions');
    expect(JSON.stringify(actions)).toMatch(/observe\.logs.*observe\.metrics.*observe\.diagnose/);
  });

  it('when only the name is given, then it is found in the schemas the role can see', async () => {
    const { text } = await spcs(t, 'status IRIS_SVC');
    expect(text).toContain('ML_DB.SERVING.IRIS_SVC');
  });

  it('when the service does not exist, then it says not found or not authorized and suggests /spcs list', async () => {
    const { text } = await spcs(t, 'status ML_DB.SERVING.NOPE_SVC');
    expect(text).toContain('not found or not authorized');
    expect(text).toContain('/spcs list');
  });

  it('when MONITOR on the service is missing, then the status names the grant to ask for', async () => {
    t.emulator.faults.missingPrivilege({ privilege: 'MONITOR', on: 'SERVICE', name: 'ML_DB.SERVING.IRIS_SVC' });
    const { text, reply } = await spcs(t, 'status ML_DB.SERVING.IRIS_SVC');
    expect(text).toContain('lacks a privilege');
    expect(text).toContain('GRANT MONITOR ON SERVICE ML_DB.SERVING.IRIS_SVC');
    expect(JSON.stringify(reply)).not.toMatch(/\.ts:\d+|SnowflakeError/);
  });

  it('when the argument has two parts, then the ack explains both accepted forms', async () => {
    const res = await t.slack.slashCommand({ command: '/spcs', text: 'status SERVING.IRIS_SVC' });
    expect(ackText(res)).toContain('DATABASE.SCHEMA.SERVICE');
  });
});

describe('/spcs pools', () => {
  it('when run, then every pool shows family, GPUs/node, nodes, state and services, and suspended pools are flagged', async () => {
    const { text } = await spcs(t, 'pools');
    expect(text).toMatch(/CPU_XS_POOL\s+CPU_X64_XS\s+None\s+1 \/ 2\s+1\s+ACTIVE\s+1/);
    expect(text).toMatch(/GPU_M_POOL\s+GPU_NV_M\s+4 x A10G/);
    expect(text).toMatch(/GPU_L_POOL\s+GPU_NV_L\s+8 x A100/);
    expect(text).toContain('`HIGHMEM_POOL` is suspended');
    expect(text).toContain('AUTO_RESUME is off');
  });
});

describe('help for the observe commands', () => {
  it.each([
    ['list', '/spcs list [DATABASE.SCHEMA]'],
    ['status', '/spcs status <service>'],
    ['pools', '/spcs pools'],
    ['logs', '/spcs logs <service> [container] [--lines N] [--instance N] [--previous] [--history] [--file]'],
    ['metrics', '/spcs metrics <service>'],
    ['diagnose', '/spcs diagnose <service>'],
  ])('when help for %s is asked, then its usage and examples are shown', async (name, usage) => {
    const res = await t.slack.slashCommand({ command: '/spcs', text: `help ${name}` });
    const text = ackText(res);
    expect(text).toContain(usage);
    expect(text).toContain('Examples');
  });
});
