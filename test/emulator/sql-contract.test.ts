/**
 * Every row of emulator/SQL-CONTRACT.md, sent through the real driver (deploy: deploy.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { BOT_ROLE } from '../../emulator/seed.js';
import { addGrant } from '../../emulator/spcs/privileges.js';
import { key3 } from '../../emulator/spcs/state.js';
import { type Connection, MIN, connect, connectError, destroy, run, runError, useEmulatorConnection } from './helpers.js';

const POOL_COLUMNS = [
  'name',
  'state',
  'min_nodes',
  'max_nodes',
  'instance_family',
  'num_services',
  'num_jobs',
  'auto_suspend_secs',
  'auto_resume',
  'active_nodes',
  'idle_nodes',
  'target_nodes',
  'created_on',
  'resumed_on',
  'updated_on',
  'owner',
  'comment',
  'is_exclusive',
  'application',
  'budget',
];
const SERVICE_COLUMNS = [
  'name',
  'status',
  'database_name',
  'schema_name',
  'owner',
  'compute_pool',
  'dns_name',
  'current_instances',
  'target_instances',
  'min_ready_instances',
  'min_instances',
  'max_instances',
  'auto_resume',
  'external_access_integrations',
  'created_on',
  'updated_on',
  'resumed_on',
  'suspended_on',
  'auto_suspend_secs',
  'comment',
  'owner_role_type',
  'query_warehouse',
  'is_job',
  'is_async_job',
  'spec_digest',
  'is_upgrading',
  'managing_object_domain',
  'managing_object_name',
];

describe('SQL contract', () => {
  let emu: Emulator;
  let conn: Connection;
  useEmulatorConnection('all', (e, c) => {
    emu = e;
    conn = c;
  });

  it('1–3: SHOW DATABASES / SCHEMAS / MODELS list only what the role can see', async () => {
    const dbs = await run(conn, 'SHOW DATABASES');
    expect(dbs.map((d) => d['name'])).toEqual(['ML_DB', 'SNOWFLAKE']);
    expect(Object.keys(dbs[0] ?? {})).toEqual(expect.arrayContaining(['created_on', 'name', 'owner', 'comment', 'kind']));
    const schemas = await run(conn, 'show schemas in database ml_db');
    expect(schemas.map((s) => s['name'])).toEqual(['INFORMATION_SCHEMA', 'REGISTRY', 'SERVING']);
    expect(schemas[1]).toMatchObject({ database_name: 'ML_DB', owner: 'SYSADMIN' });
    const models = await run(conn, 'SHOW MODELS IN SCHEMA "ML_DB".REGISTRY');
    expect(models.map((m) => [m['name'], m['default_version_name'], JSON.parse(String(m['versions']))])).toEqual([
      ['IRIS_CLASSIFIER', 'V1', ['V1']],
      ['SENTIMENT_BERT', 'V2', ['V1', 'V2']],
    ]);
    expect((await runError(conn, 'SHOW MODELS IN SCHEMA ANALYTICS_DB.PUBLIC')).code).toBe('002003');
  });

  it('4: SHOW VERSIONS adds model_spec only with SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL', async () => {
    const plain = await run(conn, 'SHOW VERSIONS IN MODEL ML_DB.REGISTRY.SENTIMENT_BERT');
    expect(plain[0]).not.toHaveProperty('model_spec');
    const rows = await run(conn, 'SHOW VERSIONS IN MODEL ML_DB.REGISTRY.SENTIMENT_BERT', {
      parameters: { SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL: true },
    });
    const v1 = rows.find((r) => r['name'] === 'V1');
    const v2 = rows.find((r) => r['name'] === 'V2');
    expect(v2).toMatchObject({ is_default_version: 'true', model_name: 'SENTIMENT_BERT', database_name: 'ML_DB' });
    expect(JSON.parse(String(v2?.['functions']))).toEqual(['PREDICT', 'PREDICT_PROBA']);
    expect(JSON.parse(String(v2?.['runnable_in']))).toContain('SNOWPARK_CONTAINER_SERVICES');
    expect(String(v2?.['model_spec'])).toMatch(/runtimes:\n(.*\n)*\s+gpu:/);
    expect(String(v1?.['model_spec'])).not.toMatch(/\bgpu:/);
    expect(String(v1?.['model_spec'])).toContain('signatures:');
    const iris = await run(conn, 'SHOW VERSIONS IN MODEL ML_DB.REGISTRY.IRIS_CLASSIFIER');
    expect(JSON.parse(String(iris[0]?.['inference_services']))).toEqual(['ML_DB.SERVING.IRIS_SVC']);
  });

  it('5: SHOW FUNCTIONS IN MODEL … VERSION gives the signature', async () => {
    const rows = await run(conn, 'SHOW FUNCTIONS IN MODEL ML_DB.REGISTRY.IRIS_CLASSIFIER VERSION V1');
    expect(rows).toEqual([
      {
        name: 'PREDICT',
        arguments: 'PREDICT(SEPAL_LENGTH FLOAT, SEPAL_WIDTH FLOAT, PETAL_LENGTH FLOAT, PETAL_WIDTH FLOAT) RETURN OBJECT',
        return_type: 'OBJECT',
        language: 'PYTHON',
        description: 'Model method predict',
      },
    ]);
  });

  it('6–7: SHOW COMPUTE POOLS has Snowflake’s columns; instance families carry GPU data', async () => {
    const pools = await run(conn, 'SHOW COMPUTE POOLS');
    expect(Object.keys(pools[0] ?? {})).toEqual(POOL_COLUMNS);
    const byName = Object.fromEntries(pools.map((p) => [p['name'], p]));
    expect(byName['CPU_XS_POOL']).toMatchObject({
      state: 'ACTIVE',
      min_nodes: 1,
      max_nodes: 2,
      instance_family: 'CPU_X64_XS',
      num_services: 1,
      auto_resume: 'true',
    });
    expect(byName['GPU_S_POOL']).toMatchObject({ state: 'IDLE', instance_family: 'GPU_NV_S', num_services: 0 });
    expect(byName['CPU_M_POOL']).toMatchObject({ state: 'SUSPENDED', active_nodes: 0, target_nodes: 0 });
    expect((await run(conn, "SHOW COMPUTE POOLS LIKE 'gpu%'")).map((p) => p['name'])).toEqual(['GPU_L_POOL', 'GPU_M_POOL', 'GPU_S_POOL']);
    const fams = Object.fromEntries((await run(conn, 'SHOW COMPUTE POOL INSTANCE FAMILIES')).map((f) => [f['name'], f]));
    expect(fams['GPU_NV_S']).toMatchObject({ gpu: 'NVIDIA A10G', gpu_count: 1, gpu_memory_gib: 24 });
    expect(fams['GPU_NV_M']).toMatchObject({ gpu_count: 4 });
    expect(fams['GPU_NV_L']).toMatchObject({ gpu: 'NVIDIA A100', gpu_count: 8, gpu_memory_gib: 40 });
    expect(fams['CPU_X64_XS']).toMatchObject({ vcpu: 1, memory_gib: 6, gpu_count: 0 });
  });

  it('8–9: CREATE COMPUTE POOL then RESUME / SUSPEND walk the pool state machine', async () => {
    const sql =
      'CREATE COMPUTE POOL IF NOT EXISTS TEST_POOL MIN_NODES = 1 MAX_NODES = 2 INSTANCE_FAMILY = CPU_X64_S AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE AUTO_SUSPEND_SECS = 600';
    expect(await run(conn, sql)).toEqual([{ status: 'Compute Pool TEST_POOL successfully created.' }]);
    expect(await run(conn, sql)).toEqual([{ status: 'TEST_POOL already exists, statement succeeded.' }]);
    expect((await runError(conn, 'CREATE COMPUTE POOL TEST_POOL MIN_NODES = 1 MAX_NODES = 1 INSTANCE_FAMILY = CPU_X64_S')).code).toBe(
      '002002',
    );
    expect((await runError(conn, 'CREATE COMPUTE POOL P2 MIN_NODES = 1 MAX_NODES = 1 INSTANCE_FAMILY = CPU_X64_HUGE')).code).toBe('001008');
    const state = async (): Promise<unknown> => (await run(conn, "SHOW COMPUTE POOLS LIKE 'TEST_POOL'"))[0]?.['state'];
    expect(await state()).toBe('SUSPENDED');
    expect(await run(conn, 'ALTER COMPUTE POOL TEST_POOL RESUME')).toEqual([{ status: 'Statement executed successfully.' }]);
    expect(await state()).toBe('STARTING');
    emu.clock.advance(4 * MIN);
    expect(await state()).toBe('IDLE');
    await run(conn, 'alter compute pool test_pool suspend');
    expect(await state()).toBe('STOPPING');
    emu.clock.advance(MIN);
    expect(await state()).toBe('SUSPENDED');
    expect((await runError(conn, 'ALTER COMPUTE POOL NO_SUCH_POOL SUSPEND')).code).toBe('002003');
  });

  it('10: SHOW SERVICES by schema, prefix and database; missing schema is 002003', async () => {
    const rows = await run(conn, 'SHOW SERVICES IN SCHEMA ML_DB.SERVING');
    expect(Object.keys(rows[0] ?? {})).toEqual(SERVICE_COLUMNS);
    expect(rows[0]).toMatchObject({
      name: 'IRIS_SVC',
      status: 'RUNNING',
      compute_pool: 'CPU_XS_POOL',
      is_job: 'false',
      min_instances: 1,
      max_instances: 2,
    });
    expect(await run(conn, "SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH 'IRIS'")).toHaveLength(1);
    expect(await run(conn, "SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH 'iris'")).toHaveLength(0);
    expect(await run(conn, 'SHOW SERVICES IN DATABASE ML_DB')).toHaveLength(1);
    const e = await runError(conn, 'SHOW SERVICES IN SCHEMA ML_DB.NOPE');
    expect([e.code, e.message]).toEqual(['002003', "SQL compilation error:\nSchema 'ML_DB.NOPE' does not exist or not authorized."]);
  });

  it('11–14: containers, instances, endpoints and DESCRIBE of a running model service', async () => {
    const containers = await run(conn, 'SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.IRIS_SVC');
    expect(
      containers.map((c) => [c['container_name'], c['status'], c['service_status'], c['instance_status'], c['restart_count']]),
    ).toEqual([
      ['model-inference', 'READY', 'RUNNING', 'READY', 0],
      ['proxy', 'READY', 'RUNNING', 'READY', 0],
    ]);
    const instances = await run(conn, 'SHOW SERVICE INSTANCES IN SERVICE ML_DB.SERVING.IRIS_SVC');
    expect(instances).toHaveLength(1);
    expect(instances[0]).toMatchObject({ instance_id: '0', status: 'READY', service_status: 'RUNNING' });
    const endpoints = await run(conn, 'SHOW ENDPOINTS IN SERVICE ML_DB.SERVING.IRIS_SVC');
    expect(endpoints[0]).toMatchObject({ name: 'inference', port: 5000, protocol: 'HTTP', is_public: 'true' });
    expect(String(endpoints[0]?.['ingress_url'])).toMatch(/^[a-z0-9]+-emuorg-emuacct\.snowflakecomputing\.app$/);
    const desc = await run(conn, 'DESCRIBE SERVICE ML_DB.SERVING.IRIS_SVC');
    const cols = Object.keys(desc[0] ?? {});
    expect(cols[cols.indexOf('compute_pool') + 1]).toBe('spec');
    expect(String(desc[0]?.['spec'])).toContain('name: model-inference');
  });

  it('18–20: live logs, event-table logs and metrics of the running service', async () => {
    const [row] = await run(conn, 'CALL SYSTEM$GET_SERVICE_LOGS(?, ?, ?, ?)', {
      binds: ['ML_DB.SERVING.IRIS_SVC', '0', 'model-inference', 3],
    });
    const text = String(row?.['SYSTEM$GET_SERVICE_LOGS']);
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toContain('Application startup complete.');
    const logs = await run(
      conn,
      "SELECT timestamp, instance_id, container_name, log FROM TABLE(ML_DB.SERVING.IRIS_SVC!SPCS_GET_LOGS(START_TIME => DATEADD('day', -2, CURRENT_TIMESTAMP()))) WHERE container_name = ? ORDER BY timestamp DESC LIMIT 2",
      { binds: ['proxy'] },
    );
    expect(logs).toHaveLength(2);
    expect(Object.keys(logs[0] ?? {})).toEqual(['TIMESTAMP', 'INSTANCE_ID', 'CONTAINER_NAME', 'LOG']);
    expect(logs[0]?.['CONTAINER_NAME']).toBe('proxy');
    const METRICS =
      "SELECT timestamp, metric_name, value, unit, instance_id, container_name FROM TABLE(ML_DB.SERVING.IRIS_SVC!SPCS_GET_METRICS(START_TIME => DATEADD('hour', -1, CURRENT_TIMESTAMP()))) ORDER BY timestamp";
    // A spec without platformMonitor collects no platform metrics.
    emu.clock.advance(5 * MIN);
    expect(await run(conn, METRICS)).toEqual([]);
    emu.setPlatformMonitor('ML_DB.SERVING.IRIS_SVC', ['system', 'system_limits']);
    expect(String((await run(conn, 'DESCRIBE SERVICE ML_DB.SERVING.IRIS_SVC'))[0]?.['spec'])).toMatch(
      /platformMonitor:\s+metricConfig:\s+groups:\s+- system\s+- system_limits/,
    );
    emu.clock.advance(5 * MIN);
    const metrics = await run(conn, METRICS);
    const names = new Set(metrics.map((m) => m['METRIC_NAME']));
    expect([...names].sort()).toEqual([
      'container.cpu.limit',
      'container.cpu.requested',
      'container.cpu.usage',
      'container.memory.limit',
      'container.memory.requested',
      'container.memory.usage',
    ]);
    const limit = metrics.find((m) => m['METRIC_NAME'] === 'container.memory.limit' && m['CONTAINER_NAME'] === 'model-inference');
    expect(limit).toMatchObject({ VALUE: String(6 * 1024 ** 3), UNIT: 'byte', INSTANCE_ID: 0 });
    expect(metrics.find((m) => m['METRIC_NAME'] === 'container.cpu.usage')).toMatchObject({ UNIT: 'cpu' });
    expect((await runError(conn, 'SELECT nope FROM TABLE(ML_DB.SERVING.IRIS_SVC!SPCS_GET_LOGS())')).code).toBe('000904');
  });

  it('16: ALTER SERVICE SET / SUSPEND / RESUME', async () => {
    const ok = [{ status: 'Statement executed successfully.' }];
    expect(await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET MIN_INSTANCES = 2 MAX_INSTANCES = 2')).toEqual(ok);
    let svc = (await run(conn, 'SHOW SERVICES IN SCHEMA ML_DB.SERVING'))[0];
    expect(svc).toMatchObject({ min_instances: 2, max_instances: 2, target_instances: 2, current_instances: 2 });
    expect(await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET AUTO_SUSPEND_SECS = 3600')).toEqual(ok);
    expect((await runError(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET MIN_INSTANCES = 3 MAX_INSTANCES = 2')).code).toBe('001008');
    expect(await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SUSPEND')).toEqual(ok);
    svc = (await run(conn, 'SHOW SERVICES IN SCHEMA ML_DB.SERVING'))[0];
    expect(svc?.['status']).toBe('SUSPENDING');
    emu.clock.advance(MIN);
    svc = (await run(conn, 'SHOW SERVICES IN SCHEMA ML_DB.SERVING'))[0];
    expect(svc).toMatchObject({ status: 'SUSPENDED', current_instances: 0, auto_suspend_secs: 3600 });
    const containers = await run(conn, 'SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.IRIS_SVC');
    expect(containers).toEqual([expect.objectContaining({ service_status: 'SUSPENDED', instance_id: null, container_name: null })]);
    await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC RESUME');
    expect((await run(conn, 'SHOW SERVICES IN SCHEMA ML_DB.SERVING'))[0]?.['status']).toBe('PENDING');
    emu.clock.advance(2 * MIN);
    expect((await run(conn, 'SHOW SERVICES IN SCHEMA ML_DB.SERVING'))[0]).toMatchObject({ status: 'RUNNING', current_instances: 2 });
  });

  it('16: ALTER SERVICE rules: AUTO_SUSPEND_SECS 0 or >= 300, MIN_READY_INSTANCES <= MIN_INSTANCES, OWNERSHIP to SET and OPERATE to SUSPEND', async () => {
    const ok = [{ status: 'Statement executed successfully.' }];
    const autoSuspend = await runError(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET AUTO_SUSPEND_SECS = 120');
    expect(autoSuspend).toMatchObject({ code: '001008', sqlState: '22023' });
    expect(autoSuspend.message).toContain('at least 300');
    expect((await runError(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET AUTO_SUSPEND_SECS = 299')).code).toBe('001008');
    expect(await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET AUTO_SUSPEND_SECS = 300')).toEqual(ok);
    expect(await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET AUTO_SUSPEND_SECS = 0')).toEqual(ok);

    const before = (await run(conn, 'SHOW SERVICES IN SCHEMA ML_DB.SERVING'))[0];
    const min = Number(before?.['min_instances']);
    expect(Number(before?.['min_ready_instances'])).toBeGreaterThan(0);
    expect((await runError(conn, `ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET MIN_READY_INSTANCES = ${min + 1}`)).code).toBe('001008');
    const lowered = await runError(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET MIN_INSTANCES = 0 MAX_INSTANCES = 2');
    expect(lowered).toMatchObject({ code: '001008' });
    expect(lowered.message).toContain('MIN_READY_INSTANCES');
    expect(await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET MIN_INSTANCES = 0 MAX_INSTANCES = 2 MIN_READY_INSTANCES = 0')).toEqual(
      ok,
    );
    expect((await run(conn, 'SHOW SERVICES IN SCHEMA ML_DB.SERVING'))[0]).toMatchObject({ min_instances: 0, min_ready_instances: 0 });
    expect(await run(conn, `ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET MIN_INSTANCES = ${min} MAX_INSTANCES = 2`)).toEqual(ok);

    // A role with OPERATE that does not own the service: SUSPEND / RESUME run, SET does not.
    for (const privilege of ['USAGE', 'MONITOR', 'OPERATE']) {
      addGrant(emu.state, {
        role: BOT_ROLE,
        privilege,
        on: 'SERVICE',
        key: key3('ML_DB', 'SERVING', 'IRIS_SVC'),
        name: 'ML_DB.SERVING.IRIS_SVC',
        createdOn: Date.now(),
      });
    }
    emu.faults.missingPrivilege({ privilege: 'OWNERSHIP', on: 'SERVICE', name: 'ML_DB.SERVING.IRIS_SVC', role: BOT_ROLE });
    try {
      const denied = await runError(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET AUTO_SUSPEND_SECS = 600');
      expect(denied).toMatchObject({ code: '003001', sqlState: '42501' });
      expect(denied.message).toBe("SQL access control error:\nInsufficient privileges to operate on service 'ML_DB.SERVING.IRIS_SVC'");
      expect(await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SUSPEND')).toEqual(ok);
      expect(await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC RESUME')).toEqual(ok);
    } finally {
      emu.faults.clear();
    }
    emu.clock.advance(2 * MIN);
  });

  it('21, 24–27: parameters, network rule, network policy and ALTER USER', async () => {
    const et = await run(conn, "SHOW PARAMETERS LIKE 'EVENT_TABLE' IN ACCOUNT");
    expect(et).toEqual([
      {
        key: 'EVENT_TABLE',
        value: 'snowflake.telemetry.events',
        default: 'snowflake.telemetry.events',
        level: '',
        description: 'Event table for the account',
        type: 'STRING',
      },
    ]);
    expect(await run(conn, "SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER SPCS_BOT")).toEqual([
      expect.objectContaining({ key: 'NETWORK_POLICY', value: '', level: '' }),
    ]);
    expect(
      await run(conn, "CREATE NETWORK RULE ML_DB.SERVING.BOT_CLIENTS MODE = INGRESS TYPE = IPV4 VALUE_LIST = ('127.0.0.1/32')"),
    ).toEqual([{ status: 'Network rule BOT_CLIENTS successfully created.' }]);
    expect(
      (await runError(conn, "CREATE NETWORK RULE ML_DB.SERVING.BAD MODE = INGRESS TYPE = IPV4 VALUE_LIST = ('300.1.1.1/32')")).code,
    ).toBe('001008');
    await run(conn, "CREATE NETWORK POLICY BOT_POLICY ALLOWED_NETWORK_RULE_LIST = ('ML_DB.SERVING.BOT_CLIENTS')");
    expect((await runError(conn, "CREATE NETWORK POLICY P2 ALLOWED_NETWORK_RULE_LIST = ('ML_DB.SERVING.MISSING')")).code).toBe('002003');
    await run(conn, 'ALTER USER SPCS_BOT SET NETWORK_POLICY = BOT_POLICY');
    expect(await run(conn, "SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER SPCS_BOT")).toEqual([
      expect.objectContaining({ value: 'BOT_POLICY', level: 'USER' }),
    ]);
    const again = await connect(emu);
    await destroy(again);

    await run(conn, "CREATE NETWORK RULE ML_DB.SERVING.OFFICE MODE = INGRESS TYPE = IPV4 VALUE_LIST = ('203.0.113.7/32')");
    await run(conn, "CREATE NETWORK POLICY OFFICE_ONLY ALLOWED_NETWORK_RULE_LIST = ('ML_DB.SERVING.OFFICE')");
    await run(conn, 'ALTER USER ANALYST SET NETWORK_POLICY = OFFICE_ONLY');
    const e = await connectError(emu, { username: 'ANALYST', role: 'ANALYST' });
    expect(e.code).toBe('390422');
  });

  it('23, 28–29: GRANT SERVICE ROLE, CURRENT_USER/ROLE and SHOW GRANTS TO ROLE', async () => {
    expect(await run(conn, 'GRANT SERVICE ROLE ML_DB.SERVING.IRIS_SVC!ALL_ENDPOINTS_USAGE TO ROLE ANALYST')).toEqual([
      { status: 'Statement executed successfully.' },
    ]);
    expect((await runError(conn, 'GRANT SERVICE ROLE ML_DB.SERVING.IRIS_SVC!NOPE TO ROLE ANALYST')).code).toBe('002003');
    expect((await runError(conn, 'GRANT SERVICE ROLE ML_DB.SERVING.IRIS_SVC!ALL_ENDPOINTS_USAGE TO ROLE NOBODY')).code).toBe('002003');
    expect(await run(conn, 'SELECT CURRENT_USER() AS "USER", CURRENT_ROLE() AS "ROLE"')).toEqual([
      { USER: 'SPCS_BOT', ROLE: 'SPCS_OPERATOR' },
    ]);
    const grants = await run(conn, 'SHOW GRANTS TO ROLE SPCS_OPERATOR');
    expect(Object.keys(grants[0] ?? {})).toEqual([
      'created_on',
      'privilege',
      'granted_on',
      'name',
      'granted_to',
      'grantee_name',
      'grant_option',
      'granted_by',
    ]);
    const has = (priv: string, on: string, name: string): boolean =>
      grants.some((g) => g['privilege'] === priv && g['granted_on'] === on && g['name'] === name);
    expect(has('USAGE', 'COMPUTE_POOL', 'CPU_XS_POOL')).toBe(true);
    expect(has('OWNERSHIP', 'SERVICE', 'ML_DB.SERVING.IRIS_SVC')).toBe(true);
    expect(has('USAGE', 'COMPUTE_POOL', 'GPU_L_POOL')).toBe(false);
    expect(has('CREATE SERVICE', 'SCHEMA', 'ML_DB.SERVING')).toBe(true);
    // SPCS_OPERATOR is not granted ANALYST, so it may not list ANALYST's grants.
    expect((await runError(conn, 'SHOW GRANTS TO ROLE ANALYST')).code).toBe('003001');
    expect(
      emu.state.grants.some(
        (g) => g.role === 'ANALYST' && g.on === 'SERVICE_ROLE' && g.name === 'ML_DB.SERVING.IRIS_SVC!ALL_ENDPOINTS_USAGE',
      ),
    ).toBe(true);
  });

  it('17, 22: DROP SERVICE; its logs stay in the event table', async () => {
    expect(await run(conn, 'DROP SERVICE ML_DB.SERVING.IRIS_SVC')).toEqual([{ status: 'IRIS_SVC successfully dropped.' }]);
    expect(await run(conn, 'DROP SERVICE IF EXISTS ML_DB.SERVING.IRIS_SVC')).toEqual([
      { status: 'Drop statement executed successfully (IRIS_SVC already dropped).' },
    ]);
    expect((await runError(conn, 'DROP SERVICE ML_DB.SERVING.IRIS_SVC')).code).toBe('002003');
    expect((await runError(conn, 'SELECT timestamp, log FROM TABLE(ML_DB.SERVING.IRIS_SVC!SPCS_GET_LOGS())')).code).toBe('002003');
    const EVENT_LOGS = `SELECT timestamp, resource_attributes:"snow.service.instance"::string AS instance_id, resource_attributes:"snow.service.container.name"::string AS container_name, value::string AS log
         FROM SNOWFLAKE.TELEMETRY.EVENTS
        WHERE resource_attributes:"snow.database.name" = ? AND resource_attributes:"snow.schema.name" = ? AND resource_attributes:"snow.service.name" = ?
          AND resource_attributes:"snow.service.container.name" = ? AND record_type = 'LOG' AND timestamp > DATEADD('day', -7, SYSDATE())
        ORDER BY timestamp DESC LIMIT 5`;
    const rows = await run(conn, EVENT_LOGS, { binds: ['ML_DB', 'SERVING', 'IRIS_SVC', 'model-inference'] });
    expect(rows).toHaveLength(5);
    expect(Object.keys(rows[0] ?? {})).toEqual(['TIMESTAMP', 'INSTANCE_ID', 'CONTAINER_NAME', 'LOG']);
    expect(rows.every((r) => r['CONTAINER_NAME'] === 'model-inference' && /^\d+$/.test(String(r['INSTANCE_ID'])))).toBe(true);
    expect(await run(conn, EVENT_LOGS, { binds: ['ML_DB', 'REGISTRY', 'IRIS_SVC', 'model-inference'] })).toEqual([]);
    // A table scan needs a warehouse; SHOW does not.
    const noWarehouse = await connect(emu, { warehouse: '' });
    expect(await run(noWarehouse, "SHOW PARAMETERS LIKE 'EVENT_TABLE' IN ACCOUNT")).toHaveLength(1);
    expect(await runError(noWarehouse, EVENT_LOGS, { binds: ['ML_DB', 'SERVING', 'IRIS_SVC', 'model-inference'] })).toMatchObject({
      code: '000606',
      sqlState: '57P03',
    });
    await destroy(noWarehouse);
    expect((await runError(conn, 'SELECT timestamp FROM ML_DB.SERVING.EVENTS')).code).toBe('002003');
    expect(emu.unsupportedSql()).toEqual([]);
  });
});
