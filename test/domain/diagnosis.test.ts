import { describe, expect, it } from 'vitest';
import {
  diagnose,
  findOomKills,
  isPoolAtCapacity,
  isWaitingForNode,
  peaksOf,
  type ObservedContainer,
  type ServiceObservations,
} from '../../src/domain/diagnosis.js';

const GIB = 1024 ** 3;
const container = (over: Partial<ObservedContainer> = {}): ObservedContainer => ({
  instanceId: '0',
  containerName: 'model-inference',
  status: 'READY',
  message: 'Running',
  restartCount: 0,
  lastExitCode: null,
  ...over,
});
const base = (over: Partial<ServiceObservations> = {}): ServiceObservations => ({
  service: { name: 'DB.S.SVC', status: 'RUNNING', computePool: 'POOL', autoResume: true },
  containers: [container()],
  pool: { name: 'POOL', state: 'ACTIVE', maxNodes: 2, activeNodes: 1, autoResume: true },
  family: { name: 'CPU_X64_XS', memoryGib: 6, vcpu: 1, gpu: null },
  logLines: [],
  peaks: [],
  privilegeFailures: [],
  ...over,
});
const codes = (o: ServiceObservations) => diagnose(o).map((f) => f.code);

describe('diagnosis rules', () => {
  it('when nothing is wrong, then there is one healthy finding', () => {
    expect(codes(base())).toEqual(['healthy']);
  });

  it('when a container exited with 137 and restarts, then OOM is reported (not also a crash loop) with larger instance / fewer workers', () => {
    const o = base({
      service: { ...base().service, status: 'FAILED' },
      containers: [container({ status: 'FAILED', message: 'OOMKilled', lastExitCode: 137, restartCount: 5 })],
    });
    const [first, ...rest] = diagnose(o);
    expect(first?.code).toBe('oom_killed');
    expect(first?.fixes.join(' ')).toMatch(/larger instance family.*6 GiB on CPU_X64_XS/);
    expect(first?.fixes.join(' ')).toContain('num_workers');
    expect(rest.map((f) => f.code)).not.toContain('repeated_restarts');
    expect(rest.map((f) => f.code)).not.toContain('service_failed');
  });

  it('when OOMKilled is only in the logs, then OOM is still reported', () => {
    expect(codes(base({ logLines: ['worker 1: OOMKilled'] }))).toContain('oom_killed');
  });

  it('when container.memory.usage reaches 90% of container.memory.limit, then it is near the limit; the node size does not count', () => {
    const peak = (memoryBytes: number, memoryLimitBytes: number | null) => ({
      containerName: 'model-inference',
      memoryBytes,
      memoryLimitBytes,
      cpu: 0.5,
    });
    expect(codes(base({ peaks: [peak(3.7 * GIB, 4 * GIB)] }))).toEqual(['memory_near_limit']);
    // 3.7 GiB is far from the 6 GiB node, but the container's limit is 4 GiB.
    expect(diagnose(base({ peaks: [peak(3.7 * GIB, 4 * GIB)] }))[0]?.evidence[0]).toContain('of its 4.0 GiB limit');
    // 5.5 GiB is near the 6 GiB node, but well under a 12 GiB container limit.
    expect(codes(base({ peaks: [peak(5.5 * GIB, 12 * GIB)] }))).toEqual(['healthy']);
    expect(codes(base({ peaks: [peak(3 * GIB, 4 * GIB)] }))).toEqual(['healthy']);
    // No system_limits samples: no limit to compare with, so no guess from the node size.
    expect(codes(base({ peaks: [peak(5.9 * GIB, null)] }))).toEqual(['healthy']);
  });

  it('when CUDA runs out of memory, then fewer workers or more GPU memory is advised', () => {
    const o = base({
      family: { name: 'GPU_NV_S', memoryGib: 27, vcpu: 6, gpu: { type: 'A10G', perNode: 1, memoryGib: 24 } },
      logLines: ['torch.cuda.OutOfMemoryError: CUDA out of memory'],
    });
    const finding = diagnose(o).find((f) => f.code === 'gpu_memory');
    expect(finding?.fixes.join(' ')).toMatch(/num_workers.*more GPU memory than 1× A10G 24 GiB/s);
  });

  it('when restarts pile up without an OOM sign, then a crash loop is reported', () => {
    expect(codes(base({ containers: [container({ restartCount: 4, message: 'Error' })] }))).toContain('repeated_restarts');
  });

  it('when an instance is Pending scheduling on a pool at MAX_NODES, then the pool is at capacity', () => {
    const o = base({
      pool: { name: 'POOL', state: 'ACTIVE', maxNodes: 2, activeNodes: 2, autoResume: true },
      containers: [container(), container({ instanceId: '1', status: 'PENDING', message: 'Pending scheduling' })],
    });
    const [finding] = diagnose(o);
    expect(finding?.code).toBe('pending_scheduling');
    expect(finding?.title).toContain('at capacity');
    expect(finding?.fixes[0]).toContain('MAX_NODES');
  });

  it('when Snowflake says "Compute pool node(s) are being provisioned" on a pool below MAX_NODES, then it is a wait; at MAX_NODES, the pool is at capacity', () => {
    const waiting = container({ instanceId: '1', status: 'PENDING', message: 'Compute pool node(s) are being provisioned' });
    const [grow] = diagnose(base({ containers: [container(), waiting] }));
    expect(grow).toMatchObject({
      code: 'pending_scheduling',
      severity: 'info',
      title: 'Compute pool node(s) are being provisioned in POOL',
    });
    const [full] = diagnose(
      base({ pool: { name: 'POOL', state: 'ACTIVE', maxNodes: 2, activeNodes: 2, autoResume: true }, containers: [container(), waiting] }),
    );
    expect(full).toMatchObject({
      code: 'pending_scheduling',
      severity: 'problem',
      title: 'Pending scheduling: the compute pool is at capacity',
    });
  });

  it('when the platform events say "Container was OOMKilled due to resource usage", then OOM is reported from them alone', () => {
    const o = base({
      events: [
        {
          eventName: 'CONTAINER.STATUS_CHANGE',
          severity: 'ERROR',
          message: 'Container was OOMKilled due to resource usage',
          status: 'FAILED',
          instanceId: '0',
          containerName: 'model-inference',
        },
      ],
    });
    const [f] = diagnose(o);
    expect(f?.code).toBe('oom_killed');
    expect(f?.evidence[0]).toBe(
      'event CONTAINER.STATUS_CHANGE: model-inference (instance 0): Container was OOMKilled due to resource usage',
    );
  });

  it('when the image cannot be pulled ("Failed to pull image"), then that is the problem, with what to check', () => {
    const o = base({
      service: { ...base().service, status: 'PENDING' },
      containers: [container({ status: 'PENDING', message: 'Failed to pull image' })],
      events: [
        {
          eventName: 'CONTAINER.STATUS_CHANGE',
          severity: 'ERROR',
          message: 'Failed to pull image',
          status: 'PENDING',
          instanceId: '0',
          containerName: 'model-inference',
        },
      ],
    });
    const [f] = diagnose(o);
    expect(f).toMatchObject({ code: 'image_pull_failed', severity: 'problem' });
    expect(f?.fixes.join(' ')).toContain('READ on the image repository');
  });

  it('when the pool reports error_code and status_message, then the finding quotes Snowflake', () => {
    const o = base({
      pool: {
        name: 'POOL',
        state: 'STARTING',
        maxNodes: 2,
        activeNodes: 0,
        autoResume: true,
        errorCode: '392507',
        statusMessage: 'Compute pool is starting for the last 3 minutes: insufficient capacity',
      },
    });
    const [f] = diagnose(o);
    expect(f?.code).toBe('pool_failed');
    expect(f?.title).toContain('392507');
    expect(f?.cause).toBe('Snowflake says: Compute pool is starting for the last 3 minutes: insufficient capacity');
  });

  it('when the pool is suspended without auto-resume, then resuming it is the fix; when starting, waiting is', () => {
    expect(codes(base({ pool: { name: 'POOL', state: 'SUSPENDED', maxNodes: 1, activeNodes: 0, autoResume: false } }))).toEqual([
      'pool_suspended_no_auto_resume',
    ]);
    expect(codes(base({ pool: { name: 'POOL', state: 'STARTING', maxNodes: 1, activeNodes: 0, autoResume: true } }))).toEqual([
      'pool_not_ready',
    ]);
  });

  it('when a read was refused, then the grant to ask for is named', () => {
    const o = base({
      privilegeFailures: [{ doing: 'read the containers', privilege: 'MONITOR ON SERVICE DB.S.SVC', objectName: 'DB.S.SVC' }],
    });
    const [finding] = diagnose(o);
    expect(finding?.code).toBe('missing_privilege');
    expect(finding?.fixes).toEqual(["Ask an admin: GRANT MONITOR ON SERVICE DB.S.SVC TO ROLE <the bot's role>."]);
  });

  it('when the service failed for no known reason, then the logs are the next step', () => {
    const o = base({ service: { ...base().service, status: 'FAILED' }, containers: [container({ status: 'FAILED', message: 'exit 1' })] });
    expect(diagnose(o).find((f) => f.code === 'service_failed')?.fixes[0]).toContain('/spcs logs DB.S.SVC');
  });

  it('when the service is suspended, then it is information, with how it comes back', () => {
    const [finding] = diagnose(base({ service: { ...base().service, status: 'SUSPENDED' }, containers: [] }));
    expect(finding).toMatchObject({ code: 'service_suspended', severity: 'info' });
    expect(finding?.fixes[0]).toContain('AUTO_RESUME');
  });

  it('peaks take the highest container.memory.usage and CPU, and container.memory.limit, per container (max_usage is not a platform metric)', () => {
    const peaks = peaksOf([
      { metricName: 'container.memory.usage', value: 1, containerName: 'a' },
      { metricName: 'container.memory.usage', value: 2, containerName: 'a' },
      { metricName: 'container.memory.max_usage', value: 3, containerName: 'a' },
      { metricName: 'container.memory.limit', value: 4, containerName: 'a' },
      { metricName: 'container.cpu.usage', value: 0.5, containerName: 'a' },
      { metricName: 'container.cpu.usage', value: null, containerName: 'b' },
    ]);
    expect(peaks).toEqual([{ containerName: 'a', memoryBytes: 2, memoryLimitBytes: 4, cpu: 0.5 }]);
  });
});

