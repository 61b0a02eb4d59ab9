/**
 * The local Slack sandbox: one loopback HTTP server that is Slack's Web API for the bot (the
 * same implementation the tests use, sandbox/slack-api/) and, for a person in a browser, a
 * Slack-like page with a small JSON API. What the person does goes to the bot's /slack/events
 * as Slack sends it (signed, with live trigger_ids and response_urls, a 3-second ack window);
 * what the bot does through the Web API reaches the page through a server-sent change feed.
 * A side panel reads and drives the SPCS emulator's admin API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { buildPage, type PageAssets } from './page/build.js';
import type { Snapshot, SnapshotMessage, SnapshotNotice, SnapshotView } from './page/snapshot.js';
import { DEMO_CHANNEL, DEMO_PEOPLE, type SandboxPerson } from './people.js';
import { ACK_TIMEOUT_MS, createSlackRequestClient, type SlackHttpResponse } from './slack-api/client.js';
import { sendJson, sendText, safeJson } from './slack-api/http.js';
import { FakeSlack, type SlackChange } from './slack-api/server.js';
import {
  isRecord,
  type FakeEphemeral,
  type FakeMessage,
  type FakeView,
  type JsonObject,
  type ViewStateValue,
  type ViewStateValues,
} from './slack-api/types.js';

export interface TimeStep {
  label: string;
  /** Virtual milliseconds the emulator's clock moves on. */
  advanceMs: number;
}

export interface SandboxOptions {
  /** @defaultValue 3100; 0 picks a free port. Always 127.0.0.1. */
  port?: number;
  /** The bot's request URL, e.g. http://127.0.0.1:3000/slack/events. */
  botEventsUrl: string;
  signingSecret: string;
  /** The bot token the Web API accepts. */
  botToken?: string;
  /** The SPCS emulator's base URL, for the Snowflake panel. */
  emulatorUrl?: string;
  people?: readonly SandboxPerson[];
  channel?: { id: string; name: string };
  /** The Snowflake panel's "move time on" buttons. */
  timeSteps?: readonly TimeStep[];
}

export interface Sandbox {
  /** The page: http://127.0.0.1:PORT/ */
  readonly url: string;
  /** The Web API base for the bot's SLACK_API_URL. */
  readonly slackApiUrl: string;
  readonly slack: FakeSlack;
  close(): Promise<void>;
}

/** Something Slack would show the person, or a refusal a developer must see: a missed ack, invalid blocks. */
export type Notice = SnapshotNotice;

const DEFAULT_PORT = 3100;
const MAX_NOTICES = 50;

const UserId = z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id');
const SurfaceSchema = z.union([z.object({ channel: z.string(), ts: z.string() }), z.object({ viewId: z.string() })]);
const InputValueSchema = z.union([z.string(), z.array(z.string()), z.number(), z.null()]);
const OptionSchema = z.object({
  text: z.object({ type: z.literal('plain_text'), text: z.string(), emoji: z.boolean().optional() }),
  value: z.string(),
});
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();
/** `view.state.values` as the page read them from its form: block_id → action_id → value, as Slack spells them. */
const StateValues = z
  .record(
    z.string(),
    z.record(
      z.string(),
      z.object({
        type: z.string(),
        value: nullable(z.string()),
        selected_option: nullable(OptionSchema),
        selected_options: z.array(OptionSchema).optional(),
        selected_user: nullable(z.string()),
        selected_users: z.array(z.string()).optional(),
        selected_conversation: nullable(z.string()),
        selected_conversations: z.array(z.string()).optional(),
        selected_channel: nullable(z.string()),
        selected_channels: z.array(z.string()).optional(),
        selected_date: nullable(z.string()),
        selected_time: nullable(z.string()),
        selected_date_time: nullable(z.number()),
      }),
    ),
  )
  .optional();

