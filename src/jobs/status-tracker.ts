import { Queue, Worker } from 'bullmq';
import { logDeploymentStep } from './deployment-log.js';
import { qualifiedService } from '../domain/deploy-request.js';
import { classifyServiceStatus, deployEnding } from '../domain/deploy-progress.js';
import { isFollowed, PHASES, type Deployment, type Milestone, type Phase } from '../domain/deployment.js';
import { WAITING_FOR_NODE } from '../domain/diagnosis.js';
import { withLogScope } from '../logger.js';
import {
  BUILD_CONTAINER,
  deployStatuses,
  findComputePool,
  getInferenceEndpoint,
  getServiceLogHistory,
  INFERENCE_CONTAINER,
  listServiceContainers,
  listServices,
  parseIdentifier,
  requireQualifiedName,
  type QualifiedName,
  type QueryState,
  type ServiceContainer,
  type ServiceInfo,
  type SnowflakeError,
} from '../snowflake/index.js';
import { fail, failureOf, setPhase, type DeployDeps } from './deploy-queue.js';
import { queuePrefix, type QueueConnection } from './queues.js';

/**
 * Follows every deployment that has a deploy query id until it is running or failed. One round
 * checks them all together: the status of every deploy query still running, all asked at once
 * (Snowflake's verdict: a failed or cancelled query ends the deployment whatever the rows show),
 * one SHOW SERVICES per schema (which lists the MODEL_BUILD_ job services too), and a closer look (containers, endpoint, logs, pool) only at the deployments whose row changed or
 * that are waiting on something the row cannot show. Deployments are handled a few at a time, each
 * by one task, so one deployment's own updates keep their order.
 */

export const STATUS_QUEUE = 'status';
const SCHEDULER_ID = 'status-round';
const LOG_LINES = 15;
/** Deployments handled at once in a round. */
const ROUND_CONCURRENCY = 16;
/**
 * Behind an unchanged row (a RUNNING service whose endpoint is provisioning, a PENDING service) the
 * closer look is repeated after 1, 2, then every 4 rounds…
 */
const LOOK_BACKOFF_MAX_ROUNDS = 4;
/** …and never more than this long apart. */
const LOOK_BACKOFF_MAX_MS = 5_000;

export type StatusQueue = Queue<Record<string, never>, RoundReport>;

/** 30 minutes per phase, as snowflake-ml-python waits for a service. */
export const DEFAULT_PHASE_TIMEOUT_MS = 30 * 60_000;

export interface TrackerDeps extends Omit<DeployDeps, 'policy' | 'capabilities' | 'specDirectory'> {
  /** Longest time in one phase (measured from the record's phaseSinceMs). @defaultValue DEFAULT_PHASE_TIMEOUT_MS */
  readonly phaseTimeoutMs?: number;
}

export interface RoundReport {
  readonly deployments: number;
  readonly schemas: number;
  readonly closerLooks: number;
}

export function createStatusQueue({ connection, keyPrefix }: QueueConnection): StatusQueue {
  return new Queue<Record<string, never>, RoundReport>(STATUS_QUEUE, { connection, prefix: queuePrefix(keyPrefix) });
}

/** One round every `everyMs`; upserting keeps a single schedule however many processes start. */
export async function scheduleStatusRounds(queue: StatusQueue, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { every: everyMs },
    { name: 'round', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } },
  );
}

interface Observation {
  readonly service: ServiceInfo | undefined;
  readonly buildJob: ServiceInfo | undefined;
  /** Undefined once running (the query has finished) or when its status could not be read this round. */
  readonly query: QueryState | undefined;
}

/** When a closer look behind an unchanged row last found nothing new. */
interface LookWait {
  readonly round: number;
  readonly atMs: number;
  readonly everyRounds: number;
}

/** What a tracker remembers between its rounds (in this process only: another process starts afresh). */
interface TrackerMemory {
  round: number;
  readonly lookWaits: Map<string, LookWait>;
}

const memories = new WeakMap<TrackerDeps, TrackerMemory>();

function memoryOf(deps: TrackerDeps): TrackerMemory {
  let memory = memories.get(deps);
  if (memory === undefined) {
    memory = { round: 0, lookWaits: new Map() };
    memories.set(deps, memory);
  }
  return memory;
}

