import { describe, expect, it } from 'vitest';
import {
  click,
  element,
  fieldErrors,
  IRIS_MODEL,
  openWizard,
  useWizardBot,
  submit,
  toPoolStep,
  toWorkersStep,
  viewText,
  waitForStep,
  type WizardHarness,
} from './wizard-harness.js';

let h: WizardHarness;
useWizardBot((ready) => (h = ready));

const IRIS_FUNCTIONS = [
  {
    name: 'PREDICT',
    inputs: ['SEPAL_LENGTH', 'SEPAL_WIDTH', 'PETAL_LENGTH', 'PETAL_WIDTH'].map((name) => ({ name, type: 'FLOAT' })),
    outputs: [{ name: 'CLASS', type: 'STRING' }],
  },
];
const CPU_XS = { kind: 'existing', name: 'CPU_XS_POOL', instanceFamily: 'CPU_X64_XS', gpu: null, state: 'ACTIVE' };

/** Submits the review step and returns what reached the approval gate. */
async function submitReview() {
  const review = await waitForStep(h, 'review');
  const res = await submit(h);
  expect(res.body).toEqual({ response_action: 'clear' });
  expect(h.t.fake.view(review.id)?.open).toBe(false);
  expect(h.submissions).toHaveLength(1);
  return h.submissions[0];
}

describe('CPU model on a CPU pool', () => {
  it('when every step is answered with auto workers, then the requester receives the exact DeployRequest', async () => {
    const step1 = await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
    expect(viewText(step1)).toContain('PREDICT');
    expect(viewText(step1)).toContain('GPU runtime: no');
    await toPoolStep(h);
    const workers = await toWorkersStep(h, 'CPU_XS_POOL', '2');
    expect(viewText(workers)).toContain('auto-pick');
    await submit(h, { 'deploy.workers_mode': 'auto' });

    const review = await waitForStep(h, 'review');
    const summary = viewText(review);
    expect(summary).toContain('Model: ML_DB.REGISTRY.IRIS_CLASSIFIER (version V1)');
    expect(summary).toContain('Service: ML_DB.SERVING.IRIS_NEW_SVC');
    expect(summary).toContain('Compute Pool: CPU_XS_POOL (CPU)');
    expect(summary).toContain('GPU Requests: N/A');
    expect(summary).toContain('Num Workers: auto');

    const submission = await submitReview();
    expect(submission).toEqual({
      request: {
        model: IRIS_MODEL,
        modelHasGpuRuntime: false,
        functions: IRIS_FUNCTIONS,
        service: { database: 'ML_DB', schema: 'SERVING', name: 'IRIS_NEW_SVC' },
        pool: CPU_XS,
        maxInstances: 2,
        gpuRequests: null,
        numWorkers: 'auto',
        existingService: 'none',
      },
      requestedBy: 'U0TESTUSER',
      teamId: h.t.fake.identity.teamId,
      channelId: 'C0DEPLOYS0',
    });
  });

  it('when workers are specified by hand, then the number is required and carried into the request', async () => {
    await toPoolStep(h);
    await toWorkersStep(h, 'CPU_XS_POOL');
    const missing = await submit(h, { 'deploy.workers_mode': 'manual' });
    expect(fieldErrors(missing)['deploy.num_workers']).toMatch(/Number of workers: required/);
    await submit(h, { 'deploy.workers_mode': 'manual', 'deploy.num_workers': '3' });
    const submission = await submitReview();
    expect(submission?.request).toMatchObject({ numWorkers: 3, gpuRequests: null, maxInstances: 1, pool: CPU_XS });
  });
});

