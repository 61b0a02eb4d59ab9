/**
 * Web API method handlers for the fake: arguments in (as the WebClient sends them), Slack's
 * JSON reply out. State lives in the stores; this file only maps arguments and error codes.
 */
import { z } from 'zod';
import { asBlocks, BLOCK_LIMITS, validateBlocks } from './blocks.js';
import { fileSummary, type FileStore } from './files.js';
import type { FakeIdentity } from './ids.js';
import { apiMessage, type MessageStore } from './messages.js';
import { isRecord, type FakeMessage, type FakeUser, type JsonObject, type SlackBlock } from './types.js';
import type { ViewResult, ViewStore } from './views.js';

export type ApiResult = JsonObject & { ok: boolean };

/** Seeded people and places; survives reset(). */
export class Directory {
  readonly users = new Map<string, FakeUser>();
  readonly groups = new Map<string, string[]>();
  readonly channelMembers = new Map<string, string[]>();
}

export interface MethodContext {
  identity: FakeIdentity;
  messages: MessageStore;
  views: ViewStore;
  files: FileStore;
  directory: Directory;
  /** http://127.0.0.1:PORT, for upload URLs. */
  origin: string;
  /** The bot token's scopes; undefined: every scope (the methods that check scopes do not refuse). */
  scopes: ReadonlySet<string> | undefined;
}

type Handler = (args: JsonObject, ctx: MethodContext) => ApiResult;

export function ok(body: JsonObject = {}): ApiResult {
  return { ok: true, ...body };
}

