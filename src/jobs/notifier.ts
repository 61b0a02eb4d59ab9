import type { MessageMetadata, ModalView } from '@slack/types';
import { ErrorCode, type WebClient } from '@slack/web-api';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import { buildDeploySummary, type DeployStatementsModel } from '../blocks/deploy-summary.js';
import { planDeployStatements } from '../snowflake/deploy-plan.js';
import { buildChangeAttention, buildChangeOutcome, buildChangeSummary } from '../blocks/manage.js';
import { EXECUTION_PHASES, type ExecutionPhase, type Operation } from '../domain/operation.js';
import type { ReplyReceipts } from '../store/reply-receipts.js';
import type { OperationStore } from '../store/operation-store.js';
import { buildMilestoneMessage } from '../blocks/deploy-status.js';
import { qualifiedService } from '../domain/deploy-request.js';
import { escapeMrkdwn } from '../blocks/kit.js';
import { MILESTONES, type Deployment, type Milestone } from '../domain/deployment.js';
import { withLogScope, type Logger } from '../logger.js';
import { cannotSucceed, notInChannel, slackErrorCode } from '../slack-errors.js';
import type { DeploymentStore } from '../store/deployment-store.js';
import { queuePrefix, type QueueConnection } from './queues.js';
import type { PacedMethod, SendSlots } from './slack-pace.js';
import { deploymentView } from '../domain/deployment-view.js';
import { operationView } from '../domain/operation-view.js';

/**
 * The only place (besides the request flows) that talks to Slack about a deployment. A job carries
 * just the deployment id and renders from the record when it runs, so a late job sends the
 * latest state. Two queues: summary edits, deduplicated per deployment (one waiting, one running at
 * most), so many deployments' edits go out at once; and thread replies, one job id per milestone
 * (each posted once), sent one at a time so a thread reads in order. Every send first takes a slot
 * (slack-pace.ts) and waits for it in BullMQ's delayed set, so Slack's limits are kept, not hit.
 */

export const SUMMARY_QUEUE = 'notify-summary';
export const REPLY_QUEUE = 'notify';
/** Summary edits sent at once; each is for a different deployment. */
const SUMMARY_CONCURRENCY = 8;

// `slotTaken`: the job has its place in line (slack-pace.ts); when it runs again it only checks the gap.
export const NotifyJob = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('summary'), deploymentId: z.string(), slotTaken: z.boolean().optional() }),
  z.object({ kind: z.literal('milestone'), deploymentId: z.string(), milestone: z.enum(MILESTONES), slotTaken: z.boolean().optional() }),
  // Service and pool change requests (issue 13): the approval summary's edit, and the outcome in the thread.
  z.object({ kind: z.literal('change_summary'), operationId: z.string(), slotTaken: z.boolean().optional() }),
  z.object({
    kind: z.literal('change_outcome'),
    operationId: z.string(),
    phase: z.enum(EXECUTION_PHASES),
    round: z.number().int(),
    slotTaken: z.boolean().optional(),
  }),
  // A confirmed /spcs access change ran (issue 13): the result goes on the person's modal.
  z.object({ kind: z.literal('access_result'), accessId: z.string() }),
]);
export type NotifyJob = z.infer<typeof NotifyJob>;
export type NotifyQueue = Queue<NotifyJob, void>;
export interface NotifyQueues {
  readonly summaries: NotifyQueue;
  readonly replies: NotifyQueue;
}

const FINAL_MILESTONES: readonly Milestone[] = ['running', 'failed'];
/** Replies that must survive a long Slack outage: the outcome, and where to call the model. */
const DURABLE_MILESTONES: readonly Milestone[] = [...FINAL_MILESTONES, 'endpoint_ready'];
/** The summary and final outcomes must survive a long Slack outage: with 500 ms doubling, 15 attempts span about 4.5 hours. */
const DURABLE_ATTEMPTS = 15;

