/**
 * An offline Slack Web API: the double end-to-end tests use, and the Web API half of the local
 * sandbox (`npm run demo`). It serves the Web API on 127.0.0.1 only, so the REAL
 * @slack/web-api WebClient (and Bolt) talk to it through `slackApiUrl`; it records every call,
 * keeps messages/views/files state, enforces the Slack rules we design around (triggers, view
 * stack, hashes, Block Kit limits, rate limits, response_url limits) and tells listeners about
 * every change (`onChange`), which is how the sandbox page follows it.
 *
 *   const slack = await startFakeSlack();
 *   const app = new App({ token: slack.botToken, signingSecret, clientOptions: slack.webClientOptions() });
 *   ...
 *   const call = await slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C1');
 *   await slack.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FileStore } from './files.js';
import { extractToken, parseApiArgs, parseResponseUrlBody, parseUploadBytes, readBody, sendJson, sendText } from './http.js';
import { IdSource, type FakeIdentity } from './ids.js';
import { MessageStore } from './messages.js';
import {
  Directory,
  dmChannelFor,
  fail,
  METHODS,
  ok,
  readMessageContent,
  type ApiResult,
  type MessageContent,
  type MethodContext,
} from './methods.js';
import { SlidingWindowLimiter, type RateLimitOptions } from './rate-limits.js';
import { ResponseUrls, type ResponseUrlContext, type ResponseUrlRecord } from './response-urls.js';
import type {
  FakeEphemeral,
  FakeFile,
  FakeMessage,
  FakeUser,
  FakeView,
  JsonObject,
  RecordedCall,
  SlackBlock,
  ViewStateValues,
} from './types.js';
import { isRecord } from './types.js';
import { ViewStore, type TriggerContext, type ViewResult } from './views.js';

export { blocksText, findElement, validateBlocks, validateView, BLOCK_LIMITS } from './blocks.js';
export { isPng } from './files.js';
export { TIERS, METHOD_TIERS, type RateLimitOptions, type RateLimitRule } from './rate-limits.js';
export { TRIGGER_TTL_MS, MAX_STACK, type TriggerContext } from './views.js';
export { RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS, type ResponseUrlContext } from './response-urls.js';
export type { FakeIdentity } from './ids.js';
export type * from './types.js';

export interface FakeSlackOptions extends Partial<FakeIdentity> {
  /** The only token the fake accepts (Authorization: Bearer …). */
  botToken?: string;
  /** The app-level token apps.connections.open accepts (Socket Mode). */
  appToken?: string;
  /** Where apps.connections.open sends Socket Mode apps; unset answers `socket_mode_not_enabled`. */
  socketModeUrl?: () => string;
  /** Clock for trigger expiry, response_url expiry, rate-limit windows and `at`. Default Date.now. */
  now?: () => number;
  /** Message ts from `now` (as Slack's are) instead of fixed ones from 1700000000.000100 on; the sandbox shows real times. */
  clockTimestamps?: boolean;
  users?: FakeUser[];
  userGroups?: Record<string, string[]>;
  channelMembers?: Record<string, string[]>;
  /** The bot token's scopes, for the methods that check them (conversations.history, .replies). Default: every scope. */
  scopes?: readonly string[];
}

/** A one-shot failure for the next call of a method: a Slack error code, or a raw HTTP status. */
export type InjectedFailure = string | { status: number; retryAfterSeconds?: number };

export interface WebClientTestOptions {
  slackApiUrl: string;
  retryConfig: { retries: number; minTimeout: number; maxTimeout: number };
}

const DEFAULT_IDENTITY: FakeIdentity = {
  teamId: 'T0FAKETEAM',
  teamDomain: 'fake-team',
  teamName: 'Fake Team',
  botUserId: 'U0FAKEBOT0',
  botId: 'B0FAKEBOT0',
  botName: 'spcs-bot',
  appId: 'A0FAKEAPP0',
};

