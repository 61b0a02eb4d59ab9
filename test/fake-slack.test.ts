/**
 * Self-tests for the offline Slack double, driven through the REAL @slack/web-api WebClient.
 */
import { createHmac } from 'node:crypto';
import type { KnownBlock, ModalView, SectionBlock } from '@slack/types';
import { LogLevel, WebAPIPlatformError, WebAPIRateLimitedError, WebClient, type Logger, type WebClientOptions } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blocksText, isPng, startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { signSlackRequest } from './support/slack-request.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let clock = 1_700_000_000_000;
let slack: FakeSlack;
let client: WebClient;

// The WebClient logs Slack's response_metadata messages; the assertions below cover them.
const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

function webClient(extra: WebClientOptions = {}): WebClient {
  return new WebClient(slack.botToken, {
    slackApiUrl: slack.url,
    retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 },
    logger: silentLogger,
    ...extra,
  });
}

/** Awaits a rejection and returns it as the WebClient's platform error. */
async function platformError(promise: Promise<unknown>): Promise<WebAPIPlatformError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WebAPIPlatformError)) throw new Error(`expected WebAPIPlatformError, got ${String(error)}`);
  return error;
}

const section = (text: string): SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const modal = (blocks: KnownBlock[] = [section('hello')], extra: Partial<ModalView> = {}): ModalView => ({
  type: 'modal',
  callback_id: 'deploy',
  title: { type: 'plain_text', text: 'Deploy' },
  blocks,
  ...extra,
});

beforeEach(async () => {
  clock = 1_700_000_000_000;
  slack = await startFakeSlack({ now: () => clock });
  client = webClient();
});

afterEach(async () => {
  await slack.close();
});

describe('auth and dispatch', () => {
  it('answers auth.test with the bot identity', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({
      ok: true,
      team_id: slack.identity.teamId,
      user_id: slack.identity.botUserId,
      bot_id: slack.identity.botId,
    });
  });

  it('rejects a wrong token, reports unknown methods, and never records the token', async () => {
    const bad = new WebClient('xoxb-wrong', { slackApiUrl: slack.url, logger: silentLogger });
    expect((await platformError(bad.auth.test())).data.error).toBe('invalid_auth');
    expect((await platformError(client.apiCall('nope.nothing'))).data.error).toBe('unknown_method');
    await client.chat.postMessage({ channel: 'C1', text: 'hi', token: slack.botToken });
    expect(JSON.stringify(slack.calls())).not.toContain(slack.botToken);
  });
});

