import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import type { ApprovalPolicy } from '../domain/approval-policy.js';
import { withLogScope, type Logger } from '../logger.js';
import type { AuditLog } from '../store/audit-log.js';
import type { DeploymentStore, ExpiryOutcome } from '../store/deployment-store.js';
import type { Notifier } from './notifier.js';
import { queuePrefix, type QueueConnection } from './queues.js';

/**
 * Expires approval requests nobody decided on: one delayed job per deployment (job id derived
 * from the deployment id), due when SPCS_APPROVAL_TTL has passed. The job decides with the TTL
 * in force when it runs, so a TTL made longer since the request moves the job later instead of
 * expiring early. A click after the TTL expires the request too (the approval gate), whichever
 * comes first; the other finds it decided and does nothing.
 */

export const EXPIRY_QUEUE = 'approval-expiry';

export const ExpiryJob = z.object({ deploymentId: z.string() });
export type ExpiryJob = z.infer<typeof ExpiryJob>;
export type ExpiryQueue = Queue<ExpiryJob, ExpiryOutcome['outcome']>;

export function createExpiryQueue({ connection, keyPrefix }: QueueConnection): ExpiryQueue {
  return new Queue<ExpiryJob, ExpiryOutcome['outcome']>(EXPIRY_QUEUE, {
    connection,
    prefix: queuePrefix(keyPrefix),
    defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 },
  });
}

/** What the approval gate calls when it stores a request; narrow so it need not know about BullMQ. */
export interface ExpiryScheduler {
  /** Arranges for the request to expire once the TTL has passed since `requestedAtMs`. */
  schedule(deploymentId: string, requestedAtMs: number): Promise<void>;
}

/**
 * `ttlMs` only sets when the job first runs; the worker checks against its own policy, so a
 * scheduler that does not know the TTL (or knows an old one) still expires on time.
 */
export function createExpiryScheduler(queue: ExpiryQueue, options: { readonly ttlMs: number; readonly now: () => number }): ExpiryScheduler {
  return {
    async schedule(deploymentId, requestedAtMs) {
      const delay = Math.max(0, requestedAtMs + options.ttlMs + 1 - options.now());
      await queue.add('expire', { deploymentId }, { jobId: `expire-${deploymentId}`, delay });
    },
  };
}

export interface ExpiryDeps {
  readonly store: DeploymentStore;
  readonly audit: AuditLog;
  readonly notifier: Notifier;
  readonly policy: Pick<ApprovalPolicy, 'ttlMs'>;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Expires the request if it is due; moves the job to when it is due otherwise. */
export function processExpiry(deps: ExpiryDeps) {
  return async (job: Job<unknown>, token?: string): Promise<ExpiryOutcome['outcome']> => {
    const parsed = ExpiryJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad expiry job: ${parsed.error.message}`);
    const id = parsed.data.deploymentId;
    return withLogScope({ deploymentId: id }, async () => {
      const result = await deps.store.expire(id, deps.policy.ttlMs, deps.now());
      if (result.outcome === 'not_due') {
        await job.moveToDelayed(result.dueAtMs, token);
        throw new DelayedError();
      }
      if (result.outcome === 'expired') {
        await deps.audit.append({ event: 'expired', deploymentId: id, atMs: deps.now(), planHash: result.deployment.planHash, detail: 'no decision within SPCS_APPROVAL_TTL' });
        await deps.notifier.summary(id);
        deps.logger.info('approval request expired');
      }
      return result.outcome;
    });
  };
}

export function createExpiryWorker(queue: QueueConnection, deps: ExpiryDeps): Worker<ExpiryJob, ExpiryOutcome['outcome']> {
  const worker = new Worker<ExpiryJob, ExpiryOutcome['outcome']>(EXPIRY_QUEUE, processExpiry(deps), {
    connection: queue.connection,
    prefix: queuePrefix(queue.keyPrefix),
    concurrency: 4,
  });
  worker.on('failed', (job, err) => deps.logger.warn({ err, deploymentId: job?.data.deploymentId }, 'expiry job failed'));
  return worker;
}