/** One state change, in order: a Web API call (ok or refused), a response_url post, an upload, or what the person did. */
export interface SlackChange {
  seq: number;
  /** Web API method, `response_url`, `file_upload`, or `client` for the person's own actions. */
  method: string;
  ok: boolean;
  error?: string;
  /** Slack's `response_metadata.messages` for a refusal, e.g. why blocks are invalid. */
  messages?: string[];
  channel?: string;
  at: number;
}

export type FallbackRoute = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void>;

export interface ListenOptions {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** Answers every path that is not the Web API, an upload or a response_url (the sandbox page); gets the body already read. */
  fallback?: FallbackRoute;
}

interface Reply {
  status: number;
  body: JsonObject;
  headers?: Record<string, string>;
}

export class FakeSlack {
  readonly botToken: string;
  readonly appToken: string;
  private readonly socketModeUrl: (() => string) | undefined;
  readonly identity: FakeIdentity;
  private readonly now: () => number;
  private readonly ids: IdSource;
  private readonly directory = new Directory();
  private readonly messageStore: MessageStore;
  private readonly viewStore: ViewStore;
  private readonly fileStore: FileStore;
  private readonly responseUrls: ResponseUrls;
  private readonly recorded: RecordedCall[] = [];
  private readonly latency = new Map<string, number>();
  private readonly failures = new Map<string, InjectedFailure[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private limiter: SlidingWindowLimiter | undefined;
  private scopes: ReadonlySet<string> | undefined;
  private server: Server | undefined;
  private originUrl = '';
  private fallback: FallbackRoute | undefined;
  private readonly listeners = new Set<(change: SlackChange) => void>();
  private changeSeq = 0;

  constructor(options: FakeSlackOptions = {}) {
    const { botToken, appToken, socketModeUrl, now, clockTimestamps, users, userGroups, channelMembers, scopes, ...identity } = options;
    this.scopes = scopes === undefined ? undefined : new Set(scopes);
    this.botToken = botToken ?? 'xoxb-fake-bot-token';
    this.appToken = appToken ?? 'xapp-1-A0FAKEAPP-1-fake';
    this.socketModeUrl = socketModeUrl;
    this.identity = identityWithDefaults(identity);
    this.now = now ?? Date.now;
    this.ids = new IdSource(clockTimestamps ? this.now : undefined);
    this.messageStore = new MessageStore(this.identity, this.ids, this.now);
    this.viewStore = new ViewStore(this.identity, this.ids, this.now);
    this.fileStore = new FileStore(this.ids);
    this.responseUrls = new ResponseUrls(this.ids, this.now);
    this.seedUsers([{ id: this.identity.botUserId, name: this.identity.botName, is_bot: true }, ...(users ?? [])]);
    for (const [id, members] of Object.entries(userGroups ?? {})) this.seedUserGroup(id, members);
    for (const [id, members] of Object.entries(channelMembers ?? {})) this.seedChannelMembers(id, members);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /** Starts listening on 127.0.0.1 (never another interface), by default on a free port. Prefer startFakeSlack(). */
  async listen(options: ListenOptions = {}): Promise<this> {
    this.fallback = options.fallback;
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fake-slack: expected a TCP address');
    this.server = server;
    this.originUrl = `http://127.0.0.1:${address.port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `http://127.0.0.1:PORT` */
  get origin(): string {
    return this.originUrl;
  }

  /** The Web API base for `slackApiUrl`: `http://127.0.0.1:PORT/api/`. */
  get url(): string {
    return `${this.originUrl}/api/`;
  }

  /** WebClient / Bolt `clientOptions` pointing at the fake, with a fast retry policy. */
  webClientOptions(): WebClientTestOptions {
    return { slackApiUrl: this.url, retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 } };
  }

  /** Forgets calls, messages, views, files, triggers, response URLs, rate limits, latency and injected failures; ids restart. Seeds stay. */
  reset(): void {
    this.recorded.length = 0;
    this.ids.reset();
    this.messageStore.reset();
    this.viewStore.reset();
    this.fileStore.reset();
    this.responseUrls.reset();
    this.latency.clear();
    this.failures.clear();
    this.limiter = undefined;
  }

  // ---- change feed ----------------------------------------------------------------------------

  /** Calls `listener` after every change (including refused calls); returns the unsubscribe. */
  onChange(listener: (change: SlackChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The number of the latest change (0 before any). */
  get changeCount(): number {
    return this.changeSeq;
  }

  private emitChange(change: Omit<SlackChange, 'seq' | 'at'>): void {
    const full: SlackChange = { ...change, seq: ++this.changeSeq, at: this.now() };
    for (const listener of this.listeners) listener(full);
  }

  // ---- recorded calls ---------------------------------------------------------------------------

  /** Recorded calls in arrival order, optionally for one method (`response_url` and `file_upload` included). */
  calls(method?: string): RecordedCall[] {
    return this.recorded.filter((c) => method === undefined || c.method === method);
  }

  lastCall(method: string): RecordedCall | undefined {
    return this.calls(method).at(-1);
  }

  /** Polls (real time) until a matching call is recorded; the rejection lists what was recorded. */
  async waitForCall(method: string, predicate: (call: RecordedCall) => boolean = () => true, timeoutMs = 2000): Promise<RecordedCall> {
    const found = await pollUntil(() => this.recorded.find((c) => c.method === method && predicate(c)), timeoutMs);
    if (found) return found;
    throw new Error(`waitForCall('${method}') found no matching call within ${timeoutMs} ms.\n${this.describeCalls()}`);
  }

  /** Waits until at least `count` calls of `method` match, and returns them. */
  async waitForCalls(
    method: string,
    count: number,
    predicate: (call: RecordedCall) => boolean = () => true,
    timeoutMs = 2000,
  ): Promise<RecordedCall[]> {
    const matching = (): RecordedCall[] => this.recorded.filter((c) => c.method === method && predicate(c));
    const found = await pollUntil(() => (matching().length >= count ? matching() : undefined), timeoutMs);
    if (found) return found;
    throw new Error(
      `waitForCalls('${method}', ${count}) saw ${matching().length} matching calls within ${timeoutMs} ms.\n${this.describeCalls()}`,
    );
  }

  /** A readable listing of recorded calls, for failure messages. */
  describeCalls(limit = 40): string {
    if (this.recorded.length === 0) return 'No calls were recorded.';
    const shown = this.recorded.slice(-limit);
    const lines = shown.map((c, i) => {
      const outcome = c.ok ? 'ok' : `${c.status} ${c.error ?? ''}`.trim();
      return `  #${this.recorded.length - shown.length + i + 1} ${c.method} [${outcome}] ${truncate(JSON.stringify(c.args), 240)}`;
    });
    return `Recorded calls (${this.recorded.length}):\n${lines.join('\n')}`;
  }

  /** Number of calls answered with HTTP 429. */
  rateLimitedCount(method?: string): number {
    return this.calls(method).filter((c) => c.status === 429).length;
  }

  // ---- behaviour knobs --------------------------------------------------------------------------

  /** Turns on Slack's tiered, sliding-window rate limits (scale > 1 shrinks the windows). */
  enableRateLimits(options: RateLimitOptions = {}): void {
    this.limiter = new SlidingWindowLimiter(options);
  }

  disableRateLimits(): void {
    this.limiter = undefined;
  }

  /** Delays replies of a method (or '*' for all, including response_url and file_upload) by `ms` real milliseconds. */
  setLatency(method: string, ms: number): void {
    if (ms <= 0) this.latency.delete(method);
    else this.latency.set(method, ms);
  }

  /** Makes the next call of `method` fail with a Slack error code or an HTTP status. Queues if called repeatedly. */
  failNext(method: string, failure: InjectedFailure): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), failure]);
  }

