/**
 * Channel history for the fake: parent messages, thread replies, edits and ephemeral messages.
 */
import { withSlackIds, type FakeIdentity, type IdSource } from './ids.js';
import type { FakeEphemeral, FakeFileSummary, FakeMessage, JsonObject, SlackBlock } from './types.js';

export interface PostInput {
  channel: string;
  text: string;
  blocks?: SlackBlock[] | undefined;
  attachments?: JsonObject[] | undefined;
  metadata?: JsonObject | undefined;
  threadTs?: string | undefined;
  broadcast?: boolean | undefined;
  files?: FakeFileSummary[] | undefined;
  subtype?: string | undefined;
  /** Author; defaults to the bot. A user author makes the message non-editable by the bot. */
  user?: string | undefined;
}

export interface UpdateInput {
  text?: string | undefined;
  blocks?: SlackBlock[] | undefined;
  attachments?: JsonObject[] | undefined;
  metadata?: JsonObject | undefined;
}

export type StoreResult<T> = { ok: true; value: T } | { ok: false; error: string };

export class MessageStore {
  private readonly byChannel = new Map<string, FakeMessage[]>();
  private readonly ephemeralList: FakeEphemeral[] = [];

  constructor(
    private readonly identity: FakeIdentity,
    private readonly ids: IdSource,
    private readonly now: () => number,
  ) {}

  post(input: PostInput): StoreResult<FakeMessage> {
    const list = this.channel(input.channel);
    const parent = input.threadTs === undefined ? undefined : this.threadParent(input.channel, input.threadTs);
    if (input.threadTs !== undefined && !parent) return { ok: false, error: 'thread_not_found' };
    const message = this.newMessage(input, parent);
    list.push(message);
    if (parent) this.noteReply(parent, message);
    return { ok: true, value: message };
  }

  update(channel: string, ts: string, patch: UpdateInput): StoreResult<FakeMessage> {
    if (this.isEphemeral(channel, ts)) return { ok: false, error: 'cant_update_message' };
    const message = this.find(channel, ts);
    if (!message) return { ok: false, error: 'message_not_found' };
    if (message.bot_id !== this.identity.botId) return { ok: false, error: 'cant_update_message' };
    // Slack: text without blocks removes the blocks; [] clears them.
    if (patch.text !== undefined) message.text = patch.text;
    setOrDelete(message, 'blocks', patch.blocks === undefined ? undefined : withSlackIds(patch.blocks, this.ids));
    if (patch.attachments !== undefined) setOrDelete(message, 'attachments', patch.attachments);
    if (patch.metadata !== undefined) message.metadata = patch.metadata;
    message.edited = { user: this.identity.botUserId, ts: this.ids.ts() };
    message.revisions.push({ text: message.text, blocks: message.blocks, at: this.now() });
    return { ok: true, value: message };
  }

  delete(channel: string, ts: string): StoreResult<FakeMessage> {
    const list = this.channel(channel);
    const index = list.findIndex((m) => m.ts === ts);
    const message = list[index];
    if (!message) return { ok: false, error: 'message_not_found' };
    if (message.bot_id !== this.identity.botId) return { ok: false, error: 'cant_delete_message' };
    list.splice(index, 1);
    const parent = message.thread_ts !== undefined && message.thread_ts !== ts ? this.find(channel, message.thread_ts) : undefined;
    if (parent) this.recountReplies(parent);
    return { ok: true, value: message };
  }

  postEphemeral(input: Omit<FakeEphemeral, 'message_ts'>): FakeEphemeral {
    const ephemeral: FakeEphemeral = { ...input, message_ts: this.ids.ts() };
    if (ephemeral.blocks) ephemeral.blocks = withSlackIds(ephemeral.blocks, this.ids);
    this.ephemeralList.push(ephemeral);
    return ephemeral;
  }

  /** response_url replace_original on an ephemeral message (the only way to change one). */
  replaceEphemeral(channel: string, ts: string, patch: { text: string; blocks?: SlackBlock[] | undefined }): FakeEphemeral | undefined {
    const ephemeral = this.ephemeralList.find((e) => e.channel === channel && e.message_ts === ts);
    if (!ephemeral) return undefined;
    ephemeral.text = patch.text;
    if (patch.blocks === undefined) delete ephemeral.blocks;
    else ephemeral.blocks = withSlackIds(patch.blocks, this.ids);
    return ephemeral;
  }

