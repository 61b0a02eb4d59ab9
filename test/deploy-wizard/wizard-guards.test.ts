import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isRecord } from '../support/fake-slack-types.js';
import { TEST_REDIS_URL } from '../support/test-bot.js';
import {
  element,
  fieldErrors,
  openWizard,
  useWizardBot,
  submit,
  toPoolStep,
  viewText,
  waitForStep,
  type WizardHarness,
} from './wizard-harness.js';

let h: WizardHarness;
useWizardBot((ready) => (h = ready));

const sqlCount = () => h.t.emulator.sqlLog.length;
const sqlSince = (from: number) => h.t.emulator.sqlLog.slice(from);

describe('opening the wizard', () => {
  it('when /spcs deploy is run and Snowflake is slow, then views.open happens at once (well inside 3 s) and the listing follows as an update', async () => {
    h.t.emulator.faults.slowQuery(1, 3500);
    const from = sqlCount();
    const opensBefore = h.t.fake.calls('views.open').length;
    const sent = Date.now();
    const res = await h.t.slack.slashCommand({ command: '/spcs', text: 'deploy' });
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(3000);
    const [open] = (await h.t.fake.waitForCalls('views.open', opensBefore + 1)).slice(opensBefore);
    expect(open?.ok).toBe(true);
    const opened = open?.response['view'];
    h.viewId = isRecord(opened) && typeof opened['id'] === 'string' ? opened['id'] : undefined;
    const view = await waitForStep(h, 'model', (v) => element(v, 'deploy.model_database')['type'] === 'external_select');
    expect((open?.at ?? Infinity) - sent).toBeLessThan(3000);
    expect(JSON.stringify(open?.args['view'])).toContain(':hourglass_flowing_sand:');
    const statements = sqlSince(from);
    expect(statements.length).toBeGreaterThan(0);
    // The fill came after the slow statement answered: it waited for Snowflake, the open did not.
    expect(Date.now() - sent).toBeGreaterThanOrEqual(3500);
    // The fill is a views.update of the opened view, with the hash views.open returned.
    const update = h.t.fake.calls('views.update').find((c) => c.args['view_id'] === view.id);
    expect(update?.args['hash']).toBe(isRecord(opened) ? opened['hash'] : 'no hash');
  });

  it('when arguments name a model and version, then step 1 is pre-filled with them', async () => {
    const view = await openWizard(h, 'ml_db.registry.iris_classifier v1');
    expect(element(view, 'deploy.model_database')['initial_option']).toMatchObject({ value: 'ML_DB' });
    expect(element(view, 'deploy.model_schema')['initial_option']).toMatchObject({ value: 'REGISTRY' });
    expect(element(view, 'deploy.model_name')['initial_option']).toMatchObject({ value: 'IRIS_CLASSIFIER' });
    expect(element(view, 'deploy.model_version')['initial_option']).toMatchObject({ value: 'V1' });
    expect(viewText(view)).toContain('PREDICT');
  });

  it.each([
    ['ML_DB.REGISTRY', /expected DATABASE\.SCHEMA\.MODEL/],
    ['ML_DB.REGISTRY.IRIS;DROP', /got a semicolon/],
    ["ML_DB.REGISTRY.IRIS_CLASSIFIER V1'", /Version: .*got a quote/],
    ['ML_DB.REGISTRY.IRIS_CLASSIFIER V1 extra', /Too many words/],
  ])('when the argument is %s, then an ephemeral message says what was expected and no modal opens', async (args, message) => {
    const opens = h.t.fake.calls('views.open').length;
    const from = sqlCount();
    const res = await h.t.slack.slashCommand({ command: '/spcs', text: `deploy ${args}` });
    const body = res.body as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(message);
    expect(body.text).toContain('/spcs deploy [DATABASE.SCHEMA.MODEL [VERSION]]');
    await new Promise((r) => setTimeout(r, 100));
    expect(h.t.fake.calls('views.open')).toHaveLength(opens);
    expect(sqlSince(from)).toEqual([]);
  });

  it('when nothing is pre-filled, then each pick loads the next list and the version shows its functions', async () => {
    await openWizard(h, '');
    const pick = async (actionId: string, value: string) => {
      const view = await waitForStep(h, 'model');
      await h.t.slack.blockActions({ in: { viewId: view.id }, actionId, selectedOption: { text: value, value } });
    };
    await pick('deploy.model_database', 'ML_DB');
    await waitForStep(h, 'model', (v) => element(v, 'deploy.model_database')['initial_option'] !== undefined);
    await pick('deploy.model_schema', 'REGISTRY');
    await waitForStep(h, 'model', (v) => element(v, 'deploy.model_schema')['initial_option'] !== undefined);
    await pick('deploy.model_name', 'SENTIMENT_BERT');
    await waitForStep(h, 'model', (v) => element(v, 'deploy.model_name')['initial_option'] !== undefined);
    await pick('deploy.model_version', 'V2');
    const done = await waitForStep(h, 'model', (v) => viewText(v).includes('PREDICT_PROBA'));
    expect(viewText(done)).toContain('GPU runtime: yes');
  });
});