describe('the rules the deployment lifecycle shares', () => {
  it('when a container exited 137, or its message, a log line or an event says OOMKilled, then it was OOM-killed', () => {
    expect(findOomKills({ containers: [container({ lastExitCode: 137, message: 'Container exited' })], logLines: [] })).not.toBeNull();
    expect(
      findOomKills({ containers: [container({ message: 'Container was OOMKilled due to resource usage' })], logLines: [] }),
    ).not.toBeNull();
    expect(findOomKills({ containers: [container()], logLines: ['worker 2: OOMKilled'] })?.logLines).toEqual(['worker 2: OOMKilled']);
    const event = {
      eventName: 'CONTAINER.STATUS_CHANGE',
      severity: 'ERROR',
      message: 'Container was OOMKilled',
      status: 'FAILED',
      instanceId: '0',
      containerName: 'model-inference',
    };
    expect(findOomKills({ containers: [container()], logLines: [], events: [event] })?.events).toEqual([event]);
    expect(findOomKills({ containers: [container({ lastExitCode: 1, message: 'Traceback' })], logLines: ['ok'] })).toBeNull();
  });

  it('when the pool is at MAX_NODES with no idle node, then it is at capacity; an idle node or room to grow is not', () => {
    expect(isPoolAtCapacity({ maxNodes: 2, activeNodes: 2, idleNodes: 0 })).toBe(true);
    expect(isPoolAtCapacity({ maxNodes: 2, activeNodes: 2 })).toBe(true);
    expect(isPoolAtCapacity({ maxNodes: 2, activeNodes: 2, idleNodes: 1 })).toBe(false);
    expect(isPoolAtCapacity({ maxNodes: 2, activeNodes: 1, idleNodes: 0 })).toBe(false);
    expect(isPoolAtCapacity({ maxNodes: 2, activeNodes: null })).toBe(false);
  });

  it('when a pool at MAX_NODES still has an idle node, then the diagnosis does not call it at capacity', () => {
    const o = base({
      service: { ...base().service, status: 'PENDING' },
      containers: [container({ status: 'PENDING', message: 'Pending scheduling' })],
      pool: { name: 'POOL', state: 'ACTIVE', maxNodes: 2, activeNodes: 2, idleNodes: 1, autoResume: true },
    });
    expect(diagnose(o).find((f) => f.code === 'pending_scheduling')?.title).toBe('Pending scheduling: no node can take the instance');
  });

  it('when the message is Pending scheduling or node(s) are being provisioned, then the instance waits for a node', () => {
    expect(isWaitingForNode({ message: 'Pending scheduling' })).toBe(true);
    expect(isWaitingForNode({ message: 'Compute pool node(s) are being provisioned' })).toBe(true);
    expect(isWaitingForNode({ message: 'Waiting to start' })).toBe(false);
    expect(isWaitingForNode({ message: null })).toBe(false);
  });
});
