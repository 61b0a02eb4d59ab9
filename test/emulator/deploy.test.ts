import { describe, expect, it } from 'vitest';
import { type Emulator, buildJobName } from '../../emulator/index.js';
import { type Connection, MIN, advanceUntil, deploySpec, resultsOf, run, runError, submitAsync, useEmulatorConnection } from './helpers.js';

const DEPLOY = 'CALL SYSTEM$DEPLOY_MODEL(?)';

describe('SYSTEM$DEPLOY_MODEL', () => {
  let emu: Emulator;
  let conn: Connection;
  useEmulatorConnection('all', (e, c) => {
    emu = e;
    conn = c;
  });

  const containers = (svc: string): Promise<Array<Record<string, unknown>>> => run(conn, `SHOW SERVICE CONTAINERS IN SERVICE ${svc}`);
  const serviceStatus = async (name: string): Promise<string | undefined> => {
    const rows = await run(conn, `SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH '${name}'`);
    const row = rows.find((r) => r['name'] === name);
    return row ? String(row['status']) : undefined;
  };

  it('when a CPU model is deployed async, then build job → service → RUNNING and the query completes', async () => {
    const spec = deploySpec({
      model: 'ML_DB.REGISTRY.SENTIMENT_BERT',
      version: 'V1',
      service: 'ML_DB.SERVING.BERT_CPU',
      pool: 'CPU_M_POOL',
    });
    const queryId = await submitAsync(conn, DEPLOY, [spec]);
    expect(queryId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await conn.getQueryStatus(queryId)).toBe('RUNNING');

    const job = buildJobName(queryId);
    const jobs = await run(conn, "SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH 'MODEL_BUILD_'");
    expect(jobs).toEqual([expect.objectContaining({ name: job, is_job: 'true', status: 'PENDING', compute_pool: 'CPU_M_POOL' })]);
    expect((await run(conn, "SHOW JOB SERVICES LIKE 'MODEL_BUILD%' IN SCHEMA ML_DB.SERVING")).map((r) => r['name'])).toEqual([job]);
    expect((await run(conn, "SHOW COMPUTE POOLS LIKE 'CPU_M_POOL'"))[0]?.['state']).toBe('STARTING');
    const [pending] = await containers(`ML_DB.SERVING.${job}`);
    expect(pending).toMatchObject({
      container_name: 'model-build',
      status: 'PENDING',
      message: 'Compute pool node(s) are being provisioned',
      service_status: 'PENDING',
    });
    expect(await serviceStatus('BERT_CPU')).toBeUndefined();

    const seen: string[] = [];
    await advanceUntil(emu, async () => {
      const s = await serviceStatus(job);
      if (s && seen[seen.length - 1] !== s) seen.push(s);
      return s === 'DONE';
    });
    expect(seen).toEqual(['PENDING', 'RUNNING', 'DONE']);
    const [doneRow] = await containers(`ML_DB.SERVING.${job}`);
    expect(doneRow).toMatchObject({ status: 'DONE', last_exit_code: 0, instance_status: 'SUCCEEDED' });
    const [buildLog] = await run(conn, 'CALL SYSTEM$GET_SERVICE_LOGS(?, ?, ?, ?)', {
      binds: [`ML_DB.SERVING.${job}`, '0', 'model-build', 100],
    });
    expect(String(buildLog?.['SYSTEM$GET_SERVICE_LOGS'])).toContain('Model image build completed successfully');

    expect(await serviceStatus('BERT_CPU')).toBe('PENDING');
    expect(await conn.getQueryStatus(queryId)).toBe('RUNNING');
    const svcSeen: string[] = [];
    await advanceUntil(
      emu,
      async () => {
        const s = await serviceStatus('BERT_CPU');
        if (s && svcSeen[svcSeen.length - 1] !== s) svcSeen.push(s);
        return s === 'RUNNING';
      },
      { stepMs: 10_000 },
    );
    expect(svcSeen).toEqual(['PENDING', 'RUNNING']);
    expect((await containers('ML_DB.SERVING.BERT_CPU')).map((c) => [c['container_name'], c['status']])).toEqual([
      ['model-inference', 'READY'],
      ['proxy', 'READY'],
    ]);
    expect(await conn.getQueryStatus(queryId)).toBe('SUCCESS');
    const rows = await resultsOf(conn, queryId);
    expect(Object.keys(rows[0] ?? {})).toEqual(['SYSTEM$DEPLOY_MODEL']);
    expect(String(rows[0]?.['SYSTEM$DEPLOY_MODEL'])).toContain('ML_DB.SERVING.BERT_CPU');

    const endpoint = async (): Promise<string> =>
      String((await run(conn, 'SHOW ENDPOINTS IN SERVICE ML_DB.SERVING.BERT_CPU'))[0]?.['ingress_url']);
    expect(await endpoint()).toBe('Endpoints provisioning in progress... check back in a few minutes');
    await advanceUntil(emu, async () => (await endpoint()).endsWith('snowflakecomputing.app'));
    const versions = await run(conn, "SHOW VERSIONS LIKE 'V1' IN MODEL ML_DB.REGISTRY.SENTIMENT_BERT");
    expect(JSON.parse(String(versions[0]?.['inference_services']))).toEqual(expect.arrayContaining(['ML_DB.SERVING.BERT_CPU']));
    expect((await run(conn, "SHOW COMPUTE POOLS LIKE 'CPU_M_POOL'"))[0]).toMatchObject({ state: 'ACTIVE', num_services: 1 });
  });

  it('when a GPU-runtime model is deployed with gpu: 1 on GPU_NV_S, then it runs and reports GPU metrics', async () => {
    const spec = deploySpec({
      model: 'ML_DB.REGISTRY.SENTIMENT_BERT',
      version: 'V2',
      service: 'ML_DB.SERVING.BERT_GPU',
      pool: 'GPU_S_POOL',
      gpu: 1,
      extra: '  num_workers: 1',
    });
    const queryId = await submitAsync(conn, DEPLOY, [spec]);
    await advanceUntil(emu, async () => (await conn.getQueryStatus(queryId)) === 'SUCCESS', { stepMs: 30_000 });
    const desc = await run(conn, 'DESCRIBE SERVICE ML_DB.SERVING.BERT_GPU');
    expect(String(desc[0]?.['spec'])).toContain('nvidia.com/gpu: 1');
    emu.setPlatformMonitor('ML_DB.SERVING.BERT_GPU', ['system', 'system_limits']);
    emu.clock.advance(3 * MIN);
    const metrics = await run(
      conn,
      "SELECT timestamp, metric_name, value, unit, container_name FROM TABLE(ML_DB.SERVING.BERT_GPU!SPCS_GET_METRICS(START_TIME => DATEADD('hour', -1, CURRENT_TIMESTAMP()))) ORDER BY timestamp",
    );
    const names = new Set(metrics.map((m) => m['METRIC_NAME']));
    expect(names).toContain('container.gpu.memory.usage');
    expect(names).toContain('container.gpu.limit');
    // A ratio per GPU, 0–1 (monitoring-services).
    const utilization = metrics.filter((m) => m['METRIC_NAME'] === 'container.gpu.utilization');
    expect(utilization.length).toBeGreaterThan(0);
    expect(utilization.every((m) => m['UNIT'] === 'ratio' && Number(m['VALUE']) > 0 && Number(m['VALUE']) <= 1)).toBe(true);
  });

  describe('validation, as the server does it', () => {
    const failureOf = async (spec: string): Promise<string> => {
      const queryId = await submitAsync(conn, DEPLOY, [spec]);
      expect(await conn.getQueryStatus(queryId)).toBe('FAILED_WITH_ERROR');
      return conn.getQueryStatusThrowIfError(queryId).then(
        () => 'no error',
        (e: Error) => e.message,
      );
    };

    it('when GPUs are requested for a model without runtimes.gpu, then the deploy fails', async () => {
      const msg = await failureOf(
        deploySpec({
          model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER',
          version: 'V1',
          service: 'ML_DB.SERVING.IRIS_GPU',
          pool: 'GPU_S_POOL',
          gpu: 1,
        }),
      );
      expect(msg).toContain('no GPU runtime (runtimes.gpu)');
    });

    it('when more GPUs are requested than a node of the family has, then the deploy fails', async () => {
      const msg = await failureOf(
        deploySpec({ model: 'ML_DB.REGISTRY.SENTIMENT_BERT', version: 'V2', service: 'ML_DB.SERVING.X', pool: 'GPU_S_POOL', gpu: 2 }),
      );
      expect(msg).toContain('exceeds the 1 GPU(s) per node of instance family GPU_NV_S');
    });

    it('when GPUs are requested on a CPU pool, then the deploy fails', async () => {
      const msg = await failureOf(
        deploySpec({ model: 'ML_DB.REGISTRY.SENTIMENT_BERT', version: 'V2', service: 'ML_DB.SERVING.X', pool: 'CPU_XS_POOL', gpu: 1 }),
      );
      expect(msg).toContain('has no GPUs');
    });

    it('when the service exists, the model or pool is missing, or the spec is malformed, then the deploy fails', async () => {
      expect(
        await failureOf(
          deploySpec({ model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER', version: 'V1', service: 'ML_DB.SERVING.IRIS_SVC', pool: 'CPU_XS_POOL' }),
        ),
      ).toContain("Object 'ML_DB.SERVING.IRIS_SVC' already exists.");
      expect(
        await failureOf(deploySpec({ model: 'ML_DB.REGISTRY.NOPE', version: 'V1', service: 'ML_DB.SERVING.X', pool: 'CPU_XS_POOL' })),
      ).toContain("Model 'ML_DB.REGISTRY.NOPE' does not exist or not authorized.");
      expect(
        await failureOf(
          deploySpec({ model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER', version: 'V9', service: 'ML_DB.SERVING.X', pool: 'CPU_XS_POOL' }),
        ),
      ).toContain("Version 'V9' of model 'ML_DB.REGISTRY.IRIS_CLASSIFIER' does not exist");
      expect(
        await failureOf(
          deploySpec({ model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER', version: 'V1', service: 'ML_DB.SERVING.X', pool: 'NO_POOL' }),
        ),
      ).toContain("Compute pool 'NO_POOL' does not exist or not authorized.");
      expect(
        await failureOf(
          deploySpec({ model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER', version: 'V1', service: 'ML_DB.SERVING.X', pool: 'GPU_L_POOL' }),
        ),
      ).toContain("Insufficient privileges to operate on compute pool 'GPU_L_POOL'");
      expect(
        await failureOf(
          'models: [{name: ML_DB.REGISTRY.IRIS_CLASSIFIER, version: V1}]\nservice: {name: X, compute_pool: CPU_XS_POOL, replicas: 3}',
        ),
      ).toContain('Invalid model deployment spec');
      expect(await failureOf('models: [')).toContain('Invalid model deployment spec');
    });

    it('when the failed query is fetched by id, then its real code is returned', async () => {
      const queryId = await submitAsync(conn, DEPLOY, [
        deploySpec({ model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER', version: 'V1', service: 'ML_DB.SERVING.IRIS_SVC', pool: 'CPU_XS_POOL' }),
      ]);
      const err = await new Promise<{ code?: string | number; sqlState?: string }>((resolve) => {
        conn.fetchResult({ queryId, complete: (e) => resolve(e ?? {}) });
      });
      expect([err.code, err.sqlState]).toEqual(['002002', '42710']);
    });

    it('when sent synchronously, then a validation error is returned directly', async () => {
      const e = await runError(conn, DEPLOY, {
        binds: [
          deploySpec({ model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER', version: 'V1', service: 'ML_DB.SERVING.IRIS_SVC', pool: 'CPU_XS_POOL' }),
        ],
      });
      expect([e.code, e.sqlState]).toEqual(['002002', '42710']);
    });
  });

  it('when sent synchronously, then the driver polls 333333 until the service runs', async () => {
    const spec = deploySpec({
      model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER',
      version: 'V1',
      service: 'ML_DB.SERVING.IRIS_SYNC',
      pool: 'CPU_XS_POOL',
    });
    let settled = false;
    const pending = run(conn, DEPLOY, { binds: [spec] }).finally(() => {
      settled = true;
    });
    for (let i = 0; i < 200 && !settled; i++) {
      emu.clock.advance(30_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    const rows = await pending;
    expect(String(rows[0]?.['SYSTEM$DEPLOY_MODEL'])).toContain('ML_DB.SERVING.IRIS_SYNC');
    // IRIS_CLASSIFIER V1 was already built for IRIS_SVC, so no MODEL_BUILD job was needed.
    const log = emu.sqlLog.filter((e) => e.kind === 'deployModel');
    expect(log.some((e) => e.outcome === 'success' && !e.asyncExec)).toBe(true);
  });
});