describe('GPU model on a GPU pool', () => {
  it('when SENTIMENT_BERT V2 goes to GPU_M_POOL, then workers are required, range-checked, and gpuRequests is 4', async () => {
    const step1 = await openWizard(h, 'ML_DB.REGISTRY.SENTIMENT_BERT V2');
    expect(viewText(step1)).toContain('GPU runtime: yes');
    await submit(h);
    await waitForStep(h, 'location');
    await submit(h, { 'deploy.service_database': 'ML_DB', 'deploy.service_schema': 'SERVING', 'deploy.service_name': 'BERT_SVC' });
    const pools = await waitForStep(h, 'pool');
    expect(viewText(pools)).toContain('Recommendation: use a GPU compute pool');

    const workers = await toWorkersStep(h, 'GPU_M_POOL');
    expect(viewText(workers)).toContain('gpu_requests will be set to *4*');
    expect(element(workers, 'deploy.num_workers')).toMatchObject({ type: 'number_input', min_value: '1', max_value: '4' });

    expect(fieldErrors(await submit(h))['deploy.num_workers']).toMatch(/required, a whole number from 1 to 4/);
    expect(fieldErrors(await submit(h, { 'deploy.num_workers': '5' }))['deploy.num_workers']).toMatch(/from 1 to 4 \(got 5\)/);
    expect(fieldErrors(await submit(h, { 'deploy.num_workers': '0' }))['deploy.num_workers']).toMatch(/got 0/);
    await submit(h, { 'deploy.num_workers': '2' });

    const submission = await submitReview();
    expect(submission?.request).toMatchObject({
      model: { database: 'ML_DB', schema: 'REGISTRY', name: 'SENTIMENT_BERT', version: 'V2' },
      modelHasGpuRuntime: true,
      pool: { kind: 'existing', name: 'GPU_M_POOL', instanceFamily: 'GPU_NV_M', gpu: { type: 'A10G', perNode: 4 }, state: 'SUSPENDED' },
      gpuRequests: 4,
      numWorkers: 2,
    });
  });
});

describe('creating a compute pool', () => {
  it('when the person creates a pool, then its fields are validated and it is carried into the request', async () => {
    await toPoolStep(h);
    await click(h, 'deploy.create_pool');
    const form = await waitForStep(h, 'pool', (v) => viewText(v).includes('New pool name'));
    expect(viewText(form)).toContain('created only after the deployment is approved');

    const bad = await submit(h, {
      'deploy.new_pool_name': 'my pool',
      'deploy.new_pool_family': 'GPU_NV_S',
      'deploy.new_pool_min_nodes': '2',
      'deploy.new_pool_max_nodes': '1',
    });
    const errors = fieldErrors(bad);
    expect(errors['deploy.new_pool_name']).toMatch(/got a space/);
    expect(errors['deploy.new_pool_family']).toMatch(/without a GPU runtime/);

    const range = await submit(h, {
      'deploy.new_pool_name': 'IRIS_POOL',
      'deploy.new_pool_family': 'CPU_X64_S',
      'deploy.new_pool_min_nodes': '2',
      'deploy.new_pool_max_nodes': '1',
    });
    expect(fieldErrors(range)['deploy.new_pool_max_nodes']).toBe('Max nodes: must be at least min nodes');

    await submit(h, {
      'deploy.new_pool_name': 'iris_pool',
      'deploy.new_pool_family': 'CPU_X64_S',
      'deploy.new_pool_min_nodes': '1',
      'deploy.new_pool_max_nodes': '2',
      'deploy.new_pool_auto_resume': ['auto_resume'],
    });
    await waitForStep(h, 'instances');
    await submit(h, { 'deploy.max_instances': '1' });
    await waitForStep(h, 'workers');
    await submit(h, { 'deploy.workers_mode': 'auto' });
    const submission = await submitReview();
    expect(submission?.request.pool).toEqual({
      kind: 'create',
      name: 'IRIS_POOL',
      instanceFamily: 'CPU_X64_S',
      gpu: null,
      minNodes: 1,
      maxNodes: 2,
      autoResume: true,
    });
    // Only look-ups: creating the pool waits for approval.
    expect(h.t.emulator.sqlLog.some((e) => /CREATE COMPUTE POOL/i.test(e.sqlText))).toBe(false);
  });
});

