import { describe, expect, it } from 'vitest';
import { buildDiagnosis } from '../../src/blocks/observe-diagnosis.js';
import { MAX_MESSAGE_BLOCKS, tailCodeBlock } from '../../src/blocks/kit.js';
import { buildServiceList } from '../../src/blocks/observe-list.js';
import { buildLogMessage } from '../../src/blocks/observe-logs.js';
import { metricsChartSpec } from '../../src/blocks/observe-metrics.js';
import { buildPoolTable } from '../../src/blocks/observe-pools.js';
import { buildServiceStatus } from '../../src/blocks/observe-status.js';
import type { ServiceModel } from '../../src/blocks/observe-list.js';
import type { PoolModel } from '../../src/blocks/observe-pools.js';
import type { ContainerModel } from '../../src/blocks/observe-status.js';
import { blocksText, validateBlocks } from '../support/fake-slack.js';

const service = (name: string, over: Partial<ServiceModel> = {}): ServiceModel => ({
  name,
  status: 'RUNNING',
  databaseName: 'DB',
  schemaName: 'S',
  computePool: 'POOL',
  currentInstances: 1,
  targetInstances: 1,
  minInstances: 1,
  maxInstances: 2,
  autoResume: true,
  autoSuspendSecs: 1800,
  ...over,
});
const pool = (name: string, state = 'ACTIVE'): PoolModel => ({
  name,
  state,
  minNodes: 1,
  maxNodes: 2,
  instanceFamily: 'CPU_X64_XS',
  numServices: 1,
  autoResume: true,
  activeNodes: 1,
});
const container = (i: number): ContainerModel => ({
  instanceId: String(i),
  containerName: 'model-inference',
  status: 'READY',
  message: `<!channel> ${'x'.repeat(600)}`,
  restartCount: 0,
  lastExitCode: null,
});

describe('observe block builders stay within Slack limits', () => {
  it('when 120 services are listed, then 46 are shown, the rest counted, and the blocks are valid', () => {
    const msg = buildServiceList({
      scope: null,
      skipped: [],
      services: Array.from({ length: 120 }, (_, i) => ({ service: service(`SVC_${i}`), endpoint: null })),
    });
    expect(msg.blocks.length).toBeLessThanOrEqual(MAX_MESSAGE_BLOCKS);
    expect(validateBlocks(msg.blocks, 'message')).toEqual([]);
    expect(blocksText(msg.blocks)).toContain('…and 74 more services');
  });

  it('when a service has 80 containers with long messages, then the status stays valid and escapes their text', () => {
    const msg = buildServiceStatus({
      service: service('SVC'),
      qualifiedName: 'DB.S.SVC',
      endpoint: null,
      containers: Array.from({ length: 80 }, (_, i) => container(i)),
    });
    expect(msg.blocks.length).toBeLessThanOrEqual(MAX_MESSAGE_BLOCKS);
    expect(validateBlocks(msg.blocks, 'message')).toEqual([]);
    expect(JSON.stringify(msg.blocks)).not.toContain('<!channel>');
    expect(blocksText(msg.blocks)).toContain('more containers');
  });

  it('when there are 300 pools, then the table is split into sections of at most 3000 characters', () => {
    const msg = buildPoolTable({
      pools: Array.from({ length: 300 }, (_, i) => pool(`POOL_${i}`, i % 2 ? 'ACTIVE' : 'SUSPENDED')),
      families: [],
    });
    expect(msg.blocks.length).toBeLessThanOrEqual(MAX_MESSAGE_BLOCKS);
    expect(validateBlocks(msg.blocks, 'message')).toEqual([]);
  });

  it('when a log is longer than a section, then the tail is kept and the cut lines are counted', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'y'.repeat(40)}`);
    const block = tailCodeBlock(lines, 3000);
    expect(block.text.length).toBeLessThanOrEqual(3000);
    expect(block.text).toContain('line 499');
    expect(block.text).not.toContain('line 0 ');
    expect(block.cut).toBeGreaterThan(400);
    const msg = buildLogMessage({ service: 'DB.S.SVC', container: 'model-inference', source: 'live', lines }, { fileHint: 'add `--file`' });
    expect(validateBlocks(msg.blocks, 'message')).toEqual([]);
    expect(blocksText(msg.blocks)).toMatch(/\d+ earlier lines cut/);
  });

  it('when a long-named service restarted on 12 instances, then the logs buttons stay valid and within Slack limits', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'y'.repeat(40)}`);
    const name = `"${'Ä'.repeat(250)}"."${'S'.repeat(250)}"."${'V'.repeat(250)}"`;
    const state = { instanceId: '0', instances: Array.from({ length: 12 }, (_, i) => String(i)), restartCount: 3, lastExitCode: 137 };
    const msg = buildLogMessage(
      { service: name, container: 'model-inference', source: 'live', lines, state, requestedLines: 1000 },
      { fileHint: 'add `--file`' },
    );
    expect(validateBlocks(msg.blocks, 'message')).toEqual([]);
    expect(JSON.stringify(msg.blocks)).toContain('observe.logs.previous');
    expect(JSON.stringify(msg.blocks)).toContain('observe.logs.instance.10');
    expect(JSON.stringify(msg.blocks)).not.toContain('observe.logs.instance.11');
  });

  it('when log text holds backticks and mentions, then they cannot break out of the code block', () => {
    const block = tailCodeBlock(['```<!here>```']);
    expect(block.text).toBe("```\n'''&lt;!here&gt;'''\n```");
  });

  it('when there are 100 findings, then the diagnosis stays within 50 blocks', () => {
    const finding = { code: 'healthy' as const, severity: 'info' as const, title: 't', cause: 'c', fixes: ['a', 'b'], evidence: ['e'] };
    const msg = buildDiagnosis({
      service: 'DB.S.SVC',
      status: 'RUNNING',
      looked: 'everything',
      findings: Array.from({ length: 100 }, () => finding),
    });
    expect(msg.blocks.length).toBeLessThanOrEqual(MAX_MESSAGE_BLOCKS);
    expect(validateBlocks(msg.blocks, 'message')).toEqual([]);
  });

  it('when container.memory.limit is collected, then the panel carries its limit rule', () => {
    const samples = [
      { timestamp: new Date(0), metricName: 'container.memory.usage', value: 1024 ** 3, unit: 'byte', containerName: 'model-inference' },
      {
        timestamp: new Date(0),
        metricName: 'container.memory.limit',
        value: 6 * 1024 ** 3,
        unit: 'byte',
        containerName: 'model-inference',
      },
    ];
    const spec = JSON.stringify(
      metricsChartSpec({
        service: 'DB.S.SVC',
        pool: 'POOL',
        family: { name: 'CPU_X64_XS', vcpu: 1, memoryGib: 6, gpu: null },
        samples,
      }),
    );
    expect(spec).toContain('"limit":6');
    expect(spec).toContain('limit 6.0 GiB');
  });
});