  /** The bot token's scopes from now on (undefined: every scope); a method needing another answers missing_scope. */
  setScopes(scopes: readonly string[] | undefined): void {
    this.scopes = scopes === undefined ? undefined : new Set(scopes);
  }

  // ---- seeding ----------------------------------------------------------------------------------

  seedUsers(users: readonly FakeUser[]): void {
    for (const user of users) this.directory.users.set(user.id, { ...user });
  }

  seedUserGroup(id: string, userIds: readonly string[]): void {
    this.directory.groups.set(id, [...userIds]);
  }

  /** Sets a channel's members (conversations.members; chat.postEphemeral checks membership). */
  seedChannelMembers(channel: string, userIds: readonly string[]): void {
    this.directory.channelMembers.set(channel, [...userIds]);
  }

  /** Adds a message written by a person (the bot cannot edit or delete it). */
  postAsUser(channel: string, message: { user: string; text: string; blocks?: SlackBlock[]; threadTs?: string }): FakeMessage {
    const posted = this.messageStore.post({
      channel,
      text: message.text,
      blocks: message.blocks,
      threadTs: message.threadTs,
      user: message.user,
    });
    if (!posted.ok) throw new Error(`postAsUser failed: ${posted.error}`);
    this.emitChange({ method: 'client', ok: true, channel });
    return posted.value;
  }

