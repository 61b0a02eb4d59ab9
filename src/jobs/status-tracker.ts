import { createHash } from 'node:crypto';
import { Queue, WaitingChildrenError, Worker, type Job } from 'bullmq';
import { z } from 'zod';
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
import type { StatusMemory } from '../store/status-memory.js';
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
  statusRoundTag,
  withQueryTag,
  type QualifiedName,
  type PlatformEvent,
  type QueryState,
  type ServiceContainer,
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
 *
 * Across workers a round is split: the round job (one at a time, a job scheduler) reads the tracked
 * deployments, asks for the query statuses and hands one child job per schema (job id: round +
 * schema, so a round handed out again never doubles a schema's work) to the schema queue, which any
 * worker takes; the round then waits for its children (BullMQ's waiting-children) and completes
 * when they are done. What rounds remember (the round counter, the closer-look backoff) is in Redis
 * (src/store/status-memory.ts), so any worker continues another's backoff.
 */

export const STATUS_QUEUE = 'status';
/** One job per schema of a round, taken by any worker. */
export const STATUS_SCHEMA_QUEUE = 'status-schema';
const SCHEDULER_ID = 'status-round';
const LOG_LINES = 15;
/** Platform events read when a service fails: enough to find an OOM kill among its restarts. */
const EVENTS = 20;
/** Deployments handled at once in a schema's part of a round. */
const ROUND_CONCURRENCY = 16;
/** Schema parts one worker process handles at once. */
const SCHEMA_CONCURRENCY = 4;
/**
 * Behind an unchanged row (a RUNNING service whose endpoint is provisioning, a PENDING service) the
 * closer look is repeated after 1, 2, then every 4 rounds…
 */
const LOOK_BACKOFF_MAX_ROUNDS = 4;
/** …and never more than this long apart. */
const LOOK_BACKOFF_MAX_MS = 5_000;

/** The round job's data: the scheduler's `{}`, then what the round noted before waiting on its children. */
const RoundData = z.object({
  round: z.number().int().optional(),
  step: z.literal('waiting').optional(),
  deployments: z.number().int().optional(),
  schemas: z.number().int().optional(),
});
type RoundData = z.infer<typeof RoundData>;

const QuerySeenSchema = z.union([
  z.object({ state: z.enum(['running', 'succeeded', 'unknown']) }),
  z.object({
    state: z.enum(['failed', 'cancelled']),
    error: z.object({
      message: z.string(),
      code: z.string().optional(),
      missingPrivilege: z.object({ privilege: z.string().optional() }).optional(),
    }),
  }),
]);

/** One schema's part of a round: its deployments and their deploy queries' statuses as the round read them. */
const SchemaPart = z.object({
  round: z.number().int(),
  schema: z.string(),
  deployments: z.array(z.object({ id: z.string(), query: QuerySeenSchema.optional() })),
});
type SchemaPart = z.infer<typeof SchemaPart>;

const PartReport = z.object({ deployments: z.number().int(), closerLooks: z.number().int() });
type PartReport = z.infer<typeof PartReport>;

export interface StatusQueues {
  readonly rounds: Queue<RoundData, RoundReport>;
  readonly schemas: Queue<SchemaPart, PartReport>;
}

/** 30 minutes per phase, as snowflake-ml-python waits for a service. */
export const DEFAULT_PHASE_TIMEOUT_MS = 30 * 60_000;

export interface TrackerDeps extends Omit<DeployDeps, 'policy' | 'capabilities' | 'specDirectory'> {
  /** The round counter and the closer-look backoff, shared by every worker. */
  readonly memory: StatusMemory;
  /** Longest time in one phase (measured from the record's phaseSinceMs). @defaultValue DEFAULT_PHASE_TIMEOUT_MS */
  readonly phaseTimeoutMs?: number;
}

export interface RoundReport {
  readonly deployments: number;
  readonly schemas: number;
  readonly closerLooks: number;
  /** Schemas whose part failed (could not be listed): the next round tries them again. */
  readonly failedSchemas: number;
  /** The previous round's schema parts were still running, so this round did nothing. */
  readonly skipped?: true;
}

export function createStatusQueues({ connection, keyPrefix }: QueueConnection): StatusQueues {
  // Both on one prefix (one hash tag): a child names its parent by key, and the parent's scripts touch both.
  const prefix = queuePrefix(keyPrefix);
  return {
    rounds: new Queue<RoundData, RoundReport>(STATUS_QUEUE, { connection, prefix }),
    schemas: new Queue<SchemaPart, PartReport>(STATUS_SCHEMA_QUEUE, { connection, prefix }),
  };
}

/** One round every `everyMs`; upserting keeps a single schedule however many processes start. */
export async function scheduleStatusRounds(queues: StatusQueues, everyMs: number): Promise<void> {
  // BullMQ queues the next round as soon as a worker takes the current one: with several workers a
  // slow round would overlap the next, and two rounds would decide on the same deployments.
  await queues.rounds.setGlobalConcurrency(1);
  await queues.rounds.upsertJobScheduler(
    SCHEDULER_ID,
    { every: everyMs },
    { name: 'round', data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } },
  );
}

/** A tracked deployment and its service's name. */
interface Tracked {
  readonly d: Deployment;
  readonly service: QualifiedName;
}

/**
 * The round's first half: the tracked deployments (a finished or vanished one is untracked and
 * forgotten), grouped by schema, with the status of every deploy query still running, asked for
 * together before the listings, as snowflake-ml-python checks its async deploy query on every poll.
 */
async function planRound(deps: TrackerDeps, round: number): Promise<SchemaPart[]> {
  const ids = await deps.store.trackedIds();
  const records = await deps.store.getMany(ids);
  const bySchema = new Map<string, Tracked[]>();
  for (const [i, id] of ids.entries()) {
    const d = records[i] ?? null;
    if (d === null || d.execution?.queryId === undefined || !isFollowed(d.execution)) {
      await deps.store.untrack(id);
      await deps.memory.forget(id);
      continue;
    }
    const service = requireQualifiedName(qualifiedService(d.request), 'Service', 3);
    const group = bySchema.get(service.container.sql);
    if (group === undefined) bySchema.set(service.container.sql, [{ d, service }]);
    else group.push({ d, service });
  }
  // Once running, the query has finished.
  const asking = [...bySchema.values()]
    .flat()
    .flatMap(({ d }) => (d.execution?.queryId !== undefined && d.execution.phase !== 'running' ? [d.execution.queryId] : []));
  const statuses = await deployStatuses(deps.snowflake, asking).catch((err: unknown) => {
    deps.logger.warn({ err }, 'deploy query statuses could not be read; next round tries again');
    return new Map<string, QueryState>();
  });
  return [...bySchema].map(([schema, group]) => ({
    round,
    schema,
    deployments: group.map(({ d }) => {
      const query = d.execution?.phase === 'running' ? undefined : statuses.get(d.execution?.queryId ?? '');
      return { id: d.id, ...(query !== undefined && { query: querySeen(query) }) };
    }),
  }));
}

/**
 * One schema's part of a round: its one SHOW SERVICES (which lists the MODEL_BUILD_ job services
 * too), then per deployment the closer looks and the advance. A schema that cannot be listed fails
 * its part (the next round tries again); one deployment's failed check fails only that deployment.
 */
async function runSchemaPart(trackerDeps: TrackerDeps, part: SchemaPart): Promise<PartReport> {
  // Each statement says which round sent it (QUERY_HISTORY's QUERY_TAG).
  const deps = { ...trackerDeps, snowflake: withQueryTag(trackerDeps.snowflake, statusRoundTag(part.round)) };
  const records = await deps.store.getMany(part.deployments.map((p) => p.id));
  const tracked: Array<Tracked & { readonly query: QuerySeen | undefined }> = [];
  for (const [i, entry] of part.deployments.entries()) {
    const d = records[i] ?? null;
    // Finished meanwhile (or gone): the next round untracks it.
    if (d === null || d.execution?.queryId === undefined || !isFollowed(d.execution)) continue;
    const service = requireQualifiedName(qualifiedService(d.request), 'Service', 3);
    if (service.container.sql !== part.schema) continue;
    tracked.push({ d, service, query: d.execution.phase === 'running' ? undefined : entry.query });
  }
  const schema = tracked[0]?.service.container;
  if (schema === undefined) return { deployments: 0, closerLooks: 0 };
  const rows = await listServices(deps.snowflake, { schema });
  let closerLooks = 0;
  await forEachConcurrently(tracked, ROUND_CONCURRENCY, async ({ d, service, query }) => {
    await withLogScope({ deploymentId: d.id }, async () => {
      try {
        const seen: DeploymentObservation = {
          service: rows.find((r) => r.name === service.name.name && !r.isJob),
          buildJob: rows.find((r) => r.name === d.execution?.buildJobName),
          query,
          lookDue: await closerLookDue(deps, part.round, d.id),
        };
        // One clock reading for the deployment's round: the looks asked for and the verdict agree on timeouts.
        const nowMs = deps.now();
        const { observation, looked } = await lookCloser(deps, d, service, seen, nowMs);
        if (looked) closerLooks++;
        await advanceDeployment(deps, part.round, d, observation, nowMs);
      } catch (err) {
        deps.logger.warn({ err }, 'status check failed; next round tries again');
      }
    });
  });
  return { deployments: tracked.length, closerLooks };
}

/**
 * A whole round in this process (the schema parts side by side), for callers that drive rounds
 * themselves (tests, the bench). A schema that could not be listed fails the round once the other
 * schemas were handled.
 */
export async function runStatusRound(deps: TrackerDeps): Promise<RoundReport> {
  const parts = await planRound(deps, await deps.memory.nextRound());
  const results = await Promise.allSettled(parts.map((part) => runSchemaPart(deps, part)));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  const report = roundReport(
    parts,
    results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    0,
  );
  if (report.deployments > 0) deps.logger.debug(report, 'status round');
  return report;
}

function roundReport(parts: readonly SchemaPart[], done: readonly PartReport[], failedSchemas: number): RoundReport {
  return {
    deployments: parts.reduce((n, p) => n + p.deployments.length, 0),
    schemas: parts.length,
    closerLooks: done.reduce((n, p) => n + p.closerLooks, 0),
    failedSchemas,
  };
}

/** A schema part's job id: the round's job id and the schema, so the same round never adds it twice. */
function partJobId(roundJobId: string, schema: string): string {
  // BullMQ refuses ':' in custom ids; the scheduler's round ids have them.
  return `${roundJobId.replaceAll(':', '-')}-${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
}

/**
 * The round job. First pass: plan, add the schema parts as children, wait for them (the job leaves
 * the worker; BullMQ brings it back once every child is done). Second pass: the report.
 *
 * A round waiting on its children is not active, so the rounds queue's global concurrency of 1
 * no longer holds the next round back: a round that finds another round's parts still queued or
 * running does nothing (skipped), so rounds never overlap.
 */
async function processRound(
  job: Job<RoundData, RoundReport>,
  token: string | undefined,
  deps: TrackerDeps,
  schemas: StatusQueues['schemas'],
): Promise<RoundReport> {
  const data = RoundData.parse(job.data);
  const jobId = job.id;
  if (jobId === undefined || token === undefined) throw new Error('status round without a job id or lock token');
  if (data.step === 'waiting') {
    // Back after its children were done, or handed out again (its lock lapsed) while they still run.
    if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
    return finishRound(job, data, deps);
  }
  // This round's own parts, when it is handed out again after adding them, do not count.
  const own = (await job.getDependenciesCount({ unprocessed: true })).unprocessed ?? 0;
  const pending = await schemas.getJobCountByTypes('active', 'waiting', 'delayed', 'prioritized');
  if (pending > own) {
    deps.logger.info({ pending: pending - own }, 'status round skipped: the previous round is still checking its schemas');
    return { deployments: 0, schemas: 0, closerLooks: 0, failedSchemas: 0, skipped: true };
  }
  const round = data.round ?? (await deps.memory.nextRound());
  if (data.round === undefined) await job.updateData({ round });
  const parts = await planRound(deps, round);
  // Handed out again after its parts were added: the parts already done are not added again.
  const done = new Set(
    [...Object.keys(await job.getChildrenValues()), ...Object.keys(await job.getIgnoredChildrenFailures())].map((key) =>
      key.slice(key.lastIndexOf(':') + 1),
    ),
  );
  const parent = { id: jobId, queue: job.queueQualifiedName };
  await schemas.addBulk(
    parts
      .map((part) => ({ part, id: partJobId(jobId, part.schema) }))
      .filter(({ id }) => !done.has(id))
      .map(({ part, id }) => ({
        name: 'schema',
        data: part,
        // A part that fails (its schema could not be listed) lets the round complete all the same.
        opts: { jobId: id, parent, ignoreDependencyOnFailure: true, removeOnComplete: true, removeOnFail: 100 },
      })),
  );
  const waiting: RoundData = {
    round,
    step: 'waiting',
    deployments: parts.reduce((n, p) => n + p.deployments.length, 0),
    schemas: parts.length,
  };
  await job.updateData(waiting);
  if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
  return finishRound(job, waiting, deps);
}

async function finishRound(job: Job<RoundData, RoundReport>, data: RoundData, deps: TrackerDeps): Promise<RoundReport> {
  const values = Object.values(await job.getChildrenValues()).flatMap((v) => {
    const parsed = PartReport.safeParse(v);
    return parsed.success ? [parsed.data] : [];
  });
  const failedSchemas = Object.keys(await job.getIgnoredChildrenFailures()).length;
  const report: RoundReport = {
    deployments: data.deployments ?? 0,
    schemas: data.schemas ?? 0,
    closerLooks: values.reduce((n, p) => n + p.closerLooks, 0),
    failedSchemas,
  };
  if (report.deployments > 0) deps.logger.debug({ ...report, round: data.round }, 'status round');
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
async function advanceDeployment(deps: TrackerDeps, round: number, d: Deployment, o: DeploymentObservation, nowMs: number): Promise<void> {
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
  for (const effect of result.effects) await apply(deps, round, result.next, effect, nowMs);
}

async function apply(deps: TrackerDeps, round: number, d: Deployment, effect: LifecycleEffect, nowMs: number): Promise<void> {
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
      await deps.store.untrack(d.id);
      return deps.memory.forget(d.id);
    case 'look_again':
      return noteLookWait(deps, round, d.id, effect.fresh);
    case 'stop_looking':
      return deps.memory.forget(d.id);
  }
}

/** Whether to look closer behind a row that did not change this round. */
async function closerLookDue(deps: TrackerDeps, round: number, id: string): Promise<boolean> {
  const wait = await deps.memory.lookWait(id);
  // A round number below the wait's: the counter started again (it expired); look.
  return wait === null || round < wait.round || round - wait.round >= wait.everyRounds || deps.now() - wait.atMs >= LOOK_BACKOFF_MAX_MS;
}

/** The closer look found nothing new: look again after 1, 2, then every 4 rounds (from scratch when the row changed). */
async function noteLookWait(deps: TrackerDeps, round: number, id: string, changed: boolean): Promise<void> {
  const previous = changed ? null : await deps.memory.lookWait(id);
  const everyRounds = previous === null ? 1 : Math.min(previous.everyRounds * 2, LOOK_BACKOFF_MAX_ROUNDS);
  await deps.memory.setLookWait(id, { round, atMs: deps.now(), everyRounds });
}

async function logTail(deps: TrackerDeps, target: QualifiedName, container: string): Promise<string[]> {
  const lines = await getServiceLogHistory(deps.snowflake, target, { container, limit: LOG_LINES }).catch(() => []);
  return lines.map((l) => l.log).reverse();
}

function qualifiedJob(service: QualifiedName, jobName: string): QualifiedName {
  return requireQualifiedName(`${service.container.sql}.${jobName}`, 'Build job', 3);
}

/**
 * Rounds run one at a time across all workers (scheduleStatusRounds), so a round or a schema part
 * held by a killed worker holds up tracking until BullMQ finds it stalled: a short lock (renewed by
 * a live worker every half of it) and as short a stall check bring tracking back within seconds,
 * not a minute.
 */
const ROUND_LOCK_MS = 10_000;

/** The round worker (one round at a time across all workers) and the schema-part worker (any worker, a few at once). */
export function createStatusWorkers(
  queue: QueueConnection,
  queues: StatusQueues,
  deps: TrackerDeps,
  options: { readonly lockDurationMs?: number } = {},
): [Worker<RoundData, RoundReport>, Worker<SchemaPart, PartReport>] {
  const lockDuration = options.lockDurationMs ?? ROUND_LOCK_MS;
  const common = {
    connection: queue.connection,
    prefix: queuePrefix(queue.keyPrefix),
    lockDuration,
    stalledInterval: lockDuration,
  };
  const rounds = new Worker<RoundData, RoundReport>(STATUS_QUEUE, (job, token) => processRound(job, token, deps, queues.schemas), {
    ...common,
    concurrency: 1,
  });
  rounds.on('failed', (_job, err) =>
    deps.logger.warn(
      { err },
      'status round failed: checking the deployments in flight against Snowflake stopped with an error; the next round tries again',
    ),
  );
  const schemas = new Worker<SchemaPart, PartReport>(STATUS_SCHEMA_QUEUE, (job) => runSchemaPart(deps, SchemaPart.parse(job.data)), {
    ...common,
    concurrency: SCHEMA_CONCURRENCY,
  });
  schemas.on('failed', (job, err) =>
    deps.logger.warn(
      { err, schema: job?.data.schema },
      'status of a schema could not be checked (SHOW SERVICES failed); its deployments are checked again next round',
    ),
  );
  return [rounds, schemas];
}