describe('messages', () => {
  it('posts, updates and threads messages with increasing ts', async () => {
    const blocks = [section('*Deploying* model')];
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'Deploying', blocks });
    expect(parent.ts).toBe('1700000000.000100');
    expect(slack.lastCall('chat.postMessage')?.args['blocks']).toEqual(blocks); // parsed back from the form body

    const reply = await client.chat.postMessage({ channel: 'C1', text: 'step 1', thread_ts: parent.ts ?? '' });
    const broadcast = await client.chat.postMessage({ channel: 'C1', text: 'done', thread_ts: parent.ts ?? '', reply_broadcast: true });
    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));

    await client.chat.update({ channel: 'C1', ts: parent.ts ?? '', text: 'Deployed', blocks: [section('*Deployed*')] });
    const stored = slack.message('C1', parent.ts ?? '');
    expect(blocksText(stored?.blocks)).toBe('*Deployed*');
    expect(stored?.revisions.map((r) => r.text)).toEqual(['Deploying', 'Deployed']);
    expect(stored?.reply_count).toBe(2);
    expect(slack.replies('C1', parent.ts ?? '').map((m) => m.text)).toEqual(['step 1', 'done']);
    expect(slack.messages('C1').map((m) => m.ts)).toEqual([parent.ts, broadcast.ts]);
    expect(slack.messages('C1')[1]?.subtype).toBe('thread_broadcast');

    // text without blocks removes the blocks, as Slack does
    await client.chat.update({ channel: 'C1', ts: parent.ts ?? '', text: 'plain' });
    expect(slack.message('C1', parent.ts ?? '')?.blocks).toBeUndefined();
  });

  it('accepts JSON bodies and posts to a user id in their DM channel', async () => {
    const raw = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slack.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'U0APPROVER', text: 'please approve', blocks: [section('please approve')] }),
    });
    const body: unknown = await raw.json();
    expect(body).toMatchObject({ ok: true, channel: 'D0APPROVER' });
    expect(slack.messages(slack.dmChannelId('U0APPROVER'))).toHaveLength(1);
    const { ts } = slack.messages('D0APPROVER')[0] ?? { ts: '' };
    expect((await platformError(client.chat.update({ channel: 'U0APPROVER', ts, text: 'x' }))).data.error).toBe('channel_not_found');
  });

  it('gives Slack error codes for bad message calls', async () => {
    const code = async (p: Promise<unknown>) => (await platformError(p)).data.error;
    expect(await code(client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' }))).toBe('message_not_found');
    expect(await code(client.chat.postMessage({ channel: 'C1', text: '' }))).toBe('no_text');
    expect(await code(client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
    const eph = await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' });
    expect(await code(client.chat.update({ channel: 'C1', ts: eph.message_ts ?? '', text: 'x' }))).toBe('cant_update_message');
    expect(slack.ephemerals({ user: 'U1' })).toHaveLength(1);
  });

  it('deletes and links messages', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'x' });
    const link = await client.chat.getPermalink({ channel: 'C1', message_ts: ts ?? '' });
    expect(link.permalink).toBe(`https://fake-team.slack.com/archives/C1/p${(ts ?? '').replace('.', '')}`);
    await client.chat.delete({ channel: 'C1', ts: ts ?? '' });
    expect(slack.messages('C1')).toEqual([]);
  });

  it('rejects invalid blocks with Slack-style messages', async () => {
    const many = Array.from({ length: 51 }, (_, i) => section(`b${i}`));
    const tooMany = await platformError(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: many }));
    expect(tooMany.data.error).toBe('invalid_blocks');
    expect(tooMany.data.response_metadata?.messages).toEqual(['[ERROR] must be less than 51 items (got 51) [json-pointer:/blocks]']);

    const longButton = [
      { type: 'actions', elements: [{ type: 'button', action_id: 'go', text: { type: 'plain_text', text: 'x'.repeat(76) } }] },
    ];
    const button = await platformError(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: longButton }));
    expect(button.data.response_metadata?.messages?.[0]).toContain('/blocks/0/elements/0/text/text');

    const input = [{ type: 'input', label: { type: 'plain_text', text: 'Name' }, element: { type: 'plain_text_input', action_id: 'n' } }];
    expect((await platformError(client.chat.postMessage({ channel: 'C1', text: 'x', blocks: input }))).data.error).toBe('invalid_blocks');
    expect(slack.messages('C1')).toEqual([]);
  });
});

