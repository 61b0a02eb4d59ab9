import { classifyServiceStatus, deployEnding } from './deploy-progress.js';
import {
  FINAL_PHASES,
  isFollowed,
  PHASES,
  type Deployment,
  type Execution,
  type FailureKind,
  type Milestone,
  type Phase,
} from './deployment.js';
import {
  findOomKills,
  isPoolAtCapacity,
  isWaitingForNode,
  type ObservedContainer,
  type ObservedEvent,
  type ObservedPool,
} from './diagnosis.js';

/**
 * A deployment's lifecycle after CALL SYSTEM$DEPLOY_MODEL, as one pure step: what a status round
 * saw in, the next record and what to do about it out. The status tracker (src/jobs/status-tracker.ts)
 * observes Snowflake, asks `closerLooksFor` which statements this deployment needs beyond the
 * round's SHOW SERVICES, calls `advance`, writes the record once and applies the effects. No I/O,
 * no clock: `nowMs` comes in.
 */

/** A SHOW SERVICES row, as far as the lifecycle reads it (ServiceInfo fits). */
export interface RowSeen {
  readonly name: string;
  readonly status: string;
  readonly isJob: boolean;
}

/** Snowflake's error for a failed or cancelled deploy query. */
export interface QueryErrorSeen {
  readonly message: string;
  /** Snowflake's code ('100357', '000604'). */
  readonly code?: string | undefined;
  /** Refused for a missing privilege; `privilege` is the grant to ask for, when known. */
  readonly missingPrivilege?: { readonly privilege?: string | undefined } | undefined;
}

export type QuerySeen =
  | { readonly state: 'running' | 'succeeded' | 'unknown' }
  | { readonly state: 'failed' | 'cancelled'; readonly error: QueryErrorSeen };

/** The service's `inference` endpoint (InferenceEndpoint from src/snowflake fits). */
export type EndpointSeen =
  | { readonly state: 'ready'; readonly url: string }
  | { readonly state: 'provisioning' }
  /** No public `inference` endpoint. */
  | { readonly state: 'absent' };

/** What one round saw for one deployment. */
export interface DeploymentObservation {
  /** The service's SHOW SERVICES row; undefined while it does not exist. */
  readonly service: RowSeen | undefined;
  /** The MODEL_BUILD_ job's row; undefined when there is none. */
  readonly buildJob: RowSeen | undefined;
  /** The deploy query's status; undefined once running, or when it could not be read this round. */
  readonly query: QuerySeen | undefined;
  /**
   * Whether a closer look behind an unchanged row is due again (the tracker's backoff, kept in
   * Redis for every worker: 1, 2, then every 4 rounds). A changed row is always looked at.
   */
  readonly lookDue: boolean;
  // Closer looks: present only when `closerLooksFor` asked for them (an empty list when reading failed).
  /** SHOW SERVICE CONTAINERS IN SERVICE. */
  readonly containers?: readonly ObservedContainer[];
  /** SHOW SERVICE CONTAINERS IN SERVICE of the build job. */
  readonly buildContainers?: readonly ObservedContainer[];
  /** The last lines of the inference container's log, oldest first. */
  readonly logTail?: readonly string[];
  /** The service's recent platform events (SPCS_GET_EVENTS), any order. */
  readonly events?: readonly ObservedEvent[];
  /** The last lines of the build job's model-build log, oldest first. */
  readonly buildLogTail?: readonly string[];
  readonly endpoint?: EndpointSeen;
  /** The deployment's compute pool; null when it was not found. */
  readonly pool?: Pick<ObservedPool, 'maxNodes' | 'activeNodes' | 'idleNodes'> | null;
}

/** A closer look: a statement for one deployment, named by the observation field it fills. */
export type CloserLook = 'containers' | 'buildContainers' | 'logTail' | 'buildLogTail' | 'events' | 'endpoint' | 'pool';

export interface LifecycleOptions {
  /** Longest time in one phase, counted from the record's phaseSinceMs. */
  readonly phaseTimeoutMs: number;
  /** The container that serves the model (`model-inference`): its message explains a failed service. */
  readonly inferenceContainer: string;
}

