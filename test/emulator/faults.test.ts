import { describe, expect, it } from 'vitest';
import { type Emulator, buildJobName } from '../../emulator/index.js';
import { type Connection, MIN, advanceUntil, deploySpec, run, runError, submitAsync, useEmulatorConnection } from './helpers.js';

const DEPLOY = 'CALL SYSTEM$DEPLOY_MODEL(?)';
const GIB = 1024 ** 3;

describe('fault injection', () => {
  let emu: Emulator;
  let conn: Connection;
  useEmulatorConnection('each', (e, c) => {
    emu = e;
    conn = c;
  });

  const statusError = (queryId: string): Promise<string> =>
    conn.getQueryStatusThrowIfError(queryId).then(
      (s) => `status ${s}`,
      (e: Error) => e.message,
    );

  it('when the image build fails, then the build container is FAILED with build logs and the deploy query fails', async () => {
    emu.faults.imageBuildFailure({ model: 'SENTIMENT_BERT', message: 'No matching distribution found for torch==0.0.1' });
    const queryId = await submitAsync(conn, DEPLOY, [
      deploySpec({ model: 'ML_DB.REGISTRY.SENTIMENT_BERT', version: 'V1', service: 'ML_DB.SERVING.BERT', pool: 'CPU_XS_POOL' }),
    ]);
    const job = `ML_DB.SERVING.${buildJobName(queryId)}`;
    await advanceUntil(emu, async () => (await conn.getQueryStatus(queryId)) === 'FAILED_WITH_ERROR');
    const [c] = await run(conn, `SHOW SERVICE CONTAINERS IN SERVICE ${job}`);
    expect(c).toMatchObject({ service_status: 'FAILED', status: 'FAILED', last_exit_code: 1 });
    expect(String(c?.['message'])).toContain('No matching distribution found for torch==0.0.1');
    const [log] = await run(conn, 'CALL SYSTEM$GET_SERVICE_LOGS(?, ?, ?, ?)', { binds: [job, '0', 'model-build', 50] });
    expect(String(log?.['SYSTEM$GET_SERVICE_LOGS'])).toContain('ERROR: No matching distribution found for torch==0.0.1');
    expect(await statusError(queryId)).toContain('Model image build failed');
    expect(await run(conn, "SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH 'BERT'")).toEqual([]);
  });

  it('when a running service is OOM-killed, then restarts climb, status flaps and memory peaks at the limit', async () => {
    emu.setPlatformMonitor('ML_DB.SERVING.IRIS_SVC', ['system']);
    emu.faults.oomKill({ service: 'ML_DB.SERVING.IRIS_SVC', afterMs: 2 * MIN });
    const statuses = new Set<string>();
    let container: Record<string, unknown> | undefined;
    await advanceUntil(
      emu,
      async () => {
        const rows = await run(conn, 'SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.IRIS_SVC');
        container = rows.find((r) => r['container_name'] === 'model-inference');
        statuses.add(`${String(container?.['service_status'])}/${String(container?.['status'])}`);
        return Number(container?.['restart_count']) >= 3;
      },
      { stepMs: 10_000, maxMs: 120 * MIN },
    );
    expect(statuses).toContain('RUNNING/READY');
    expect(statuses).toContain('FAILED/FAILED');
    const failed = await advanceUntil(
      emu,
      async () => {
        const rows = await run(conn, 'SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.IRIS_SVC');
        container = rows.find((r) => r['container_name'] === 'model-inference');
        return container?.['status'] === 'FAILED';
      },
      { stepMs: 5_000 },
    );
    expect(failed).toBeGreaterThanOrEqual(0);
    expect(container).toMatchObject({ message: 'Container was OOMKilled due to resource usage', last_exit_code: 137 });
    const [row] = await run(conn, "CALL SYSTEM$GET_SERVICE_LOGS('ML_DB.SERVING.IRIS_SVC', '0', 'model-inference', 5)");
    expect(String(row?.['SYSTEM$GET_SERVICE_LOGS'])).toContain('OOMKilled');
    // VALUE is VARCHAR, so the peak is taken here rather than with ORDER BY value.
    const usage = await run(
      conn,
      "SELECT value FROM TABLE(ML_DB.SERVING.IRIS_SVC!SPCS_GET_METRICS(START_TIME => DATEADD('hour', -3, CURRENT_TIMESTAMP()))) WHERE metric_name = 'container.memory.usage' AND container_name = 'model-inference'",
    );
    expect(Math.max(...usage.map((r) => Number(r['VALUE'])))).toBeGreaterThan(0.95 * 6 * GIB); // CPU_X64_XS: 6 GiB for the container
  });

  it('when a container is OOM-killed, then <svc>!SPCS_GET_EVENTS has the documented CONTAINER.STATUS_CHANGE events, columns as documented', async () => {
    emu.faults.oomKill({ service: 'IRIS_SVC' });
    await advanceUntil(
      emu,
      async () => (await run(conn, 'SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.IRIS_SVC')).some((r) => r['last_exit_code'] === 137),
      { stepMs: 5_000 },
    );
    // Restarted after the back-off, and running again.
    await advanceUntil(
      emu,
      async () => (await run(conn, 'SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.IRIS_SVC')).every((r) => r['status'] === 'READY'),
      { stepMs: 5_000 },
    );
    const rows = await run(
      conn,
      "SELECT * FROM TABLE(ML_DB.SERVING.IRIS_SVC!SPCS_GET_EVENTS(START_TIME => DATEADD('hour', -6, CURRENT_TIMESTAMP()))) ORDER BY timestamp",
    );
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'TIMESTAMP',
      'SEVERITY',
      'EVENT_NAME',
      'EVENT_DETAILS',
      'INSTANCE_ID',
      'CONTAINER_NAME',
      'RECORD',
      'RECORD_ATTRIBUTES',
    ]);
    const inference = rows.filter((r) => r['CONTAINER_NAME'] === 'model-inference');
    const details = (r: Record<string, unknown>): { message?: string; status?: string } => {
      const v = r['EVENT_DETAILS'];
      return typeof v === 'string'
        ? (JSON.parse(v) as { message?: string; status?: string })
        : (v as { message?: string; status?: string });
    };
    const messages = inference.map((r) => details(r).message);
    expect(messages).toContain('Waiting to start');
    expect(messages).toContain('Running');
    const oom = inference.find((r) => details(r).message === 'Container was OOMKilled due to resource usage');
    expect(oom).toMatchObject({ EVENT_NAME: 'CONTAINER.STATUS_CHANGE', SEVERITY: 'ERROR', INSTANCE_ID: 0 });
    expect(details(oom ?? {})).toEqual({ message: 'Container was OOMKilled due to resource usage', status: 'FAILED' });
  });

  it('when a container is not running yet, then SYSTEM$GET_SERVICE_LOGS says "<message>, Container Status: PENDING"', async () => {
    await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET MIN_INSTANCES = 2 MAX_INSTANCES = 2');
    emu.clock.advance(1);
    const message = await runError(conn, "CALL SYSTEM$GET_SERVICE_LOGS('ML_DB.SERVING.IRIS_SVC', '1', 'model-inference', 5)");
    expect(String(message)).toMatch(
      /(Compute pool node\(s\) are being provisioned|Waiting to start|Readiness probe is failing at path: \/health, port: 5000), Container Status: PENDING/,
    );
  });

  it('when a new service OOMs at startup, then it never becomes ready and the deploy fails', async () => {
    emu.faults.oomKill({ service: 'BERT_OOM', phase: 'startup' });
    const queryId = await submitAsync(conn, DEPLOY, [
      deploySpec({ model: 'ML_DB.REGISTRY.SENTIMENT_BERT', version: 'V1', service: 'ML_DB.SERVING.BERT_OOM', pool: 'CPU_M_POOL' }),
    ]);
    await advanceUntil(emu, async () => (await conn.getQueryStatus(queryId)) === 'FAILED_WITH_ERROR', { stepMs: 30_000 });
    expect(await statusError(queryId)).toMatch(
      /failed to start: container model-inference Container was OOMKilled due to resource usage \(exit code 137\)/,
    );
    // Crash-looping: FAILED while backing off, PENDING while the container restarts; never RUNNING.
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const [svc] = await run(conn, "SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH 'BERT_OOM'");
      seen.add(String(svc?.['status']));
      emu.clock.advance(15_000);
    }
    expect([...seen].sort()).toEqual(['FAILED', 'PENDING']);
  });

  it('when the pool has no free node, then the service stays PENDING with "Compute pool node(s) are being provisioned" until a node frees up', async () => {
    emu.faults.noFreeNode('GPU_S_POOL');
    const pool = async (): Promise<Record<string, unknown> | undefined> => (await run(conn, "SHOW COMPUTE POOLS LIKE 'GPU_S_POOL'"))[0];
    expect(await pool()).toMatchObject({ state: 'ACTIVE', active_nodes: 2, max_nodes: 2, idle_nodes: 0 });
    const queryId = await submitAsync(conn, DEPLOY, [
      deploySpec({
        model: 'ML_DB.REGISTRY.SENTIMENT_BERT',
        version: 'V2',
        service: 'ML_DB.SERVING.BERT_GPU',
        pool: 'GPU_S_POOL',
        buildPool: 'CPU_M_POOL',
        gpu: 1,
      }),
    ]);
    await advanceUntil(emu, async () => (await run(conn, "SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH 'BERT_GPU'")).length === 1, {
      stepMs: 30_000,
    });
    emu.clock.advance(30 * MIN);
    const rows = await run(conn, 'SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.BERT_GPU');
    expect(rows.map((r) => [r['service_status'], r['status'], r['message']])).toEqual([
      ['PENDING', 'PENDING', 'Compute pool node(s) are being provisioned'],
      ['PENDING', 'PENDING', 'Compute pool node(s) are being provisioned'],
    ]);
    expect(await conn.getQueryStatus(queryId)).toBe('RUNNING');
    emu.faults.noFreeNode('GPU_S_POOL', false);
    await advanceUntil(emu, async () => (await conn.getQueryStatus(queryId)) === 'SUCCESS');
  });

  it('when a privilege is missing, then the statements that need it fail with 003001', async () => {
    emu.faults.missingPrivilege({ privilege: 'USAGE', on: 'COMPUTE POOL', name: 'CPU_XS_POOL', role: 'SPCS_OPERATOR' });
    const spec = deploySpec({ model: 'ML_DB.REGISTRY.SENTIMENT_BERT', version: 'V1', service: 'ML_DB.SERVING.B', pool: 'CPU_XS_POOL' });
    let e = await runError(conn, DEPLOY, { binds: [spec] });
    expect([e.code, e.sqlState, e.message]).toEqual([
      '003001',
      '42501',
      "SQL access control error:\nInsufficient privileges to operate on compute pool 'CPU_XS_POOL'",
    ]);
    expect((await run(conn, "SHOW COMPUTE POOLS LIKE 'CPU_XS_POOL'")).length).toBe(1);

    emu.faults.missingPrivilege({ privilege: 'CREATE SERVICE', on: 'SCHEMA', name: 'ML_DB.SERVING' });
    e = await runError(conn, DEPLOY, {
      binds: [deploySpec({ model: 'ML_DB.REGISTRY.SENTIMENT_BERT', version: 'V1', service: 'ML_DB.SERVING.B', pool: 'CPU_M_POOL' })],
    });
    expect(e.message).toContain("Insufficient privileges to operate on schema 'ML_DB.SERVING'");

    emu.faults.missingPrivilege({ privilege: 'MONITOR', on: 'SERVICE', name: 'ML_DB.SERVING.IRIS_SVC' });
    expect((await runError(conn, "CALL SYSTEM$GET_SERVICE_LOGS('ML_DB.SERVING.IRIS_SVC', '0', 'proxy', 10)")).code).toBe('003001');
    expect((await runError(conn, 'SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.IRIS_SVC')).code).toBe('003001');

    emu.faults.missingPrivilege({ privilege: 'OPERATE', on: 'SERVICE', name: 'ML_DB.SERVING.IRIS_SVC' });
    e = await runError(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SUSPEND');
    expect(e.message).toContain("Insufficient privileges to operate on service 'ML_DB.SERVING.IRIS_SVC'");

    emu.faults.missingPrivilege({ privilege: 'BIND SERVICE ENDPOINT', on: 'ACCOUNT' });
    e = await runError(conn, DEPLOY, {
      binds: [deploySpec({ model: 'ML_DB.REGISTRY.SENTIMENT_BERT', version: 'V1', service: 'ML_DB.REGISTRY.B', pool: 'CPU_M_POOL' })],
    });
    expect(e.message).toContain("Insufficient privileges to operate on account 'EMUACCT'");

    emu.faults.restorePrivileges();
    expect(await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SUSPEND')).toEqual([{ status: 'Statement executed successfully.' }]);
    const grants = await run(conn, 'SHOW GRANTS TO ROLE SPCS_OPERATOR');
    expect(grants.some((g) => g['privilege'] === 'USAGE' && g['name'] === 'CPU_XS_POOL')).toBe(true);
  });
});