export function createNotifyQueues({ connection, keyPrefix }: QueueConnection): NotifyQueues {
  const queue = (name: string) =>
    new Queue<NotifyJob, void>(name, {
      connection,
      prefix: queuePrefix(keyPrefix),
      defaultJobOptions: { attempts: 8, backoff: { type: 'exponential', delay: 500 }, removeOnFail: 1000 },
    });
  return { summaries: queue(SUMMARY_QUEUE), replies: queue(REPLY_QUEUE) };
}

/** What flows and jobs call to get Slack updated; narrow so they need not know about BullMQ. */
export interface Notifier {
  /** Re-render the summary message (posting it first if it is not there yet). */
  summary(deploymentId: string): Promise<void>;
  /** Post the milestone's thread reply, once per deployment. */
  milestone(deploymentId: string, milestone: Milestone): Promise<void>;
  /** Re-render a change request's approval summary (approvers' gate only; others have none). */
  changeSummary(operationId: string): Promise<void>;
  /** Post a change's outcome (done, failed) or its call for attention, once per execution round. */
  changeOutcome(operationId: string, phase: ExecutionPhase, round: number): Promise<void>;
  /** Put an access change's result on the person's modal (or, closed, where they see it). */
  accessResult(accessId: string): Promise<void>;
}

export function createNotifier(queues: NotifyQueues): Notifier {
  return {
    async summary(deploymentId) {
      await queues.summaries.add(
        'summary',
        { kind: 'summary', deploymentId },
        {
          // keepLastIfActive: a change during a send queues one more render, so the final state is never lost.
          deduplication: { id: `summary-${deploymentId}`, keepLastIfActive: true },
          attempts: DURABLE_ATTEMPTS,
          removeOnComplete: true,
        },
      );
    },
    async milestone(deploymentId, milestone) {
      // The finished job is kept (for a week) so the same id cannot be added again.
      await queues.replies.add(
        'milestone',
        { kind: 'milestone', deploymentId, milestone },
        {
          jobId: milestoneJobId(deploymentId, milestone),
          ...(DURABLE_MILESTONES.includes(milestone) && { attempts: DURABLE_ATTEMPTS }),
          removeOnComplete: { age: 7 * 86_400 },
        },
      );
    },
    async changeSummary(operationId) {
      await queues.summaries.add(
        'change_summary',
        { kind: 'change_summary', operationId },
        {
          deduplication: { id: `summary-${operationId}`, keepLastIfActive: true },
          attempts: DURABLE_ATTEMPTS,
          removeOnComplete: true,
        },
      );
    },
    async changeOutcome(operationId, phase, round) {
      await queues.replies.add(
        'change_outcome',
        { kind: 'change_outcome', operationId, phase, round },
        { jobId: `${operationId}-${phase}-${round}`, attempts: DURABLE_ATTEMPTS, removeOnComplete: { age: 7 * 86_400 } },
      );
    },
    async accessResult(accessId) {
      // Its own job id: the result is sent once, however often the worker reaches this.
      await queues.summaries.add(
        'access_result',
        { kind: 'access_result', accessId },
        { jobId: `${accessId}-result`, removeOnComplete: { age: 86_400 } },
      );
    },
  };
}

export interface NotifyDeps {
  readonly store: DeploymentStore;
  /** Change requests, for the change_* jobs (a process that sends none may leave it out). */
  readonly operations?: Pick<OperationStore, 'get'>;
  readonly slots: SendSlots;
  /** Thread replies Slack already took, and posts that may have reached it, so a job tried again does not post twice. */
  readonly receipts: Pick<ReplyReceipts, 'has' | 'record' | 'posting'>;
  /** The reply queue: a reply waits while an earlier reply of its deployment is still queued. */
  readonly replies: Pick<NotifyQueue, 'getJobState'>;
  /** A WebClient with rejectRateLimitedCalls: true, so a 429 comes back to the queue. */
  readonly slack: Pick<WebClient, 'chat' | 'conversations'> & Partial<Pick<WebClient, 'views'>>;
  /** An access change's result as the notifier sends it (null: nothing to send); app.ts wires it. */
  readonly accessResults?: (accessId: string) => Promise<AccessResultMessage | null>;
  readonly requiredApprovals: number;
  readonly logger: Logger;
}