export async function runStatusRound(deps: TrackerDeps): Promise<RoundReport> {
  const memory = memoryOf(deps);
  memory.round++;
  const ids = await deps.store.trackedIds();
  const records = await deps.store.getMany(ids);
  const tracked: Array<{ d: Deployment; service: QualifiedName }> = [];
  for (const [i, id] of ids.entries()) {
    const d = records[i] ?? null;
    if (d === null || d.execution?.queryId === undefined || !isFollowed(d.execution)) {
      await deps.store.untrack(id);
      continue;
    }
    tracked.push({ d, service: requireQualifiedName(qualifiedService(d.request), 'Service', 3) });
  }
  const trackedIds = new Set(tracked.map((t) => t.d.id));
  for (const id of memory.lookWaits.keys()) if (!trackedIds.has(id)) memory.lookWaits.delete(id);
  const bySchema = new Map<string, typeof tracked>();
  for (const t of tracked) {
    const group = bySchema.get(t.service.container.sql);
    if (group === undefined) bySchema.set(t.service.container.sql, [t]);
    else group.push(t);
  }

  // Every deploy query still running, asked for together before the listings, as snowflake-ml-python
  // checks its async deploy query on every poll. Once running, the query has finished.
  const asking = tracked.flatMap(({ d }) =>
    d.execution?.queryId !== undefined && d.execution.phase !== 'running' ? [d.execution.queryId] : [],
  );
  const statuses = await deployStatuses(deps.snowflake, asking).catch((err: unknown) => {
    deps.logger.warn({ err }, 'deploy query statuses could not be read; next round tries again');
    return new Map<string, QueryState>();
  });

  // One SHOW SERVICES per schema, sent when the first of its deployments is handled.
  const listings = new Map<string, Promise<ServiceInfo[]>>();
  const rowsOf = (schema: QualifiedName['container']): Promise<ServiceInfo[]> => {
    let listing = listings.get(schema.sql);
    if (listing === undefined) {
      listing = listServices(deps.snowflake, { schema });
      listings.set(schema.sql, listing);
    }
    return listing;
  };
  let listingError: { readonly err: unknown } | undefined;
  let closerLooks = 0;
  await forEachConcurrently([...bySchema.values()].flat(), ROUND_CONCURRENCY, async ({ d, service }) => {
    let rows: ServiceInfo[];
    try {
      rows = await rowsOf(service.container);
    } catch (err) {
      listingError ??= { err };
      return;
    }
    await withLogScope({ deploymentId: d.id }, async () => {
      try {
        const row = rows.find((r) => r.name === service.name.name && !r.isJob);
        const buildJob = rows.find((r) => r.name === d.execution?.buildJobName);
        const observation: Observation = {
          service: row,
          buildJob,
          query: d.execution?.phase === 'running' ? undefined : statuses.get(d.execution?.queryId ?? ''),
        };
        if (await advance(deps, memory, d, service, observation)) closerLooks++;
      } catch (err) {
        deps.logger.warn({ err }, 'status check failed; next round tries again');
      }
    });
  });
  // A schema that could not be listed fails the round, as before (the other schemas were still handled).
  if (listingError !== undefined) throw listingError.err;
  const report = { deployments: tracked.length, schemas: bySchema.size, closerLooks };
  if (tracked.length > 0) deps.logger.debug(report, 'status round');
  return report;
}

/** Runs `run` on every item, at most `limit` at once. */
async function forEachConcurrently<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

function fingerprint(o: Observation): string {
  return JSON.stringify([o.service?.status ?? null, o.buildJob?.status ?? null, o.query?.state ?? null]);
}

/** Whether to look closer behind a row that did not change this round. */
function closerLookDue(deps: TrackerDeps, memory: TrackerMemory, id: string): boolean {
  const wait = memory.lookWaits.get(id);
  return wait === undefined || memory.round - wait.round >= wait.everyRounds || deps.now() - wait.atMs >= LOOK_BACKOFF_MAX_MS;
}

/** The closer look found nothing new: look again after 1, 2, then every 4 rounds (from scratch when the row changed). */
function noteLookWait(deps: TrackerDeps, memory: TrackerMemory, id: string, changed: boolean): void {
  const previous = changed ? undefined : memory.lookWaits.get(id);
  const everyRounds = previous === undefined ? 1 : Math.min(previous.everyRounds * 2, LOOK_BACKOFF_MAX_ROUNDS);
  memory.lookWaits.set(id, { round: memory.round, atMs: deps.now(), everyRounds });
}