describe('views', () => {
  it('lets a trigger be used once within 3 s', async () => {
    const late = slack.issueTriggerId();
    clock += 3001;
    expect((await platformError(client.views.open({ trigger_id: late, view: modal() }))).data.error).toBe('expired_trigger_id');

    const fresh = slack.issueTriggerId();
    clock += 2999;
    const opened = await client.views.open({ trigger_id: fresh, view: modal() });
    expect(opened.view?.id).toMatch(/^V[0-9A-Z]{10}$/);
    expect((await platformError(client.views.open({ trigger_id: fresh, view: modal() }))).data.error).toBe('exchanged_trigger_id');
    expect((await platformError(client.views.open({ trigger_id: 'made.up', view: modal() }))).data.error).toBe('invalid_trigger_id');
    expect(slack.viewStack().map((v) => v.id)).toEqual([opened.view?.id]);
  });

  it('holds at most 3 views in a stack', async () => {
    const root = await client.views.open({ trigger_id: slack.issueTriggerId(), view: modal() });
    const rootId = root.view?.id ?? '';
    await client.views.push({ trigger_id: slack.issueTriggerId({ viewId: rootId }), view: modal() });
    await client.views.push({ trigger_id: slack.issueTriggerId({ viewId: rootId }), view: modal() });
    const third = platformError(client.views.push({ trigger_id: slack.issueTriggerId({ viewId: rootId }), view: modal() }));
    expect((await third).data.error).toBe('push_limit_reached');
    expect(slack.viewStack(rootId)).toHaveLength(3);
  });

  it('does not push with a trigger from outside a modal, and applies submission acks', async () => {
    const root = await client.views.open({ trigger_id: slack.issueTriggerId({ outsideModal: true }), view: modal() });
    const rootId = root.view?.id ?? '';
    const fromMessage = await platformError(client.views.push({ trigger_id: slack.issueTriggerId({ outsideModal: true }), view: modal() }));
    expect(fromMessage.data.error).toBe('invalid_trigger_id');

    expect(slack.applyViewSubmissionResponse(rootId, { response_action: 'push', view: modal([section('pushed')]) })).toMatchObject({
      ok: true,
    });
    expect(slack.viewStack(rootId).map((v) => blocksText(v.blocks))).toEqual(['hello', 'pushed']);
    slack.applyViewSubmissionResponse(slack.currentView()?.id ?? '', undefined); // plain ack() closes the top view only
    expect(slack.viewStack(rootId).map((v) => v.id)).toEqual([rootId]);
    slack.applyViewSubmissionResponse(rootId, { response_action: 'clear' });
    expect(slack.openViewStacks()).toEqual([]);
  });

  it('updates by view_id or external_id and refuses a stale hash', async () => {
    const opened = await client.views.open({
      trigger_id: slack.issueTriggerId(),
      view: modal([section('step 1')], { external_id: 'draft-1' }),
    });
    const first = opened.view;
    const updated = await client.views.update({
      view_id: first?.id ?? '',
      hash: first?.hash ?? '',
      view: modal([section('step 2')], { external_id: 'draft-1' }),
    });
    expect(updated.view?.hash).not.toBe(first?.hash);
    const stale = await platformError(
      client.views.update({ view_id: first?.id ?? '', hash: first?.hash ?? '', view: modal([section('step 3')]) }),
    );
    expect(stale.data.error).toBe('hash_conflict');
    await client.views.update({ external_id: 'draft-1', view: modal([section('step 4')], { external_id: 'draft-1' }) });
    expect(blocksText(slack.view('draft-1')?.blocks)).toBe('step 4');
  });

  it('validates modal limits', async () => {
    const open = (view: ModalView) => platformError(client.views.open({ trigger_id: slack.issueTriggerId(), view }));
    const big = await open(modal(Array.from({ length: 101 }, (_, i) => section(`b${i}`))));
    expect(big.data.error).toBe('invalid_arguments');
    expect(big.data.response_metadata?.messages).toEqual(['[ERROR] must be less than 101 items (got 101) [json-pointer:/view/blocks]']);
    const title = await open(
      modal([section('x')], { title: { type: 'plain_text', text: 'x'.repeat(25) }, private_metadata: 'm'.repeat(3001) }),
    );
    expect(title.data.response_metadata?.messages).toEqual([
      '[ERROR] must be less than 25 characters (got 25) [json-pointer:/view/title/text]',
      '[ERROR] must be less than 3001 characters (got 3001) [json-pointer:/view/private_metadata]',
    ]);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once a window is full', async () => {
    slack.enableRateLimits({ limits: { 'chat.update': { limit: 1, windowMs: 60_000 } } });
    const rejecting = webClient({ rejectRateLimitedCalls: true });
    const { ts } = await rejecting.chat.postMessage({ channel: 'C1', text: 'x' });
    await rejecting.chat.update({ channel: 'C1', ts: ts ?? '', text: 'y' });
    const error: unknown = await rejecting.chat.update({ channel: 'C1', ts: ts ?? '', text: 'z' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect(error instanceof WebAPIRateLimitedError && error.retryAfter).toBe(60);

    const raw = await fetch(`${slack.url}chat.update`, {
      method: 'POST',
      headers: { authorization: `Bearer ${slack.botToken}` },
      body: '',
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('60');
    expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });
    expect(slack.rateLimitedCount('chat.update')).toBe(2);

    clock += 60_000; // the window slides
    await rejecting.chat.update({ channel: 'C1', ts: ts ?? '', text: 'w' });
  });

  it('limits chat.postMessage per channel, and the default client retries after Retry-After', async () => {
    slack.enableRateLimits({ scale: 3 }); // 3 messages per 1 s per channel
    for (const text of ['1', '2', '3']) await client.chat.postMessage({ channel: 'C1', text });
    await client.chat.postMessage({ channel: 'C2', text: 'other channel' });
    const started = Date.now();
    const late = client.chat.postMessage({ channel: 'C1', text: '4' });
    await slack.waitForCall('chat.postMessage', (c) => c.status === 429);
    clock += 1000;
    await late;
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // waited Retry-After: 1
    expect(slack.rateLimitedCount()).toBe(1);
    expect(slack.messages('C1').map((m) => m.text)).toEqual(['1', '2', '3', '4']);
  });
});

describe('files', () => {
  it('receives files.uploadV2 bytes and shares them in a thread', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'metrics' });
    await client.files.uploadV2({
      channel_id: 'C1',
      thread_ts: ts ?? '',
      initial_comment: 'latency chart',
      file: PNG,
      filename: 'latency.png',
    });
    const [file] = slack.files();
    expect(file?.bytes.equals(PNG)).toBe(true);
    expect(file && isPng(file.bytes)).toBe(true);
    expect(file).toMatchObject({
      mimetype: 'image/png',
      size: PNG.length,
      declaredLength: PNG.length,
      completed: true,
      channelId: 'C1',
      threadTs: ts,
    });
    const [reply] = slack.replies('C1', ts ?? '');
    expect(reply).toMatchObject({ text: 'latency chart', files: [{ id: file?.id, name: 'latency.png' }] });
    expect(slack.calls().map((c) => c.method)).toEqual([
      'chat.postMessage',
      'files.getUploadURLExternal',
      'file_upload',
      'files.completeUploadExternal',
    ]);
  });
});