/**
 * First a place in line (once per job), then, just before sending, a check that the last send is
 * far enough back. Returns when the job may send now; otherwise moves it to delayed (keeping its
 * place) and throws DelayedError, as BullMQ wants.
 */
async function waitForSlot(
  deps: Pick<NotifyDeps, 'slots'>,
  job: Job<unknown>,
  data: NotifyJob & { readonly slotTaken?: boolean | undefined },
  token: string | undefined,
  method: PacedMethod,
  scope: { readonly channelId: string; readonly teamId: string },
): Promise<void> {
  const waitMs = data.slotTaken === true ? 0 : await deps.slots.reserve(method, scope);
  const moreMs = waitMs > 0 ? 0 : await deps.slots.acquire(method, scope);
  if (waitMs === 0 && moreMs === 0) return;
  if (data.slotTaken !== true) await job.updateData({ ...data, slotTaken: true });
  await job.moveToDelayed(Date.now() + waitMs + moreMs, token);
  throw new DelayedError();
}

/** Sends one notification; returns nothing, throws to retry (or DelayedError to wait for its slot). */
export function processNotify(deps: NotifyDeps) {
  return async (job: Job<unknown>, token?: string): Promise<void> => {
    const parsed = NotifyJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad notify job: ${parsed.error.message}`);
    const data = parsed.data;
    if (data.kind === 'access_result') return notifyAccess(deps, data.accessId);
    if (data.kind === 'change_summary' || data.kind === 'change_outcome')
      return withLogScope({ operationId: data.operationId }, () => notifyChange(deps, job, data, token));
    await withLogScope({ deploymentId: data.deploymentId }, async () => {
      const d = await deps.store.get(data.deploymentId);
      if (d === null) throw new UnrecoverableError(`deployment ${data.deploymentId} not found`);
      // A reply waits, without using up its attempts, for its parent (the summary, which may be in
      // line behind a busy channel's messages) and for the replies that come before it.
      if (data.kind === 'milestone' && (d.messageTs === undefined || (await earlierReplyQueued(deps, d.id, data.milestone)))) {
        await job.moveToDelayed(Date.now() + deps.slots.intervalMs('chat.postMessage'), token);
        throw new DelayedError();
      }
      if (data.kind === 'milestone' && job.id !== undefined && (await deps.receipts.has(job.id))) return;
      const send = sendFor(deps, d, data, job.id);
      await waitForSlot(deps, job, data, token, send.method, { channelId: d.channelId, teamId: d.teamId });
      let adopted = false;
      try {
        adopted = await send.run();
      } catch (err) {
        const code = slackErrorCode(err);
        if (!cannotSucceed(code)) throw err; // a network error or an outage: retried with backoff
        deps.logger.error(
          { err, code, method: send.method, channelId: d.channelId, service: qualifiedService(d.request), kind: data.kind },
          `posting the deployment's ${data.kind === 'summary' ? 'summary' : `${data.milestone} reply`} failed: Slack answered ${code}; not retrying`,
        );
        // The first post of the summary follows the wizard's submit at once, so the requester is the person who acted.
        if (data.kind === 'summary' && d.messageTs === undefined && d.state === 'pending' && notInChannel(code))
          await tellRequester(deps, d);
        throw new UnrecoverableError(`${send.method} in ${d.channelId}: ${code}`);
      }
      // The summary found in the channel was rendered by an earlier try: the job runs once more,
      // as an edit with the record as it is now (taking a chat.update slot).
      if (adopted && data.kind === 'summary') {
        await job.updateData({ ...data, slotTaken: false });
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
    });
  };
}

/**
 * Tells the requester why their request did not appear: in the channel only they can see, or,
 * when Slack refuses that too (a private channel hides itself from a bot that is not in it), in
 * their direct messages with the bot.
 */