  deleteEphemeral(channel: string, ts: string): boolean {
    const index = this.ephemeralList.findIndex((e) => e.channel === channel && e.message_ts === ts);
    if (index >= 0) this.ephemeralList.splice(index, 1);
    return index >= 0;
  }

  find(channel: string, ts: string): FakeMessage | undefined {
    return this.byChannel.get(channel)?.find((m) => m.ts === ts);
  }

  /** Top-level messages (and reply_broadcast replies, which Slack also shows in the channel). */
  parents(channel: string): FakeMessage[] {
    return (this.byChannel.get(channel) ?? []).filter(
      (m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === 'thread_broadcast',
    );
  }

  replies(channel: string, threadTs: string): FakeMessage[] {
    return (this.byChannel.get(channel) ?? []).filter((m) => m.thread_ts === threadTs && m.ts !== threadTs);
  }

  all(): FakeMessage[] {
    return [...this.byChannel.values()].flat();
  }

  ephemerals(filter: { channel?: string | undefined; user?: string | undefined } = {}): FakeEphemeral[] {
    return this.ephemeralList.filter(
      (e) => (filter.channel === undefined || e.channel === filter.channel) && (filter.user === undefined || e.user === filter.user),
    );
  }

  isEphemeral(channel: string, ts: string): boolean {
    return this.ephemeralList.some((e) => e.channel === channel && e.message_ts === ts);
  }

  permalink(channel: string, ts: string): string | undefined {
    const message = this.find(channel, ts);
    if (!message) return undefined;
    const base = `https://${this.identity.teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
    const inThread = message.thread_ts !== undefined && message.thread_ts !== ts;
    return inThread ? `${base}?thread_ts=${message.thread_ts}&cid=${channel}` : base;
  }

  reset(): void {
    this.byChannel.clear();
    this.ephemeralList.length = 0;
  }

  private newMessage(input: PostInput, parent: FakeMessage | undefined): FakeMessage {
    const user = input.user ?? this.identity.botUserId;
    const byBot = input.user === undefined;
    const blocks = input.blocks === undefined ? undefined : withSlackIds(input.blocks, this.ids);
    const message: FakeMessage = {
      type: 'message',
      channel: input.channel,
      ts: this.ids.ts(),
      user,
      team: this.identity.teamId,
      text: input.text,
      revisions: [],
      ...(byBot ? { bot_id: this.identity.botId, app_id: this.identity.appId } : {}),
      ...(blocks ? { blocks } : {}),
      ...(input.attachments ? { attachments: input.attachments } : {}),
      ...(input.metadata ? { metadata: input.metadata } : {}),
      ...(input.files ? { files: input.files, upload: true } : {}),
      ...(parent ? { thread_ts: parent.ts } : {}),
    };
    const subtype = input.subtype ?? (parent && input.broadcast ? 'thread_broadcast' : undefined);
    if (subtype !== undefined) message.subtype = subtype;
    message.revisions.push({ text: message.text, blocks: message.blocks, at: this.now() });
    return message;
  }

  /** A reply's ts resolves to its parent, as Slack does when thread_ts points into a thread. */
  private threadParent(channel: string, threadTs: string): FakeMessage | undefined {
    const target = this.find(channel, threadTs);
    if (!target) return undefined;
    if (target.thread_ts !== undefined && target.thread_ts !== target.ts) return this.find(channel, target.thread_ts);
    return target;
  }

  private noteReply(parent: FakeMessage, reply: FakeMessage): void {
    parent.thread_ts = parent.ts;
    this.recountReplies(parent);
    parent.latest_reply = reply.ts;
  }

  private recountReplies(parent: FakeMessage): void {
    const replies = this.replies(parent.channel, parent.ts);
    parent.reply_count = replies.length;
    parent.reply_users = [...new Set(replies.map((r) => r.user))];
    const last = replies.at(-1);
    if (last) parent.latest_reply = last.ts;
  }

  private channel(channel: string): FakeMessage[] {
    let list = this.byChannel.get(channel);
    if (!list) {
      list = [];
      this.byChannel.set(channel, list);
    }
    return list;
  }
}

function setOrDelete<K extends 'blocks' | 'attachments'>(message: FakeMessage, key: K, value: FakeMessage[K] | undefined): void {
  if (value === undefined) delete message[key];
  else message[key] = value;
}

/** The message as Slack's API returns it (no fake bookkeeping). */
export function apiMessage(message: FakeMessage): JsonObject {
  const { channel: _channel, revisions: _revisions, ...rest } = message;
  return { ...rest };
}