/** What the tracker does after writing `next`, in order. */
export type LifecycleEffect =
  /** Post the milestone's thread reply (the failed and running replies carry the failure's diagnosis / the usage). Once per deployment: `next.execution.milestones` records it. */
  | { readonly kind: 'milestone'; readonly milestone: Milestone }
  /** Re-render the summary message. */
  | { readonly kind: 'summary' }
  | { readonly kind: 'audit'; readonly event: 'phase_changed' | 'outcome'; readonly detail: string }
  /** One `info` line of the deployment's story (src/jobs/deployment-log.ts). */
  | { readonly kind: 'log_step'; readonly step: string; readonly fields: Readonly<Record<string, string>> }
  /** Stop following the deployment. */
  | { readonly kind: 'untrack' }
  /** The closer look found nothing new: look again later (`fresh`: the row changed, so the backoff starts over). */
  | { readonly kind: 'look_again'; readonly fresh: boolean }
  /** No more closer looks behind an unchanged row. */
  | { readonly kind: 'stop_looking' };

export interface Advance {
  /** The record to write; the very object passed in when nothing changed (then nothing is written). */
  readonly next: Deployment;
  readonly effects: readonly LifecycleEffect[];
}

/** What the last round saw, as stored in `execution.observed`: a change triggers a closer look. */
export function fingerprintOf(o: Pick<DeploymentObservation, 'service' | 'buildJob' | 'query'>): string {
  return JSON.stringify([o.service?.status ?? null, o.buildJob?.status ?? null, o.query?.state ?? null]);
}

/**
 * The closer looks `advance` needs for this observation that it does not carry yet. Ask again after
 * adding them: one look can call for another (a container waiting for a node: then the pool).
 */
export function closerLooksFor(d: Deployment, o: DeploymentObservation, nowMs: number, options: LifecycleOptions): CloserLook[] {
  const asked = new Set<CloserLook>();
  decide(d, o, nowMs, options, asked);
  return [...asked].filter((look) => o[look] === undefined);
}

/** The next record and the effects of one round's observation. */
export function advance(d: Deployment, o: DeploymentObservation, nowMs: number, options: LifecycleOptions): Advance {
  return decide(d, o, nowMs, options, new Set());
}

/** The execution being built this round, and the effects that go with each change. */
class Step {
  execution: Execution;
  readonly effects: LifecycleEffect[] = [];

  constructor(
    readonly d: Deployment,
    e: Execution,
    private readonly nowMs: number,
  ) {
    this.execution = e;
  }

  set(change: Partial<Execution>): void {
    this.execution = { ...this.execution, ...change };
  }

  /** Milestones not reached before: recorded, posted, and (the steps between phases) logged. */
  reach(...milestones: Milestone[]): void {
    for (const m of milestones) this.reachWith(m, {});
  }

  reachWith(m: Milestone, fields: Readonly<Record<string, string>>): void {
    if (this.execution.milestones.includes(m)) return;
    this.set({ milestones: [...this.execution.milestones, m] });
    this.effects.push({ kind: 'milestone', milestone: m });
    // Phases (starting, running, failed) are logged as they are entered.
    if (!PHASES.some((p) => p === m)) this.effects.push({ kind: 'log_step', step: m, fields });
  }

  /** Enters `phase` (a new phaseSinceMs), audited and shown on the summary; a final phase is posted and no longer followed. */
  enter(phase: Phase, change: Partial<Execution> = {}): void {
    const failure = change.failure;
    this.set({ ...change, phase, phaseSinceMs: this.execution.phase === phase ? this.execution.phaseSinceMs : this.nowMs });
    this.effects.push(
      { kind: 'log_step', step: phase, fields: failure === undefined ? {} : { failure: failure.kind, reason: failure.message } },
      {
        kind: 'audit',
        event: FINAL_PHASES.includes(phase) ? 'outcome' : 'phase_changed',
        detail: failure === undefined ? phase : `${phase}: ${failure.kind}`,
      },
    );
    // The summary renders the record as written: once a round is enough, however many phases it passed.
    if (!this.effects.some((e) => e.kind === 'summary')) this.effects.push({ kind: 'summary' });
    if (!FINAL_PHASES.includes(phase)) return;
    if (!isFollowed(this.execution)) this.effects.push({ kind: 'untrack' });
    this.reach(phase === 'running' ? 'running' : 'failed');
  }

  fail(
    kind: FailureKind,
    message: string,
    extra: { logTail?: readonly string[]; privilege?: string | undefined; phase?: Phase } = {},
  ): void {
    const failure = {
      kind,
      message,
      logTail: [...(extra.logTail ?? [])],
      ...(extra.privilege !== undefined && { privilege: extra.privilege }),
    };
    this.enter(extra.phase ?? (kind === 'timed_out' ? 'timed_out' : 'failed'), { failure });
  }

  done(): Advance {
    const before = this.d.execution;
    const same = before !== undefined && JSON.stringify(before) === JSON.stringify(this.execution);
    return { next: same ? this.d : { ...this.d, execution: this.execution }, effects: this.effects };
  }
}