async function tellRequester(deps: NotifyDeps, d: Deployment): Promise<void> {
  const text =
    `I'm not in <#${d.channelId}>, so I could not post your deployment request for *${escapeMrkdwn(qualifiedService(d.request))}* there. ` +
    'Invite me with `/invite @spcs`, then run `/spcs deploy` again. Nothing was deployed.';
  try {
    await deps.slack.chat.postEphemeral({ channel: d.channelId, user: d.requestedBy, text });
  } catch (err) {
    deps.logger.debug({ err }, 'ephemeral refused too; telling the requester in a direct message');
    await deps.slack.chat
      .postMessage({ channel: d.requestedBy, text })
      .catch((dmErr: unknown) =>
        deps.logger.error({ err: dmErr, requester: d.requestedBy }, 'telling the requester that the bot is not in the channel failed'),
      );
  }
}

// Not 'active': a job held by a killed worker stays active until BullMQ's stall check (30 s), and a
// later reply should not wait for that.
const QUEUED = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/** Whether a reply that comes before `milestone` in a thread is still waiting to be posted. */
async function earlierReplyQueued(deps: NotifyDeps, deploymentId: string, milestone: Milestone): Promise<boolean> {
  const earlier = MILESTONES.slice(0, MILESTONES.indexOf(milestone));
  const states = await Promise.all(earlier.map((m) => deps.replies.getJobState(milestoneJobId(deploymentId, m))));
  return states.some((s) => QUEUED.has(s));
}

/** The statements the approval binds to, for the summary; none when the stored request no longer renders (the worker refuses it). */
function statementsModel(d: Deployment): DeployStatementsModel | undefined {
  try {
    const plan = planDeployStatements(d.request);
    return { statements: [plan.createPool, plan.dropService, plan.call].flatMap((s) => (s === null ? [] : [s.text])), spec: plan.spec };
  } catch {
    return undefined;
  }
}

const milestoneJobId = (deploymentId: string, milestone: Milestone) => `${deploymentId}-${milestone}`;

/** The Slack call a job makes for the deployment as it is now; `run` says whether it adopted a message an earlier try posted. */
function sendFor(
  deps: NotifyDeps,
  d: Deployment,
  data: Extract<NotifyJob, { kind: 'summary' | 'milestone' }>,
  jobId: string | undefined,
): { method: PacedMethod; run: () => Promise<boolean> } {
  if (data.kind === 'summary') {
    const message = buildDeploySummary(deploymentView(d), deps.requiredApprovals, statementsModel(d));
    const ts = d.messageTs;
    if (ts !== undefined) {
      return {
        method: 'chat.update',
        run: async () => {
          await deps.slack.chat.update({ channel: d.channelId, ts, text: message.text, blocks: message.blocks });
          return false;
        },
      };
    }
    const metadata = postMetadata('spcs_deploy_summary', { deployment_id: d.id });
    return {
      method: 'chat.postMessage',
      run: async () => {
        // No receipt can stop a second summary: the record gets the ts only after Slack answered.
        const posted = await postOnce(deps, `summary-${d.id}`, { channel: d.channelId }, metadata, async () => {
          const answer = await deps.slack.chat.postMessage({ channel: d.channelId, text: message.text, blocks: message.blocks, metadata });
          return answer.ts;
        });
        await deps.store.update(d.id, (current) => ({ ...current, messageTs: posted.ts }));
        return posted.adopted;
      },
    };
  }
  const parent = d.messageTs;
  if (parent === undefined) throw new Error('summary not posted yet'); // processNotify waits for it first
  const message = buildMilestoneMessage(deploymentView(d), data.milestone);
  return {
    method: 'chat.postMessage',
    run: async () => {
      const metadata = jobId === undefined ? undefined : postMetadata('spcs_milestone', { job_id: jobId });
      const post = async () => {
        const posted = await deps.slack.chat.postMessage({
          channel: d.channelId,
          thread_ts: parent,
          text: message.text,
          blocks: message.blocks,
          reply_broadcast: FINAL_MILESTONES.includes(data.milestone),
          ...(metadata !== undefined && { metadata }),
        });
        return posted.ts;
      };
      if (jobId === undefined || metadata === undefined) {
        await post();
        return false;
      }
      const posted = await postOnce(deps, jobId, { channel: d.channelId, threadTs: parent }, metadata, post);
      await deps.receipts.record(jobId, posted.ts);
      deps.logger.debug({ milestone: data.milestone, adopted: posted.adopted }, 'milestone posted');
      return posted.adopted;
    },
  };
}

