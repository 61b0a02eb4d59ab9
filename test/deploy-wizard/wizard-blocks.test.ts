import { describe, expect, it } from 'vitest';
import { buildWizardView } from '../../src/blocks/deploy-wizard.js';
import { describeSnowflakeFailure } from '../../src/flows/deploy/snowflake-message.js';
import { filterItems } from '../../src/flows/deploy/model-picks.js';
import { SnowflakeError } from '../../src/snowflake/index.js';
import type { Draft, PoolRow } from '../../src/domain/deploy-draft.js';
import { validateView } from '../support/fake-slack-blocks.js';

const draft = (over: Partial<Draft> = {}): Draft => ({
  id: 'w000000000000000000000001',
  userId: 'U1',
  teamId: 'T1',
  channelId: 'C1',
  createdAtMs: 0,
  step: 'pool',
  rev: 1,
  model: { database: 'ML_DB', schema: 'REGISTRY', name: 'IRIS_CLASSIFIER', version: 'V1' },
  lists: {},
  versionInfo: { functions: [], hasGpuRuntime: false },
  service: { database: 'ML_DB', schema: 'SERVING', name: 'SVC' },
  poolMode: 'existing',
  ...over,
});

const pool = (i: number): PoolRow => ({
  name: `POOL_WITH_A_RATHER_LONG_NAME_${String(i).padStart(4, '0')}`,
  instanceFamily: i % 2 === 0 ? 'GPU_NV_M' : 'CPU_X64_XS',
  gpu: i % 2 === 0 ? { type: 'A10G', perNode: 4, memoryGib: 24 } : null,
  minNodes: 1,
  maxNodes: 4,
  activeNodes: 2,
  state: i % 3 === 0 ? 'SUSPENDED' : 'ACTIVE',
  services: 2,
  autoResume: true,
  usable: i % 5 !== 0,
});

describe('pool step within Block Kit limits', () => {
  it.each([1, 40, 500])('when %i pools exist, then the view stays within 100 blocks and 3000 characters a section', (count) => {
    const view = buildWizardView({
      draft: draft({ lists: { pools: Array.from({ length: count }, (_, i) => pool(i)) } }),
      loading: false,
      request: null,
    });
    expect(validateView(view)).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(view.private_metadata).toBe('w000000000000000000000001');
    if (count === 500) expect(JSON.stringify(view.blocks)).toContain('more pools: type a name in the picker');
  });
});

describe('Snowflake failures as sentences', () => {
  it('when a privilege is missing, then the message names the object and the grant to ask for', () => {
    const err = new SnowflakeError(
      {
        kind: 'insufficient_privileges',
        objectKind: 'compute pool',
        objectName: 'GPU_L_POOL',
        privilege: 'USAGE ON COMPUTE POOL GPU_L_POOL',
      },
      "Insufficient privileges to operate on compute pool 'GPU_L_POOL'",
    );
    expect(describeSnowflakeFailure(err, 'list the compute pools')).toBe(
      "Could not list the compute pools: the bot's Snowflake role lacks a privilege on compute pool GPU_L_POOL. Ask an admin to grant USAGE ON COMPUTE POOL GPU_L_POOL to the bot's role.",
    );
  });

  it('when something else was thrown, then the message does not leak it', () => {
    expect(describeSnowflakeFailure(new Error('secret stack'), 'list databases')).not.toContain('secret');
  });
});

describe('type-ahead', () => {
  it('when text is typed, then options match it case-insensitively, at most 100', () => {
    const items = Array.from({ length: 250 }, (_, i) => ({ text: `MODEL_${i}`, value: `MODEL_${i}` }));
    expect(filterItems(items, '')).toHaveLength(100);
    expect(filterItems(items, 'model_24').map((i) => i.value)).toEqual([
      'MODEL_24',
      ...Array.from({ length: 10 }, (_, i) => `MODEL_${240 + i}`),
    ]);
  });
});