async function reach(deps: TrackerDeps, d: Deployment, milestones: readonly Milestone[]): Promise<void> {
  const missing = milestones.filter((m) => !(d.execution?.milestones ?? []).includes(m));
  if (missing.length === 0) return;
  await deps.store.update(d.id, (current) => {
    const e = current.execution;
    return e === undefined ? current : { ...current, execution: { ...e, milestones: [...new Set([...e.milestones, ...missing])] } };
  });
  for (const m of missing) {
    await deps.notifier.milestone(d.id, m);
    // Phases (starting, running, failed) are logged as they are entered; these are the steps between them.
    if (!PHASES.some((p) => p === m)) logDeploymentStep(deps.logger, d, m);
  }
}

/** Applies what one round saw; returns whether it took a closer look. */
async function advance(deps: TrackerDeps, memory: TrackerMemory, d: Deployment, service: QualifiedName, o: Observation): Promise<boolean> {
  const e = d.execution;
  if (e === undefined) return false;
  const changed = fingerprint(o) !== e.observed;
  if (changed)
    await deps.store.update(d.id, (c) =>
      c.execution === undefined ? c : { ...c, execution: { ...c.execution, observed: fingerprint(o) } },
    );
  if (e.phase === 'running') return followEndpoint(deps, memory, d, service, o, changed);
  const ending = deployEnding({ service: o.service?.status, buildJob: o.buildJob?.status, query: o.query?.state });
  if (ending === 'cancelled') {
    await endCancelled(deps, d, o);
    return true;
  }
  if (ending === 'failed') {
    if (!changed && o.query?.state !== 'failed') return false; // a flapping service: wait for the query's verdict
    await diagnoseFailure(deps, d, service, o);
    return true;
  }
  // The record as it is after this round's phase change: the timeout counts from its phaseSinceMs.
  let current = d;
  const enter = async (phase: Phase) => {
    if (current.execution?.phase !== phase) current = (await setPhase(deps, d.id, phase)) ?? current;
  };
  if (o.buildJob !== undefined && o.service === undefined) {
    if (o.buildJob.status === 'DONE') {
      await reach(deps, d, ['build_started', 'build_done']);
    } else {
      await reach(deps, d, ['build_started']);
      await enter('building_image');
    }
  }
  if (o.service === undefined) {
    await timedOut(deps, current, service);
    return false;
  }
  await reach(deps, d, e.milestones.includes('build_started') ? ['build_done', 'starting'] : ['starting']);
  if (classifyServiceStatus(o.service.status) === 'running') {
    // Running: SQL and Python work now. The REST endpoint often comes up later; then its URL
    // follows in the thread (followEndpoint) instead of holding back the news.
    const endpoint = await getInferenceEndpoint(deps.snowflake, service);
    if (endpoint.state === 'provisioning') noteLookWait(deps, memory, d.id, true);
    else memory.lookWaits.delete(d.id);
    await setPhase(
      deps,
      d.id,
      'running',
      endpoint.state === 'ready' ? { ingressUrl: endpoint.url } : endpoint.state === 'provisioning' ? { endpointPending: true } : {},
    );
    return true;
  }
  await enter('starting');
  // PENDING: is it waiting for a free node? Asked when the row changes, then less and less often.
  const lookCloser =
    o.service.status === 'PENDING' && (changed || (!e.milestones.includes('waiting_for_capacity') && closerLookDue(deps, memory, d.id)));
  if (lookCloser) {
    if (await poolAtCapacity(deps, d, service)) await reach(deps, d, ['waiting_for_capacity']);
    noteLookWait(deps, memory, d.id, changed);
  }
  await timedOut(deps, current, service);
  return lookCloser;
}

/**
 * A running deployment whose REST endpoint is provisioning: look again after 1, 2, then every 4
 * rounds; once ready, store the URL and post it. A service that stops running, or an endpoint not
 * ready within the phase timeout, ends the wait without a URL (`/spcs status` shows it later).
 */
