/**
 * The deployment lifecycle as a pure step (src/domain/deployment-lifecycle.ts): what a status
 * round saw in, the next record and the effects out, phase by phase, plus the properties the
 * tracker relies on: nothing to write when nothing changed, each milestone posted once.
 */
import { describe, expect, it } from 'vitest';
import {
  advance,
  closerLooksFor,
  fingerprintOf,
  type DeploymentObservation,
  type LifecycleEffect,
  type LifecycleOptions,
} from '../../src/domain/deployment-lifecycle.js';
import type { Deployment, Execution, Milestone } from '../../src/domain/deployment.js';
import type { ObservedContainer, ObservedEvent } from '../../src/domain/diagnosis.js';
import { irisRequest } from '../support/deploy-requests.js';

const T0 = 1_700_000_000_000;
const LIMIT = 30 * 60_000;
const OPTIONS: LifecycleOptions = { phaseTimeoutMs: LIMIT, inferenceContainer: 'model-inference' };
const BUILD_JOB = 'MODEL_BUILD_01B2C3D4';
const URL = 'https://abc-org-acct.snowflakecomputing.app';

const deployment = (execution: Partial<Execution> = {}): Deployment => ({
  id: 'd0123456789',
  request: irisRequest('IRIS_LC'),
  planHash: 'a'.repeat(64),
  requestedBy: 'U0REQUEST',
  teamId: 'T0TEAM',
  channelId: 'C0DEPLOY',
  messageTs: '1700000000.000100',
  requestedAtMs: T0 - 120_000,
  state: 'approved',
  approvals: [{ userId: 'U0APPROVE', atMs: T0 - 60_000 }],
  execution: {
    phase: 'submitting',
    phaseSinceMs: T0,
    queryId: '01b2c3d4-0000-0000-0000-000000000001',
    buildJobName: BUILD_JOB,
    milestones: ['approved'],
    ...execution,
  },
});

const service = (status: string) => ({ name: 'IRIS_LC', status, isJob: false });
const buildJob = (status: string) => ({ name: BUILD_JOB, status, isJob: true });
const container = (over: Partial<ObservedContainer> = {}): ObservedContainer => ({
  instanceId: '0',
  containerName: 'model-inference',
  status: 'PENDING',
  message: null,
  restartCount: 0,
  lastExitCode: null,
  ...over,
});
const observation = (over: Partial<DeploymentObservation> = {}): DeploymentObservation => ({
  service: undefined,
  buildJob: undefined,
  query: { state: 'running' },
  lookDue: false,
  ...over,
});
/** The record as the last round left it: `observed` set to what `o` shows (the row did not change). */
const seenBefore = (d: Deployment, o: DeploymentObservation): Deployment =>
  d.execution === undefined ? d : { ...d, execution: { ...d.execution, observed: fingerprintOf(o) } };

const milestonesOf = (effects: readonly LifecycleEffect[]): Milestone[] =>
  effects.flatMap((e) => (e.kind === 'milestone' ? [e.milestone] : []));
const kinds = (effects: readonly LifecycleEffect[]): string[] => effects.map((e) => e.kind);

