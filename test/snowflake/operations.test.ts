import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { QueryRunner } from '../../src/snowflake/client.js';
import { listComputePools, listInstanceFamilies, parseGpuColumn, createComputePool } from '../../src/snowflake/compute-pool-queries.js';
import { SnowflakeError } from '../../src/snowflake/errors.js';
import { identifierFromSnowflake, requireQualifiedName } from '../../src/snowflake/identifiers.js';
import { listModelVersions, listVersionFunctions, parseFunctionArguments } from '../../src/snowflake/registry-queries.js';
import { parseRows, type RawRow } from '../../src/snowflake/rows.js';
import { findService, inferenceEndpointOf, setServiceInstances } from '../../src/snowflake/service-queries.js';
import { parseIpv4 } from '../../src/snowflake/access-queries.js';
import type { Sql } from '../../src/snowflake/sql.js';

/** A QueryRunner that answers from canned rows and records what was sent. Parses like the real client. */
function fakeRunner(answer: (statement: Sql) => RawRow[] | Error): QueryRunner & { sent: Sql[] } {
  const sent: Sql[] = [];
  return {
    sent,
    async query<T>(statement: Sql, row: z.ZodType<T>): Promise<T[]> {
      sent.push(statement);
      const rows = answer(statement);
      if (rows instanceof Error) throw rows;
      return parseRows(rows, row, 'fake');
    },
  };
}

const MODEL = requireQualifiedName('ML_DB.REGISTRY.IRIS', 'Model', 3);
const SERVICE = requireQualifiedName('ML_DB.SERVING.IRIS_SVC', 'Service', 3);

const MODEL_SPEC_YAML = `
signatures:
  predict:
    inputs:
      - {name: SEPAL_LENGTH, type: FLOAT, nullable: false}
      - {name: SEPAL_WIDTH, type: FLOAT, nullable: true}
    outputs:
      - {name: output_feature_0, type: INT64, nullable: true}
runtimes:
  cpu: {imports: []}
  gpu: {cuda_version: '12.4'}
`;