async function followEndpoint(
  deps: TrackerDeps,
  memory: TrackerMemory,
  d: Deployment,
  service: QualifiedName,
  o: Observation,
  changed: boolean,
): Promise<boolean> {
  const e = d.execution;
  if (e === undefined) return false;
  const givesUp = o.service?.status !== 'RUNNING' || deps.now() - e.phaseSinceMs > (deps.phaseTimeoutMs ?? DEFAULT_PHASE_TIMEOUT_MS);
  let url: string | undefined;
  if (!givesUp) {
    if (!changed && !closerLookDue(deps, memory, d.id)) return false;
    const endpoint = await getInferenceEndpoint(deps.snowflake, service);
    if (endpoint.state === 'provisioning') {
      noteLookWait(deps, memory, d.id, changed);
      return true;
    }
    if (endpoint.state === 'ready') url = endpoint.url;
  }
  // The wait ends: the record first (the notifier renders from it), then Slack, then stop following.
  await deps.store.update(d.id, (c) =>
    c.execution === undefined
      ? c
      : { ...c, execution: { ...c.execution, endpointPending: false, ...(url !== undefined && { ingressUrl: url }) } },
  );
  await deps.notifier.summary(d.id); // no longer "provisioning"
  if (url !== undefined) {
    await deps.audit.append({
      event: 'phase_changed',
      deploymentId: d.id,
      atMs: deps.now(),
      planHash: d.planHash,
      detail: 'running: endpoint ready',
    });
    await deps.notifier.milestone(d.id, 'endpoint_ready');
    logDeploymentStep(deps.logger, d, 'endpoint_ready', { url });
  }
  memory.lookWaits.delete(d.id);
  await deps.store.untrack(d.id);
  return !givesUp;
}

/** Ends the deployment `timed_out` once it has spent longer than the limit in its current phase. */
async function timedOut(deps: TrackerDeps, d: Deployment, service: QualifiedName): Promise<boolean> {
  const e = d.execution;
  const limitMs = deps.phaseTimeoutMs ?? DEFAULT_PHASE_TIMEOUT_MS;
  if (e === undefined || deps.now() - e.phaseSinceMs <= limitMs) return false;
  // Say what it was waiting on: a container's message ("Compute pool node(s) are being
  // provisioned", "Waiting to start", "Failed to pull image").
  const containers = e.phase === 'starting' ? await listServiceContainers(deps.snowflake, service).catch((): ServiceContainer[] => []) : [];
  const waitingOn = containers.find((c) => c.message)?.message;
  const message = `No progress for ${describeDuration(limitMs)} while ${e.phase.replaceAll('_', ' ')}${waitingOn === undefined || waitingOn === null ? '' : ` (${waitingOn})`}. The service was left as it is.`;
  await fail(deps, d.id, 'timed_out', message);
  return true;
}

