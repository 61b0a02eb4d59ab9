import { ErrorCode, type WebClient } from '@slack/web-api';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import { buildDeploySummary } from '../blocks/deploy-summary.js';
import { buildMilestoneMessage } from '../blocks/deploy-status.js';
import { MILESTONES, type Milestone } from '../domain/deployment.js';
import { withLogScope, type Logger } from '../logger.js';
import type { DeploymentStore } from '../store/deployment-store.js';
import { queuePrefix, type QueueConnection } from './queues.js';

/**
 * The only place (besides the request flows) that talks to Slack about a deployment. A job carries
 * just the deployment id and renders from the record when it runs, so a late job sends the
 * latest state. Summary edits are deduplicated per deployment (one waiting, one running at most);
 * milestones have one job id each, so each thread reply is posted once.
 */

export const NOTIFY_QUEUE = 'notify';

export const NotifyJob = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('summary'), deploymentId: z.string() }),
  z.object({ kind: z.literal('milestone'), deploymentId: z.string(), milestone: z.enum(MILESTONES) }),
]);
export type NotifyJob = z.infer<typeof NotifyJob>;
export type NotifyQueue = Queue<NotifyJob, void>;

const FINAL_MILESTONES: readonly Milestone[] = ['running', 'failed'];
/** The summary and final outcomes must survive a long Slack outage: with 500 ms doubling, 15 attempts span about 4.5 hours. */
const DURABLE_ATTEMPTS = 15;

export function createNotifyQueue({ connection, keyPrefix }: QueueConnection): NotifyQueue {
  return new Queue<NotifyJob, void>(NOTIFY_QUEUE, {
    connection,
    prefix: queuePrefix(keyPrefix),
    defaultJobOptions: { attempts: 8, backoff: { type: 'exponential', delay: 500 }, removeOnFail: 1000 },
  });
}

/** What flows and jobs call to get Slack updated; narrow so they need not know about BullMQ. */
export interface Notifier {
  /** Re-render the summary message (posting it first if it is not there yet). */
  summary(deploymentId: string): Promise<void>;
  /** Post the milestone's thread reply, once per deployment. */
  milestone(deploymentId: string, milestone: Milestone): Promise<void>;
}

export function createNotifier(queue: NotifyQueue): Notifier {
  return {
    async summary(deploymentId) {
      await queue.add('summary', { kind: 'summary', deploymentId }, {
        // keepLastIfActive: a change during a send queues one more render, so the final state is never lost.
        deduplication: { id: `summary-${deploymentId}`, keepLastIfActive: true },
        attempts: DURABLE_ATTEMPTS,
        removeOnComplete: true,
      });
    },
    async milestone(deploymentId, milestone) {
      // The finished job is kept (for a week) so the same id cannot be added again.
      await queue.add('milestone', { kind: 'milestone', deploymentId, milestone }, {
        jobId: `${deploymentId}-${milestone}`,
        ...(FINAL_MILESTONES.includes(milestone) && { attempts: DURABLE_ATTEMPTS }),
        removeOnComplete: { age: 7 * 86_400 },
      });
    },
  };
}

export interface NotifyDeps {
  readonly store: DeploymentStore;
  /** A WebClient with rejectRateLimitedCalls: true, so a 429 comes back to the queue. */
  readonly slack: Pick<WebClient, 'chat'>;
  readonly requiredApprovals: number;
  readonly logger: Logger;
}

/** Sends one notification; returns nothing, throws to retry. */
export function processNotify(deps: NotifyDeps) {
  return async (job: Job<unknown>): Promise<void> => {
    const parsed = NotifyJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad notify job: ${parsed.error.message}`);
    const data = parsed.data;
    await withLogScope({ deploymentId: data.deploymentId }, async () => {
      const d = await deps.store.get(data.deploymentId);
      if (d === null) throw new UnrecoverableError(`deployment ${data.deploymentId} not found`);
      if (data.kind === 'summary') {
        const message = buildDeploySummary(d, deps.requiredApprovals);
        if (d.messageTs === undefined) {
          const posted = await deps.slack.chat.postMessage({ channel: d.channelId, text: message.text, blocks: message.blocks });
          const ts = posted.ts;
          if (ts === undefined) throw new Error('chat.postMessage returned no ts');
          await deps.store.update(d.id, (current) => ({ ...current, messageTs: ts }));
        } else {
          await deps.slack.chat.update({ channel: d.channelId, ts: d.messageTs, text: message.text, blocks: message.blocks });
        }
        return;
      }
      // Replies need their parent; the summary job posts it, so wait for it by retrying.
      if (d.messageTs === undefined) throw new Error('summary not posted yet');
      const message = buildMilestoneMessage(d, data.milestone);
      await deps.slack.chat.postMessage({
        channel: d.channelId,
        thread_ts: d.messageTs,
        text: message.text,
        blocks: message.blocks,
        reply_broadcast: FINAL_MILESTONES.includes(data.milestone),
      });
      deps.logger.debug({ milestone: data.milestone }, 'milestone posted');
    });
  };
}

export interface NotifyWorkerOptions {
  /** Sends per second at most, across channels (Slack allows about one message a second per channel). */
  readonly perSecond: number;
}

export function createNotifyWorker(queue: QueueConnection, deps: NotifyDeps, options: NotifyWorkerOptions): Worker<NotifyJob, void> {
  const process = processNotify(deps);
  const worker: Worker<NotifyJob, void> = new Worker<NotifyJob, void>(
    NOTIFY_QUEUE,
    async (job) => {
      try {
        await process(job);
      } catch (err) {
        if (isRateLimited(err)) {
          // Slack said when to come back: pause the whole queue that long; the job is not failed.
          deps.logger.warn({ retryAfterSeconds: err.retryAfter }, 'slack rate limit; pausing notifications');
          await worker.rateLimit(Math.max(1, err.retryAfter) * 1000);
          throw Worker.RateLimitError();
        }
        throw err;
      }
    },
    {
      connection: queue.connection,
      prefix: queuePrefix(queue.keyPrefix),
      concurrency: 1, // replies of one deployment stay in order
      limiter: { max: Math.max(1, Math.round(options.perSecond)), duration: 1000 },
    },
  );
  worker.on('failed', (job, err) => deps.logger.warn({ err, jobId: job?.id }, 'notification failed'));
  return worker;
}

function isRateLimited(err: unknown): err is { retryAfter: number } {
  return (
    typeof err === 'object' && err !== null && 'code' in err && err.code === ErrorCode.RateLimitedError &&
    'retryAfter' in err && typeof err.retryAfter === 'number'
  );
}