describe('advance: from the CALL to running, phase by phase', () => {
  it.each<{
    name: string;
    from: Partial<Execution>;
    seen: Partial<DeploymentObservation>;
    phase: Execution['phase'];
    milestones: Milestone[];
    effects: LifecycleEffect[];
  }>([
    {
      name: 'when nothing exists yet, then it stays submitting with nothing to post',
      from: { phase: 'submitting' },
      seen: {},
      phase: 'submitting',
      milestones: ['approved'],
      effects: [],
    },
    {
      name: 'when the build job runs, then building_image, with the build_started reply',
      from: { phase: 'submitting' },
      seen: { buildJob: buildJob('RUNNING') },
      phase: 'building_image',
      milestones: ['approved', 'build_started'],
      effects: [
        { kind: 'milestone', milestone: 'build_started' },
        { kind: 'log_step', step: 'build_started', fields: {} },
        { kind: 'log_step', step: 'building_image', fields: {} },
        { kind: 'audit', event: 'phase_changed', detail: 'building_image' },
        { kind: 'summary' },
      ],
    },
    {
      name: 'when the build job is DONE and the service is not there yet, then build_done, same phase',
      from: { phase: 'building_image', milestones: ['approved', 'build_started'] },
      seen: { buildJob: buildJob('DONE') },
      phase: 'building_image',
      milestones: ['approved', 'build_started', 'build_done'],
      effects: [
        { kind: 'milestone', milestone: 'build_done' },
        { kind: 'log_step', step: 'build_done', fields: {} },
      ],
    },
    {
      name: 'when the service is PENDING after a build whose DONE was missed, then starting, with build_done before starting',
      from: { phase: 'building_image', milestones: ['approved', 'build_started'] },
      seen: { service: service('PENDING'), containers: [container({ message: 'Waiting to start' })] },
      phase: 'starting',
      milestones: ['approved', 'build_started', 'build_done', 'starting'],
      effects: [
        { kind: 'milestone', milestone: 'build_done' },
        { kind: 'log_step', step: 'build_done', fields: {} },
        { kind: 'milestone', milestone: 'starting' },
        { kind: 'log_step', step: 'starting', fields: {} },
        { kind: 'audit', event: 'phase_changed', detail: 'starting' },
        { kind: 'summary' },
        { kind: 'look_again', fresh: true },
      ],
    },
    {
      name: 'when the service is RUNNING with its endpoint ready, then running with the URL, posted, and no longer followed',
      from: { phase: 'starting', milestones: ['approved', 'starting'] },
      seen: { service: service('RUNNING'), query: { state: 'succeeded' }, endpoint: { state: 'ready', url: URL } },
      phase: 'running',
      milestones: ['approved', 'starting', 'running'],
      effects: [
        { kind: 'stop_looking' },
        { kind: 'log_step', step: 'running', fields: {} },
        { kind: 'audit', event: 'outcome', detail: 'running' },
        { kind: 'summary' },
        { kind: 'untrack' },
        { kind: 'milestone', milestone: 'running' },
        { kind: 'log_step', step: 'endpoint_ready', fields: { url: URL } },
      ],
    },
    {
      name: 'when the service is RUNNING before any round saw it PENDING, then it still passes through starting, in one round',
      from: { phase: 'building_image', milestones: ['approved', 'build_started'] },
      seen: { service: service('RUNNING'), query: { state: 'succeeded' }, endpoint: { state: 'provisioning' } },
      phase: 'running',
      milestones: ['approved', 'build_started', 'build_done', 'starting', 'running'],
      effects: [
        { kind: 'milestone', milestone: 'build_done' },
        { kind: 'log_step', step: 'build_done', fields: {} },
        { kind: 'milestone', milestone: 'starting' },
        { kind: 'look_again', fresh: true },
        { kind: 'log_step', step: 'starting', fields: {} },
        { kind: 'audit', event: 'phase_changed', detail: 'starting' },
        { kind: 'summary' },
        { kind: 'log_step', step: 'running', fields: {} },
        { kind: 'audit', event: 'outcome', detail: 'running' },
        { kind: 'milestone', milestone: 'running' },
      ],
    },
    {
      name: 'when the service is RUNNING and its endpoint is provisioning, then running and still followed for the URL',
      from: { phase: 'starting', milestones: ['approved', 'starting'] },
      seen: { service: service('RUNNING'), query: { state: 'succeeded' }, endpoint: { state: 'provisioning' } },
      phase: 'running',
      milestones: ['approved', 'starting', 'running'],
      effects: [
        { kind: 'look_again', fresh: true },
        { kind: 'log_step', step: 'running', fields: {} },
        { kind: 'audit', event: 'outcome', detail: 'running' },
        { kind: 'summary' },
        { kind: 'milestone', milestone: 'running' },
      ],
    },
    {
      name: 'when a running deployment’s endpoint becomes ready, then the URL is stored and posted once, and it is no longer followed',
      from: { phase: 'running', endpointPending: true, milestones: ['approved', 'starting', 'running'] },
      seen: { service: service('RUNNING'), query: undefined, lookDue: true, endpoint: { state: 'ready', url: URL } },
      phase: 'running',
      milestones: ['approved', 'starting', 'running', 'endpoint_ready'],
      effects: [
        { kind: 'summary' },
        { kind: 'audit', event: 'phase_changed', detail: 'running: endpoint ready' },
        { kind: 'milestone', milestone: 'endpoint_ready' },
        { kind: 'log_step', step: 'endpoint_ready', fields: { url: URL } },
        { kind: 'stop_looking' },
        { kind: 'untrack' },
      ],
    },
  ])('$name', ({ from, seen, phase, milestones, effects }) => {
    const d = deployment(from);
    const o = observation(seen);
    const { next, effects: got } = advance(d, o, T0 + 5_000, OPTIONS);
    expect(next.execution?.phase).toBe(phase);
    expect(next.execution?.milestones).toEqual(milestones);
    expect(next.execution?.observed).toBe(fingerprintOf(o));
    expect(got).toEqual(effects);
    // A new phase counts its time from now; the same phase keeps its start.
    expect(next.execution?.phaseSinceMs).toBe(phase === from.phase ? T0 : T0 + 5_000);
  });

  it('when the endpoint is ready on entering running, then ingressUrl is stored; when provisioning, then endpointPending', () => {
    const d = deployment({ phase: 'starting', milestones: ['approved', 'starting'] });
    const ready = advance(d, observation({ service: service('RUNNING'), endpoint: { state: 'ready', url: URL } }), T0, OPTIONS);
    expect(ready.next.execution).toMatchObject({ ingressUrl: URL });
    expect(ready.next.execution?.endpointPending).toBeUndefined();
    const later = advance(d, observation({ service: service('RUNNING'), endpoint: { state: 'provisioning' } }), T0, OPTIONS);
    expect(later.next.execution).toMatchObject({ endpointPending: true });
    expect(later.next.execution?.ingressUrl).toBeUndefined();
  });

  it('when a running deployment’s service stops running before the URL, then the wait ends without one', () => {
    const d = deployment({ phase: 'running', endpointPending: true, milestones: ['approved', 'running'] });
    const { next, effects } = advance(d, observation({ service: service('SUSPENDED'), query: undefined }), T0 + 1_000, OPTIONS);
    expect(next.execution).toMatchObject({ phase: 'running', endpointPending: false });
    expect(next.execution?.ingressUrl).toBeUndefined();
    expect(kinds(effects)).toEqual(['summary', 'stop_looking', 'untrack']);
  });
});