  /**
   * Shows what an app answered to a slash command as Slack does: a body with text or blocks is
   * an ephemeral message to the user, or a channel message with `response_type: in_channel`.
   */
  applyCommandResponse(channel: string, userId: string, body: unknown): { ok: boolean; error?: string; messages?: string[] } {
    if (!isRecord(body) || (body['text'] === undefined && body['blocks'] === undefined)) return { ok: true };
    const content = readMessageContent(body, false);
    if (!content.ok) {
      const refused = content.result;
      const messages = responseMessages(refused);
      this.emitChange({
        method: 'command_response',
        ok: false,
        error: String(refused['error']),
        ...(messages ? { messages } : {}),
        channel,
      });
      return { ok: false, error: String(refused['error']), ...(messages ? { messages } : {}) };
    }
    const outcome = applyResponse(this.messageStore, { id: 'ack', issuedAt: this.now(), uses: 1, channel, userId }, body, content.value);
    this.emitChange({ method: 'command_response', ok: outcome.ok, channel });
    return outcome.ok ? { ok: true } : { ok: false, error: String(outcome['error']) };
  }

  /** A seeded user (users.info source). */
  user(id: string): FakeUser | undefined {
    return this.directory.users.get(id);
  }

  // ---- things Slack hands to apps ---------------------------------------------------------------

  /**
   * A trigger_id valid for 3 s (by `now`) and exchangeable once. With `viewId`, views.push targets
   * that view's stack; with `outsideModal` it cannot push; with neither, push uses the latest stack.
   */
  issueTriggerId(context: TriggerContext = {}): string {
    return this.viewStore.issueTrigger(context);
  }

  /** A response_url on this server, usable 5 times within 30 minutes. */
  issueResponseUrl(context: ResponseUrlContext = {}): string {
    return `${this.originUrl}/response/${this.responseUrls.issue(context).id}`;
  }

  // ---- state: messages ------------------------------------------------------------------------

  /** The DM channel id chat.postMessage uses when an app posts to a user id (U123 → D123). */
  dmChannelId(userId: string): string {
    return dmChannelFor(userId) ?? userId;
  }

  /** Top-level messages of a channel, oldest first (reply_broadcast replies included, as in Slack). */
  messages(channel: string): FakeMessage[] {
    return this.messageStore.parents(channel);
  }

  /** Replies in a thread, oldest first (the parent excluded). */
  replies(channel: string, threadTs: string): FakeMessage[] {
    return this.messageStore.replies(channel, threadTs);
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    return this.messageStore.find(channel, ts);
  }