function decide(d: Deployment, o: DeploymentObservation, nowMs: number, options: LifecycleOptions, asked: Set<CloserLook>): Advance {
  const e = d.execution;
  if (e === undefined || e.queryId === undefined || !isFollowed(e)) return { next: d, effects: [{ kind: 'untrack' }] };
  const look = <K extends CloserLook>(name: K): DeploymentObservation[K] => {
    asked.add(name);
    return o[name];
  };
  const step = new Step(d, e, nowMs);
  const fingerprint = fingerprintOf(o);
  const changed = fingerprint !== e.observed;
  if (changed) step.set({ observed: fingerprint });
  if (e.phase === 'running') {
    followEndpoint(step, o, changed, nowMs, options, look);
    return step.done();
  }

  const ending = deployEnding({ service: o.service?.status, buildJob: o.buildJob?.status, query: o.query?.state });
  if (ending === 'cancelled') {
    step.fail('cancelled', cancelledText(o), { phase: 'cancelled' });
    return step.done();
  }
  if (ending === 'failed') {
    // A flapping service: wait for the query's verdict.
    if (changed || o.query?.state === 'failed') failed(step, o, options, look);
    return step.done();
  }

  if (o.buildJob !== undefined && o.service === undefined) {
    if (o.buildJob.status === 'DONE') step.reach('build_started', 'build_done');
    else {
      step.reach('build_started');
      if (step.execution.phase !== 'building_image') step.enter('building_image');
    }
  }
  if (o.service === undefined) {
    timeOut(step, nowMs, options, look);
    return step.done();
  }
  step.reach(...(step.execution.milestones.includes('build_started') ? (['build_done', 'starting'] as const) : (['starting'] as const)));
  if (classifyServiceStatus(o.service.status) === 'running') {
    // Running: SQL and Python work now. The REST endpoint often comes up later; then its URL
    // follows in the thread (followEndpoint) instead of holding back the news.
    const endpoint = look('endpoint');
    if (endpoint === undefined) return step.done();
    step.effects.push(endpoint.state === 'provisioning' ? { kind: 'look_again', fresh: true } : { kind: 'stop_looking' });
    // PENDING came and went between two rounds: the story (log, audit) still has the service starting.
    if (step.execution.phase !== 'starting') step.enter('starting');
    step.enter(
      'running',
      endpoint.state === 'ready' ? { ingressUrl: endpoint.url } : endpoint.state === 'provisioning' ? { endpointPending: true } : {},
    );
    // The URL came with the service: the running reply carries it, and the log still has the step.
    if (endpoint.state === 'ready') step.effects.push({ kind: 'log_step', step: 'endpoint_ready', fields: { url: endpoint.url } });
    return step.done();
  }
  if (step.execution.phase !== 'starting') step.enter('starting');
  // PENDING: is it waiting for a free node? Asked when the row changes, then less and less often.
  const lookCloser =
    o.service.status === 'PENDING' && (changed || (!step.execution.milestones.includes('waiting_for_capacity') && o.lookDue));
  if (lookCloser) {
    const containers = look('containers') ?? [];
    if (containers.some(isWaitingForNode)) {
      const pool = look('pool');
      if (pool !== undefined && pool !== null && isPoolAtCapacity(pool)) step.reach('waiting_for_capacity');
    }
    step.effects.push({ kind: 'look_again', fresh: changed });
  }
  timeOut(step, nowMs, options, look);
  return step.done();
}

type Look = <K extends CloserLook>(name: K) => DeploymentObservation[K];

/**
 * A running deployment whose REST endpoint is provisioning: look again after 1, 2, then every 4
 * rounds; once ready, store the URL and post it. A service that stops running, or an endpoint not
 * ready within the phase timeout, ends the wait without a URL (`/spcs status` shows it later).
 */
function followEndpoint(
  step: Step,
  o: DeploymentObservation,
  changed: boolean,
  nowMs: number,
  options: LifecycleOptions,
  look: Look,
): void {
  const e = step.execution;
  const givesUp = o.service?.status !== 'RUNNING' || nowMs - e.phaseSinceMs > options.phaseTimeoutMs;
  let url: string | undefined;
  if (!givesUp) {
    if (!changed && !o.lookDue) return;
    const endpoint = look('endpoint');
    if (endpoint === undefined) return;
    if (endpoint.state === 'provisioning') {
      step.effects.push({ kind: 'look_again', fresh: changed });
      return;
    }
    if (endpoint.state === 'ready') url = endpoint.url;
  }
  // The wait ends: the record, the summary (no longer "provisioning"), the URL in the thread, then stop following.
  step.set({ endpointPending: false, ...(url !== undefined && { ingressUrl: url }) });
  step.effects.push({ kind: 'summary' });
  if (url !== undefined) {
    step.effects.push({ kind: 'audit', event: 'phase_changed', detail: 'running: endpoint ready' });
    step.reachWith('endpoint_ready', { url });
  }
  step.effects.push({ kind: 'stop_looking' }, { kind: 'untrack' });
}