describe('advance: failures', () => {
  it('when the build job FAILED, then it asks for the build containers and log, and fails build_failed with them', () => {
    const d = deployment({ phase: 'building_image', milestones: ['approved', 'build_started'] });
    const seen = observation({ buildJob: buildJob('FAILED') });
    expect(closerLooksFor(d, seen, T0, OPTIONS).sort()).toEqual(['buildContainers', 'buildLogTail']);
    const { next, effects } = advance(
      d,
      {
        ...seen,
        buildContainers: [container({ containerName: 'model-build', status: 'FAILED', message: 'could not install torch==9.9' })],
        buildLogTail: ['Collecting torch==9.9', 'ERROR: No matching distribution'],
      },
      T0 + 1_000,
      OPTIONS,
    );
    expect(next.execution).toMatchObject({
      phase: 'failed',
      failure: {
        kind: 'build_failed',
        message: 'could not install torch==9.9',
        logTail: ['Collecting torch==9.9', 'ERROR: No matching distribution'],
      },
    });
    expect(milestonesOf(effects)).toEqual(['failed']);
    expect(effects).toContainEqual({ kind: 'audit', event: 'outcome', detail: 'failed: build_failed' });
    expect(effects).toContainEqual({ kind: 'untrack' });
  });

  it.each<{ name: string; containers: ObservedContainer[]; logTail: string[]; events?: ObservedEvent[]; message: string }>([
    {
      name: 'exit code 137 with Snowflake’s own words',
      containers: [container({ status: 'FAILED', message: 'Container was OOMKilled due to resource usage', lastExitCode: 137 })],
      logTail: [],
      message: 'Container was OOMKilled due to resource usage',
    },
    {
      name: 'exit code 137 without the word',
      containers: [container({ status: 'FAILED', message: 'Container exited', lastExitCode: 137 })],
      logTail: [],
      message: 'OOMKilled: Container exited',
    },
    {
      name: 'OOMKilled only in the log (the diagnosis’s rule)',
      containers: [container({ status: 'FAILED', message: 'Container exited' })],
      logTail: ['worker 1: OOMKilled'],
      message: 'OOMKilled: Container exited',
    },
    {
      name: 'only in the platform events, after a restart (the diagnosis’s rule)',
      containers: [container({ status: 'FAILED', message: 'Container exited', restartCount: 2 })],
      logTail: [],
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
      message: 'OOMKilled: Container exited',
    },
  ])(
    'when the service FAILED and the container was OOM-killed ($name), then it fails oom',
    ({ containers, logTail, events = [], message }) => {
      const d = deployment({ phase: 'starting', milestones: ['approved', 'starting'] });
      const seen = observation({ service: service('FAILED') });
      expect(closerLooksFor(d, seen, T0, OPTIONS).sort()).toEqual(['containers', 'events', 'logTail']);
      const { next } = advance(d, { ...seen, containers, logTail, events }, T0 + 1_000, OPTIONS);
      expect(next.execution).toMatchObject({ phase: 'failed', failure: { kind: 'oom', message, logTail } });
    },
  );

  it('when the service FAILED without an OOM sign, then deploy_error with the inference container’s message', () => {
    const d = deployment({ phase: 'starting', milestones: ['approved', 'starting'] });
    const o = observation({
      service: service('FAILED'),
      containers: [container({ status: 'FAILED', message: 'Failed to pull image' })],
      logTail: [],
    });
    expect(advance(d, o, T0, OPTIONS).next.execution?.failure).toMatchObject({ kind: 'deploy_error', message: 'Failed to pull image' });
  });

  it('when the deploy query failed for a missing privilege before any service, then missing_privilege with the grant, in Snowflake’s words', () => {
    const d = deployment({ phase: 'submitting' });
    const o = observation({
      query: {
        state: 'failed',
        error: { message: 'Insufficient privileges', code: '003001', missingPrivilege: { privilege: 'USAGE ON COMPUTE POOL CPU_XS_POOL' } },
      },
    });
    expect(closerLooksFor(d, o, T0, OPTIONS)).toEqual([]);
    expect(advance(d, o, T0, OPTIONS).next.execution?.failure).toEqual({
      kind: 'missing_privilege',
      message: 'Insufficient privileges (Snowflake error 003001)',
      logTail: [],
      privilege: 'USAGE ON COMPUTE POOL CPU_XS_POOL',
    });
  });

  it('when a FAILED row was already seen and the query has not failed, then nothing happens (a flapping service waits for the query)', () => {
    const d = deployment({ phase: 'starting', milestones: ['approved', 'starting'] });
    const o = observation({ service: service('FAILED') });
    const before = seenBefore(d, o);
    expect(closerLooksFor(before, o, T0, OPTIONS)).toEqual([]);
    expect(advance(before, o, T0, OPTIONS)).toEqual({ next: before, effects: [] });
  });

  it.each<{ name: string; seen: Partial<DeploymentObservation>; message: string }>([
    {
      name: 'the deploy query',
      seen: {
        buildJob: buildJob('CANCELLING'),
        query: { state: 'cancelled', error: { message: 'SQL execution canceled', code: '000604' } },
      },
      message: 'The deploy query was cancelled: SQL execution canceled (Snowflake error 000604)',
    },
    { name: 'the build job', seen: { buildJob: buildJob('CANCELLED') }, message: `The image build job ${BUILD_JOB} is CANCELLED.` },
  ])('when $name is cancelled, then it ends cancelled, final and posted', ({ seen, message }) => {
    const d = deployment({ phase: 'building_image', milestones: ['approved', 'build_started'] });
    const { next, effects } = advance(d, observation(seen), T0, OPTIONS);
    expect(next.execution).toMatchObject({ phase: 'cancelled', failure: { kind: 'cancelled', message } });
    expect(effects).toContainEqual({ kind: 'audit', event: 'outcome', detail: 'cancelled: cancelled' });
    expect(milestonesOf(effects)).toEqual(['failed']);
    expect(effects).toContainEqual({ kind: 'untrack' });
  });
});