export function fail(error: string, messages?: readonly string[]): ApiResult {
  if (!messages || messages.length === 0) return { ok: false, error };
  return {
    ok: false,
    error,
    errors: messages.map((m) => m.replace(/^\[ERROR\] /, '')),
    response_metadata: { messages: [...messages] },
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Posting to a user id lands in the DM with them, which has its own D… id (as in Slack). */
export function dmChannelFor(channel: string): string | undefined {
  return /^[UW][A-Z0-9]+$/.test(channel) ? `D${channel.slice(1)}` : undefined;
}

function bool(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

// ---------------------------------------------------------------------------------------------
// Message content (shared by chat.* and response_url)
// ---------------------------------------------------------------------------------------------

export interface MessageContent {
  text: string | undefined;
  blocks: SlackBlock[] | undefined;
  attachments: JsonObject[] | undefined;
}

/** Checks text/blocks/attachments as chat.postMessage does; `requireContent` gives `no_text`. */
export function readMessageContent(
  args: JsonObject,
  requireContent: boolean,
): { ok: true; value: MessageContent } | { ok: false; result: ApiResult } {
  const text = typeof args['text'] === 'string' ? args['text'] : undefined;
  const rawBlocks = args['blocks'];
  const rawAttachments = args['attachments'];
  const hasBlocks = Array.isArray(rawBlocks) ? rawBlocks.length > 0 : rawBlocks !== undefined;
  if (requireContent && !text && !hasBlocks && rawAttachments === undefined) return { ok: false, result: fail('no_text') };
  if (text !== undefined && text.length > BLOCK_LIMITS.messageText) return { ok: false, result: fail('msg_too_long') };
  if (typeof rawBlocks === 'string')
    return { ok: false, result: fail('invalid_blocks_format', ['[ERROR] blocks must be a JSON array [json-pointer:/blocks]']) };
  if (rawBlocks !== undefined) {
    const problems = validateBlocks(rawBlocks, 'message');
    if (problems.length > 0) return { ok: false, result: fail('invalid_blocks', problems) };
  }
  if (rawAttachments !== undefined && !Array.isArray(rawAttachments)) return { ok: false, result: fail('invalid_attachments') };
  return {
    ok: true,
    value: {
      text,
      blocks: rawBlocks === undefined ? undefined : asBlocks(rawBlocks),
      attachments: Array.isArray(rawAttachments) ? rawAttachments.filter(isRecord) : undefined,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

const authTest: Handler = (_args, { identity }) =>
  ok({
    url: `https://${identity.teamDomain}.slack.com/`,
    team: identity.teamName,
    user: identity.botName,
    team_id: identity.teamId,
    user_id: identity.botUserId,
    bot_id: identity.botId,
    is_enterprise_install: false,
  });

const postMessage: Handler = (args, { messages }) => {
  const requested = str(args['channel']);
  if (!requested) return fail('channel_not_found');
  const channel = dmChannelFor(requested) ?? requested;
  const content = readMessageContent(args, true);
  if (!content.ok) return content.result;
  const posted = messages.post({
    channel,
    text: content.value.text ?? '',
    blocks: content.value.blocks,
    attachments: content.value.attachments,
    metadata: isRecord(args['metadata']) ? args['metadata'] : undefined,
    threadTs: str(args['thread_ts']),
    broadcast: bool(args['reply_broadcast']),
  });
  if (!posted.ok) return fail(posted.error);
  return ok({ channel, ts: posted.value.ts, message: apiMessage(posted.value) });
};

const update: Handler = (args, { messages }) => {
  const channel = str(args['channel']);
  const ts = str(args['ts']);
  // Slack wants the DM's D… id here, not the user id that chat.postMessage accepted.
  if (!channel || dmChannelFor(channel)) return fail('channel_not_found');
  if (!ts) return fail('message_not_found');
  const content = readMessageContent(args, true);
  if (!content.ok) return content.result;
  const updated = messages.update(channel, ts, {
    text: content.value.text,
    blocks: content.value.blocks,
    attachments: content.value.attachments,
    metadata: isRecord(args['metadata']) ? args['metadata'] : undefined,
  });
  if (!updated.ok) return fail(updated.error);
  const { ts: _ts, ...message } = apiMessage(updated.value);
  return ok({ channel, ts, text: updated.value.text, message });
};

const postEphemeral: Handler = (args, { messages, directory }) => {
  const channel = str(args['channel']);
  const user = str(args['user']);
  if (!channel) return fail('channel_not_found');
  if (!user) return fail('user_not_found');
  const members = directory.channelMembers.get(channel);
  if (members && !members.includes(user)) return fail('user_not_in_channel');
  const content = readMessageContent(args, true);
  if (!content.ok) return content.result;
  const threadTs = str(args['thread_ts']);
  const ephemeral = messages.postEphemeral({
    channel,
    user,
    text: content.value.text ?? '',
    source: 'chat.postEphemeral',
    ...(content.value.blocks ? { blocks: content.value.blocks } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  return ok({ message_ts: ephemeral.message_ts });
};

const deleteMessage: Handler = (args, { messages }) => {
  const channel = str(args['channel']);
  const ts = str(args['ts']);
  if (!channel || dmChannelFor(channel)) return fail('channel_not_found');
  if (!ts) return fail('message_not_found');
  const deleted = messages.delete(channel, ts);
  return deleted.ok ? ok({ channel, ts }) : fail(deleted.error);
};

const getPermalink: Handler = (args, { messages }) => {
  const channel = str(args['channel']);
  const ts = str(args['message_ts']);
  if (!channel) return fail('channel_not_found');
  const permalink = ts === undefined ? undefined : messages.permalink(channel, ts);
  return permalink ? ok({ channel, permalink }) : fail('message_not_found');
};

function viewReply(result: ViewResult): ApiResult {
  if (result.ok) return ok({ view: result.value });
  return fail(result.error, 'messages' in result ? result.messages : undefined);
}

const viewsOpen: Handler = (args, { views }) => viewReply(views.open(args['trigger_id'], args['view']));
const viewsPush: Handler = (args, { views }) => viewReply(views.push(args['trigger_id'], args['view']));
const viewsUpdate: Handler = (args, { views }) =>
  viewReply(views.update({ viewId: str(args['view_id']), externalId: str(args['external_id']) }, args['view'], args['hash']));

const usersInfo: Handler = (args, { directory, identity }) => {
  const user = directory.users.get(str(args['user']) ?? '');
  if (!user) return fail('user_not_found');
  const realName = user.real_name ?? user.name;
  return ok({
    user: {
      id: user.id,
      team_id: identity.teamId,
      name: user.name,
      deleted: user.deleted ?? false,
      real_name: realName,
      tz: user.tz ?? 'Etc/UTC',
      is_admin: user.is_admin ?? false,
      is_bot: user.is_bot ?? false,
      is_app_user: false,
      profile: { real_name: realName, display_name: user.name, ...(user.email ? { email: user.email } : {}), team: identity.teamId },
    },
  });
};

const usergroupUsers: Handler = (args, { directory }) => {
  const users = directory.groups.get(str(args['usergroup']) ?? '');
  return users ? ok({ users: [...users] }) : fail('no_such_subteam');
};

const conversationsMembers: Handler = (args, { directory }) => {
  const members = directory.channelMembers.get(str(args['channel']) ?? '');
  if (!members) return fail('channel_not_found');
  const limit = Math.max(1, Math.min(1000, Number(args['limit'] ?? 100) || 100));
  const offset =
    Number(
      Buffer.from(str(args['cursor']) ?? '', 'base64')
        .toString('utf8')
        .replace('offset:', ''),
    ) || 0;
  const page = members.slice(offset, offset + limit);
  const next = offset + limit < members.length ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
  return ok({ members: page, response_metadata: { next_cursor: next } });
};

// ---------------------------------------------------------------------------------------------
// conversations.history / conversations.replies (docs.slack.dev/reference/methods/conversations.history, .replies)
// ---------------------------------------------------------------------------------------------

/** The `*:history` scope a conversation's kind needs, by its id (C public, G private, D direct message). */
function historyScope(channel: string): string {
  if (channel.startsWith('G')) return 'groups:history';
  if (channel.startsWith('D')) return 'im:history';
  return 'channels:history';
}

/** Slack's refusals before reading a conversation: unknown channel, missing scope, bot not a member. */
function readableConversation(channel: string | undefined, ctx: MethodContext): ApiResult | undefined {
  if (!channel) return fail('channel_not_found');
  const members = ctx.directory.channelMembers.get(channel);
  const known = members !== undefined || ctx.messages.all().some((m) => m.channel === channel);
  if (!known) return fail('channel_not_found');
  const needed = historyScope(channel);
  if (ctx.scopes !== undefined && !ctx.scopes.has(needed))
    return { ok: false, error: 'missing_scope', needed, provided: [...ctx.scopes].join(',') };
  // A bot reads only conversations it is in (posting with chat:write.public does not make it a member).
  if (!channel.startsWith('D') && members !== undefined && !members.includes(ctx.identity.botUserId)) return fail('not_in_channel');
  return undefined;
}

/** Slack ts strings compare as numbers ("1700000000.000100"); micro-seconds as integers keep it exact. */
function tsMicros(ts: string): number {
  const [seconds = '0', fraction = ''] = ts.split('.');
  return Number(seconds) * 1e6 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

interface TimeRange {
  oldest: number;
  latest: number;
  inclusive: boolean;
}

function timeRange(args: JsonObject): TimeRange {
  const oldest = str(args['oldest']);
  const latest = str(args['latest']);
  return {
    oldest: oldest === undefined ? 0 : tsMicros(oldest),
    latest: latest === undefined ? Number.POSITIVE_INFINITY : tsMicros(latest),
    inclusive: bool(args['inclusive']),
  };
}

function inRange(ts: string, range: TimeRange): boolean {
  const t = tsMicros(ts);
  return range.inclusive ? t >= range.oldest && t <= range.latest : t > range.oldest && t < range.latest;
}

/** Opaque to apps, as Slack's: base64 of the ts the next page starts after. */
const encodeCursor = (ts: string) => Buffer.from(`next_ts:${ts}`).toString('base64');
function decodeCursor(cursor: string | undefined): string | undefined | null {
  if (cursor === undefined) return undefined;
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  return decoded.startsWith('next_ts:') ? decoded.slice('next_ts:'.length) : null;
}

function pageLimit(args: JsonObject, fallback: number, max: number): number {
  const n = Number(args['limit'] ?? fallback);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

/** The message as history returns it: metadata only when asked for with include_all_metadata. */
function listedMessage(message: FakeMessage, withMetadata: boolean): JsonObject {
  const { metadata, ...rest } = apiMessage(message);
  return withMetadata && metadata !== undefined ? { ...rest, metadata } : rest;
}

/**
 * `ordered` in the method's order; the page after `cursor` (a ts) of at most `limit`, with
 * has_more and the next cursor. `after(a, b)`: whether a comes after b in that order.
 */
function paginate(
  ordered: FakeMessage[],
  args: JsonObject,
  limit: number,
  after: (a: string, b: string) => boolean,
): ApiResult | { page: FakeMessage[]; hasMore: boolean } {
  const from = decodeCursor(str(args['cursor']));
  if (from === null) return fail('invalid_cursor');
  const rest = from === undefined ? ordered : ordered.filter((m) => after(m.ts, from));
  const page = rest.slice(0, limit);
  return { page, hasMore: rest.length > page.length };
}

const conversationsHistory: Handler = (args, ctx) => {
  const channel = str(args['channel']);
  const refused = readableConversation(channel, ctx);
  if (refused || channel === undefined) return refused ?? fail('channel_not_found');
  const range = timeRange(args);
  // Newest first; top-level messages and replies broadcast to the channel, as Slack lists them.
  const ordered = ctx.messages
    .parents(channel)
    .filter((m) => inRange(m.ts, range))
    .sort((a, b) => tsMicros(b.ts) - tsMicros(a.ts));
  const paged = paginate(ordered, args, pageLimit(args, 100, 999), (a, b) => tsMicros(a) < tsMicros(b));
  if ('ok' in paged) return paged;
  const last = paged.page.at(-1);
  const withMetadata = bool(args['include_all_metadata']);
  return ok({
    messages: paged.page.map((m) => listedMessage(m, withMetadata)),
    has_more: paged.hasMore,
    pin_count: 0,
    channel_actions_ts: null,
    channel_actions_count: 0,
    ...(paged.hasMore && last ? { response_metadata: { next_cursor: encodeCursor(last.ts) } } : {}),
  });
};

const conversationsReplies: Handler = (args, ctx) => {
  const channel = str(args['channel']);
  const refused = readableConversation(channel, ctx);
  if (refused || channel === undefined) return refused ?? fail('channel_not_found');
  const ts = str(args['ts']);
  const target = ts === undefined ? undefined : ctx.messages.find(channel, ts);
  if (!target) return fail('thread_not_found');
  // A reply's ts names its thread, as Slack allows.
  const parentTs = target.thread_ts ?? target.ts;
  const parent = ctx.messages.find(channel, parentTs) ?? target;
  const range = timeRange(args);
  // Oldest first, the parent leading every first page whatever the range.
  const replies = ctx.messages.replies(channel, parentTs).filter((m) => inRange(m.ts, range));
  const ordered = [parent, ...replies];
  const paged = paginate(ordered, args, pageLimit(args, 1000, 1000), (a, b) => tsMicros(a) > tsMicros(b));
  if ('ok' in paged) return paged;
  const last = paged.page.at(-1);
  const withMetadata = bool(args['include_all_metadata']);
  return ok({
    messages: paged.page.map((m) => listedMessage(m, withMetadata)),
    has_more: paged.hasMore,
    ...(paged.hasMore && last ? { response_metadata: { next_cursor: encodeCursor(last.ts) } } : {}),
  });
};

const getUploadUrl: Handler = (args, { files, origin }) => {
  const filename = str(args['filename']);
  const length = Number(args['length']);
  if (!filename || !Number.isInteger(length) || length < 0) {
    return fail('invalid_arguments', ['[ERROR] filename and an integer length are required [json-pointer:/]']);
  }
  const file = files.create(filename, length, str(args['alt_text']));
  return ok({ upload_url: `${origin}/upload/${file.id}`, file_id: file.id });
};

const CompleteFilesSchema = z.array(z.object({ id: z.string(), title: z.string().optional() })).min(1);

const completeUpload: Handler = (args, { files, messages }) => {
  const parsed = CompleteFilesSchema.safeParse(args['files']);
  if (!parsed.success) return fail('invalid_arguments', ['[ERROR] files must be a JSON array of { id, title? } [json-pointer:/files]']);
  const found = [];
  for (const { id, title } of parsed.data) {
    const file = files.get(id);
    if (!file) return fail('file_not_found', [`[ERROR] unknown file id ${id} [json-pointer:/files]`]);
    if (!file.uploaded) return fail('file_not_found', [`[ERROR] no bytes were POSTed to the upload URL of ${id} [json-pointer:/files]`]);
    if (title !== undefined) file.title = title;
    found.push(file);
  }
  const channel = str(args['channel_id']) ?? str(args['channels']);
  const threadTs = str(args['thread_ts']);
  const initialComment = str(args['initial_comment']);
  if (channel) {
    const shared = messages.post({ channel, text: initialComment ?? '', threadTs, files: found.map(fileSummary) });
    if (!shared.ok) return fail(shared.error);
  }
  for (const file of found) {
    file.completed = true;
    if (channel) file.channelId = channel;
    if (threadTs) file.threadTs = threadTs;
    if (initialComment) file.initialComment = initialComment;
  }
  return ok({ files: found.map((f) => ({ ...fileSummary(f), filetype: f.name.split('.').at(-1) ?? '' })) });
};

/** reactions.add / reactions.remove by the bot: `name` without colons, on a stored message. */
function reaction(add: boolean): Handler {
  return (args, { messages, identity }) => {
    const channel = str(args['channel']);
    const ts = str(args['timestamp']);
    const name = str(args['name'])?.replace(/^:|:$/g, '');
    if (!name) return fail('invalid_name');
    const message = channel && ts ? messages.find(channel, ts) : undefined;
    if (!message) return fail('message_not_found');
    const list = (message.reactions ??= []);
    const existing = list.find((r) => r.name === name);
    const mine = existing?.users.includes(identity.botUserId) ?? false;
    if (add) {
      if (mine) return fail('already_reacted');
      if (existing) existing.users.push(identity.botUserId);
      else list.push({ name, users: [identity.botUserId], count: 0 });
    } else {
      if (!existing || !mine) return fail('no_reaction');
      existing.users = existing.users.filter((u) => u !== identity.botUserId);
    }
    for (const r of list) r.count = r.users.length;
    message.reactions = list.filter((r) => r.count > 0);
    return ok();
  };
}

export const METHODS: Record<string, Handler> = {
  'reactions.add': reaction(true),
  'reactions.remove': reaction(false),
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.delete': deleteMessage,
  'chat.getPermalink': getPermalink,
  'views.open': viewsOpen,
  'views.update': viewsUpdate,
  'views.push': viewsPush,
  'users.info': usersInfo,
  'usergroups.users.list': usergroupUsers,
  'conversations.members': conversationsMembers,
  'conversations.history': conversationsHistory,
  'conversations.replies': conversationsReplies,
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': completeUpload,
};
