/**
 * Registry and compute-pool operations through the real driver against the emulator, and the error
 * mappings a person can trigger from the wizard (missing objects, missing grants).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SnowflakeClient } from '../../src/snowflake/client.js';
import {
  createComputePool,
  findComputePool,
  listComputePools,
  listInstanceFamilies,
  resumeComputePool,
  suspendComputePool,
} from '../../src/snowflake/compute-pool-queries.js';
import { identifierFromSnowflake, requireQualifiedName } from '../../src/snowflake/identifiers.js';
import { listDatabases, listModels, listModelVersions, listSchemas, listVersionFunctions } from '../../src/snowflake/registry-queries.js';
import { sql } from '../../src/snowflake/sql.js';
import { type Emulator, useEmulatorClient } from './support/emulator.js';

let emu: Emulator;
let db: SnowflakeClient;
// Only the deliberate syntax error may be unsupported: everything else we send is in the contract.
useEmulatorClient(
  (e, d) => {
    emu = e;
    db = d;
  },
  ['SHOW NONSENSE IN ACCOUNT'],
);

const id = identifierFromSnowflake;
const q = (text: string, parts: 1 | 2 | 3) => requireQualifiedName(text, 'test', parts);

describe('Model Registry', () => {
  it('lists databases and the schemas of one', async () => {
    const dbs = await listDatabases(db);
    expect(dbs.map((d) => d.name)).toContain('ML_DB');
    const schemas = await listSchemas(db, id('ML_DB'));
    expect(schemas.map((s) => s.name)).toEqual(expect.arrayContaining(['REGISTRY', 'SERVING']));
    expect(schemas[0]?.databaseName).toBe('ML_DB');
  });

  it('lists models with their versions', async () => {
    const models = await listModels(db, q('ML_DB.REGISTRY', 2));
    const bert = models.find((m) => m.name === 'SENTIMENT_BERT');
    expect(bert).toMatchObject({ databaseName: 'ML_DB', schemaName: 'REGISTRY', defaultVersionName: 'V2' });
    expect(bert?.versions).toEqual(['V1', 'V2']);
  });

  it('lists versions with functions, runnable_in and whether a GPU runtime exists', async () => {
    const versions = await listModelVersions(db, q('ML_DB.REGISTRY.SENTIMENT_BERT', 3));
    const v1 = versions.find((v) => v.name === 'V1');
    const v2 = versions.find((v) => v.name === 'V2');
    expect(v1).toMatchObject({ hasGpuRuntime: false, isDefault: false });
    expect(v2).toMatchObject({ hasGpuRuntime: true, isDefault: true });
    expect(v2?.aliases).toContain('FIRST_GPU');
    expect(v2?.functions).toEqual(expect.arrayContaining(['PREDICT', 'PREDICT_PROBA']));
    expect(v2?.runnableIn).toContain('SNOWPARK_CONTAINER_SERVICES');
    expect(Object.keys(v2?.signatures ?? {}).length).toBeGreaterThan(0);
  });

  it('gives the functions of a version with their input names and types', async () => {
    const fns = await listVersionFunctions(db, q('ML_DB.REGISTRY.IRIS_CLASSIFIER', 3), id('V1'));
    const predict = fns.find((f) => f.name.toUpperCase() === 'PREDICT');
    expect(predict?.isTableFunction).toBe(false);
    expect(predict?.inputs.map((i) => i.name)).toEqual(['SEPAL_LENGTH', 'SEPAL_WIDTH', 'PETAL_LENGTH', 'PETAL_WIDTH']);
    expect(predict?.inputs[0]?.type).toMatch(/FLOAT|DOUBLE/);
  });

  it('when the version does not exist, then it is not_found', async () => {
    await expect(listVersionFunctions(db, q('ML_DB.REGISTRY.IRIS_CLASSIFIER', 3), id('V9'))).rejects.toMatchObject({
      kind: 'not_found',
    });
  });

  it('when the schema does not exist, then it is not_found (002003) naming it', async () => {
    const err = await listModels(db, q('ML_DB.NOPE', 2)).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'not_found', code: '002003', sqlState: '02000' });
    expect(err).toHaveProperty('failure.objectName', expect.stringContaining('NOPE'));
  });

  it('when the role lacks USAGE on the model, then it is not_found: Snowflake hides what a role cannot use', async () => {
    emu.faults.missingPrivilege({ privilege: 'USAGE', on: 'MODEL', name: 'ML_DB.REGISTRY.IRIS_CLASSIFIER' });
    try {
      await expect(listModelVersions(db, q('ML_DB.REGISTRY.IRIS_CLASSIFIER', 3))).rejects.toMatchObject({
        kind: 'not_found',
        failure: { objectKind: 'model', objectName: 'ML_DB.REGISTRY.IRIS_CLASSIFIER' },
      });
    } finally {
      emu.faults.restorePrivileges();
    }
  });

  it('when rows lack a column we read, then it is unexpected_result naming the column', async () => {
    await expect(db.query(sql`SHOW DATABASES`, z.object({ no_such_column: z.string() }))).rejects.toMatchObject({
      kind: 'unexpected_result',
      message: expect.stringContaining('no_such_column'),
    });
  });

  it('when a statement does not parse, then it is syntax (001003)', async () => {
    await expect(db.query(sql`SHOW NONSENSE IN ACCOUNT`, z.object({}))).rejects.toMatchObject({ kind: 'syntax', code: '001003' });
  });
});

describe('compute pools', () => {
  it('lists pools with state, nodes and family', async () => {
    const pools = await listComputePools(db);
    expect(pools.find((p) => p.name === 'CPU_XS_POOL')).toMatchObject({
      state: 'ACTIVE',
      instanceFamily: 'CPU_X64_XS',
      minNodes: 1,
      maxNodes: 2,
    });
    expect(pools.find((p) => p.name === 'HIGHMEM_POOL')).toMatchObject({ state: 'SUSPENDED', autoResume: false });
  });

  it('lists instance families with GPU type, GPUs per node and GPU memory', async () => {
    const families = await listInstanceFamilies(db);
    expect(families.find((f) => f.name === 'GPU_NV_S')?.gpu).toMatchObject({ type: 'A10G', perNode: 1 });
    expect(families.find((f) => f.name === 'GPU_NV_M')?.gpu).toMatchObject({ type: 'A10G', perNode: 4 });
    expect(families.find((f) => f.name === 'GPU_NV_S')?.gpu?.memoryGib).toBeGreaterThan(0);
    expect(families.find((f) => f.name === 'CPU_X64_XS')?.gpu).toBeNull();
  });

  it('creates a pool, finds it by exact name, suspends and resumes it', async () => {
    const name = id('BOT_TEST_POOL');
    const status = await createComputePool(db, {
      name,
      instanceFamily: id('CPU_X64_XS'),
      minNodes: 1,
      maxNodes: 2,
      autoResume: true,
      initiallySuspended: true,
      autoSuspendSecs: 600,
    });
    expect(status).not.toBe('');
    expect(await findComputePool(db, name)).toMatchObject({ name: 'BOT_TEST_POOL', state: 'SUSPENDED', autoSuspendSecs: 600 });
    expect(await findComputePool(db, id('BOT_TEST_POO'))).toBeNull();

    await resumeComputePool(db, name);
    expect((await findComputePool(db, name))?.state).toMatch(/STARTING|IDLE|ACTIVE/);
    await suspendComputePool(db, name);
    expect((await findComputePool(db, name))?.state).toMatch(/STOPPING|SUSPENDED/);
  });

  it('when the role may not operate the pool, then it is insufficient_privileges naming pool and grant', async () => {
    const err = await resumeComputePool(db, id('GPU_L_POOL')).catch((e: unknown) => e);
    expect(err).toMatchObject({
      kind: 'insufficient_privileges',
      code: '003001',
      failure: { objectKind: 'compute pool', objectName: 'GPU_L_POOL', privilege: 'OPERATE ON COMPUTE POOL GPU_L_POOL' },
    });
  });

  it('when the role may not create pools, then it is insufficient_privileges on the account', async () => {
    emu.faults.missingPrivilege({ privilege: 'CREATE COMPUTE POOL', on: 'ACCOUNT' });
    try {
      const err = await createComputePool(db, {
        name: id('DENIED_POOL'),
        instanceFamily: id('CPU_X64_XS'),
        minNodes: 1,
        maxNodes: 1,
        autoResume: true,
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        kind: 'insufficient_privileges',
        failure: { objectKind: 'account', privilege: 'CREATE COMPUTE POOL ON ACCOUNT' },
      });
    } finally {
      emu.faults.restorePrivileges();
    }
  });
});