describe('advance: no free node', () => {
  const d = deployment({ phase: 'starting', milestones: ['approved', 'starting'] });
  const pending = observation({ service: service('PENDING') });
  const waiting = [container({ message: 'Pending scheduling' })];

  it('when a PENDING row changes, then it looks at the containers, and at the pool only when one waits for a node', () => {
    expect(closerLooksFor(d, pending, T0, OPTIONS)).toEqual(['containers']);
    expect(closerLooksFor(d, { ...pending, containers: waiting }, T0, OPTIONS)).toEqual(['pool']);
    expect(closerLooksFor(d, { ...pending, containers: [container({ message: 'Waiting to start' })] }, T0, OPTIONS)).toEqual([]);
  });

  it('when every node of the pool is busy, then waiting_for_capacity is posted, and the deployment stays starting', () => {
    const { next, effects } = advance(
      d,
      { ...pending, containers: waiting, pool: { maxNodes: 1, activeNodes: 1, idleNodes: 0 } },
      T0,
      OPTIONS,
    );
    expect(next.execution?.phase).toBe('starting');
    expect(milestonesOf(effects)).toEqual(['waiting_for_capacity']);
    expect(effects).toContainEqual({ kind: 'log_step', step: 'waiting_for_capacity', fields: {} });
  });

  it.each([
    ['a node is still idle', { maxNodes: 1, activeNodes: 1, idleNodes: 1 }],
    ['the pool may grow', { maxNodes: 3, activeNodes: 1, idleNodes: 0 }],
    ['the pool was not found', null],
  ])('when %s, then it is not waiting for capacity', (_what, pool) => {
    const { effects } = advance(d, { ...pending, containers: waiting, pool }, T0, OPTIONS);
    expect(milestonesOf(effects)).toEqual([]);
  });

  it('when the row did not change, then it looks again only when the backoff says so, and not once capacity was reported', () => {
    const before = seenBefore(d, pending);
    expect(closerLooksFor(before, pending, T0, OPTIONS)).toEqual([]);
    expect(closerLooksFor(before, { ...pending, lookDue: true }, T0, OPTIONS)).toEqual(['containers']);
    const reported = seenBefore(deployment({ phase: 'starting', milestones: ['approved', 'starting', 'waiting_for_capacity'] }), pending);
    expect(closerLooksFor(reported, { ...pending, lookDue: true }, T0, OPTIONS)).toEqual([]);
  });
});