/** Ends the deployment `timed_out` once it has spent longer than the limit in its current phase. */
function timeOut(step: Step, nowMs: number, options: LifecycleOptions, look: Look): void {
  const e = step.execution;
  if (nowMs - e.phaseSinceMs <= options.phaseTimeoutMs) return;
  // Say what it was waiting on: a container's message ("Compute pool node(s) are being
  // provisioned", "Waiting to start", "Failed to pull image").
  const containers = e.phase === 'starting' ? (look('containers') ?? []) : [];
  const waitingOn = containers.find((c) => c.message)?.message;
  step.fail(
    'timed_out',
    `No progress for ${describeDuration(options.phaseTimeoutMs)} while ${e.phase.replaceAll('_', ' ')}${waitingOn ? ` (${waitingOn})` : ''}. The service was left as it is.`,
  );
}

/** `1800000` → `30 minutes`; `2000` → `2 seconds`. */
export function describeDuration(ms: number): string {
  const [value, unit] =
    ms % 3_600_000 === 0 ? [ms / 3_600_000, 'hour'] : ms % 60_000 === 0 ? [ms / 60_000, 'minute'] : [Math.round(ms / 1000), 'second'];
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

/** Snowflake's own words for a query error, with its code: what the thread and the summary show. */
function snowflakeText(err: QueryErrorSeen): string {
  return err.code === undefined ? err.message : `${err.message} (Snowflake error ${err.code})`;
}

/** The container's message and Snowflake's error for the query, whichever are there. */
function joined(...parts: Array<string | null | undefined>): string | undefined {
  const kept = [...new Set(parts.filter((p): p is string => p !== undefined && p !== null && p !== ''))];
  return kept.length === 0 ? undefined : kept.join(' — ');
}

/** Why it failed, from what Snowflake shows: the build job, the service's containers, or the query's error. */
function failed(step: Step, o: DeploymentObservation, options: LifecycleOptions, look: Look): void {
  const queryError = o.query?.state === 'failed' ? o.query.error : undefined;
  const queryText = queryError === undefined ? undefined : snowflakeText(queryError);
  // A failed build job: the build's failure, with its log.
  if (o.buildJob !== undefined && step.execution.buildJobName !== undefined && classifyServiceStatus(o.buildJob.status) === 'failed') {
    const containers = look('buildContainers') ?? [];
    const logTail = look('buildLogTail') ?? [];
    const message = joined(containers.find((c) => c.status === 'FAILED' && c.message)?.message, queryText) ?? 'The image build failed.';
    step.fail('build_failed', message, { logTail });
    return;
  }
  if (o.service !== undefined) {
    const containers = look('containers') ?? [];
    const logTail = look('logTail') ?? [];
    const events = look('events') ?? [];
    const inference = containers.find((c) => c.containerName === options.inferenceContainer);
    // The diagnosis's rule: exit code 137 or the container's message, a log line, a platform event.
    const oom = findOomKills({ containers, logLines: logTail, events }) !== null;
    // A container's message explains a failed service; a service that looks fine failed by the query's word.
    const containerText = classifyServiceStatus(o.service.status) === 'failed' ? inference?.message : undefined;
    const message = joined(containerText, queryText) ?? `The service is ${o.service.status}.`;
    // Snowflake's own text ("Container was OOMKilled due to resource usage") already says it.
    const oomText = /OOMKilled/.test(message) ? message : `OOMKilled: ${message}`;
    step.fail(oom ? 'oom' : 'deploy_error', oom ? oomText : message, { logTail });
    return;
  }
  const privilege = queryError?.missingPrivilege;
  step.fail(privilege !== undefined ? 'missing_privilege' : 'deploy_error', queryText ?? 'The deployment failed.', {
    privilege: privilege?.privilege,
  });
}

/** Cancelled in Snowflake (the deploy query, the build job or the service): final, with Snowflake's words. */
function cancelledText(o: DeploymentObservation): string {
  if (o.query?.state === 'cancelled') return `The deploy query was cancelled: ${snowflakeText(o.query.error)}`;
  const row = [o.buildJob, o.service].find((r) => r !== undefined && classifyServiceStatus(r.status) === 'cancelled');
  return `${row?.isJob === true ? `The image build job ${row.name}` : 'The service'} is ${row?.status ?? 'CANCELLED'}.`;
}
