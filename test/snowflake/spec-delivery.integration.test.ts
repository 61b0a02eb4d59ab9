/**
 * Issue 12 point 3, through the real driver against the emulator: the bot reads
 * SYSTEM$ML_PLATFORM_CAPABILITIES once, sends the spec inline only where the account allows it, and
 * otherwise PUTs deploy.yml on a scoped temporary stage (the driver really copies the file) and calls
 * SYSTEM$DEPLOY_MODEL('@stage/deploy.yml') on the same session.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnowflakeClient } from '../../src/snowflake/client.js';
import { deployModel, deployStatus } from '../../src/snowflake/deploy-queries.js';
import { requireQualifiedName } from '../../src/snowflake/identifiers.js';
import { findService } from '../../src/snowflake/service-queries.js';
import { createPlatformCapabilities, decideSpecDelivery, inlineSpecAllowed } from '../../src/snowflake/deploy-spec-delivery.js';
import { bind, sql } from '../../src/snowflake/sql.js';
import { clientFor, envFor, startFrozenEmulator, type Emulator } from './support/emulator.js';

const plan = (service: string) => ({
  model: 'ML_DB.REGISTRY.IRIS_CLASSIFIER',
  version: 'V1',
  service: `ML_DB.SERVING.${service}`,
  computePool: 'CPU_XS_POOL',
  ingressEnabled: true,
  maxInstances: 1,
});

describe('the version rule, as snowflake-ml-python compares it', () => {
  it('is on only when the client version is at least the account value', () => {
    const cap = (v: unknown) => ({ ENABLE_INLINE_DEPLOYMENT_SPEC_FROM_CLIENT_VERSION: v });
    expect(inlineSpecAllowed(cap('1.8.6'), '1.8.6')).toBe(true);
    expect(inlineSpecAllowed(cap('1.8.5'), '1.8.6')).toBe(true);
    expect(inlineSpecAllowed(cap('1.10.0'), '1.9.9')).toBe(false);
    expect(inlineSpecAllowed(cap('1.9'), '1.9.0')).toBe(true);
    // Missing or unreadable: ml-python falls back to 999.999.999, i.e. off.
    expect(inlineSpecAllowed({}, '1.8.6')).toBe(false);
    expect(inlineSpecAllowed(cap(true), '1.8.6')).toBe(false);
    expect(inlineSpecAllowed(cap('next'), '1.8.6')).toBe(false);
  });
});

describe('an account that takes no inline spec', () => {
  let emu: Emulator;
  let db: SnowflakeClient;
  beforeAll(async () => {
    emu = await startFrozenEmulator({ mlPlatformCapabilities: { SPCS_MODEL_ENABLE_EMBEDDED_SERVICE_FUNCTIONS: true } });
    db = clientFor(envFor(emu));
  });
  afterAll(async () => {
    await db.close();
    await emu.close();
  });

  it('refuses an inline spec, which is what the bot used to send', async () => {
    // The old statement, unchanged: the YAML as the one bind.
    const queryId = await db.executeAsync(sql`CALL SYSTEM$DEPLOY_MODEL(${bind('models: []')})`);
    const state = await deployStatus(db, queryId);
    expect(state.state).toBe('failed');
    expect(state.state === 'failed' && state.error.message).toMatch(/only as a file on a stage/);
  });

  it('reads the capabilities once, then deploys through a scoped temporary stage on one session', async () => {
    const capabilities = createPlatformCapabilities(db);
    const delivery = await decideSpecDelivery(capabilities);
    expect(delivery).toEqual({ kind: 'stage', capability: null });
    await decideSpecDelivery(capabilities);
    expect(emu.sqlLog.filter((e) => e.sqlText.includes('SYSTEM$ML_PLATFORM_CAPABILITIES'))).toHaveLength(1);

    if (delivery.kind !== 'stage') throw new Error('expected the stage path');
    const started = await deployModel(db, plan('STAGED_SVC'), { delivery });
    const sent = emu.sqlLog.filter((e) => /STAGE|^PUT|SYSTEM\$DEPLOY_MODEL/.test(e.sqlText) && e.outcome !== 'error');
    expect(sent.map((e) => e.sqlText.split(' ').slice(0, 3).join(' '))).toEqual([
      'CREATE SCOPED TEMPORARY',
      expect.stringMatching(/^PUT 'file:\/\/.+\/deploy\.yml' @ML_DB\.REGISTRY\.SPCS_CHATOPS_SPEC_[0-9A-F]{12}$/),
      'CALL SYSTEM$DEPLOY_MODEL(?)',
    ]);
    const call = sent[2];
    expect(Object.values(call?.binds ?? {}).map((b) => b.value)).toEqual([
      expect.stringMatching(/^@ML_DB\.REGISTRY\.SPCS_CHATOPS_SPEC_[0-9A-F]{12}\/deploy\.yml$/),
    ]);
    // One session for all three: the temporary stage is invisible to any other.
    const sessions = new Set(sent.map((e) => e.sessionId));
    expect(sessions.size).toBe(1);
    expect(await deployStatus(db, started.queryId)).toMatchObject({ state: 'running' });
    // The emulator read the spec back from the stage: the service it names is being created.
    expect(await findService(db, requireQualifiedName('ML_DB.SERVING.STAGED_SVC', 'Service', 3))).toMatchObject({
      computePool: 'CPU_XS_POOL',
    });
  });

  it('refuses before sending anything when deploy.yml cannot be written', async () => {
    const before = emu.sqlLog.length;
    const delivery = await decideSpecDelivery(createPlatformCapabilities(db), () => join(tmpdir(), 'spcs-no-such-dir', 'x'));
    expect(delivery.kind).toBe('refused');
    expect(delivery.kind === 'refused' && delivery.message).toMatch(
      /does not list it for ENABLE_INLINE_DEPLOYMENT_SPEC_FROM_CLIENT_VERSION.*cannot write deploy\.yml.*ENOENT/s,
    );
    // Only the capabilities were read: no stage, no PUT, no deploy.
    expect(emu.sqlLog.slice(before).map((e) => e.sqlText)).toEqual(['SELECT SYSTEM$ML_PLATFORM_CAPABILITIES() AS FEATURES']);
  });
});

describe('an account that takes inline specs from 1.8.6', () => {
  let emu: Emulator;
  let db: SnowflakeClient;
  beforeAll(async () => {
    emu = await startFrozenEmulator();
    db = clientFor(envFor(emu));
  });
  afterAll(async () => {
    await db.close();
    await emu.close();
  });

  it('sends the YAML inline and no stage', async () => {
    const delivery = await decideSpecDelivery(createPlatformCapabilities(db));
    expect(delivery).toEqual({ kind: 'inline' });
    const started = await deployModel(db, plan('INLINE_SVC'), { delivery: { kind: 'inline' } });
    expect(emu.sqlLog.some((e) => /STAGE|^PUT/.test(e.sqlText))).toBe(false);
    const call = emu.sqlLog.find((e) => e.queryId === started.queryId);
    expect(Object.values(call?.binds ?? {})[0]?.value).toMatch(/^models:/);
  });
});