describe('response_url', () => {
  it('replaces the original message, then allows at most 5 uses', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'Approve?', blocks: [section('Approve?')] });
    const url = slack.issueResponseUrl({ channel: 'C1', messageTs: ts ?? '', userId: 'U1' });
    const post = (body: object) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect((await post({ replace_original: true, text: 'Approved by <@U1>' })).status).toBe(200);
    expect(slack.message('C1', ts ?? '')?.text).toBe('Approved by <@U1>');
    expect(slack.message('C1', ts ?? '')?.blocks).toBeUndefined();
    await post({ text: 'just you' });
    await post({ response_type: 'in_channel', text: 'for everyone' });
    await post({ text: 'four' });
    await post({ text: 'five' });
    const sixth = await post({ text: 'six' });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toEqual({ ok: false, error: 'used_url' });
    expect(slack.ephemerals({ user: 'U1' }).map((e) => e.text)).toEqual(['just you', 'four', 'five']);
    expect(slack.messages('C1').map((m) => m.text)).toEqual(['Approved by <@U1>', 'for everyone']);
    expect(slack.calls('response_url').map((c) => c.status)).toEqual([200, 200, 200, 200, 200, 404]);
  });

  it('expires after 30 minutes', async () => {
    const url = slack.issueResponseUrl({ channel: 'C1', userId: 'U1' });
    clock += 30 * 60_000 + 1;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"late"}' });
    expect(res.status).toBe(404);
  });
});

describe('conversations.history and conversations.replies', () => {
  const metadata = { event_type: 'spcs_deploy_summary', event_payload: { deployment_id: 'd1' } };

  it('lists the channel newest first by page, with metadata only when asked for', async () => {
    const posted: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      posted.push((await client.chat.postMessage({ channel: 'C1', text, metadata })).ts ?? '');
    }
    const thread = posted[0] ?? '';
    await client.chat.postMessage({ channel: 'C1', text: 'in thread', thread_ts: thread });

    const first = await client.conversations.history({ channel: 'C1', limit: 2, include_all_metadata: true });
    expect(first.messages?.map((m) => m.text)).toEqual(['three', 'two']);
    expect(first.messages?.[0]?.metadata).toEqual(metadata);
    expect(first.has_more).toBe(true);
    const next = first.response_metadata?.next_cursor ?? '';
    expect(next).not.toBe('');
    const second = await client.conversations.history({ channel: 'C1', limit: 2, cursor: next });
    expect(second.messages?.map((m) => m.text)).toEqual(['one']);
    expect(second.messages?.[0]?.metadata).toBeUndefined();
    expect(second.messages?.[0]?.reply_count).toBe(1);
    expect(second.has_more).toBe(false);
    expect(second.response_metadata?.next_cursor ?? '').toBe('');

    // oldest and latest are exclusive unless inclusive is set.
    const between = await client.conversations.history({ channel: 'C1', oldest: posted[0] ?? '', latest: posted[2] ?? '' });
    expect(between.messages?.map((m) => m.text)).toEqual(['two']);
    const from = await client.conversations.history({ channel: 'C1', oldest: posted[1] ?? '', inclusive: true });
    expect(from.messages?.map((m) => m.text)).toEqual(['three', 'two']);
  });

  it('lists a thread oldest first, parent first, from a reply ts too', async () => {
    const parent = (await client.chat.postMessage({ channel: 'C1', text: 'parent' })).ts ?? '';
    const replies: string[] = [];
    for (const text of ['r1', 'r2', 'r3']) {
      const reply = await client.chat.postMessage({
        channel: 'C1',
        text,
        thread_ts: parent,
        metadata: { event_type: 'spcs_milestone', event_payload: { job_id: text } },
      });
      replies.push(reply.ts ?? '');
    }
    const first = await client.conversations.replies({ channel: 'C1', ts: parent, limit: 2, include_all_metadata: true });
    expect(first.messages?.map((m) => m.text)).toEqual(['parent', 'r1']);
    expect(first.messages?.[1]?.metadata?.event_payload).toEqual({ job_id: 'r1' });
    expect(first.has_more).toBe(true);
    const rest = await client.conversations.replies({ channel: 'C1', ts: parent, cursor: first.response_metadata?.next_cursor ?? '' });
    expect(rest.messages?.map((m) => m.text)).toEqual(['r2', 'r3']);
    expect(rest.has_more).toBe(false);
    const since = await client.conversations.replies({ channel: 'C1', ts: replies[1] ?? '', oldest: replies[1] ?? '' });
    expect(since.messages?.map((m) => m.text)).toEqual(['parent', 'r3']);
  });

  it("gives Slack's refusals: unknown channel or thread, a bot not in the channel, a missing scope", async () => {
    const code = async (p: Promise<unknown>) => (await platformError(p)).data.error;
    expect(await code(client.conversations.history({ channel: 'C404' }))).toBe('channel_not_found');
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(await code(client.conversations.replies({ channel: 'C1', ts: '1.000001' }))).toBe('thread_not_found');

    slack.seedChannelMembers('C2', ['U1']); // the bot posts with chat:write.public but is no member
    await client.chat.postMessage({ channel: 'C2', text: 'x' });
    expect(await code(client.conversations.history({ channel: 'C2' }))).toBe('not_in_channel');

    slack.setScopes(['chat:write', 'channels:history']);
    await client.chat.postMessage({ channel: 'G1', text: 'private' });
    const missing = await platformError(client.conversations.history({ channel: 'G1' }));
    expect(missing.data).toMatchObject({ error: 'missing_scope', needed: 'groups:history', provided: 'chat:write,channels:history' });
    expect((await client.conversations.replies({ channel: 'C1', ts: ts ?? '' })).messages).toHaveLength(1);
  });

  it('limits both at Tier 3', async () => {
    slack.enableRateLimits(); // the clock stands still: one minute's window
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'x' });
    const strict = webClient({ rejectRateLimitedCalls: true });
    for (let i = 0; i < 50; i++) await strict.conversations.replies({ channel: 'C1', ts: ts ?? '' });
    await expect(strict.conversations.replies({ channel: 'C1', ts: ts ?? '' })).rejects.toBeInstanceOf(WebAPIRateLimitedError);
  });
});

