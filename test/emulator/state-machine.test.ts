import { describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/index.js';
import {
  type Connection,
  MIN,
  advanceUntil,
  connect,
  deploySpec,
  destroy,
  resultsOf,
  run,
  submitAsync,
  useEmulatorConnection,
} from './helpers.js';

const DEPLOY = 'CALL SYSTEM$DEPLOY_MODEL(?)';

describe('SPCS state machine', () => {
  let emu: Emulator;
  let conn: Connection;
  useEmulatorConnection('each', (e, c) => {
    emu = e;
    conn = c;
  });

  const pool = async (name: string): Promise<Record<string, unknown>> => (await run(conn, `SHOW COMPUTE POOLS LIKE '${name}'`))[0] ?? {};
  const service = async (name: string): Promise<Record<string, unknown>> =>
    (await run(conn, `SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH '${name}'`)).find((r) => r['name'] === name) ?? {};

  it('when an idle pool passes AUTO_SUSPEND_SECS, then it suspends itself', async () => {
    expect(await pool('GPU_S_POOL')).toMatchObject({ state: 'IDLE', auto_suspend_secs: 3600, idle_nodes: 1 });
    emu.clock.advance(49 * MIN);
    expect((await pool('GPU_S_POOL'))['state']).toBe('IDLE');
    emu.clock.advance(2 * MIN);
    expect(await pool('GPU_S_POOL')).toMatchObject({ state: 'SUSPENDED', active_nodes: 0, idle_nodes: 0 });
  });

  it('when a pool with AUTO_RESUME = FALSE is used, then work waits until it is resumed explicitly', async () => {
    const q = await submitAsync(conn, DEPLOY, [
      deploySpec({ model: 'ML_DB.REGISTRY.SENTIMENT_BERT', version: 'V1', service: 'ML_DB.SERVING.HM', pool: 'HIGHMEM_POOL' }),
    ]);
    emu.clock.advance(20 * MIN);
    expect((await pool('HIGHMEM_POOL'))['state']).toBe('SUSPENDED');
    const jobs = await run(conn, "SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH 'MODEL_BUILD_'");
    const [c] = await run(conn, `SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.${String(jobs[0]?.['name'])}`);
    expect(c).toMatchObject({ service_status: 'PENDING', message: 'Compute pool HIGHMEM_POOL is suspended and AUTO_RESUME is FALSE' });
    await run(conn, 'ALTER COMPUTE POOL HIGHMEM_POOL RESUME');
    expect((await pool('HIGHMEM_POOL'))['state']).toBe('STARTING');
    await advanceUntil(emu, async () => (await conn.getQueryStatus(q)) === 'SUCCESS', { stepMs: 30_000 });
    expect(await pool('HIGHMEM_POOL')).toMatchObject({ state: 'ACTIVE', num_services: 1 });
  });

  it('when a pool with services is suspended, then its services suspend; resuming a service auto-resumes the pool', async () => {
    await run(conn, 'ALTER COMPUTE POOL CPU_XS_POOL SUSPEND');
    expect((await pool('CPU_XS_POOL'))['state']).toBe('STOPPING');
    expect((await service('IRIS_SVC'))['status']).toBe('SUSPENDING');
    emu.clock.advance(MIN);
    expect((await pool('CPU_XS_POOL'))['state']).toBe('SUSPENDED');
    expect((await service('IRIS_SVC'))['status']).toBe('SUSPENDED');
    await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC RESUME');
    expect((await pool('CPU_XS_POOL'))['state']).toBe('STARTING');
    expect((await service('IRIS_SVC'))['status']).toBe('PENDING');
    await advanceUntil(emu, async () => (await service('IRIS_SVC'))['status'] === 'RUNNING');
    expect((await pool('CPU_XS_POOL'))['state']).toBe('ACTIVE');
  });

  it('when instances outgrow a node, then the pool adds nodes up to MAX_NODES and the rest stay pending', async () => {
    // CPU_X64_XS has 1 vCPU; an inference instance requests 0.5 (model-inference 0.4 + proxy 0.1).
    await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET MIN_INSTANCES = 3 MAX_INSTANCES = 5');
    expect(await pool('CPU_XS_POOL')).toMatchObject({ target_nodes: 2, active_nodes: 1 });
    await advanceUntil(
      emu,
      async () =>
        (await service('IRIS_SVC'))['current_instances'] === 3 &&
        (await run(conn, 'SHOW SERVICE INSTANCES IN SERVICE ML_DB.SERVING.IRIS_SVC')).every((i) => i['status'] === 'READY'),
    );
    expect(await pool('CPU_XS_POOL')).toMatchObject({ active_nodes: 2, idle_nodes: 0 });
    await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SET MIN_INSTANCES = 5');
    emu.clock.advance(30 * MIN);
    const instances = await run(conn, 'SHOW SERVICE INSTANCES IN SERVICE ML_DB.SERVING.IRIS_SVC');
    expect(instances.map((i) => i['status'])).toEqual(['READY', 'READY', 'READY', 'READY', 'PENDING']);
    const containers = await run(conn, 'SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.IRIS_SVC');
    expect(containers.filter((c) => c['instance_id'] === '4').map((c) => c['message'])).toEqual([
      'Compute pool node(s) are being provisioned',
      'Compute pool node(s) are being provisioned',
    ]);
    expect((await service('IRIS_SVC'))['status']).toBe('RUNNING');
  });

  it('when a model service has min_instances 0, then it auto-suspends after 30 idle minutes', async () => {
    const q = await submitAsync(conn, DEPLOY, [
      deploySpec({
        model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER',
        version: 'V1',
        service: 'ML_DB.SERVING.IRIS_LAZY',
        pool: 'CPU_M_POOL',
        minInstances: 0,
      }),
    ]);
    await advanceUntil(emu, async () => (await conn.getQueryStatus(q)) === 'SUCCESS', { stepMs: 30_000 });
    expect(await service('IRIS_LAZY')).toMatchObject({ status: 'RUNNING', auto_suspend_secs: 1800, min_instances: 0 });
    emu.clock.advance(31 * MIN);
    await advanceUntil(emu, async () => (await service('IRIS_LAZY'))['status'] === 'SUSPENDED');
  });
});

describe('SPCS state machine on a fast real-time clock', () => {
  it('when the clock runs at 2000x, then a full deploy completes without manual advancing', async () => {
    const emu = await startEmulator({ speed: 2000, seed: 7 });
    const conn = await connect(emu);
    try {
      const q = await submitAsync(conn, DEPLOY, [
        deploySpec({ model: 'ML_DB.REGISTRY.SENTIMENT_BERT', version: 'V1', service: 'ML_DB.SERVING.FAST', pool: 'CPU_M_POOL' }),
      ]);
      const rows = await resultsOf(conn, q);
      expect(String(rows[0]?.['SYSTEM$DEPLOY_MODEL'])).toContain('ML_DB.SERVING.FAST');
      const [c] = await run(conn, 'SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.FAST');
      expect(c).toMatchObject({ service_status: 'RUNNING', status: 'READY' });
    } finally {
      await destroy(conn);
      await emu.close();
    }
  });
});
