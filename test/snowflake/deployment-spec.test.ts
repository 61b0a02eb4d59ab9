import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildJobName } from '../../src/snowflake/deploy-queries.js';
import { buildDeploymentSpec, DeploymentPlan, renderDeploymentSpec } from '../../src/snowflake/deployment-spec.js';

// Copied verbatim from shared/reference/spcs-model-serving.md §1: "That literal is the expected output
// of model_deployment_spec_test.py::test_full". Comment lines are YAML comments and parse away.
const REFERENCE_LITERAL = `
models: [{name: DB.SCHEMA.MODEL, version: VERSION}]      # Model
image_build:            # ImageBuild; omitted when using inference_engine (vLLM)
  compute_pool: IMAGE_BUILD_COMPUTE_POOL
  image_repo: IMAGE_REPO_DB.IMAGE_REPO_SCHEMA.IMAGE_REPO  # optional
  force_rebuild: false
  external_access_integrations: [EXTERNAL_ACCESS_INTEGRATION]
service:                # Service
  name: SERVICE_DB.SERVICE_SCHEMA.SERVICE
  compute_pool: SERVICE_COMPUTE_POOL
  ingress_enabled: true
  min_instances: 0
  max_instances: 10
  cpu: "1"              # str
  memory: "1GiB"        # str, needs a unit
  gpu: "1"              # str (an int is turned into a str)
  num_workers: 10
  max_batch_rows: 1024
  autocapture: true
`;

const FULL_PLAN = {
  model: 'db.schema.model',
  version: 'version',
  service: 'service_db.service_schema.service',
  computePool: 'service_compute_pool',
  imageBuildComputePool: 'image_build_compute_pool',
  imageRepo: 'IMAGE_REPO_DB.IMAGE_REPO_SCHEMA.IMAGE_REPO',
  forceRebuild: false,
  externalAccessIntegrations: ['external_access_integration'],
  ingressEnabled: true,
  minInstances: 0,
  maxInstances: 10,
  cpu: '1',
  memory: '1GiB',
  gpu: 1,
  numWorkers: 10,
  maxBatchRows: 1024,
  autocapture: true,
};

describe('deployment spec', () => {
  it('when every field is set, then the YAML equals the snowflake-ml-python test_full literal', () => {
    expect(parse(renderDeploymentSpec(FULL_PLAN))).toEqual(parse(REFERENCE_LITERAL));
  });

  it('sends cpu, memory and gpu as strings (an int gpu becomes a string)', () => {
    const text = renderDeploymentSpec(FULL_PLAN);
    expect(text).toContain('cpu: "1"');
    expect(text).toContain('gpu: "1"');
    expect(text).toContain('memory: 1GiB');
  });

  it('when optional fields are unset, then they are left out and the image build uses the service pool', () => {
    const spec = buildDeploymentSpec({ model: 'DB.S.M', version: 'V1', service: 'DB.S.SVC', computePool: 'POOL' });
    expect(spec).toEqual({
      models: [{ name: 'DB.S.M', version: 'V1' }],
      image_build: { compute_pool: 'POOL', force_rebuild: false },
      service: { name: 'DB.S.SVC', compute_pool: 'POOL', ingress_enabled: true, min_instances: 0, max_instances: 1 },
    });
  });

  it('keeps case-sensitive names quoted, as snowflake-ml-python does', () => {
    const spec = buildDeploymentSpec({
      model: '"db"."schema"."model"',
      version: '"version"',
      service: '"db"."schema"."service"',
      computePool: '"service_compute_pool"',
    });
    expect(spec.models).toEqual([{ name: '"db"."schema"."model"', version: '"version"' }]);
    expect(spec.service.name).toBe('"db"."schema"."service"');
    expect(
      parse(renderDeploymentSpec({ model: '"db"."schema"."model"', version: 'V', service: 'A.B.C', computePool: 'P' })).models[0].name,
    ).toBe('"db"."schema"."model"');
  });

  it('omits falsy numbers the way exclude_none plus `if cpu:` does, but keeps autocapture false', () => {
    const spec = buildDeploymentSpec({ model: 'A.B.C', version: 'V', service: 'A.B.S', computePool: 'P', autocapture: false });
    expect(spec.service).not.toHaveProperty('num_workers');
    expect(spec.service.autocapture).toBe(false);
  });

  it.each([
    [{ service: 'db.s.my svc' }, 'Service name: use letters, digits, _ or $, starting with a letter or _ (got a space)'],
    [{ model: 'db.m' }, 'Model: expected DATABASE.SCHEMA.NAME (3 parts separated by dots, got 2)'],
    [{ minInstances: 3, maxInstances: 2 }, 'Max instances: must be at least min instances'],
    [{ memory: '4' }, 'Memory: an amount with a unit such as 4GiB or 512Mi'],
    [{ maxBatchRows: 8 }, 'Max batch rows: at least 32'],
  ])('refuses an invalid plan %j', (override, message) => {
    const result = DeploymentPlan.safeParse({ model: 'A.B.C', version: 'V', service: 'A.B.S', computePool: 'P', ...override });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toContain(message);
  });
});

describe('buildJobName', () => {
  it('matches the snowflake-ml-python test vector', () => {
    expect(buildJobName('01b6fc10-0002-c121-0000-6ed10736311e')).toBe('MODEL_BUILD_81EDD120');
  });

  it('refuses text that is not a query id', () => {
    expect(() => buildJobName('not-a-query')).toThrow(RangeError);
  });
});
