import { Queue, Worker } from 'bullmq';
import { logDeploymentStep } from './deployment-log.js';
import { qualifiedService } from '../domain/deploy-request.js';
import {
  advance,
  closerLooksFor,
  type Advance,
  type CloserLook,
  type DeploymentObservation,
  type LifecycleEffect,
  type LifecycleOptions,
  type QuerySeen,
} from '../domain/deployment-lifecycle.js';
import { isFollowed, type Deployment } from '../domain/deployment.js';
import { withLogScope } from '../logger.js';
import {
  BUILD_CONTAINER,
  deployStatuses,
  findComputePool,
  getInferenceEndpoint,
  getServiceEvents,
  getServiceLogHistory,
  INFERENCE_CONTAINER,
  listServiceContainers,
  listServices,
  parseIdentifier,
  requireQualifiedName,
  type QualifiedName,
  type PlatformEvent,
  type QueryState,
  type ServiceContainer,
  type ServiceInfo,
} from '../snowflake/index.js';
import type { DeployDeps } from './deploy-executor.js';
import { queuePrefix, type QueueConnection } from './queues.js';

/**
 * Follows every deployment that has a deploy query id until it is running or failed. The tracker
 * only observes and applies: what a deployment's next phase, milestones and failure are is decided
 * by the pure lifecycle (src/domain/deployment-lifecycle.ts). One round checks them all together:
 * the status of every deploy query still running, all asked at once (Snowflake's verdict: a failed
 * or cancelled query ends the deployment whatever the rows show), one SHOW SERVICES per schema
 * (which lists the MODEL_BUILD_ job services too), and the closer looks the lifecycle asks for
 * (containers, endpoint, logs, pool), only at the deployments whose row changed or that are waiting
 * on something the row cannot show. Each deployment is written at most once per round (one
 * compare-and-set, none when nothing changed), then its effects (replies, summary, audit) follow.
 * Deployments are handled a few at a time, each by one task, so one deployment's updates keep their order.
 */

export const STATUS_QUEUE = 'status';
const SCHEDULER_ID = 'status-round';
const LOG_LINES = 15;
/** Platform events read when a service fails: enough to find an OOM kill among its restarts. */
const EVENTS = 20;
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
  // BullMQ queues the next round as soon as a worker takes the current one: with several workers a
  // slow round would overlap the next, and two rounds would decide on the same deployments.
  await queue.setGlobalConcurrency(1);
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { every: everyMs },
    { name: 'round', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } },
  );
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
        const query = d.execution?.phase === 'running' ? undefined : statuses.get(d.execution?.queryId ?? '');
        const seen: DeploymentObservation = {
          service: rows.find((r) => r.name === service.name.name && !r.isJob),
          buildJob: rows.find((r) => r.name === d.execution?.buildJobName),
          query: query === undefined ? undefined : querySeen(query),
          lookDue: closerLookDue(deps, memory, d.id),
        };
        // One clock reading for the deployment's round: the looks asked for and the verdict agree on timeouts.
        const nowMs = deps.now();
        const { observation, looked } = await lookCloser(deps, d, service, seen, nowMs);
        if (looked) closerLooks++;
        await advanceDeployment(deps, memory, d, observation, nowMs);
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

function lifecycleOptions(deps: TrackerDeps): LifecycleOptions {
  return { phaseTimeoutMs: deps.phaseTimeoutMs ?? DEFAULT_PHASE_TIMEOUT_MS, inferenceContainer: INFERENCE_CONTAINER };
}

/** The deploy query's state as the lifecycle reads it: Snowflake's words, and whether a privilege was missing. */
function querySeen(q: QueryState): QuerySeen {
  if (q.state !== 'failed' && q.state !== 'cancelled') return { state: q.state };
  const failure = q.error.failure;
  return {
    state: q.state,
    error: {
      message: q.error.message,
      code: q.error.code,
      ...(failure.kind === 'insufficient_privileges' && { missingPrivilege: { privilege: failure.privilege } }),
    },
  };
}

/** A look can call for one more (containers, then the pool); a third pass is never needed. */
const CLOSER_LOOK_PASSES = 3;

/**
 * The closer looks the lifecycle asks for (containers, logs, endpoint, pool), read pass by pass
 * until it needs no more (a container waiting for a node: then the pool). Containers and logs
 * that cannot be read count as none; an endpoint or pool that cannot be read fails this
 * deployment's check for the round.
 */
async function lookCloser(
  deps: TrackerDeps,
  d: Deployment,
  service: QualifiedName,
  seen: DeploymentObservation,
  nowMs: number,
): Promise<{ observation: DeploymentObservation; looked: boolean }> {
  const options = lifecycleOptions(deps);
  let observation = seen;
  let looked = false;
  for (let pass = 0; pass < CLOSER_LOOK_PASSES; pass++) {
    const needed = closerLooksFor(d, observation, nowMs, options);
    if (needed.length === 0) break;
    looked = true;
    const found = await Promise.all(needed.map((look) => readLook(deps, d, service, look)));
    observation = Object.assign({}, observation, ...found);
  }
  return { observation, looked };
}