  /** Every stored message (parents and replies) across channels. */
  allMessages(): FakeMessage[] {
    return this.messageStore.all();
  }

  /** Ephemeral messages (chat.postEphemeral and ephemeral response_url posts). */
  ephemerals(filter: { channel?: string; user?: string } = {}): FakeEphemeral[] {
    return this.messageStore.ephemerals(filter);
  }

  // ---- state: views -----------------------------------------------------------------------------

  /** A view by id or external_id (closed views stay readable, with `open: false`). */
  view(idOrExternalId: string): FakeView | undefined {
    return this.viewStore.get(idOrExternalId);
  }

  /** The open stack containing `viewId`, root first; without an id, the most recently used stack. */
  viewStack(viewId?: string): FakeView[] {
    return this.viewStore.stack(viewId);
  }

  /** The top view of the most recently used stack. */
  currentView(): FakeView | undefined {
    return this.viewStore.stack().at(-1);
  }

  openViewStacks(): FakeView[][] {
    return this.viewStore.openStacks();
  }

  /** Simulates the user closing a view (`all` = the X button on a stack / clear). */
  closeView(viewId: string, all = false): void {
    this.viewStore.close(viewId, all);
    this.emitChange({ method: 'client', ok: true });
  }

  /** Simulates the user typing/selecting: merges into `view.state.values`. */
  setViewStateValues(viewId: string, values: ViewStateValues): void {
    this.viewStore.setStateValues(viewId, values);
  }

  /** Applies an app's view_submission ack body (close / errors / update / push / clear) as Slack would. */
  applyViewSubmissionResponse(viewId: string, body: unknown): ViewResult | { ok: true; value: undefined } {
    const outcome = this.viewStore.applySubmissionResponse(viewId, body);
    this.emitChange(
      outcome.ok
        ? { method: 'view_submission', ok: true }
        : { method: 'view_submission', ok: false, error: outcome.error, ...('messages' in outcome ? { messages: outcome.messages } : {}) },
    );
    return outcome;
  }

  // ---- state: files -----------------------------------------------------------------------------

  files(): FakeFile[] {
    return this.fileStore.all();
  }