describe('row parsing by column name', () => {
  it('reads SHOW COMPUTE POOLS whether numbers and booleans come typed or as text', async () => {
    const db = fakeRunner(() => [
      {
        name: 'CPU_POOL',
        state: 'active',
        min_nodes: 1,
        max_nodes: '3',
        instance_family: 'CPU_X64_S',
        num_services: '2',
        auto_resume: 'true',
        created_on: new Date(0),
      },
      {
        name: 'GPU_POOL',
        state: 'SUSPENDED',
        min_nodes: '1',
        max_nodes: 1,
        instance_family: 'GPU_NV_S',
        auto_resume: false,
        comment: null,
      },
    ]);
    const pools = await listComputePools(db);
    expect(db.sent[0]?.text).toBe('SHOW COMPUTE POOLS');
    expect(pools[0]).toMatchObject({ name: 'CPU_POOL', state: 'ACTIVE', maxNodes: 3, numServices: 2, autoResume: true });
    expect(pools[1]).toMatchObject({ name: 'GPU_POOL', minNodes: 1, autoResume: false, numServices: null, createdOn: null });
  });

  it('reads upper-case SELECT columns the same way', () => {
    const rows = parseRows([{ USER: 'BOT' }], z.object({ user: z.string() }), 'x');
    expect(rows).toEqual([{ user: 'BOT' }]);
  });

  it('reports a row that does not fit as unexpected_result, naming the column but not the value', async () => {
    const db = fakeRunner(() => [{ name: 'P', state: 'ACTIVE', min_nodes: 'lots', max_nodes: 1, instance_family: 'X' }]);
    const err = await listComputePools(db).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnowflakeError);
    expect(err).toMatchObject({ kind: 'unexpected_result' });
    expect(String(err)).toContain('min_nodes');
    expect(String(err)).not.toContain('lots');
  });

  it('parses instance families: GPU type, GPUs per node, GPU memory; CPU families have no GPU', async () => {
    const db = fakeRunner(() => [
      { name: 'GPU_NV_S', vcpu: 6, memory_gib: '27', gpu: 'A10G', gpu_count: '1', gpu_memory_gib: 24 },
      { name: 'GPU_NV_M', vcpu: '44', memory_gib: 178, gpu: 'NVIDIA A10G', gpu_count: 4, gpu_memory_gib: '24' },
      { name: 'CPU_X64_S', vcpu: 3, memory_gib: 13, gpu: 'None', gpu_count: 0, gpu_memory_gib: null },
    ]);
    const families = await listInstanceFamilies(db);
    expect(families.map((f) => f.gpu)).toEqual([
      { type: 'A10G', perNode: 1, memoryGib: 24 },
      { type: 'A10G', perNode: 4, memoryGib: 24 },
      null,
    ]);
    expect(parseGpuColumn('8 x A100')).toEqual({ type: 'A100', count: 8 });
    expect(parseGpuColumn('')).toBeNull();
  });

  it('reads versions: JSON-in-text columns, model_spec YAML, GPU runtime', async () => {
    const db = fakeRunner(() => [
      {
        name: 'V1',
        aliases: '["FIRST","DEFAULT"]',
        database_name: 'ML_DB',
        schema_name: 'REGISTRY',
        model_name: 'IRIS',
        is_default_version: 'true',
        functions: '["PREDICT","PREDICT_PROBA"]',
        runnable_in: '["WAREHOUSE","SNOWPARK_CONTAINER_SERVICES"]',
        inference_services: '[]',
        model_spec: MODEL_SPEC_YAML,
      },
      {
        name: 'V2',
        aliases: null,
        database_name: 'ML_DB',
        schema_name: 'REGISTRY',
        model_name: 'IRIS',
        is_default_version: false,
        functions: ['PREDICT'],
        runnable_in: '["WAREHOUSE"]',
        inference_services: '["ML_DB.SERVING.IRIS_SVC"]',
        model_spec: '{"runtimes": {"cpu": {}}}',
      },
    ]);
    const versions = await listModelVersions(db, MODEL);
    expect(db.sent[0]?.text).toBe('SHOW VERSIONS IN MODEL ML_DB.REGISTRY.IRIS');
    expect(db.sent[0]?.parameters).toEqual({ SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL: true });
    expect(versions[0]).toMatchObject({
      name: 'V1',
      aliases: ['FIRST', 'DEFAULT'],
      isDefault: true,
      functions: ['PREDICT', 'PREDICT_PROBA'],
      runnableIn: ['WAREHOUSE', 'SNOWPARK_CONTAINER_SERVICES'],
      hasGpuRuntime: true,
    });
    expect(versions[0]?.signatures['predict']?.inputs).toEqual([
      { name: 'SEPAL_LENGTH', type: 'FLOAT', nullable: false },
      { name: 'SEPAL_WIDTH', type: 'FLOAT', nullable: true },
    ]);
    expect(versions[1]).toMatchObject({ aliases: [], hasGpuRuntime: false, inferenceServices: ['ML_DB.SERVING.IRIS_SVC'] });
  });

  it('gives function signatures from model_spec, falling back to SHOW FUNCTIONS arguments', async () => {
    const db = fakeRunner((s) =>
      s.text.startsWith('SHOW FUNCTIONS')
        ? [
            { name: 'PREDICT', arguments: 'PREDICT(SEPAL_LENGTH FLOAT, SEPAL_WIDTH FLOAT) RETURN OBJECT', return_type: 'OBJECT' },
            {
              name: 'EXPLAIN',
              arguments: 'EXPLAIN("petal, width" NUMBER(38,0), X VARCHAR) RETURN TABLE (A FLOAT)',
              return_type: 'TABLE (A FLOAT)',
            },
          ]
        : [
            {
              name: 'V1',
              database_name: 'ML_DB',
              schema_name: 'REGISTRY',
              model_name: 'IRIS',
              is_default_version: true,
              model_spec: MODEL_SPEC_YAML,
            },
          ],
    );
    const fns = await listVersionFunctions(db, MODEL, identifierFromSnowflake('V1'));
    expect(db.sent.map((s) => s.text)).toContain('SHOW FUNCTIONS IN MODEL ML_DB.REGISTRY.IRIS VERSION V1');
    expect(fns[0]).toMatchObject({ name: 'PREDICT', signatureSource: 'model_spec', isTableFunction: false });
    expect(fns[1]).toMatchObject({
      name: 'EXPLAIN',
      signatureSource: 'arguments',
      isTableFunction: true,
      inputs: [
        { name: 'petal, width', type: 'NUMBER(38,0)', nullable: null },
        { name: 'X', type: 'VARCHAR', nullable: null },
      ],
    });
    expect(parseFunctionArguments('PREDICT() RETURN OBJECT')).toEqual([]);
  });

  it('finds a service by exact name and treats 002003 on the schema as "not there"', async () => {
    const rows = [
      { name: 'IRIS_SVC_2', status: 'RUNNING', database_name: 'ML_DB', schema_name: 'SERVING', compute_pool: 'P' },
      {
        name: 'IRIS_SVC',
        status: 'running',
        database_name: 'ML_DB',
        schema_name: 'SERVING',
        compute_pool: 'P',
        is_job: 'false',
        external_access_integrations: null,
      },
    ];
    const db = fakeRunner(() => rows);
    expect(await findService(db, SERVICE)).toMatchObject({ name: 'IRIS_SVC', status: 'RUNNING', isJob: false });
    expect(db.sent[0]?.text).toBe("SHOW SERVICES IN SCHEMA ML_DB.SERVING STARTS WITH 'IRIS_SVC'");
    const missing = fakeRunner(() => new SnowflakeError({ kind: 'not_found' }, "Schema 'ML_DB.SERVING' does not exist"));
    expect(await findService(missing, SERVICE)).toBeNull();
    const denied = fakeRunner(() => new SnowflakeError({ kind: 'insufficient_privileges' }, 'no'));
    await expect(findService(denied, SERVICE)).rejects.toMatchObject({ kind: 'insufficient_privileges' });
  });

  it('calls the inference endpoint ready only once its host ends with snowflakecomputing.app', () => {
    const base = { port: 5000, portRange: null, protocol: 'HTTP', isPublic: true };
    expect(
      inferenceEndpointOf([
        { ...base, name: 'inference', ingressUrl: 'Endpoints provisioning in progress... check back in a few minutes' },
      ]),
    ).toEqual({
      state: 'provisioning',
      message: 'Endpoints provisioning in progress... check back in a few minutes',
    });
    expect(inferenceEndpointOf([{ ...base, name: 'inference', ingressUrl: 'abc-org-acct.snowflakecomputing.app' }])).toEqual({
      state: 'ready',
      host: 'abc-org-acct.snowflakecomputing.app',
      url: 'https://abc-org-acct.snowflakecomputing.app',
      port: 5000,
    });
    expect(inferenceEndpointOf([{ ...base, name: 'inference', isPublic: false, ingressUrl: null }])).toEqual({ state: 'absent' });
  });

  it('validates numbers before any SQL is sent', async () => {
    const db = fakeRunner(() => []);
    await expect(setServiceInstances(db, SERVICE, { min: 2, max: 1 })).rejects.toThrow('Max instances: must be at least min instances');
    await expect(
      createComputePool(db, {
        name: identifierFromSnowflake('P'),
        instanceFamily: identifierFromSnowflake('CPU_X64_S'),
        minNodes: 0,
        maxNodes: 1,
        autoResume: true,
      }),
    ).rejects.toThrow('Min nodes');
    expect(db.sent).toHaveLength(0);
  });

  it.each([
    ['203.0.113.7', true],
    ['0.0.0.0', true],
    ['255.255.255.255', true],
    ['256.1.1.1', false],
    ['1.2.3', false],
    ['01.2.3.4', false],
    ['1.2.3.4/32', false],
    ['1.2.3.4; DROP', false],
    ['1 .2.3.4', false],
    ['::1', false],
  ])('parseIpv4(%j) ok=%s', (input, ok) => {
    expect(parseIpv4(input, 'Client IP').ok).toBe(ok);
  });
});
