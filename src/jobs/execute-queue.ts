import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { z } from 'zod';
import { GATE_KINDS, type GateKind } from '../domain/approval-policy.js';
import { withLogScope, type Logger } from '../logger.js';
import { runAccessChange, type AccessDeps, type AccessOutcome } from './access-executor.js';
import { runChange, type ChangeDeps, type ChangeOutcome } from './change-executor.js';
import { runDeploy, type DeployDeps, type DeployOutcome } from './deploy-executor.js';
import { queuePrefix, type QueueConnection } from './queues.js';

/**
 * The one queue every approved record goes through (issue 13): a job per record, whose id is the
 * record id, and one worker that hands it to its kind's executor (deploy-executor, change-executor,
 * access-executor). Record ids carry their kind's letter (d…, o…, a…), so ids of different kinds
 * never meet. One sweep, over every gate kind, enqueues approved records that have no job.
 *
 * Upgrading from the queues `deploy`, `execute-change` and `execute-access`: no worker reads them
 * any more, so a job left there never runs; its record, approved without a job here, is enqueued
 * by the sweep and runs once, guarded as always by the record's own execution part.
 */

export const EXECUTE_QUEUE = 'execute';

/** `recheck`: a person's "Check again" on a deployment that needs attention; it only looks, never sends. */
export const JOB_KINDS = [...GATE_KINDS, 'recheck'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const ExecuteJob = z.object({ kind: z.enum(JOB_KINDS), id: z.string().min(1) });
export type ExecuteJob = z.infer<typeof ExecuteJob>;
export type ExecuteOutcome = DeployOutcome | ChangeOutcome | AccessOutcome | 'swept';
export type ExecuteQueue = Queue<ExecuteJob, ExecuteOutcome>;

/**
 * Per kind, what happens to a finished job. A deployment's is kept a week, so its id stays taken
 * (a later look is a recheck job of its own). A change's is removed, so a person's Retry can add
 * the same id again: the record's execution part, not the job, keeps a change from running twice.
 */
const JOB_OPTIONS: Readonly<Record<JobKind, JobsOptions>> = {
  deployment: { removeOnComplete: { age: 7 * 86_400 }, removeOnFail: 1000 },
  recheck: { removeOnComplete: { age: 7 * 86_400 }, removeOnFail: 1000 },
  operation: { removeOnComplete: true, removeOnFail: true },
  access: { removeOnComplete: true, removeOnFail: 1000 },
};

export function createExecuteQueue({ connection, keyPrefix }: QueueConnection): ExecuteQueue {
  return new Queue<ExecuteJob, ExecuteOutcome>(EXECUTE_QUEUE, {
    connection,
    prefix: queuePrefix(keyPrefix),
    defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
  });
}

/** jobId = record id: a double enqueue (two clicks, click and sweep) is one job. */
export async function enqueueRecord(queue: ExecuteQueue, kind: GateKind, id: string): Promise<void> {
  await queue.add(kind, { kind, id }, { jobId: id, ...JOB_OPTIONS[kind] });
}

/** Look number `check` at a deployment that needs attention: its own job id, the deployment's first job being done and kept. */
export async function enqueueRecheck(queue: ExecuteQueue, deploymentId: string, check: number): Promise<void> {
  await queue.add('recheck', { kind: 'recheck', id: deploymentId }, { jobId: `${deploymentId}-check-${check}`, ...JOB_OPTIONS.recheck });
}

export interface ExecuteDeps {
  readonly deployment: DeployDeps;
  readonly operation: ChangeDeps;
  readonly access: AccessDeps;
  /** Per gate kind, the approved records a job should exist for (approved, not finished, `graceMs` past the last approval). */
  readonly stranded: Readonly<Record<GateKind, (nowMs: number, graceMs: number) => Promise<readonly { readonly id: string }[]>>>;
  readonly logger: Logger;
  readonly now: () => number;
}

/** The sweep's job scheduler: one sweep per interval across all workers. */
const SWEEP_SCHEDULER = 'sweep-approved';
const SWEEP_JOB = 'sweep';

export interface SweepOptions {
  /** How often approved records without a job are looked for. @defaultValue 30 s */
  readonly everyMs?: number;
  /** How long after its approval a record must be unstarted to count. @defaultValue 30 s */
  readonly graceMs?: number;
}

export async function scheduleApprovedSweep(queue: ExecuteQueue, everyMs = 30_000): Promise<void> {
  await queue.upsertJobScheduler(
    SWEEP_SCHEDULER,
    { every: everyMs },
    { name: SWEEP_JOB, opts: { removeOnComplete: true, removeOnFail: 100 } },
  );
}

/** Enqueues every approved record of every kind whose job is missing; waiting behind other jobs, or running, is not missing. */
async function sweepApproved(deps: ExecuteDeps, queue: ExecuteQueue, graceMs: number): Promise<'swept'> {
  for (const kind of GATE_KINDS) {
    for (const record of await deps.stranded[kind](deps.now(), graceMs)) {
      if ((await queue.getJob(record.id)) !== undefined) continue;
      await enqueueRecord(queue, kind, record.id);
      deps.logger.warn({ kind, recordId: record.id }, 'approved record had no execute job; enqueued by the sweep');
    }
  }
  return 'swept';
}

function dispatch(deps: ExecuteDeps, job: ExecuteJob): Promise<ExecuteOutcome> {
  switch (job.kind) {
    case 'deployment':
    case 'recheck':
      // A recheck is the same run: a deployment in needs_attention only looks again (recoverSubmission).
      return withLogScope({ deploymentId: job.id }, () => runDeploy(deps.deployment, job.id));
    case 'operation':
      return withLogScope({ operationId: job.id }, () => runChange(deps.operation, job.id));
    case 'access':
      return runAccessChange(deps.access, job.id);
  }
}

export function processExecute(deps: ExecuteDeps, sweep?: { readonly queue: ExecuteQueue; readonly graceMs: number }) {
  return async (job: Job<unknown>): Promise<ExecuteOutcome> => {
    if (job.name === SWEEP_JOB) return sweep === undefined ? 'swept' : sweepApproved(deps, sweep.queue, sweep.graceMs);
    const parsed = ExecuteJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad execute job: ${parsed.error.message}`);
    return dispatch(deps, parsed.data);
  };
}

export interface ExecuteWorkerOptions {
  /** How long a job's lock lives without renewal; a killed worker's job is picked up after it. @defaultValue 30 s */
  readonly lockDurationMs?: number;
  /** The queue the sweep adds stranded records to (without it, sweep jobs do nothing). */
  readonly sweepQueue?: ExecuteQueue;
  readonly sweepGraceMs?: number;
}

/** A few records at a time, and a lock whose lapse hands a killed worker's job to another worker (stall check as often). */
export function createExecuteWorker(
  queue: QueueConnection,
  deps: ExecuteDeps,
  options: ExecuteWorkerOptions = {},
): Worker<ExecuteJob, ExecuteOutcome> {
  const sweep = options.sweepQueue && { queue: options.sweepQueue, graceMs: options.sweepGraceMs ?? 30_000 };
  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker = new Worker<ExecuteJob, ExecuteOutcome>(EXECUTE_QUEUE, processExecute(deps, sweep), {
    connection: queue.connection,
    prefix: queuePrefix(queue.keyPrefix),
    concurrency: 4,
    lockDuration,
    stalledInterval: lockDuration,
  });
  worker.on('failed', (job, err) =>
    deps.logger.error(
      { err, kind: job?.data.kind, recordId: job?.data.id },
      'execute job failed: running the approved record stopped with an error',
    ),
  );
  return worker;
}