/** Where a message of ours would be: a thread (conversations.replies) or the channel itself (conversations.history). */
interface PostPlace {
  readonly channel: string;
  readonly threadTs?: string | undefined;
}

/** Our messages carry the post they are (Slack's message metadata), so a later try can find them. */
function postMetadata(eventType: string, payload: Record<string, string>): MessageMetadata {
  return { event_type: eventType, event_payload: payload };
}

/** Slack's clock and ours may differ: the search for a post starts this long before its marker. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Pages of history searched at most (200 messages each): a marker names minutes, not days. */
const LOOKUP_PAGES = 5;

/**
 * Posts once across tries: a marker goes to Redis just before the post; a try that finds one from
 * an earlier try looks for the message with `metadata` (written since the marker) and adopts its
 * ts instead of posting. A first try makes no Slack call but the post.
 */
async function postOnce(
  deps: Pick<NotifyDeps, 'receipts' | 'slack' | 'logger'>,
  postKey: string,
  place: PostPlace,
  metadata: MessageMetadata,
  post: () => Promise<string | undefined>,
): Promise<{ ts: string; adopted: boolean }> {
  const earlier = await deps.receipts.posting(postKey, Date.now());
  if (earlier !== null) {
    const found = await findOurPost(deps, place, earlier - CLOCK_SKEW_MS, metadata);
    if (found !== undefined) {
      deps.logger.info({ postKey, channelId: place.channel, ts: found }, 'an earlier try had posted this message; adopting it');
      return { ts: found, adopted: true };
    }
  }
  const ts = await post();
  if (ts === undefined) throw new Error('chat.postMessage returned no ts');
  return { ts, adopted: false };
}