describe('external_select options', () => {
  it('when the person types, then options come from the cached list, filtered, fast and without SQL', async () => {
    const view = await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
    const from = sqlCount();
    const ask = async (actionId: string, value: string) => {
      const res = await h.t.slack.blockSuggestion({ in: { viewId: view.id }, actionId, value });
      expect(res.elapsedMs).toBeLessThan(3000);
      return (res.body as { options: Array<{ value: string }> }).options.map((o) => o.value);
    };
    expect(await ask('deploy.model_database', '')).toEqual(expect.arrayContaining(['ML_DB', 'SNOWFLAKE']));
    expect(await ask('deploy.model_database', 'ml')).toEqual(['ML_DB']);
    expect(await ask('deploy.model_schema', '')).toEqual(['REGISTRY', 'SERVING']);
    expect(await ask('deploy.model_name', 'sent')).toEqual(['SENTIMENT_BERT']);
    expect(await ask('deploy.model_version', '')).toEqual(['V1']);
    expect(await ask('deploy.model_name', 'zzz')).toEqual([]);
    expect(sqlSince(from)).toEqual([]);
    const select = element(view, 'deploy.model_name');
    expect(select).toMatchObject({ type: 'external_select', min_query_length: 0 });
  });
});

describe('service location', () => {
  it.each([
    ['a quote', { 'deploy.service_name': '"Iris"' }, 'deploy.service_name', /got a quote/],
    ['a semicolon', { 'deploy.service_name': 'IRIS;DROP_SERVICE' }, 'deploy.service_name', /got a semicolon/],
    ['a space', { 'deploy.service_name': 'iris svc' }, 'deploy.service_name', /got a space/],
    ['a quote in the database', { 'deploy.service_database': "ML_DB'" }, 'deploy.service_database', /got a quote/],
  ])('when the name has %s, then the field says so and no SQL is sent', async (_label, typed, blockId, message) => {
    await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
    await submit(h);
    await waitForStep(h, 'location');
    const from = sqlCount();
    const res = await submit(h, {
      'deploy.service_database': 'ML_DB',
      'deploy.service_schema': 'SERVING',
      'deploy.service_name': 'OK_NAME',
      ...typed,
    });
    const errors = fieldErrors(res);
    expect(Object.keys(errors)).toEqual([blockId]);
    expect(errors[blockId]).toMatch(message);
    expect(h.t.fake.view(h.viewId ?? '')?.submissionErrors).toEqual(errors);
    await new Promise((r) => setTimeout(r, 100));
    expect(sqlSince(from)).toEqual([]);
  });
});

