import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRecord, type RecordedCall } from '../support/fake-slack-types.js';
import { approve, CHANNEL, doubledPosts, eventually, runningReplies, startFleet, text, type BotProcess, type Fleet } from './fleet.js';

/**
 * Issue 13, no message posted twice: a worker process is SIGKILLed right after the Slack double
 * accepted its chat.postMessage and before the worker heard the answer (the fake runs its change
 * listeners before it replies, and holds the reply back), so no receipt and no ts on the record was
 * written. A new worker takes the job once its lock lapses, finds the marker its predecessor left,
 * looks for the message by its metadata (conversations.replies / .history) and adopts it.
 */

const LOCK_MS = 2_000;

let fleet: Fleet;
let web: BotProcess;
let worker: BotProcess;
beforeAll(async () => {
  // Message ts from the clock, as Slack's: the search for a post starts from the marker's time.
  fleet = await startFleet({ env: { TEST_NOTIFY_LOCK_MS: String(LOCK_MS) }, fake: { clockTimestamps: true } });
  [web, worker] = await Promise.all([fleet.start('web'), fleet.start('worker')]);
}, 120_000);
afterAll(async () => {
  await fleet?.close();
});

/** The metadata a chat.postMessage call carried, if any. */
function metadataOf(call: RecordedCall): { eventType: unknown; payload: Record<string, unknown> } | undefined {
  const meta = call.args['metadata'];
  if (!isRecord(meta)) return undefined;
  return { eventType: meta['event_type'], payload: isRecord(meta['event_payload']) ? meta['event_payload'] : {} };
}

const summaryPostOf = (call: RecordedCall, service: string) =>
  metadataOf(call)?.eventType === 'spcs_deploy_summary' && String(call.args['text']).includes(service);
const milestonePostOf = (call: RecordedCall, jobId: string) =>
  metadataOf(call)?.eventType === 'spcs_milestone' && metadataOf(call)?.payload['job_id'] === jobId;

/**
 * Kills the current worker (SIGKILL) as soon as the fake has accepted a chat.postMessage that
 * matches, before it answers (answers are held back 500 ms meanwhile); resolves once it is gone.
 */
async function killWorkerWhenPosted(matches: (call: RecordedCall) => boolean, trigger: () => Promise<unknown>): Promise<void> {
  const victim = worker;
  fleet.fake.setLatency('chat.postMessage', 500);
  const killed = new Promise<void>((resolve) => {
    const off = fleet.fake.onChange((change) => {
      if (change.method !== 'chat.postMessage' || !change.ok) return;
      const call = fleet.fake.lastCall('chat.postMessage');
      if (call === undefined || !matches(call)) return;
      off();
      victim.child.kill('SIGKILL');
      resolve();
    });
  });
  const triggered = trigger();
  await killed;
  await victim.exited;
  fleet.fake.setLatency('chat.postMessage', 0);
  worker = await fleet.start('worker');
  await triggered;
}

const conversationsCalls = () => [...fleet.fake.calls('conversations.history'), ...fleet.fake.calls('conversations.replies')];

describe('a worker killed between Slack accepting a post and recording it', () => {
  it('when every post goes out on its first try, then no conversations.* call is made and each post carries its metadata', async () => {
    const { id, ts } = await fleet.request('IRIS_FIRST_TRY');
    await approve(fleet, web, ts);
    await eventually(() => runningReplies(fleet, ts).length > 0 || undefined, 60_000, 'running reply');

    expect(conversationsCalls()).toEqual([]);
    const posts = fleet.fake.calls('chat.postMessage').filter((c) => c.ok);
    expect(posts.filter((c) => summaryPostOf(c, 'IRIS_FIRST_TRY')).map((c) => metadataOf(c)?.payload)).toEqual([{ deployment_id: id }]);
    expect(posts.some((c) => milestonePostOf(c, `${id}-running`))).toBe(true);
  }, 90_000);

  it('when it dies after Slack took a milestone reply, then a new worker adopts that reply: the thread has it once', async () => {
    // The running reply: by then no deploy job is in flight, only the reply (and status rounds, which resume).
    const { id, ts } = await fleet.request('IRIS_REPLY_KILL');
    const jobId = `${id}-running`;
    await killWorkerWhenPosted(
      (c) => milestonePostOf(c, jobId),
      () => approve(fleet, web, ts),
    );
    expect(runningReplies(fleet, ts)).toHaveLength(1);
    expect(await fleet.notifyQueues.replies.getJobState(jobId)).toBe('active'); // held by the killed worker

    await eventually(
      async () => (await fleet.notifyQueues.replies.getJobState(jobId)) === 'completed' || undefined,
      30_000,
      'running reply job completed by the new worker',
    );
    expect(worker.logs.some((l) => l['postKey'] === jobId && String(l['msg']).includes('adopting'))).toBe(true);
    expect(runningReplies(fleet, ts)).toHaveLength(1);
    expect(fleet.fake.calls('chat.postMessage').filter((c) => c.ok && milestonePostOf(c, jobId))).toHaveLength(1);
    // The new worker looked in the thread.
    const searched = fleet.fake.calls('conversations.replies').filter((c) => c.ok && c.args['ts'] === ts);
    expect(searched.length).toBeGreaterThanOrEqual(1);
    expect((await fleet.store.get(id))?.execution?.phase).toBe('running');
    expect(doubledPosts(fleet)).toEqual([]);
  }, 120_000);

  it('when it dies after Slack took the first confirmation summary, then a new worker adopts it: one summary, one set of buttons, and Approve on it works', async () => {
    const service = 'IRIS_SUMMARY_KILL';
    let requested: { id: string; ts: string } | undefined;
    await killWorkerWhenPosted(
      (c) => summaryPostOf(c, service),
      async () => {
        requested = await fleet.request(service, {}, 60_000);
      },
    );
    if (requested === undefined) throw new Error('no deployment');
    const { id, ts } = requested;

    const summaries = fleet.fake
      .messages(CHANNEL)
      .filter((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && text(m).includes(service));
    expect(summaries.map((m) => m.ts)).toEqual([ts]);
    const blocks = JSON.stringify(summaries[0]?.blocks ?? []);
    expect(blocks.split('"action_id":"approval.approve"')).toHaveLength(2);
    expect(blocks.split('"action_id":"approval.reject"')).toHaveLength(2);
    expect(fleet.fake.calls('chat.postMessage').filter((c) => c.ok && summaryPostOf(c, service))).toHaveLength(1);
    const searched = fleet.fake.calls('conversations.history').filter((c) => c.ok && c.args['channel'] === CHANNEL);
    expect(searched.length).toBeGreaterThanOrEqual(1);
    expect(searched[0]?.args['include_all_metadata']).toBe('true');

    await approve(fleet, web, ts);
    await eventually(async () => (await fleet.store.get(id))?.state === 'approved' || undefined, 15_000, 'approved');
    await eventually(() => runningReplies(fleet, ts).length > 0 || undefined, 60_000, 'running reply');
    expect(
      fleet.fake.messages(CHANNEL).filter((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && text(m).includes(service)),
    ).toHaveLength(1);
    expect(doubledPosts(fleet)).toEqual([]);
  }, 120_000);
});
