/**
 * Web API method handlers for the fake: arguments in (as the WebClient sends them), Slack's
 * JSON reply out. State lives in the stores; this file only maps arguments and error codes.
 */
import { z } from 'zod';
import { asBlocks, BLOCK_LIMITS, validateBlocks } from './blocks.js';
import { fileSummary, type FileStore } from './files.js';
import type { FakeIdentity } from './ids.js';
import { apiMessage, type MessageStore } from './messages.js';
import { isRecord, type FakeUser, type JsonObject, type SlackBlock } from './types.js';
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
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': completeUpload,
};