describe('compute pool', () => {
  it('when a CPU-only model is sent to a GPU pool, then the pool field refuses it and says why', async () => {
    const pools = await toPoolStep(h);
    expect(viewText(pools)).toContain('without a GPU runtime, so it can only use a CPU pool');
    const res = await submit(h, { 'deploy.pool': 'GPU_S_POOL' });
    expect(fieldErrors(res)['deploy.pool']).toMatch(
      /GPU_S_POOL is a GPU pool \(1 x A10G\) and has GPUs, but IRIS_CLASSIFIER version V1 was logged without a GPU runtime/,
    );
  });

  it('when the pools are listed, then the table shows each and flags a suspended pool', async () => {
    const pools = await toPoolStep(h);
    const text = viewText(pools);
    expect(text).toContain('*GPU_M_POOL* (GPU) · family GPU_NV_M · GPUs/node 4 x A10G · nodes 1 / 1');
    expect(text).toMatch(/\*CPU_XS_POOL\* \(CPU\) · family CPU_X64_XS · GPUs\/node None · nodes 1 \/ 2 · active \d+ · ACTIVE · services 1/);
    expect(text).toMatch(/\*CPU_M_POOL\*.*SUSPENDED \(suspended: it resumes when the service starts, so the first start is slower\)/);
    expect(text).toMatch(/\*HIGHMEM_POOL\*.*AUTO_RESUME is off/);

    const gpuPools = await h.t.slack.blockSuggestion({ in: { viewId: pools.id }, actionId: 'deploy.pool', value: 'gpu' });
    expect((gpuPools.body as { options: Array<{ value: string }> }).options.map((o) => o.value).sort()).toEqual([
      'GPU_L_POOL',
      'GPU_M_POOL',
      'GPU_S_POOL',
    ]);
    await submit(h, { 'deploy.pool': 'CPU_M_POOL' });
    const next = await waitForStep(h, 'instances');
    expect(viewText(next)).toContain('CPU_M_POOL is suspended: it resumes when the service starts, so the first start is slower.');
  });

  it('when the bot lacks USAGE on a pool (GPU_L_POOL), then the table and the field say so', async () => {
    const pools = await toPoolStep(h, 'ML_DB.REGISTRY.SENTIMENT_BERT V2', 'BERT_SVC');
    expect(viewText(pools)).toMatch(/\*GPU_L_POOL\*.*no USAGE for the bot/);
    expect(viewText(pools)).not.toMatch(/\*GPU_M_POOL\*.*no USAGE/);
    const res = await submit(h, { 'deploy.pool': 'GPU_L_POOL' });
    expect(fieldErrors(res)['deploy.pool']).toMatch(/no USAGE on compute pool GPU_L_POOL.*insufficient privileges/);
  });

  it('when the model is hidden from the bot by a missing grant, then the modal says so instead of crashing', async () => {
    h.t.emulator.faults.missingPrivilege({ privilege: 'USAGE', on: 'MODEL', name: 'ML_DB.REGISTRY.IRIS_CLASSIFIER' });
    const view = await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
    expect(viewText(view)).toContain('Model ML_DB.REGISTRY.IRIS_CLASSIFIER is not in the list Snowflake returned');
    expect(element(view, 'deploy.model_name')['initial_option']).toBeUndefined();
    const res = await submit(h);
    expect(fieldErrors(res)['deploy.model_name']).toBe('Pick a model.');
  });
});

describe('draft state', () => {
  it('when views are sent, then private_metadata holds only the draft id, whose draft lives in Redis with a TTL', async () => {
    const before = h.t.fake.calls().length;
    await toPoolStep(h);
    const calls = h.t.fake
      .calls()
      .slice(before)
      .filter((c) => c.method === 'views.open' || c.method === 'views.update');
    const metadata = calls.map((c) => (c.args['view'] as { private_metadata?: string }).private_metadata);
    expect(metadata.length).toBeGreaterThan(0);
    const ids = new Set(metadata);
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(id).toMatch(/^w[0-9a-f]{24}$/);
    expect(h.t.fake.view(h.viewId ?? '')?.private_metadata).toBe(id);

    const redis = new Redis(TEST_REDIS_URL);
    try {
      const key = `${h.t.keyPrefix}:draft:${id}`;
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(3500);
      expect(ttl).toBeLessThanOrEqual(3600);
      expect(JSON.parse((await redis.get(key)) ?? '{}')).toMatchObject({ step: 'pool', service: { name: 'IRIS_NEW_SVC' } });
    } finally {
      redis.disconnect();
    }
  });

  it('when a view carries a draft id that is not ours, then the person is told to start over', async () => {
    await openWizard(h, 'ML_DB.REGISTRY.IRIS_CLASSIFIER V1');
    const res = await h.t.slack.viewSubmission({
      viewId: h.viewId ?? '',
      mutate: (p) => {
        if (isRecord(p['view'])) p['view']['private_metadata'] = 'spcs:*';
      },
    });
    expect(res.status).toBe(200);
    const view = h.t.fake.view(h.viewId ?? '');
    expect(view && viewText(view)).toContain('expired or was already submitted');
  });
});