  file(id: string): FakeFile | undefined {
    return this.fileStore.get(id);
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', this.originUrl);
      const body = await readBody(req);
      const [, kind = '', target = ''] = url.pathname.split('/');
      if (req.method !== 'POST' && req.method !== 'GET') return sendJson(res, 405, { ok: false, error: 'method_not_allowed' });
      if (kind === 'api') return await this.respond(res, target, this.handleApi(target, req, body, url));
      if (kind === 'upload') return await this.handleUpload(res, target, req, body);
      if (kind === 'response') return await this.respond(res, 'response_url', this.handleResponseUrl(target, req, body));
      if (this.fallback) return await this.fallback(req, res, body);
      sendJson(res, 404, { ok: false, error: 'not_found' });
    } catch (error: unknown) {
      // A bug in the fake must be loud, never look like a Slack answer.
      process.stderr.write(`fake-slack internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      sendJson(res, 500, { ok: false, error: 'fake_slack_internal_error' });
    }
  }

  private async respond(res: ServerResponse, method: string, reply: Reply): Promise<void> {
    await this.applyLatency(method);
    sendJson(res, reply.status, reply.body, reply.headers);
  }

  private async applyLatency(method: string): Promise<void> {
    const ms = this.latency.get(method) ?? this.latency.get('*') ?? 0;
    if (ms > 0) await this.sleep(ms);
  }

  private handleApi(method: string, req: IncomingMessage, body: Buffer, url: URL): Reply {
    const at = this.now();
    const parsed = parseApiArgs(req, body, url);
    const { token: _token, ...args } = parsed; // never keep token values
    const reply = this.dispatchApi(method, extractToken(req, parsed), args);
    this.record(method, args, at, reply);
    return reply;
  }

  private dispatchApi(method: string, token: string | undefined, args: JsonObject): Reply {
    if (method === 'apps.connections.open') return json(this.openSocketConnection(token));
    const handler = METHODS[method];
    if (!handler) return json({ ok: false, error: 'unknown_method', req_method: method });
    if (token === undefined || token === '') return json(fail('not_authed'));
    if (token !== this.botToken) return json(fail('invalid_auth'));
    const injected = this.takeFailure(method);
    if (injected) return injected;
    const decision = this.limiter?.check(method, typeof args['channel'] === 'string' ? args['channel'] : undefined, this.now());
    if (decision && !decision.allowed) {
      return { status: 429, body: fail('ratelimited'), headers: { 'retry-after': String(decision.retryAfterSeconds) } };
    }
    return json(handler(args, this.methodContext()));
  }

  // Socket Mode authenticates with the app-level token, never the bot token.
  private openSocketConnection(token: string | undefined): JsonObject {
    if (token !== this.appToken) return fail(token ? 'invalid_auth' : 'not_authed');
    if (!this.socketModeUrl) return fail('socket_mode_not_enabled');
    return ok({ url: this.socketModeUrl() });
  }

  private takeFailure(method: string): Reply | undefined {
    const queue = this.failures.get(method);
    const failure = queue?.shift();
    if (failure === undefined) return undefined;
    if (typeof failure === 'string') return json(fail(failure));
    // The WebClient gives up on a 429 without Retry-After, so default it to 1 s.
    const retryAfter = failure.retryAfterSeconds ?? (failure.status === 429 ? 1 : undefined);
    const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
    return { status: failure.status, body: fail(failure.status === 429 ? 'ratelimited' : 'injected_http_error'), headers };
  }

  private async handleUpload(res: ServerResponse, fileId: string, req: IncomingMessage, body: Buffer): Promise<void> {
    const at = this.now();
    const bytes = await parseUploadBytes(req, body);
    const file = this.fileStore.receive(fileId, bytes);
    const reply: Reply = file ? json(ok()) : { status: 404, body: fail('file_not_found') };
    this.record('file_upload', { file_id: fileId, bytes: bytes.length }, at, reply);
    await this.applyLatency('file_upload');
    // Slack's upload endpoint answers plain text.
    if (file) sendText(res, 200, `OK - ${bytes.length}`);
    else sendText(res, 404, 'file_not_found');
  }

  private handleResponseUrl(id: string, req: IncomingMessage, body: Buffer): Reply {
    const at = this.now();
    const payload = parseResponseUrlBody(req, body);
    const args = payload ?? { raw: body.toString('utf8') };
    const reply = payload ? this.useResponseUrl(id, payload) : { status: 400, body: fail('invalid_payload') };
    this.record('response_url', args, at, reply);
    return reply;
  }

  private useResponseUrl(id: string, payload: JsonObject): Reply {
    const content = readMessageContent(payload, false);
    if (!content.ok) return { status: 400, body: content.result };
    const check = this.responseUrls.use(id);
    if (!check.ok) return { status: 404, body: fail(check.error) };
    const outcome = applyResponse(this.messageStore, check.record, payload, content.value);
    return outcome.ok ? json(outcome) : { status: 404, body: outcome };
  }

  private record(method: string, args: JsonObject, at: number, reply: Reply): void {
    const error = typeof reply.body['error'] === 'string' ? reply.body['error'] : undefined;
    this.recorded.push({
      method,
      args,
      at,
      status: reply.status,
      ok: reply.status === 200 && reply.body['ok'] === true,
      response: reply.body,
      ...(error === undefined ? {} : { error }),
    });
    const channel =
      typeof args['channel'] === 'string' ? args['channel'] : typeof args['channel_id'] === 'string' ? args['channel_id'] : undefined;
    const messages = responseMessages(reply.body);
    this.emitChange({
      method,
      ok: reply.status === 200 && reply.body['ok'] === true,
      ...(error === undefined ? {} : { error }),
      ...(messages ? { messages } : {}),
      ...(channel === undefined ? {} : { channel }),
    });
  }

  private methodContext(): MethodContext {
    return {
      identity: this.identity,
      messages: this.messageStore,
      views: this.viewStore,
      files: this.fileStore,
      directory: this.directory,
      origin: this.originUrl,
      scopes: this.scopes,
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

/** Starts a fake Slack on 127.0.0.1 (ephemeral port). Remember `await fake.close()`. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  return new FakeSlack(options).listen();
}

// ---- response_url semantics ---------------------------------------------------------------------

/** replace_original / delete_original act on the clicked message; otherwise post in_channel or ephemeral. */
function applyResponse(messages: MessageStore, target: ResponseUrlRecord, payload: JsonObject, content: MessageContent): ApiResult {
  const { channel, messageTs, userId } = target;
  const flag = (key: string): boolean => payload[key] === true || payload[key] === 'true';
  if (flag('delete_original') && channel && messageTs) {
    if (messages.deleteEphemeral(channel, messageTs)) return ok();
    const deleted = messages.delete(channel, messageTs);
    return deleted.ok ? ok() : fail(deleted.error);
  }
  if (flag('replace_original') && channel && messageTs) {
    if (messages.replaceEphemeral(channel, messageTs, { text: content.text ?? '', blocks: content.blocks })) return ok();
    const updated = messages.update(channel, messageTs, {
      text: content.text ?? '',
      blocks: content.blocks,
      attachments: content.attachments,
    });
    return updated.ok ? ok() : fail(updated.error);
  }
  if (flag('delete_original') || flag('replace_original')) return ok(); // slash-command original: nothing we model
  if (!channel) return fail('channel_not_found');
  const threadTs = typeof payload['thread_ts'] === 'string' ? payload['thread_ts'] : undefined;
  if (payload['response_type'] === 'in_channel') {
    const posted = messages.post({ channel, text: content.text ?? '', blocks: content.blocks, attachments: content.attachments, threadTs });
    return posted.ok ? ok() : fail(posted.error);
  }
  messages.postEphemeral({
    channel,
    user: userId ?? '',
    text: content.text ?? '',
    source: 'response_url',
    ...(content.blocks ? { blocks: content.blocks } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  return ok();
}

// ---- small helpers ------------------------------------------------------------------------------

function json(body: ApiResult | JsonObject): Reply {
  return { status: 200, body };
}

function identityWithDefaults(given: Partial<FakeIdentity>): FakeIdentity {
  const d = DEFAULT_IDENTITY;
  return {
    teamId: given.teamId ?? d.teamId,
    teamDomain: given.teamDomain ?? d.teamDomain,
    teamName: given.teamName ?? d.teamName,
    botUserId: given.botUserId ?? d.botUserId,
    botId: given.botId ?? d.botId,
    botName: given.botName ?? d.botName,
    appId: given.appId ?? d.appId,
  };
}

/** Slack's `response_metadata.messages` of a refusal, if any. */
function responseMessages(body: JsonObject): string[] | undefined {
  const meta = body['response_metadata'];
  const list = isRecord(meta) ? meta['messages'] : undefined;
  return Array.isArray(list) ? list.map(String) : undefined;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Polls `probe` every 10 ms of real time until it returns something or the time is up. */
export async function pollUntil<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until `probe` returns a value (not undefined/false), else throws `message`. For state assertions. */
export async function waitUntil<T>(probe: () => T | undefined | false, options: { timeoutMs?: number; message?: string } = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const value = await pollUntil(() => {
    const v = probe();
    return v === false ? undefined : v;
  }, timeoutMs);
  if (value === undefined) throw new Error(options.message ?? `waitUntil: condition not met within ${timeoutMs} ms`);
  return value;
}