describe('directory, latency and waiting', () => {
  it('serves seeded users, groups and channel members', async () => {
    slack.seedUsers([{ id: 'U1', name: 'ada', email: 'ada@example.com' }]);
    slack.seedUserGroup('S1', ['U1', 'U2']);
    slack.seedChannelMembers('C1', ['U1', 'U2', 'U3']);
    expect((await client.users.info({ user: 'U1' })).user?.profile?.email).toBe('ada@example.com');
    expect((await platformError(client.users.info({ user: 'U9' }))).data.error).toBe('user_not_found');
    expect((await client.usergroups.users.list({ usergroup: 'S1' })).users).toEqual(['U1', 'U2']);
    expect((await platformError(client.usergroups.users.list({ usergroup: 'S9' }))).data.error).toBe('no_such_subteam');
    const members: string[] = [];
    for await (const page of client.paginate('conversations.members', { channel: 'C1', limit: 2 })) {
      if ('members' in page && Array.isArray(page.members)) members.push(...page.members.map(String));
    }
    expect(members).toEqual(['U1', 'U2', 'U3']);
  });

  it('delays replies and explains a waitForCall timeout', async () => {
    slack.setLatency('auth.test', 150);
    const started = Date.now();
    await client.auth.test();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await expect(slack.waitForCall('chat.update', undefined, 50)).rejects.toThrow(/waitForCall\('chat.update'\)[\s\S]*#1 auth.test \[ok\]/);
  });

  it('injects one-shot failures', async () => {
    slack.failNext('chat.postMessage', 'channel_not_found');
    expect((await platformError(client.chat.postMessage({ channel: 'C1', text: 'x' }))).data.error).toBe('channel_not_found');
    await client.chat.postMessage({ channel: 'C1', text: 'x' });
  });
});

describe('request signing', () => {
  it("matches Slack's documented example and an independent HMAC", () => {
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const expected = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
    expect(signSlackRequest(secret, 1531420618, body)).toBe(expected);
    const independent = `v0=${createHmac('sha256', secret)
      .update(Buffer.from(`v0:1531420618:${body}`, 'utf8'))
      .digest('hex')}`;
    expect(independent).toBe(expected);
  });
});