const MessageRequest = z.object({ user: UserId, text: z.string().min(1).max(40_000), threadTs: z.string().optional() });
const ActionRequest = z.object({
  user: UserId,
  surface: SurfaceSchema,
  actionId: z.string(),
  blockId: z.string().optional(),
  value: InputValueSchema.optional(),
  selectedOption: z.object({ text: z.string(), value: z.string() }).optional(),
  values: StateValues,
});
const SubmitRequest = z.object({ user: UserId, viewId: z.string(), values: StateValues });
const CloseRequest = z.object({ user: UserId, viewId: z.string(), all: z.boolean().default(false) });
const SuggestRequest = z.object({
  user: UserId,
  surface: SurfaceSchema,
  actionId: z.string(),
  blockId: z.string().optional(),
  value: z.string(),
});
const ClockRequest = z.object({
  advanceMs: z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3_600_000),
});
const FaultRequest = z.object({ spec: z.string().min(1).max(200) });
const PlatformMonitorRequest = z.object({
  service: z.string().min(1).max(400),
  groups: z.array(z.enum(['system', 'system_limits'])).min(1),
});
const OptionsAnswer = z.looseObject({ options: z.array(z.unknown()).optional(), option_groups: z.array(z.unknown()).optional() });

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const people = options.people ?? DEMO_PEOPLE;
  const channel = options.channel ?? DEMO_CHANNEL;
  const assets = await buildPage();
  const fake = new FakeSlack({
    clockTimestamps: true,
    ...(options.botToken === undefined ? {} : { botToken: options.botToken }),
    teamName: 'Sandbox',
    teamDomain: 'sandbox',
    users: [...people],
    channelMembers: { [channel.id]: people.map((p) => p.id) },
  });
  const sandbox = new SandboxServer(fake, options, people, channel, assets);
  fake.onChange((change) => sandbox.changed(change));
  const port = options.port ?? DEFAULT_PORT;
  await fake.listen({ port, fallback: (req, res, body) => sandbox.route(req, res, body) }).catch((error: unknown) => {
    const code = isRecord(error) ? error['code'] : undefined;
    throw code === 'EADDRINUSE' ? new Error(`port ${port} on 127.0.0.1 is taken; set SANDBOX_PORT to a free port (0: any)`) : error;
  });
  const url = `${fake.origin}/`;
  return {
    url,
    slackApiUrl: fake.url,
    slack: fake,
    close: async () => {
      sandbox.closeFeeds();
      await fake.close();
    },
  };
}

class SandboxServer {
  private readonly client;
  /** trigger_id → who acted, so a modal opens for the person who asked for it. */
  private readonly triggerOwners = new Map<string, string>();
  private readonly notices: Notice[] = [];
  private noticeSeq = 0;
  private readonly feeds = new Set<ServerResponse>();

  constructor(
    private readonly fake: FakeSlack,
    private readonly options: SandboxOptions,
    private readonly people: readonly SandboxPerson[],
    private readonly channel: { id: string; name: string },
    private readonly assets: PageAssets,
  ) {
    const first = people[0];
    this.client = createSlackRequestClient({
      url: options.botEventsUrl,
      signingSecret: options.signingSecret,
      fake,
      ackTimeoutMs: ACK_TIMEOUT_MS,
      ...(first ? { user: { id: first.id, name: first.name } } : {}),
    });
  }

  // ---- change feed --------------------------------------------------------------------------

  changed(change: SlackChange): void {
    if (!change.ok && change.method !== 'client') {
      // The bot's call was refused: Slack would show nothing, which is exactly what hides bugs.
      this.notice({
        level: 'error',
        text: `${change.method} was refused: ${change.error ?? 'error'}`,
        ...(change.messages ? { details: change.messages } : {}),
      });
      return;
    }
    this.broadcast(change.seq);
  }

  private notice(notice: Omit<Notice, 'id' | 'at'>): void {
    this.notices.push({ ...notice, id: ++this.noticeSeq, at: Date.now() });
    if (this.notices.length > MAX_NOTICES) this.notices.shift();
    this.broadcast(this.fake.changeCount);
  }

