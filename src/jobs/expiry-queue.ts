import { logDeploymentStep } from './deployment-log.js';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import type { ApprovalPolicy, GateKind } from '../domain/approval-policy.js';
import type { Deployment } from '../domain/deployment.js';
import type { Operation } from '../domain/operation.js';
import { withLogScope, type Logger } from '../logger.js';
import type { AuditLog } from '../store/audit-log.js';
import type { GatedRecord, GateStore } from '../store/gate-store.js';
import type { Notifier } from './notifier.js';
import { queuePrefix, type QueueConnection } from './queues.js';

/**
 * Expires approval requests nobody decided on: one delayed job per request (job id derived from
 * its id), for deployments and for service changes behind the approvers' gate, due when
 * SPCS_APPROVAL_TTL has passed. The job decides with the TTL in force when it runs, so a TTL
 * made longer since the request moves the job later instead of expiring early. A click after the TTL expires the request too (the approval gate), whichever
 * comes first; the other finds it decided and does nothing.
 */

export const EXPIRY_QUEUE = 'approval-expiry';

/**
 * The records that wait for approvers and so expire (deployments: job `expire`; change requests:
 * job `expire-operation`). An access change is confirmed by its requester in the same submit that
 * creates it, so it never waits.
 */
export type ExpiringKind = Exclude<GateKind, 'access'>;

/** A deployment's job keeps the data it always had, so jobs queued before change requests expired still parse. */
export const ExpiryJob = z.union([z.object({ deploymentId: z.string() }), z.object({ operationId: z.string() })]);
export type ExpiryJob = z.infer<typeof ExpiryJob>;
export type ExpiryResult = 'expired' | 'not_due' | 'decided' | 'not_found';
export type ExpiryQueue = Queue<ExpiryJob, ExpiryResult>;

export function createExpiryQueue({ connection, keyPrefix }: QueueConnection): ExpiryQueue {
  return new Queue<ExpiryJob, ExpiryResult>(EXPIRY_QUEUE, {
    connection,
    prefix: queuePrefix(keyPrefix),
    defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 },
  });
}

/** What the approval gate calls when it stores a request; narrow so it need not know about BullMQ. */
export interface ExpiryScheduler {
  /** Arranges for the request to expire once the TTL has passed since `requestedAtMs`. */
  schedule(kind: ExpiringKind, id: string, requestedAtMs: number): Promise<void>;
}

/**
 * `ttlMs` only sets when the job first runs; the worker checks against its own policy, so a
 * scheduler that does not know the TTL (or knows an old one) still expires on time.
 */
export function createExpiryScheduler(
  queue: ExpiryQueue,
  options: { readonly ttlMs: number; readonly now: () => number },
): ExpiryScheduler {
  return {
    async schedule(kind, id, requestedAtMs) {
      const delay = Math.max(0, requestedAtMs + options.ttlMs + 1 - options.now());
      // Deployment (d…) and change request (o…) ids never collide, so one job id scheme serves both.
      const opts = { jobId: `expire-${id}`, delay };
      await (kind === 'deployment'
        ? queue.add('expire', { deploymentId: id }, opts)
        : queue.add('expire-operation', { operationId: id }, opts));
    },
  };
}

export interface ExpiryDeps {
  /** The gate stores, by the kind of record they hold: expiry is the gate store's, once for all kinds. */
  readonly stores: {
    readonly deployment: Pick<GateStore<Deployment>, 'expire'>;
    readonly operation: Pick<GateStore<Operation>, 'expire'>;
  };
  readonly audit: Pick<AuditLog, 'append'>;
  /** Re-renders the summary (buttons give way to Expired), for either kind. */
  readonly notifier: Pick<Notifier, 'summary' | 'changeSummary'>;
  readonly policy: Pick<ApprovalPolicy, 'ttlMs'>;
  readonly logger: Logger;
  readonly now: () => number;
}

const EXPIRED_DETAIL = 'no decision within SPCS_APPROVAL_TTL';

/** What differs per kind after an expiry: the audit entry's subject fields, and which summary to re-render. */
function afterExpiry(deps: ExpiryDeps) {
  return {
    deployment: async (d: Deployment) => {
      await deps.audit.append({ event: 'expired', deploymentId: d.id, atMs: deps.now(), planHash: d.planHash, detail: EXPIRED_DETAIL });
      await deps.notifier.summary(d.id);
      logDeploymentStep(deps.logger, d, 'expired', { detail: EXPIRED_DETAIL });
    },
    operation: async (op: Operation) => {
      await deps.audit.append({
        event: 'expired',
        deploymentId: op.id,
        atMs: deps.now(),
        planHash: op.planHash,
        action: op.change.kind,
        target: op.service,
        detail: EXPIRED_DETAIL,
      });
      await deps.notifier.changeSummary(op.id);
      deps.logger.info('change request expired');
    },
  };
}

/** Expires the request if it is due; moves the job to when it is due otherwise. */
export function processExpiry(deps: ExpiryDeps) {
  const after = afterExpiry(deps);
  const expire = async <T extends GatedRecord>(store: Pick<GateStore<T>, 'expire'>, id: string, then: (record: T) => Promise<void>) => {
    const result = await store.expire(id, deps.policy.ttlMs, deps.now());
    if (result.outcome === 'expired') await then(result.record);
    return result;
  };

  return async (job: Job<unknown>, token?: string): Promise<ExpiryResult> => {
    const parsed = ExpiryJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad expiry job: ${parsed.error.message}`);
    const data = parsed.data;
    const scope = 'deploymentId' in data ? { deploymentId: data.deploymentId } : { operationId: data.operationId };
    return withLogScope(scope, async () => {
      const result =
        'deploymentId' in data
          ? await expire(deps.stores.deployment, data.deploymentId, after.deployment)
          : await expire(deps.stores.operation, data.operationId, after.operation);
      if (result.outcome === 'not_due') {
        await job.moveToDelayed(result.dueAtMs, token);
        throw new DelayedError();
      }
      return result.outcome;
    });
  };
}

export function createExpiryWorker(queue: QueueConnection, deps: ExpiryDeps): Worker<ExpiryJob, ExpiryResult> {
  const worker = new Worker<ExpiryJob, ExpiryResult>(EXPIRY_QUEUE, processExpiry(deps), {
    connection: queue.connection,
    prefix: queuePrefix(queue.keyPrefix),
    concurrency: 4,
  });
  worker.on('failed', (job, err) => deps.logger.warn({ err, job: job?.data }, 'expiry job failed'));
  return worker;
}