describe('a service of the same name exists (ML_DB.SERVING.IRIS_SVC)', () => {
  async function toExistingStep() {
    await toPoolStep(h, undefined, 'IRIS_SVC');
    await toWorkersStep(h, 'CPU_XS_POOL');
    await submit(h, { 'deploy.workers_mode': 'auto' });
    const view = await waitForStep(h, 'existing');
    const text = viewText(view);
    expect(text).toContain('ML_DB.SERVING.IRIS_SVC');
    expect(text).toContain('Status: *RUNNING*');
    expect(text).toContain('Compute pool: CPU_XS_POOL');
    return view;
  }

  it('when the person renames, then step 2 returns with a hint and the new name goes on', async () => {
    await toExistingStep();
    await submit(h, { 'deploy.existing_choice': 'rename' });
    const location = await waitForStep(h, 'location');
    expect(viewText(location)).toContain('A service named IRIS_SVC already exists in ML_DB.SERVING; choose another name.');
    await submit(h, { 'deploy.service_database': 'ML_DB', 'deploy.service_schema': 'SERVING', 'deploy.service_name': 'IRIS_SVC_2' });
    await waitForStep(h, 'pool');
    await toWorkersStep(h, 'CPU_XS_POOL');
    await submit(h, { 'deploy.workers_mode': 'auto' });
    const submission = await submitReview();
    expect(submission?.request).toMatchObject({ service: { name: 'IRIS_SVC_2' }, existingService: 'none' });
  });

  it('when the person chooses delete and recreate, then the request says drop_and_recreate', async () => {
    await toExistingStep();
    await submit(h, { 'deploy.existing_choice': 'drop_and_recreate' });
    const review = await waitForStep(h, 'review');
    expect(viewText(review)).toContain('will be dropped and created again');
    const submission = await submitReview();
    expect(submission?.request).toMatchObject({ service: { name: 'IRIS_SVC' }, existingService: 'drop_and_recreate' });
  });

  it('when the person keeps it, then the wizard ends showing its status and nothing is requested', async () => {
    const view = await toExistingStep();
    const res = await submit(h, { 'deploy.existing_choice': 'keep' });
    const kept = h.t.fake.view(view.id);
    expect((res.body as { response_action: string }).response_action).toBe('update');
    expect(kept?.submit).toBeNull();
    expect(viewText(kept ?? view)).toContain('Keeping the existing service');
    expect(viewText(kept ?? view)).toContain('Instances: 1 running (min 1 / max 2)');
    expect(h.submissions).toEqual([]);
  });
});

describe('Back', () => {
  it('when the person goes back two steps, then each earlier step shows the answers given', async () => {
    await toPoolStep(h);
    await submit(h, { 'deploy.pool': 'CPU_XS_POOL' });
    await waitForStep(h, 'instances');
    await submit(h, { 'deploy.max_instances': '3' });
    await waitForStep(h, 'workers');

    await click(h, 'deploy.back');
    const instances = await waitForStep(h, 'instances');
    expect(element(instances, 'deploy.max_instances')['initial_value']).toBe('3');
    await click(h, 'deploy.back');
    const pool = await waitForStep(h, 'pool');
    expect(element(pool, 'deploy.pool')['initial_option']).toMatchObject({ value: 'CPU_XS_POOL' });
    await click(h, 'deploy.back');
    const location = await waitForStep(h, 'location');
    expect(element(location, 'deploy.service_name')['initial_value']).toBe('IRIS_NEW_SVC');
    expect(element(location, 'deploy.service_schema')['initial_value']).toBe('SERVING');
    // Going forward again keeps the later answers too.
    await submit(h, { 'deploy.service_database': 'ML_DB', 'deploy.service_schema': 'SERVING', 'deploy.service_name': 'IRIS_NEW_SVC' });
    const again = await waitForStep(h, 'pool');
    expect(element(again, 'deploy.pool')['initial_option']).toMatchObject({ value: 'CPU_XS_POOL' });
    // No view was ever pushed: the stack holds one view.
    expect(h.t.fake.calls('views.push')).toEqual([]);
    expect(h.t.fake.viewStack()).toHaveLength(1);
  });
});
