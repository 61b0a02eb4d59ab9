/**
 * The service lifecycle through the real driver against the emulator (frozen clock, moved by hand):
 * find and inspect the seeded service, deploy a model version with CALL SYSTEM$DEPLOY_MODEL (async),
 * follow the build job and the endpoint, operate the service, read its logs and metrics, drop it and
 * read its logs from the event table; plus a failing build and a refused deploy.
 */
import { describe, expect, it } from 'vitest';
import { buildJobName as emulatorBuildJobName } from '../../emulator/index.js';
import type { QueryState, SnowflakeClient } from '../../src/snowflake/client.js';
import { buildJobName, deployModel, deployResult, deployStatus } from '../../src/snowflake/deploy-queries.js';
import { requireQualifiedName, identifierFromSnowflake } from '../../src/snowflake/identifiers.js';
import {
  findEventTable,
  getLogsFromEventTable,
  getServiceLogHistory,
  getServiceLogs,
  getServiceMetrics,
  platformMonitorGroups,
  BUILD_CONTAINER,
} from '../../src/snowflake/observability-queries.js';
import {
  describeService,
  dropService,
  findService,
  getInferenceEndpoint,
  listServiceContainers,
  listServiceEndpoints,
  listServiceInstances,
  listServices,
  resumeService,
  setServiceAutoSuspend,
  setServiceInstances,
  suspendService,
} from '../../src/snowflake/service-queries.js';
import { type Emulator, useEmulatorClient } from './support/emulator.js';

const INLINE = { delivery: { kind: 'inline' } } as const;

let emu: Emulator;
let db: SnowflakeClient;
useEmulatorClient((e, d) => {
  emu = e;
  db = d;
});

const fq = (text: string) => requireQualifiedName(text, 'test', 3);
const IRIS_SVC = fq('ML_DB.SERVING.IRIS_SVC');
const BERT_SVC = fq('ML_DB.SERVING.BERT_SVC');

/** Moves virtual time in steps until the deploy query leaves RUNNING (or gives up). */
async function advanceUntilDone(queryId: string, stepMs = 20_000, maxSteps = 90): Promise<QueryState> {
  for (let i = 0; i < maxSteps; i++) {
    const state = await deployStatus(db, queryId);
    if (state.state !== 'running') return state;
    emu.clock.advance(stepMs);
  }
  return deployStatus(db, queryId);
}