/** `1800000` → `30 minutes`; `2000` → `2 seconds`. */
export function describeDuration(ms: number): string {
  const [value, unit] =
    ms % 3_600_000 === 0 ? [ms / 3_600_000, 'hour'] : ms % 60_000 === 0 ? [ms / 60_000, 'minute'] : [Math.round(ms / 1000), 'second'];
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

/**
 * An instance waiting for a node (WAITING_FOR_NODE, the diagnosis's rule) with every node of the
 * pool busy: waiting for capacity, not for a node to boot.
 */
async function poolAtCapacity(deps: TrackerDeps, d: Deployment, service: QualifiedName): Promise<boolean> {
  const containers = await listServiceContainers(deps.snowflake, service).catch(() => []);
  if (!containers.some((c) => WAITING_FOR_NODE.test(c.message ?? ''))) return false;
  const name = parseIdentifier(d.request.pool.name, 'Compute pool', { allowQuoted: true });
  if (!name.ok) return false;
  const pool = await findComputePool(deps.snowflake, name.value);
  return pool !== null && (pool.activeNodes ?? 0) >= pool.maxNodes && (pool.idleNodes ?? 0) === 0;
}

async function logTail(deps: TrackerDeps, target: QualifiedName, container: string): Promise<string[]> {
  const lines = await getServiceLogHistory(deps.snowflake, target, { container, limit: LOG_LINES }).catch(() => []);
  return lines.map((l) => l.log).reverse();
}

/** Snowflake's own words for a query error, with its code: what the thread and the summary show. */
function snowflakeText(err: SnowflakeError): string {
  return err.code === undefined ? err.message : `${err.message} (Snowflake error ${err.code})`;
}

/** The container's message and Snowflake's error for the query, whichever are there. */
function joined(...parts: Array<string | null | undefined>): string | undefined {
  const kept = [...new Set(parts.filter((p): p is string => p !== undefined && p !== null && p !== ''))];
  return kept.length === 0 ? undefined : kept.join(' — ');
}

async function diagnoseFailure(deps: TrackerDeps, d: Deployment, service: QualifiedName, o: Observation): Promise<void> {
  const queryError = o.query?.state === 'failed' ? o.query.error : undefined;
  const queryText = queryError === undefined ? undefined : snowflakeText(queryError);
  const buildJobName = d.execution?.buildJobName;
  // A failed build job: the build's failure, with its log.
  if (o.buildJob !== undefined && buildJobName !== undefined && classifyServiceStatus(o.buildJob.status) === 'failed') {
    const job = qualifiedJob(service, buildJobName);
    const containers = await listServiceContainers(deps.snowflake, job).catch((): ServiceContainer[] => []);
    const message = joined(containers.find((c) => c.status === 'FAILED' && c.message)?.message, queryText) ?? 'The image build failed.';
    await fail(deps, d.id, 'build_failed', message, { logTail: await logTail(deps, job, BUILD_CONTAINER) });
    return;
  }
  if (o.service !== undefined) {
    const containers = await listServiceContainers(deps.snowflake, service).catch((): ServiceContainer[] => []);
    const inference = containers.find((c) => c.containerName === INFERENCE_CONTAINER);
    const oom = containers.some((c) => c.lastExitCode === 137 || c.message?.includes('OOMKilled') === true);
    const tail = await logTail(deps, service, INFERENCE_CONTAINER);
    // A container's message explains a failed service; a service that looks fine failed by the query's word.
    const containerText = classifyServiceStatus(o.service.status) === 'failed' ? inference?.message : undefined;
    const message = joined(containerText, queryText) ?? `The service is ${o.service.status}.`;
    // Snowflake's own text ("Container was OOMKilled due to resource usage") already says it.
    const oomText = /OOMKilled/.test(message) ? message : `OOMKilled: ${message}`;
    await fail(deps, d.id, oom ? 'oom' : 'deploy_error', oom ? oomText : message, { logTail: tail });
    return;
  }
  const failure = failureOf(queryError ?? new Error('The deployment failed.'));
  const message = queryText ?? failure.message;
  await fail(deps, d.id, failure.kind, message, failure.privilege !== undefined ? { privilege: failure.privilege } : {});
}

/** Cancelled in Snowflake (the deploy query, the build job or the service): final, with Snowflake's words. */
async function endCancelled(deps: TrackerDeps, d: Deployment, o: Observation): Promise<void> {
  const queryError = o.query?.state === 'cancelled' ? o.query.error : undefined;
  const cancelledRow = [o.buildJob, o.service].find((r) => r !== undefined && classifyServiceStatus(r.status) === 'cancelled');
  const message =
    queryError !== undefined
      ? `The deploy query was cancelled: ${snowflakeText(queryError)}`
      : `${cancelledRow?.isJob === true ? `The image build job ${cancelledRow.name}` : 'The service'} is ${cancelledRow?.status ?? 'CANCELLED'}.`;
  await fail(deps, d.id, 'cancelled', message, { phase: 'cancelled' });
}

function qualifiedJob(service: QualifiedName, jobName: string): QualifiedName {
  return requireQualifiedName(`${service.container.sql}.${jobName}`, 'Build job', 3);
}

export function createStatusWorker(queue: QueueConnection, deps: TrackerDeps): Worker<Record<string, never>, RoundReport> {
  const worker = new Worker<Record<string, never>, RoundReport>(STATUS_QUEUE, () => runStatusRound(deps), {
    connection: queue.connection,
    prefix: queuePrefix(queue.keyPrefix),
    concurrency: 1,
  });
  worker.on('failed', (_job, err) =>
    deps.logger.warn(
      { err },
      'status round failed: checking the deployments in flight against Snowflake stopped with an error; the next round tries again',
    ),
  );
  return worker;
}