  private broadcast(seq: number): void {
    const data = `event: change\ndata: ${JSON.stringify({ seq, notices: this.noticeSeq })}\n\n`;
    for (const res of this.feeds) res.write(data);
  }

  closeFeeds(): void {
    for (const res of this.feeds) res.end();
    this.feeds.clear();
  }

  // ---- routes -------------------------------------------------------------------------------

  async route(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    // Loopback only is not enough against other web pages: refuse other Host names (DNS rebinding)
    // and cross-site form posts (only same-origin JSON passes without a CORS preflight we never grant).
    if (!isLoopbackHost(req.headers.host))
      return sendJson(res, 403, { ok: false, error: 'the sandbox answers only to 127.0.0.1 or localhost' });
    if (req.method === 'POST' && !(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return sendJson(res, 415, { ok: false, error: 'the sandbox API takes application/json' });
    }
    if (req.method === 'GET') {
      if (path === '/' || path === '/index.html') return sendAsset(res, 'text/html; charset=utf-8', this.assets.html);
      if (path === '/sandbox.js') return sendAsset(res, 'text/javascript; charset=utf-8', this.assets.js);
      if (path === '/sandbox.css') return sendAsset(res, 'text/css; charset=utf-8', this.assets.css);
      if (path === '/favicon.ico') return void res.writeHead(204).end();
      if (path === '/sandbox/api/events') return this.openFeed(req, res);
      if (path === '/sandbox/api/state') return sendJson(res, 200, { ...this.snapshot(url.searchParams.get('user') ?? '') });
      if (path.startsWith('/sandbox/api/files/')) return this.sendFile(res, decodeURIComponent(path.slice('/sandbox/api/files/'.length)));
      if (path === '/sandbox/api/snowflake/sql-log') return this.sqlLog(res, Number(url.searchParams.get('since') ?? '0'));
      if (path === '/sandbox/api/snowflake/state') return this.emulator(res, 'GET', '/state');
    }
    if (req.method === 'POST') {
      const input = safeJson(body.toString('utf8'));
      switch (path) {
        case '/sandbox/api/message':
          return this.handle(res, MessageRequest, input, (r) => this.message(r));
        case '/sandbox/api/action':
          return this.handle(res, ActionRequest, input, (r) => this.action(r));
        case '/sandbox/api/submit':
          return this.handle(res, SubmitRequest, input, (r) => this.submit(r));
        case '/sandbox/api/close':
          return this.handle(res, CloseRequest, input, (r) => this.close(r));
        case '/sandbox/api/suggest':
          return this.handle(res, SuggestRequest, input, (r) => this.suggest(r));
        case '/sandbox/api/snowflake/clock':
          return this.handle(res, ClockRequest, input, async (r) => this.emulatorJson('POST', '/clock', r));
        case '/sandbox/api/snowflake/faults':
          return this.handle(res, FaultRequest, input, async (r) => this.emulatorJson('POST', '/faults', r));
        case '/sandbox/api/snowflake/platform-monitor':
          return this.handle(res, PlatformMonitorRequest, input, async (r) => this.emulatorJson('POST', '/platform-monitor', r));
        case '/sandbox/api/snowflake/faults/clear':
          return this.handle(res, z.unknown(), input, async () => this.emulatorJson('POST', '/faults/clear', {}));
        default:
          break;
      }
    }
    sendJson(res, 404, { ok: false, error: `no sandbox route ${req.method ?? ''} ${path}` });
  }

  private async handle<T>(
    res: ServerResponse,
    schema: z.ZodType<T>,
    input: unknown,
    run: (request: T) => Promise<JsonObject>,
  ): Promise<void> {
    const parsed = schema.safeParse(input);
    if (!parsed.success)
      return sendJson(res, 400, {
        ok: false,
        error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      });
    try {
      sendJson(res, 200, await run(parsed.data));
    } catch (error: unknown) {
      sendJson(res, 422, { ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private openFeed(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`event: change\ndata: ${JSON.stringify({ seq: this.fake.changeCount, notices: this.noticeSeq })}\n\n`);
    this.feeds.add(res);
    req.on('close', () => this.feeds.delete(res));
  }

  // ---- the person's actions -----------------------------------------------------------------

  private person(id: string): { id: string; name: string } {
    const found = this.people.find((p) => p.id === id);
    if (!found) throw new Error(`${id} is not one of the sandbox's people`);
    return { id: found.id, name: found.name };
  }

  private async message(r: z.infer<typeof MessageRequest>): Promise<JsonObject> {
    const user = this.person(r.user);
    const command = /^(\/\S+)\s*([\s\S]*)$/.exec(r.text.trim());
    if (!command) {
      this.fake.postAsUser(this.channel.id, { user: user.id, text: r.text, ...(r.threadTs ? { threadTs: r.threadTs } : {}) });
      return { ok: true };
    }
    const [, name = '', text = ''] = command;
    const res = await this.client.slashCommand({ command: name, text, user, channelId: this.channel.id, channelName: this.channel.name });
    this.triggerOwners.set(res.triggerId, user.id);
    if (this.acked(res, user.id, `${name} failed with the error "operation_timeout"`, `${name} failed with the error "dispatch_failed"`)) {
      this.fake.applyCommandResponse(this.channel.id, user.id, res.body);
    }
    return { ok: true, elapsedMs: Math.round(res.elapsedMs) };
  }

  private async action(r: z.infer<typeof ActionRequest>): Promise<JsonObject> {
    const user = this.person(r.user);
    if ('viewId' in r.surface && r.values) this.typeInto(r.surface.viewId, r.values);
    const res = await this.client.blockActions({
      user,
      in: r.surface,
      actionId: r.actionId,
      ...(r.blockId === undefined ? {} : { blockId: r.blockId }),
      ...(r.value === undefined ? {} : { value: r.value }),
      ...(r.selectedOption === undefined ? {} : { selectedOption: r.selectedOption }),
    });
    this.triggerOwners.set(res.triggerId, user.id);
    this.acked(
      res,
      user.id,
      'The app did not answer within 3 seconds; Slack shows a warning next to the button.',
      'The app refused the interaction.',
    );
    return { ok: true, elapsedMs: Math.round(res.elapsedMs) };
  }

  private async submit(r: z.infer<typeof SubmitRequest>): Promise<JsonObject> {
    const user = this.person(r.user);
    if (r.values) this.typeInto(r.viewId, r.values);
    const res = await this.client.viewSubmission({ user, viewId: r.viewId });
    this.triggerOwners.set(res.triggerId, user.id);
    const acked = this.acked(
      res,
      user.id,
      'We had some trouble connecting: the app did not answer the submission within 3 seconds.',
      'The app refused the submission.',
    );
    return { ok: acked, outcome: res.viewOutcome ?? null, elapsedMs: Math.round(res.elapsedMs) };
  }

  private async close(r: z.infer<typeof CloseRequest>): Promise<JsonObject> {
    const user = this.person(r.user);
    const view = this.fake.view(r.viewId);
    if (!view?.open) return { ok: true };
    // Slack tells the app only when the view asked for it.
    if (view.notify_on_close) await this.client.viewClosed({ user, viewId: r.viewId, isCleared: r.all });
    else this.fake.closeView(r.viewId, r.all);
    return { ok: true };
  }

  private async suggest(r: z.infer<typeof SuggestRequest>): Promise<JsonObject> {
    const user = this.person(r.user);
    const res = await this.client.blockSuggestion({
      user,
      in: r.surface,
      actionId: r.actionId,
      ...(r.blockId === undefined ? {} : { blockId: r.blockId }),
      value: r.value,
    });
    if (!this.acked(res, user.id, 'The app did not return options within 3 seconds.', 'The app refused the options request.'))
      return { ok: false, options: [] };
    const answer = OptionsAnswer.safeParse(res.body);
    return {
      ok: true,
      options: answer.success ? (answer.data.options ?? []) : [],
      option_groups: answer.success ? (answer.data.option_groups ?? []) : [],
    };
  }

  /**
   * What the person typed into a view, limited to the input blocks it really has (Slack sends
   * only those), merged into the view's state before the interaction is sent.
   */
  private typeInto(viewId: string, values: NonNullable<z.infer<typeof StateValues>>): void {
    const view = this.fake.view(viewId);
    if (!view?.open) throw new Error(`view ${viewId} is not open`);
    const inputs = new Set(view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id));
    const kept: ViewStateValues = {};
    for (const [blockId, byAction] of Object.entries(values)) {
      if (!inputs.has(blockId)) continue;
      kept[blockId] = Object.fromEntries(Object.entries(byAction).map(([actionId, v]) => [actionId, withoutUndefined(v)]));
    }
    this.fake.setViewStateValues(viewId, kept);
  }

  /** True when the bot answered 200 in time; otherwise the person sees what Slack would show them. */
  private acked(res: SlackHttpResponse, user: string, timeoutText: string, refusedText: string): boolean {
    if (res.timedOut) {
      this.notice({
        user,
        level: 'error',
        text: timeoutText,
        details: [`Slack waits ${ACK_TIMEOUT_MS / 1000} s for the app's acknowledgement (the 3-second ack window).`],
      });
      return false;
    }
    if (res.status !== 200) {
      this.notice({
        user,
        level: 'error',
        text: refusedText,
        details: [`The app answered HTTP ${res.status}${res.text ? `: ${res.text.slice(0, 200)}` : ''}`],
      });
      return false;
    }
    return true;
  }

  // ---- what the page shows ------------------------------------------------------------------

  private snapshot(userId: string): Snapshot {
    const me = this.people.find((p) => p.id === userId) ?? this.people[0];
    const meId = me?.id ?? '';
    const bot = this.fake.identity;
    const channel = this.channel.id;
    const mine = this.fake.ephemerals({ channel, user: meId });
    const parents = this.fake.messages(channel);
    const threads: Record<string, SnapshotMessage[]> = {};
    for (const parent of parents) {
      if (!parent.reply_count) continue;
      const replies = this.fake.replies(channel, parent.ts).map((m) => this.messageView(m));
      const ephemerals = mine.filter((e) => e.thread_ts === parent.ts).map((e) => this.ephemeralView(e));
      threads[parent.ts] = byTs([...replies, ...ephemerals]);
    }
    return {
      me: meId,
      people: this.people.map(({ id, name, real_name, role }) => ({ id, name, real_name, role })),
      bot: { id: bot.botUserId, name: bot.botName },
      channel: this.channel,
      timeline: byTs([
        ...parents.map((m) => this.messageView(m)),
        ...mine.filter((e) => e.thread_ts === undefined).map((e) => this.ephemeralView(e)),
      ]),
      threads,
      views: this.stackFor(meId).map(viewSnapshot),
      notices: this.notices.filter((n) => n.user === undefined || n.user === meId),
      timeSteps: [...(this.options.timeSteps ?? [])],
      snowflake: this.options.emulatorUrl !== undefined,
    };
  }

  private messageView(m: FakeMessage): SnapshotMessage {
    const { revisions, files, attachments: _attachments, metadata: _metadata, ...rest } = m;
    return {
      ...rest,
      ...(m.bot_id ? { bot_profile: { name: this.fake.identity.botName } } : {}),
      ...(files ? { files: files.map((f) => ({ ...f, url: `/sandbox/api/files/${encodeURIComponent(f.id)}` })) } : {}),
      revisions: revisions.length,
    };
  }

  private ephemeralView(e: FakeEphemeral): SnapshotMessage {
    const { botUserId, botId, botName } = this.fake.identity;
    return {
      type: 'message',
      channel: e.channel,
      ts: e.message_ts,
      ...(e.thread_ts ? { thread_ts: e.thread_ts } : {}),
      user: botUserId,
      bot_id: botId,
      bot_profile: { name: botName },
      text: e.text,
      ...(e.blocks ? { blocks: e.blocks } : {}),
      ephemeral: true,
      revisions: 1,
    };
  }

  /** The open modal stack of this person (root first): the latest one a trigger of theirs opened. */
  private stackFor(userId: string): FakeView[] {
    const owned = this.fake.openViewStacks().filter((stack) => {
      const root = stack[0];
      if (!root) return false;
      const opened = this.fake.calls('views.open').find((c) => isRecord(c.response['view']) && c.response['view']['id'] === root.id);
      const trigger = opened?.args['trigger_id'];
      return typeof trigger === 'string' && this.triggerOwners.get(trigger) === userId;
    });
    return owned.at(-1) ?? [];
  }

  private sendFile(res: ServerResponse, id: string): void {
    const file = this.fake.file(id);
    if (!file?.uploaded) return sendText(res, 404, 'no such file');
    res.writeHead(200, {
      'content-type': file.mimetype || 'application/octet-stream',
      'content-length': file.bytes.length,
      'cache-control': 'no-store',
    });
    res.end(file.bytes);
  }

  // ---- the Snowflake side -------------------------------------------------------------------

  /** The statements after the first `since`, so the page fetches only what is new. */
  private async sqlLog(res: ServerResponse, since: number): Promise<void> {
    try {
      const answer = await this.emulatorJson('GET', '/sql-log');
      const entries = Array.isArray(answer['entries']) ? answer['entries'] : [];
      const from = Number.isInteger(since) && since >= 0 ? since : 0;
      sendJson(res, 200, { ok: true, total: entries.length, entries: entries.slice(from) });
    } catch (error: unknown) {
      sendJson(res, 502, { ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async emulator(res: ServerResponse, method: 'GET' | 'POST', path: string, body?: unknown): Promise<void> {
    try {
      sendJson(res, 200, await this.emulatorJson(method, path, body));
    } catch (error: unknown) {
      sendJson(res, 502, { ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async emulatorJson(method: 'GET' | 'POST', path: string, body?: unknown): Promise<JsonObject> {
    const base = this.options.emulatorUrl;
    if (base === undefined) throw new Error('no SPCS emulator is attached to this sandbox');
    const res = await fetch(`${base}/__emulator${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const parsed = safeJson(await res.text());
    if (!res.ok)
      throw new Error(isRecord(parsed) && typeof parsed['error'] === 'string' ? parsed['error'] : `emulator answered HTTP ${res.status}`);
    const result = Array.isArray(parsed) ? { entries: parsed } : isRecord(parsed) ? parsed : {};
    // Moving time or arming a fault changes what the bot will report; let pages refresh their panel.
    if (method === 'POST') this.broadcast(this.fake.changeCount);
    return { ok: true, ...result };
  }
}

/** Drops keys zod left as undefined (exactOptionalPropertyTypes: state values never carry them). */
function withoutUndefined<T extends { type: string }>(value: T): ViewStateValue {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as ViewStateValue;
}

function isLoopbackHost(host: string | undefined): boolean {
  const name = (host ?? '').replace(/:\d+$/, '');
  return name === '127.0.0.1' || name === 'localhost';
}

function byTs(messages: SnapshotMessage[]): SnapshotMessage[] {
  return messages.sort((a, b) => Number(a.ts) - Number(b.ts));
}

function viewSnapshot(v: FakeView): SnapshotView {
  return {
    id: v.id,
    type: v.type,
    title: v.title,
    submit: v.submit,
    close: v.close,
    blocks: v.blocks,
    state: v.state,
    hash: v.hash,
    callback_id: v.callback_id,
    notify_on_close: v.notify_on_close,
    errors: v.submissionErrors ?? null,
  };
}

function sendAsset(res: ServerResponse, contentType: string, text: string): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