describe('an existing service', () => {
  it('is found by exact name; a missing one or a missing schema gives null', async () => {
    expect(await findService(db, IRIS_SVC)).toMatchObject({
      name: 'IRIS_SVC',
      status: 'RUNNING',
      databaseName: 'ML_DB',
      schemaName: 'SERVING',
      computePool: 'CPU_XS_POOL',
      isJob: false,
      minInstances: 1,
      maxInstances: 2,
    });
    expect(await findService(db, fq('ML_DB.SERVING.IRIS'))).toBeNull();
    expect(await findService(db, fq('ML_DB.NO_SUCH_SCHEMA.IRIS_SVC'))).toBeNull();
  });

  it('is listed in its schema and its database', async () => {
    expect((await listServices(db, { schema: IRIS_SVC.container })).map((s) => s.name)).toContain('IRIS_SVC');
    expect((await listServices(db, { database: identifierFromSnowflake('ML_DB') })).map((s) => s.name)).toContain('IRIS_SVC');
    await expect(listServices(db, { database: identifierFromSnowflake('NO_SUCH_DB') })).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('shows containers, instances, a ready inference endpoint and its spec', async () => {
    const containers = await listServiceContainers(db, IRIS_SVC);
    expect(containers.find((c) => c.containerName === 'model-inference')).toMatchObject({ serviceStatus: 'RUNNING', status: 'READY' });
    const instances = await listServiceInstances(db, IRIS_SVC);
    expect(instances[0]).toMatchObject({ serviceName: 'IRIS_SVC', status: 'READY' });
    expect((await listServiceEndpoints(db, IRIS_SVC)).map((e) => e.name)).toContain('inference');
    const endpoint = await getInferenceEndpoint(db, IRIS_SVC);
    expect(endpoint.state).toBe('ready');
    if (endpoint.state === 'ready') expect(endpoint.url).toMatch(/^https:\/\/.+\.snowflakecomputing\.app$/);
    const described = await describeService(db, IRIS_SVC);
    expect(described?.spec).toContain('model-inference');
    expect(await describeService(db, fq('ML_DB.SERVING.NOPE'))).toBeNull();
  });

  it('when the service does not exist, then inspecting it is not_found', async () => {
    await expect(listServiceContainers(db, fq('ML_DB.SERVING.NOPE'))).rejects.toMatchObject({ kind: 'not_found', code: '002003' });
  });
});

describe('deploying a model version', () => {
  let queryId = '';

  it('submits CALL SYSTEM$DEPLOY_MODEL asynchronously and names the build job from the query id', async () => {
    const started = await deployModel(
      db,
      {
        model: 'ML_DB.REGISTRY.SENTIMENT_BERT',
        version: 'V1',
        service: BERT_SVC.sql,
        computePool: 'CPU_M_POOL',
        ingressEnabled: true,
        minInstances: 1,
        maxInstances: 1,
        numWorkers: 1,
        autocapture: false,
      },
      INLINE,
    );
    queryId = started.queryId;
    expect(started.buildJob.sql).toBe(`ML_DB.SERVING.${emulatorBuildJobName(queryId)}`);
    expect(started.buildJob.name.name).toBe(buildJobName(queryId));
    const sent = emu.sqlLog.find((e) => e.queryId === queryId);
    expect(sent).toMatchObject({ sqlText: 'CALL SYSTEM$DEPLOY_MODEL(?)', asyncExec: true });
    expect(await deployStatus(db, queryId)).toMatchObject({ state: 'running' });
  });

  it('shows the build job and its live log while it runs', async () => {
    const job = fq(`ML_DB.SERVING.${buildJobName(queryId)}`);
    expect(await findService(db, job)).toMatchObject({ isJob: true });
    let log = '';
    for (let step = 0; step < 60 && log === ''; step++) {
      const build = (await listServiceContainers(db, job)).find((c) => c.containerName === BUILD_CONTAINER);
      expect(build).toBeDefined();
      if (build?.status === 'READY') log = await getServiceLogs(db, job, { container: BUILD_CONTAINER, lines: 50 });
      else emu.clock.advance(10_000);
    }
    expect(log).not.toBe('');
  });

  it('completes once the service runs; the endpoint is provisioning first, then ready', async () => {
    const state = await advanceUntilDone(queryId);
    expect(state).toMatchObject({ state: 'succeeded' });
    expect(await deployResult(db, queryId)).not.toBe('');
    expect(await findService(db, BERT_SVC)).toMatchObject({ status: 'RUNNING' });

    const first = await getInferenceEndpoint(db, BERT_SVC);
    expect(['provisioning', 'ready']).toContain(first.state);
    emu.clock.advance(5 * 60_000);
    expect(await getInferenceEndpoint(db, BERT_SVC)).toMatchObject({ state: 'ready' });
  });

  it('reads live logs, log history and platform metrics of the service', async () => {
    const live = await getServiceLogs(db, BERT_SVC, { lines: 20 });
    expect(live.length).toBeGreaterThan(0);
    const history = await getServiceLogHistory(db, BERT_SVC, { limit: 10 });
    expect(history.length).toBeGreaterThan(0);
    expect(history[0]?.containerName).toBe('model-inference');
    // SYSTEM$DEPLOY_MODEL writes no platformMonitor: no platform metrics until the spec has one.
    expect(await getServiceMetrics(db, BERT_SVC)).toEqual([]);
    const spec = (await describeService(db, BERT_SVC))?.spec ?? null;
    expect(platformMonitorGroups(spec)).toBeNull();
    emu.setPlatformMonitor(BERT_SVC.toString(), ['system', 'system_limits']);
    expect(platformMonitorGroups((await describeService(db, BERT_SVC))?.spec ?? null)).toEqual(['system', 'system_limits']);
    emu.clock.advance(3 * 60_000);
    const metrics = await getServiceMetrics(db, BERT_SVC);
    expect(metrics.map((m) => m.metricName)).toEqual(
      expect.arrayContaining(['container.cpu.usage', 'container.memory.usage', 'container.memory.limit']),
    );
    const limit = metrics.find((m) => m.metricName === 'container.memory.limit' && m.containerName === 'model-inference');
    expect(limit).toMatchObject({ unit: 'byte', instanceId: '0' });
    expect(typeof limit?.value).toBe('number');
  });

  it('scales, sets auto-suspend, suspends and resumes the service', async () => {
    expect(await setServiceInstances(db, BERT_SVC, { min: 1, max: 2 })).toBe('Statement executed successfully.');
    expect(await setServiceAutoSuspend(db, BERT_SVC, 600)).toBe('Statement executed successfully.');
    expect(await findService(db, BERT_SVC)).toMatchObject({ minInstances: 1, maxInstances: 2, autoSuspendSecs: 600 });

    await suspendService(db, BERT_SVC);
    expect((await findService(db, BERT_SVC))?.status).toMatch(/SUSPENDING|SUSPENDED/);
    emu.clock.advance(60_000);
    expect((await findService(db, BERT_SVC))?.status).toBe('SUSPENDED');
    await resumeService(db, BERT_SVC);
    emu.clock.advance(5 * 60_000);
    expect((await findService(db, BERT_SVC))?.status).toBe('RUNNING');
  });

  it('drops the service; its logs stay readable from the event table', async () => {
    expect(await dropService(db, BERT_SVC)).toMatch(/successfully dropped/);
    expect(await findService(db, BERT_SVC)).toBeNull();
    expect(await dropService(db, BERT_SVC, { ifExists: true })).not.toBe('');
    await expect(dropService(db, BERT_SVC)).rejects.toMatchObject({ kind: 'not_found' });

    expect((await findEventTable(db))?.sql).toMatch(/EVENTS/i);
    const logs = await getLogsFromEventTable(db, BERT_SVC, { container: 'model-inference', limit: 50 });
    expect(logs.state).toBe('ok');
    if (logs.state === 'ok') {
      expect(logs.lines.length).toBeGreaterThan(0);
      expect(logs.lines.every((l) => l.containerName === 'model-inference' && l.instanceId === '0')).toBe(true);
    }
  });
});

describe('a deploy that fails', () => {
  it('when the image build fails, then the status is failed with Snowflake error and the result throws it', async () => {
    emu.faults.imageBuildFailure({ model: 'IRIS_CLASSIFIER', message: 'pip could not resolve scikit-learn==9.9.9' });
    const { queryId, buildJob } = await deployModel(
      db,
      {
        model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER',
        version: 'V1',
        service: 'ML_DB.SERVING.IRIS_BROKEN_SVC',
        computePool: 'CPU_XS_POOL',
        forceRebuild: true,
      },
      INLINE,
    );
    const state = await advanceUntilDone(queryId);
    expect(state.state).toBe('failed');
    if (state.state === 'failed') expect(state.error.message).toContain('scikit-learn==9.9.9');
    await expect(deployResult(db, queryId)).rejects.toMatchObject({ message: expect.stringContaining('scikit-learn==9.9.9') });
    // The build job keeps the log that explains it.
    const containers = await listServiceContainers(db, buildJob).catch(() => []);
    expect(containers.every((c) => c.containerName === BUILD_CONTAINER)).toBe(true);
  });

  it('when the role may not use the pool, then the deploy is refused as insufficient_privileges', async () => {
    const outcome = await deployModel(
      db,
      {
        model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER',
        version: 'V1',
        service: 'ML_DB.SERVING.IRIS_GPU_SVC',
        computePool: 'GPU_L_POOL',
      },
      INLINE,
    ).then(
      async ({ queryId }) => {
        const state = await deployStatus(db, queryId);
        return state.state === 'failed' ? state.error : state;
      },
      (e: unknown) => e,
    );
    expect(outcome).toMatchObject({
      kind: 'insufficient_privileges',
      failure: { objectKind: 'compute pool', objectName: 'GPU_L_POOL', privilege: 'USAGE ON COMPUTE POOL GPU_L_POOL' },
    });
  });

  it('when the role may not bind endpoints, then the deploy names BIND SERVICE ENDPOINT', async () => {
    emu.faults.missingPrivilege({ privilege: 'BIND SERVICE ENDPOINT', on: 'ACCOUNT' });
    try {
      const outcome = await deployModel(
        db,
        {
          model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER',
          version: 'V1',
          service: 'ML_DB.SERVING.IRIS_PUBLIC_SVC',
          computePool: 'CPU_XS_POOL',
          ingressEnabled: true,
        },
        INLINE,
      ).then(
        async ({ queryId }) => {
          const state = await deployStatus(db, queryId);
          return state.state === 'failed' ? state.error : state;
        },
        (e: unknown) => e,
      );
      expect(outcome).toMatchObject({ kind: 'insufficient_privileges', failure: { privilege: 'BIND SERVICE ENDPOINT ON ACCOUNT' } });
    } finally {
      emu.faults.restorePrivileges();
    }
  });

  it('when the service already exists, then the deploy says so', async () => {
    const outcome = await deployModel(
      db,
      {
        model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER',
        version: 'V1',
        service: IRIS_SVC.sql,
        computePool: 'CPU_XS_POOL',
      },
      INLINE,
    ).then(
      async ({ queryId }) => {
        const state = await advanceUntilDone(queryId);
        return state.state === 'failed' ? state.error : state;
      },
      (e: unknown) => e,
    );
    expect(outcome).toMatchObject({ kind: 'already_exists' });
  });
});