async function readLook(
  deps: TrackerDeps,
  d: Deployment,
  service: QualifiedName,
  look: CloserLook,
): Promise<Partial<DeploymentObservation>> {
  const buildJob = (): QualifiedName => qualifiedJob(service, d.execution?.buildJobName ?? '');
  switch (look) {
    case 'containers':
      return { containers: await listServiceContainers(deps.snowflake, service).catch((): ServiceContainer[] => []) };
    case 'buildContainers':
      return { buildContainers: await listServiceContainers(deps.snowflake, buildJob()).catch((): ServiceContainer[] => []) };
    case 'logTail':
      return { logTail: await logTail(deps, service, INFERENCE_CONTAINER) };
    case 'buildLogTail':
      return { buildLogTail: await logTail(deps, buildJob(), BUILD_CONTAINER) };
    case 'events':
      return { events: await getServiceEvents(deps.snowflake, service, { hours: 1, limit: EVENTS }).catch((): PlatformEvent[] => []) };
    case 'endpoint':
      return { endpoint: await getInferenceEndpoint(deps.snowflake, service) };
    case 'pool': {
      const name = parseIdentifier(d.request.pool.name, 'Compute pool', { allowQuoted: true });
      return { pool: name.ok ? await findComputePool(deps.snowflake, name.value) : null };
    }
  }
}

/**
 * Applies what the round saw: one compare-and-set write of the lifecycle's next record (none when
 * nothing changed), then its effects. The write decides again on the record as it is in Redis, so a
 * concurrent write (the notifier storing the summary's ts) is kept, not overwritten.
 */
async function advanceDeployment(
  deps: TrackerDeps,
  memory: TrackerMemory,
  d: Deployment,
  o: DeploymentObservation,
  nowMs: number,
): Promise<void> {
  const options = lifecycleOptions(deps);
  let result = advance(d, o, nowMs, options);
  if (result.next !== d) {
    const written = await deps.store.transition<Advance | null>(d.id, (current) => {
      if (current === null) return { result: null };
      const step = advance(current, o, nowMs, options);
      return step.next === current ? { result: step } : { write: step.next, result: step };
    });
    if (written === null) return;
    result = written;
  }
  for (const effect of result.effects) await apply(deps, memory, result.next, effect, nowMs);
}

async function apply(deps: TrackerDeps, memory: TrackerMemory, d: Deployment, effect: LifecycleEffect, nowMs: number): Promise<void> {
  switch (effect.kind) {
    case 'milestone':
      return deps.notifier.milestone(d.id, effect.milestone);
    case 'summary':
      return deps.notifier.summary(d.id);
    case 'audit':
      return deps.audit.append({ event: effect.event, deploymentId: d.id, atMs: nowMs, planHash: d.planHash, detail: effect.detail });
    case 'log_step':
      return logDeploymentStep(deps.logger, d, effect.step, effect.fields);
    case 'untrack':
      return deps.store.untrack(d.id);
    case 'look_again':
      return noteLookWait(deps, memory, d.id, effect.fresh);
    case 'stop_looking':
      return void memory.lookWaits.delete(d.id);
  }
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

async function logTail(deps: TrackerDeps, target: QualifiedName, container: string): Promise<string[]> {
  const lines = await getServiceLogHistory(deps.snowflake, target, { container, limit: LOG_LINES }).catch(() => []);
  return lines.map((l) => l.log).reverse();
}

function qualifiedJob(service: QualifiedName, jobName: string): QualifiedName {
  return requireQualifiedName(`${service.container.sql}.${jobName}`, 'Build job', 3);
}

/**
 * Rounds run one at a time across all workers (scheduleStatusRounds), so a round held by a killed
 * worker holds up tracking until BullMQ finds it stalled: a short lock (renewed by a live worker
 * every half of it) and as short a stall check bring tracking back within seconds, not a minute.
 */
const ROUND_LOCK_MS = 10_000;

export function createStatusWorker(
  queue: QueueConnection,
  deps: TrackerDeps,
  options: { readonly lockDurationMs?: number } = {},
): Worker<Record<string, never>, RoundReport> {
  const lockDuration = options.lockDurationMs ?? ROUND_LOCK_MS;
  const worker = new Worker<Record<string, never>, RoundReport>(STATUS_QUEUE, () => runStatusRound(deps), {
    connection: queue.connection,
    prefix: queuePrefix(queue.keyPrefix),
    concurrency: 1,
    lockDuration,
    stalledInterval: lockDuration,
  });
  worker.on('failed', (_job, err) =>
    deps.logger.warn(
      { err },
      'status round failed: checking the deployments in flight against Snowflake stopped with an error; the next round tries again',
    ),
  );
  return worker;
}