describe('advance: phase timeouts', () => {
  it.each<{ phase: Execution['phase']; seen: Partial<DeploymentObservation>; message: string }>([
    { phase: 'submitting', seen: {}, message: 'No progress for 30 minutes while submitting. The service was left as it is.' },
    {
      phase: 'building_image',
      seen: { buildJob: buildJob('RUNNING') },
      message: 'No progress for 30 minutes while building image. The service was left as it is.',
    },
    {
      phase: 'starting',
      seen: { service: service('PENDING'), containers: [container({ message: 'Compute pool node(s) are being provisioned' })], pool: null },
      message: 'No progress for 30 minutes while starting (Compute pool node(s) are being provisioned). The service was left as it is.',
    },
  ])('when it spends longer than the limit in $phase, then it ends timed_out saying what it waited on', ({ phase, seen, message }) => {
    const d = deployment({ phase, milestones: ['approved', 'build_started', 'starting'] });
    const o = observation(seen);
    const atLimit = advance(seenBefore(d, o), o, T0 + LIMIT, OPTIONS);
    expect(atLimit.next.execution?.phase).toBe(phase);
    const { next, effects } = advance(d, o, T0 + LIMIT + 1, OPTIONS);
    expect(next.execution).toMatchObject({ phase: 'timed_out', failure: { kind: 'timed_out', message } });
    expect(effects).toContainEqual({ kind: 'audit', event: 'outcome', detail: 'timed_out: timed_out' });
    expect(milestonesOf(effects)).toContain('failed');
  });

  it('when it times out in starting, then the containers are read to say what it waited on', () => {
    const d = deployment({ phase: 'starting', milestones: ['approved', 'starting'] });
    const o = observation({ service: service('PENDING') });
    expect(closerLooksFor(seenBefore(d, o), o, T0 + LIMIT + 1, OPTIONS)).toEqual(['containers']);
  });

  it('when the phase just changed this round, then the timeout counts from now, not from the old phase', () => {
    const d = deployment({ phase: 'submitting' });
    const { next } = advance(d, observation({ buildJob: buildJob('RUNNING') }), T0 + LIMIT + 1, OPTIONS);
    expect(next.execution).toMatchObject({ phase: 'building_image', phaseSinceMs: T0 + LIMIT + 1 });
  });

  it('when a running deployment’s endpoint is not ready within the limit, then the wait ends without a URL', () => {
    const d = deployment({ phase: 'running', endpointPending: true, milestones: ['approved', 'running'] });
    const o = observation({ service: service('RUNNING'), query: undefined, lookDue: true });
    expect(closerLooksFor(d, o, T0 + LIMIT + 1, OPTIONS)).toEqual([]);
    const { next, effects } = advance(d, o, T0 + LIMIT + 1, OPTIONS);
    expect(next.execution).toMatchObject({ phase: 'running', endpointPending: false });
    expect(milestonesOf(effects)).toEqual([]);
    expect(effects).toContainEqual({ kind: 'untrack' });
  });
});