const HistoryPage = z.object({
  messages: z
    .array(
      z.object({
        ts: z.string(),
        metadata: z.object({ event_type: z.string().optional(), event_payload: z.record(z.string(), z.unknown()).optional() }).optional(),
      }),
    )
    .default([]),
  has_more: z.boolean().optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

/**
 * The ts of our message with `metadata` posted since `sinceMs`, if Slack has it. When Slack
 * refuses to show the conversation (the bot only posts there through chat:write.public, a missing
 * history scope), it says so in the log and answers undefined: the post then goes out again, as it
 * did before this search existed.
 */
async function findOurPost(
  deps: Pick<NotifyDeps, 'slack' | 'logger'>,
  place: PostPlace,
  sinceMs: number,
  metadata: MessageMetadata,
): Promise<string | undefined> {
  const oldest = (Math.max(0, sinceMs) / 1000).toFixed(6);
  const wanted = Object.entries(metadata.event_payload);
  let cursor: string | undefined;
  for (let page = 0; page < LOOKUP_PAGES; page++) {
    const args = {
      channel: place.channel,
      oldest,
      inclusive: true,
      include_all_metadata: true,
      limit: 200,
      ...(cursor !== undefined && { cursor }),
    };
    let answer: unknown;
    try {
      answer =
        place.threadTs === undefined
          ? await deps.slack.conversations.history(args)
          : await deps.slack.conversations.replies({ ...args, ts: place.threadTs });
    } catch (err) {
      const code = slackErrorCode(err);
      if (!cannotSucceed(code) && code !== 'thread_not_found') throw err; // an outage: the job is retried
      deps.logger.warn(
        { code, channelId: place.channel },
        `could not look for a message an earlier try may have posted: Slack answered ${code}; posting it (it may show twice)`,
      );
      return undefined;
    }
    const parsed = HistoryPage.parse(answer);
    const found = parsed.messages.find(
      (m) => m.metadata?.event_type === metadata.event_type && wanted.every(([k, v]) => m.metadata?.event_payload?.[k] === v),
    );
    if (found !== undefined) return found.ts;
    cursor = parsed.response_metadata?.next_cursor;
    if (parsed.has_more !== true || cursor === undefined || cursor === '') return undefined;
  }
  return undefined;
}

/** The two notify workers: summary edits several at a time, thread replies one at a time. */
export function createNotifyWorkers(
  queue: QueueConnection,
  deps: NotifyDeps,
  options: { readonly lockDurationMs?: number } = {},
): Array<Worker<NotifyJob, void>> {
  return [
    notifyWorker(queue, deps, SUMMARY_QUEUE, SUMMARY_CONCURRENCY, options.lockDurationMs),
    notifyWorker(queue, deps, REPLY_QUEUE, 1, options.lockDurationMs),
  ];
}

function notifyWorker(
  queue: QueueConnection,
  deps: NotifyDeps,
  name: string,
  concurrency: number,
  lockDurationMs: number | undefined,
): Worker<NotifyJob, void> {
  const process = processNotify(deps);
  const worker: Worker<NotifyJob, void> = new Worker<NotifyJob, void>(
    name,
    async (job, token) => {
      try {
        await process(job, token);
      } catch (err) {
        if (isRateLimited(err)) {
          // Not expected with the slots (another app on the token, a lower limit than documented):
          // Slack said when to come back, so pause the whole queue that long; the job is not failed.
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
      concurrency,
      // A killed worker's job is handed out again once its lock lapses (stall check as often).
      ...(lockDurationMs !== undefined && { lockDuration: lockDurationMs, stalledInterval: lockDurationMs }),
    },
  );
  worker.on('failed', (job, err) =>
    deps.logger.warn(
      { err, jobId: job?.id, ...(job !== undefined && idsOf(job.data)), attemptsMade: job?.attemptsMade },
      `posting a deployment's ${job?.name ?? 'notification'} to Slack failed`,
    ),
  );
  return worker;
}

function isRateLimited(err: unknown): err is { retryAfter: number } {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    err.code === ErrorCode.RateLimitedError &&
    'retryAfter' in err &&
    typeof err.retryAfter === 'number'
  );
}

function idsOf(data: NotifyJob): { deploymentId: string } | { operationId: string } | { accessId: string } {
  if ('accessId' in data) return { accessId: data.accessId };
  return 'deploymentId' in data ? { deploymentId: data.deploymentId } : { operationId: data.operationId };
}

/** What an access result sends: the overview on the modal, or the notice to the person. */
export interface AccessResultMessage {
  readonly viewId: string;
  readonly view: ModalView;
  readonly text: string;
  readonly channelId: string;
  readonly userId: string;
}

/**
 * The modal gets the overview with the result; if it is gone (closed: `not_found`), the person
 * gets the sentence as an ephemeral in the channel, else in a DM.
 */
async function notifyAccess(deps: NotifyDeps, accessId: string): Promise<void> {
  const result = (await deps.accessResults?.(accessId)) ?? null;
  if (result === null) throw new UnrecoverableError(`access change ${accessId} has no result`);
  try {
    if (deps.slack.views === undefined) throw new Error('no views client');
    await deps.slack.views.update({ view_id: result.viewId, view: result.view });
    return;
  } catch (err) {
    const code = slackErrorCode(err);
    // A refusal Slack will repeat (the modal is closed, the view changed); anything else is retried.
    if (code === '' || code === 'ratelimited') throw err;
    deps.logger.info({ code, accessId }, 'access result: the modal is gone; telling the person in the channel');
  }
  const text = `${result.text}\n(The access modal was closed, so the result is here.)`;
  try {
    await deps.slack.chat.postEphemeral({ channel: result.channelId, user: result.userId, text });
  } catch (err) {
    deps.logger.debug({ err }, 'ephemeral refused; telling the person in a direct message');
    await deps.slack.chat.postMessage({ channel: result.userId, text });
  }
}

type ChangeJob = Extract<NotifyJob, { kind: 'change_summary' | 'change_outcome' }>;

/**
 * A change request's Slack side, from the record as it is when the job runs: the summary edit
 * (approvers' gate) or the outcome in the service's thread (or the channel). Paced like the
 * deployment's sends. When the bot is not in the channel, the person who confirmed or last
 * approved learns the outcome where only they see it.
 */
async function notifyChange(deps: NotifyDeps, job: Job<unknown>, data: ChangeJob, token: string | undefined): Promise<void> {
  const op = (await deps.operations?.get(data.operationId)) ?? null;
  if (op === null) throw new UnrecoverableError(`operation ${data.operationId} not found`);
  if (data.kind === 'change_outcome' && job.id !== undefined && (await deps.receipts.has(job.id))) return;
  const send = sendChange(deps, op, data, job.id);
  if (send === null) return;
  await waitForSlot(deps, job, data, token, send.method, { channelId: send.channel, teamId: op.teamId });
  try {
    await send.run();
  } catch (err) {
    const code = slackErrorCode(err);
    if (!cannotSucceed(code)) throw err;
    deps.logger.error(
      { err, code, method: send.method, channelId: send.channel, kind: data.kind },
      `posting the change's ${data.kind} failed: Slack answered ${code}; not retrying`,
    );
    if (data.kind === 'change_outcome' && notInChannel(code)) await tellConfirmer(deps, op, send.text, send.channel);
    throw new UnrecoverableError(`${send.method} in ${send.channel}: ${code}`);
  }
}

function sendChange(
  deps: NotifyDeps,
  op: Operation,
  data: ChangeJob,
  jobId: string | undefined,
): { method: PacedMethod; channel: string; text: string; run: () => Promise<void> } | null {
  if (data.kind === 'change_summary') {
    const ts = op.messageTs;
    if (op.gate !== 'approval' || ts === undefined) return null;
    const summary = buildChangeSummary(operationView(op), deps.requiredApprovals);
    return {
      method: 'chat.update',
      channel: op.channelId,
      text: summary.text,
      run: async () => void (await deps.slack.chat.update({ channel: op.channelId, ts, text: summary.text, blocks: summary.blocks })),
    };
  }
  const message =
    data.phase === 'needs_attention'
      ? buildChangeAttention(operationView(op))
      : data.phase === 'done'
        ? buildChangeOutcome(operationView(op), { ok: true })
        : data.phase === 'failed'
          ? buildChangeOutcome(operationView(op), { ok: false, failure: op.execution?.note ?? ':warning: The change failed.' })
          : null;
  if (message === null) return null;
  const where = op.thread ?? { channelId: op.channelId, ts: undefined };
  return {
    method: 'chat.postMessage',
    channel: where.channelId,
    text: message.text,
    run: async () => {
      const metadata = jobId === undefined ? undefined : postMetadata('spcs_change_outcome', { job_id: jobId });
      const post = async () => {
        const posted = await deps.slack.chat.postMessage({
          channel: where.channelId,
          text: message.text,
          blocks: message.blocks,
          ...(where.ts !== undefined && { thread_ts: where.ts }),
          ...(metadata !== undefined && { metadata }),
        });
        return posted.ts;
      };
      if (jobId === undefined || metadata === undefined) return void (await post());
      const posted = await postOnce(deps, jobId, { channel: where.channelId, threadTs: where.ts }, metadata, post);
      await deps.receipts.record(jobId, posted.ts);
    },
  };
}

/** The bot is not in the channel: whoever confirmed (or last approved) learns the outcome where only they see it, or in a DM. */
async function tellConfirmer(deps: NotifyDeps, op: Operation, outcome: string, channel: string): Promise<void> {
  const user = op.approvals.at(-1)?.userId ?? op.requestedBy;
  const text = `${outcome}\n:warning: I'm not in <#${channel}>, so I could not post this there. Invite me with \`/invite @spcs\`.`;
  try {
    await deps.slack.chat.postEphemeral({ channel, user, text });
  } catch (err) {
    deps.logger.debug({ err }, 'ephemeral refused too; telling the confirmer in a direct message');
    await deps.slack.chat
      .postMessage({ channel: user, text })
      .catch((dmErr: unknown) =>
        deps.logger.error({ err: dmErr, user }, 'telling the confirmer that the bot is not in the channel failed'),
      );
  }
}