describe('advance: what the tracker relies on', () => {
  it('when nothing changed since the last round, then next is the same record (no write) and there are no effects', () => {
    const cases: Array<[Partial<Execution>, Partial<DeploymentObservation>]> = [
      [{ phase: 'submitting' }, {}],
      [{ phase: 'building_image', milestones: ['approved', 'build_started'] }, { buildJob: buildJob('RUNNING') }],
      [{ phase: 'starting', milestones: ['approved', 'starting'] }, { service: service('PENDING') }],
      [
        { phase: 'running', endpointPending: true, milestones: ['approved', 'running'] },
        { service: service('RUNNING'), query: undefined },
      ],
    ];
    for (const [from, seen] of cases) {
      const o = observation(seen);
      const d = seenBefore(deployment(from), o);
      const result = advance(d, o, T0 + 1_000, OPTIONS);
      expect(result.next).toBe(d);
      expect(result.effects).toEqual([]);
    }
  });

  it('when the same observation comes again after the write, then no milestone is posted a second time', () => {
    const rounds: DeploymentObservation[] = [
      observation({ buildJob: buildJob('RUNNING') }),
      observation({ buildJob: buildJob('RUNNING') }),
      observation({ buildJob: buildJob('DONE') }),
      observation({ buildJob: buildJob('DONE') }),
      observation({
        service: service('PENDING'),
        containers: [container({ message: 'Pending scheduling' })],
        pool: { maxNodes: 1, activeNodes: 1, idleNodes: 0 },
      }),
      observation({
        service: service('PENDING'),
        lookDue: true,
        containers: [container({ message: 'Pending scheduling' })],
        pool: { maxNodes: 1, activeNodes: 1, idleNodes: 0 },
      }),
      observation({ service: service('RUNNING'), query: { state: 'succeeded' }, endpoint: { state: 'ready', url: URL } }),
    ];
    let d = deployment({ phase: 'submitting' });
    const posted: Milestone[] = [];
    for (const [i, o] of rounds.entries()) {
      const { next, effects } = advance(d, o, T0 + i * 1_000, OPTIONS);
      posted.push(...milestonesOf(effects));
      d = next;
    }
    expect(posted).toEqual(['build_started', 'build_done', 'starting', 'waiting_for_capacity', 'running']);
    expect(d.execution?.milestones).toEqual(['approved', ...posted]);
    expect(d.execution?.phase).toBe('running');
  });

  it('when called twice with the same input, then it answers the same (no clock, no state)', () => {
    const d = deployment({ phase: 'starting', milestones: ['approved', 'starting'] });
    const o = observation({ service: service('RUNNING'), endpoint: { state: 'ready', url: URL } });
    expect(advance(d, o, T0, OPTIONS)).toEqual(advance(d, o, T0, OPTIONS));
    expect(d.execution?.phase).toBe('starting'); // the input is not changed
  });

  it('when the deployment is no longer followed, then the only effect is to untrack it', () => {
    const d = deployment({ phase: 'failed' });
    expect(advance(d, observation(), T0, OPTIONS)).toEqual({ next: d, effects: [{ kind: 'untrack' }] });
  });
});
