/**
 * Sends requests to the bot exactly as Slack does: Slack-shaped payloads, form or JSON encoded,
 * signed with `v0=HMAC-SHA256(signingSecret, "v0:{ts}:{rawBody}")`. Trigger ids, response URLs,
 * messages and views come from the FakeSlack, so whatever the bot does with them is checked.
 *
 *   const slack = createSlackRequestClient({ url: `${botUrl}/slack/events`, signingSecret, fake });
 *   const res = await slack.slashCommand({ command: '/spcs', text: 'deploy' });
 *   expect(res.status).toBe(200);
 */
import { createHmac } from 'node:crypto';
import { findElement } from './blocks.js';
import type { FakeSlack } from './server.js';
import {
  isRecord,
  type FakeView,
  type JsonObject,
  type PlainText,
  type SlackBlock,
  type SlackView,
  type ViewStateValue,
  type ViewStateValues,
} from './types.js';

// ---------------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------------

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{rawBody}` — Slack's request signature. */
export function signSlackRequest(signingSecret: string, timestampSec: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`;
}

/** Per-request knobs to prove the bot rejects bad requests (Bolt answers 401). */
export interface SigningOverrides {
  /** X-Slack-Request-Timestamp in seconds; e.g. now − 360 for a stale request. */
  timestamp?: number;
  /** Sign with this secret instead of the real one. */
  signingSecret?: string;
  /** Send this exact X-Slack-Signature value. */
  signature?: string;
  omitSignature?: boolean;
  omitTimestamp?: boolean;
  /** Extra headers, e.g. X-Slack-Retry-Num. */
  headers?: Record<string, string>;
}

export interface SlackHttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the bot answered JSON, else the text ('' for an empty ack). */
  body: unknown;
  text: string;
  /** Wall time from send to full response; Slack gives up after 3000 ms for commands and interactions. */
  elapsedMs: number;
  /** True when `ackTimeoutMs` passed without a complete answer; Slack then shows the person an error. */
  timedOut?: boolean;
  /** What was sent, for debugging. */
  request: { rawBody: string; timestamp: number; headers: Record<string, string> };
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

export interface RequestUser {
  id: string;
  name?: string;
}

interface Common {
  /** Who acts; defaults to the client's user. */
  user?: RequestUser;
  signing?: SigningOverrides;
  /** Last-moment change to the payload, for edge cases the builders don't cover. */
  mutate?: (payload: JsonObject) => void;
}

/** A value a person picks or types; arrays for multi-selects and checkboxes. */
export type InputValue = string | string[] | number | null;

export interface SlashCommandInput extends Common {
  command: string;
  text?: string;
  channelId?: string;
  channelName?: string;
}

/** Where an interaction happens: a message in the fake (ephemeral ones too) or an open view. */
export type Surface = { channel: string; ts: string } | { viewId: string };

export interface BlockActionInput extends Common {
  in: Surface;
  actionId: string;
  /** Needed only when two blocks hold the same action_id. */
  blockId?: string;
  /** Selected value(s) for selects/pickers/inputs; a button sends its own `value`. */
  value?: InputValue;
  /** For external selects: the option the user picked (its text is not in the blocks). */
  selectedOption?: { text: string; value: string };
  /** More input state for a view (by action_id), applied before the click. */
  inputs?: Record<string, InputValue>;
}

export interface ViewSubmissionInput extends Common {
  /** Defaults to the fake's current (top) view. */
  viewId?: string;
  /** Values to type before submitting, by action_id (looked up in the view's input blocks). */
  inputs?: Record<string, InputValue>;
  /** Raw `state.values` to merge, for full control. */
  values?: ViewStateValues;
  /** Apply the bot's ack (close / errors / update / push / clear) to the fake. Default true. */
  applyResponse?: boolean;
}

export interface ViewClosedInput extends Common {
  viewId?: string;
  /** True when the whole stack was dismissed. */
  isCleared?: boolean;
}

export interface BlockSuggestionInput extends Common {
  in: Surface;
  actionId: string;
  blockId?: string;
  /** What the user typed. */
  value: string;
}

export interface EventInput extends Omit<Common, 'user'> {
  event: JsonObject;
  eventId?: string;
  retryNum?: number;
  retryReason?: string;
}

export interface CommandResponse extends SlackHttpResponse {
  triggerId: string;
  responseUrl: string;
}

export interface InteractionResponse extends SlackHttpResponse {
  triggerId: string;
  responseUrl: string | undefined;
  payload: JsonObject;
}

export interface ViewSubmissionResponse extends InteractionResponse {
  /** What applying the ack did to the fake (e.g. `{ ok: false, error: 'push_limit_reached' }`), if applied. */
  viewOutcome: { ok: boolean; error?: string; messages?: string[] } | undefined;
}

export interface SlackRequestClientOptions {
  /** The bot's request URL, e.g. http://127.0.0.1:PORT/slack/events. */
  url: string;
  signingSecret: string;
  fake: FakeSlack;
  /** Default actor; seeded into the fake if missing. */
  user?: RequestUser;
  /** Clock for X-Slack-Request-Timestamp and action_ts (Bolt checks it against the real clock). */
  now?: () => number;
  /** Give up on an answer after this many ms, as Slack does after 3 s (the sandbox sets it; tests measure instead). */
  ackTimeoutMs?: number;
}

/** How long Slack waits for an app to acknowledge a command or an interaction. */
export const ACK_TIMEOUT_MS = 3000;

const DEFAULT_USER: Required<RequestUser> = { id: 'U0TESTUSER', name: 'test.user' };
const VERIFICATION_TOKEN = 'fake-verification-token';

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

export class SlackRequestClient {
  private readonly fake: FakeSlack;
  private readonly defaultUser: Required<RequestUser>;
  private readonly now: () => number;
  private eventCount = 0;

  constructor(private readonly options: SlackRequestClientOptions) {
    this.fake = options.fake;
    this.now = options.now ?? Date.now;
    this.defaultUser = { ...DEFAULT_USER, ...options.user };
    if (!this.fake.user(this.defaultUser.id)) this.fake.seedUsers([{ id: this.defaultUser.id, name: this.defaultUser.name }]);
  }

  /** POSTs a raw body with Slack's headers and signature. */
  async send(rawBody: string, contentType: string, signing: SigningOverrides = {}): Promise<SlackHttpResponse> {
    const timestamp = signing.timestamp ?? Math.floor(this.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...signing.headers,
    };
    if (!signing.omitTimestamp) headers['x-slack-request-timestamp'] = String(timestamp);
    if (!signing.omitSignature) {
      headers['x-slack-signature'] =
        signing.signature ?? signSlackRequest(signing.signingSecret ?? this.options.signingSecret, timestamp, rawBody);
    }
    const started = performance.now();
    const request = { rawBody, timestamp, headers };
    const limit = this.options.ackTimeoutMs;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.options.url, {
        method: 'POST',
        headers,
        body: rawBody,
        ...(limit === undefined ? {} : { signal: AbortSignal.timeout(limit) }),
      });
      text = await res.text();
    } catch (error: unknown) {
      if (!(error instanceof DOMException && error.name === 'TimeoutError')) throw error;
      return { status: 0, headers: {}, body: '', text: '', elapsedMs: performance.now() - started, timedOut: true, request };
    }
    const elapsedMs = performance.now() - started;
    const isJson = (res.headers.get('content-type') ?? '').includes('application/json');
    return {
      status: res.status,
      headers: Object.fromEntries(res.headers.entries()),
      body: isJson && text !== '' ? parseJson(text) : text,
      text,
      elapsedMs,
      request,
    };
  }

  /** Sends an interactivity payload as Slack does: form field `payload=<json>`. */
  sendPayload(payload: JsonObject, signing?: SigningOverrides): Promise<SlackHttpResponse> {
    return this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', signing);
  }

  /** A slash command, with a live trigger_id and response_url from the fake. */
  async slashCommand(input: SlashCommandInput): Promise<CommandResponse> {
    const user = this.actor(input.user);
    const channelId = input.channelId ?? 'C0DEPLOYS0';
    const triggerId = this.fake.issueTriggerId({ outsideModal: true });
    const responseUrl = this.fake.issueResponseUrl({ channel: channelId, userId: user.id });
    const fields: JsonObject = {
      token: VERIFICATION_TOKEN,
      team_id: this.fake.identity.teamId,
      team_domain: this.fake.identity.teamDomain,
      channel_id: channelId,
      channel_name: input.channelName ?? 'deploys',
      user_id: user.id,
      user_name: user.name,
      command: input.command,
      text: input.text ?? '',
      api_app_id: this.fake.identity.appId,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
    };
    input.mutate?.(fields);
    const form = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)]));
    const res = await this.send(form.toString(), 'application/x-www-form-urlencoded', input.signing);
    return { ...res, triggerId, responseUrl };
  }

  /** A click/selection on an element of a message or view held by the fake. */
  async blockActions(input: BlockActionInput): Promise<InteractionResponse> {
    const user = this.actor(input.user);
    const where = this.locate(input.in, input.actionId, input.blockId);
    const value = input.selectedOption ? undefined : input.value;
    const action: JsonObject = {
      ...selectionFields(where.element, value, input.selectedOption),
      type: where.element['type'],
      action_id: input.actionId,
      block_id: where.block.block_id,
      action_ts: this.slackTs(),
    };
    if (where.element['type'] === 'button') Object.assign(action, pick(where.element, ['text', 'value', 'style', 'url']));
    if ('viewId' in input.in)
      this.typeInto(input.in.viewId, { ...input.inputs, ...(isInputBlock(where.block) ? { [input.actionId]: value ?? null } : {}) });
    const base = this.surfaceFields(input.in, user);
    const payload: JsonObject = { type: 'block_actions', ...base.fields, actions: [action] };
    input.mutate?.(payload);
    const res = await this.sendPayload(payload, input.signing);
    return { ...res, triggerId: base.triggerId, responseUrl: base.responseUrl, payload };
  }

  /** Clicks a button by action_id (sugar over blockActions). */
  clickButton(surface: Surface, actionId: string, extra: Omit<BlockActionInput, 'in' | 'actionId'> = {}): Promise<InteractionResponse> {
    return this.blockActions({ ...extra, in: surface, actionId });
  }

  /** Submits a view; by default applies the bot's ack to the fake (closes, shows errors, updates, pushes, clears). */
  async viewSubmission(input: ViewSubmissionInput = {}): Promise<ViewSubmissionResponse> {
    const user = this.actor(input.user);
    const view = this.requireView(input.viewId);
    this.typeInto(view.id, input.inputs ?? {});
    if (input.values) this.fake.setViewStateValues(view.id, input.values);
    const triggerId = this.fake.issueTriggerId({ viewId: view.id });
    const payload: JsonObject = {
      type: 'view_submission',
      ...this.envelope(user),
      trigger_id: triggerId,
      view: viewPayload(this.requireView(view.id)),
      response_urls: [],
    };
    input.mutate?.(payload);
    const res = await this.sendPayload(payload, input.signing);
    const viewOutcome = input.applyResponse === false || res.status !== 200 ? undefined : this.applyAck(view.id, res);
    return { ...res, triggerId, responseUrl: undefined, payload, viewOutcome };
  }

  /** The user dismisses a view: the fake closes it first, then Slack notifies the app (needs notify_on_close). */
  async viewClosed(input: ViewClosedInput = {}): Promise<SlackHttpResponse> {
    const user = this.actor(input.user);
    const view = this.requireView(input.viewId);
    this.fake.closeView(view.id, input.isCleared ?? false);
    const payload: JsonObject = {
      type: 'view_closed',
      ...this.envelope(user),
      view: viewPayload(view),
      is_cleared: input.isCleared ?? false,
    };
    input.mutate?.(payload);
    return this.sendPayload(payload, input.signing);
  }

  /** An external_select options request ("Options Load URL"); the answer's body holds `options`. */
  async blockSuggestion(input: BlockSuggestionInput): Promise<SlackHttpResponse> {
    const user = this.actor(input.user);
    const where = this.locate(input.in, input.actionId, input.blockId);
    const surface = this.surfaceFields(input.in, user, false);
    const { trigger_id: _t, response_url: _r, state: _s, ...fields } = surface.fields;
    const payload: JsonObject = {
      type: 'block_suggestion',
      ...fields,
      action_id: input.actionId,
      block_id: where.block.block_id,
      value: input.value,
    };
    input.mutate?.(payload);
    return this.sendPayload(payload, input.signing);
  }

  /** An Events API event_callback (JSON body), with optional retry headers. */
  async event(input: EventInput): Promise<SlackHttpResponse> {
    const { identity } = this.fake;
    const body: JsonObject = {
      token: VERIFICATION_TOKEN,
      team_id: identity.teamId,
      api_app_id: identity.appId,
      event: { event_ts: this.slackTs(), ...input.event },
      type: 'event_callback',
      event_id: input.eventId ?? `Ev${String(++this.eventCount).padStart(10, '0')}`,
      event_time: Math.floor(this.now() / 1000),
      authorizations: [
        { enterprise_id: null, team_id: identity.teamId, user_id: identity.botUserId, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
    };
    input.mutate?.(body);
    const retry: Record<string, string> =
      input.retryNum === undefined
        ? {}
        : { 'x-slack-retry-num': String(input.retryNum), 'x-slack-retry-reason': input.retryReason ?? 'http_timeout' };
    const signing: SigningOverrides = { ...input.signing, headers: { ...retry, ...input.signing?.headers } };
    return this.send(JSON.stringify(body), 'application/json', signing);
  }

  /** @-mentions the bot: the message is added to the fake (so the bot can reply in its thread), then app_mention is sent. */
  async appMention(input: {
    channel: string;
    text: string;
    user?: RequestUser;
    threadTs?: string;
    signing?: SigningOverrides;
  }): Promise<SlackHttpResponse & { ts: string }> {
    const user = this.actor(input.user);
    const text = `<@${this.fake.identity.botUserId}> ${input.text}`;
    const message = this.fake.postAsUser(input.channel, { user: user.id, text, ...(input.threadTs ? { threadTs: input.threadTs } : {}) });
    const event: JsonObject = {
      type: 'app_mention',
      user: user.id,
      text,
      ts: message.ts,
      channel: input.channel,
      ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    };
    const res = await this.event({ event, ...(input.signing ? { signing: input.signing } : {}) });
    return { ...res, ts: message.ts };
  }

  // ---- payload pieces ---------------------------------------------------------------------------

  private actor(user: RequestUser | undefined): Required<RequestUser> {
    if (!user) return this.defaultUser;
    return { id: user.id, name: user.name ?? this.fake.user(user.id)?.name ?? user.id.toLowerCase() };
  }

  private envelope(user: Required<RequestUser>): JsonObject {
    const { identity } = this.fake;
    return {
      team: { id: identity.teamId, domain: identity.teamDomain },
      user: { id: user.id, username: user.name, name: user.name, team_id: identity.teamId },
      api_app_id: identity.appId,
      token: VERIFICATION_TOKEN,
      is_enterprise_install: false,
      enterprise: null,
    };
  }

  /** container / channel / message / view / trigger_id / response_url, as Slack sends for each surface. */
  private surfaceFields(
    surface: Surface,
    user: Required<RequestUser>,
    issue = true,
  ): { fields: JsonObject; triggerId: string; responseUrl: string | undefined } {
    if ('viewId' in surface) {
      const view = this.requireView(surface.viewId);
      const triggerId = issue ? this.fake.issueTriggerId({ viewId: view.id }) : '';
      const fields: JsonObject = {
        ...this.envelope(user),
        container: { type: 'view', view_id: view.id },
        trigger_id: triggerId,
        view: viewPayload(view),
        state: view.state,
      };
      return { fields, triggerId, responseUrl: undefined };
    }
    const ephemeral = this.fake.ephemerals({ channel: surface.channel }).find((e) => e.message_ts === surface.ts);
    const triggerId = issue ? this.fake.issueTriggerId({ outsideModal: true }) : '';
    const responseUrl = issue
      ? this.fake.issueResponseUrl({ channel: surface.channel, messageTs: surface.ts, userId: user.id })
      : undefined;
    const fields: JsonObject = {
      ...this.envelope(user),
      container: { type: 'message', message_ts: surface.ts, channel_id: surface.channel, is_ephemeral: ephemeral !== undefined },
      trigger_id: triggerId,
      channel: { id: surface.channel, name: surface.channel.toLowerCase() },
      state: { values: {} },
      response_url: responseUrl,
    };
    // Slack omits `message` for ephemeral messages.
    const message = this.fake.message(surface.channel, surface.ts);
    if (message) {
      const { channel: _c, revisions: _r, ...rest } = message;
      fields['message'] = rest;
    }
    return { fields, triggerId, responseUrl };
  }

  private locate(surface: Surface, actionId: string, blockId: string | undefined): { block: SlackBlock; element: JsonObject } {
    const blocks = this.surfaceBlocks(surface);
    const candidates = blockId === undefined ? blocks : blocks.filter((b) => b.block_id === blockId);
    const found = findElement(candidates, actionId);
    if (found) return found;
    const present = blocks.flatMap((b) => collectActionIds(b)).join(', ') || 'none';
    throw new Error(
      `No element with action_id '${actionId}'${blockId ? ` in block '${blockId}'` : ''} on ${describeSurface(surface)}. action_ids present: ${present}`,
    );
  }

  private surfaceBlocks(surface: Surface): SlackBlock[] {
    if ('viewId' in surface) return this.requireView(surface.viewId).blocks;
    const message = this.fake.message(surface.channel, surface.ts);
    const ephemeral = this.fake.ephemerals({ channel: surface.channel }).find((e) => e.message_ts === surface.ts);
    const blocks = message?.blocks ?? ephemeral?.blocks;
    if (!message && !ephemeral) throw new Error(`The fake has no message ${surface.ts} in ${surface.channel}`);
    return blocks ?? [];
  }

  private requireView(viewId: string | undefined): FakeView {
    const view = viewId === undefined ? this.fake.currentView() : this.fake.view(viewId);
    if (!view) throw new Error(viewId === undefined ? 'No view is open in the fake' : `The fake has no view ${viewId}`);
    if (!view.open) throw new Error(`View ${view.id} is closed; Slack cannot send interactions from it`);
    return view;
  }

  /** Puts values into a view's state by action_id, as if the user typed them. */
  private typeInto(viewId: string, inputs: Record<string, InputValue>): void {
    const view = this.requireView(viewId);
    const values: ViewStateValues = {};
    for (const [actionId, value] of Object.entries(inputs)) {
      const found = findElement(view.blocks, actionId);
      const blockId = found?.block.block_id;
      if (!found || blockId === undefined) throw new Error(`View ${viewId} has no element with action_id '${actionId}'`);
      const type = String(found.element['type']);
      values[blockId] = { ...values[blockId], [actionId]: { type, ...selectionFields(found.element, value, undefined) } };
    }
    if (Object.keys(values).length > 0) this.fake.setViewStateValues(viewId, values);
  }

  private applyAck(viewId: string, res: SlackHttpResponse): ViewSubmissionResponse['viewOutcome'] {
    const body = isRecord(res.body) ? res.body : undefined;
    const outcome = this.fake.applyViewSubmissionResponse(viewId, body);
    if (outcome.ok) return { ok: true };
    return { ok: false, error: outcome.error, ...('messages' in outcome ? { messages: outcome.messages } : {}) };
  }

  private slackTs(): string {
    const ms = this.now();
    return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
  }
}

export function createSlackRequestClient(options: SlackRequestClientOptions): SlackRequestClient {
  return new SlackRequestClient(options);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A view exactly as Slack puts it in payloads (without the fake's bookkeeping). */
export function viewPayload(view: FakeView): SlackView {
  const { open: _open, submissionErrors: _errors, ...slackView } = view;
  return slackView;
}

/** The fields Slack sends for a selection on an element (both in `actions[]` and `state.values`). */
function selectionFields(
  element: JsonObject,
  value: InputValue | undefined,
  picked: { text: string; value: string } | undefined,
): Partial<ViewStateValue> {
  const type = String(element['type']);
  const asList = (): string[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [String(value)]);
  const one = (): string | null => asList()[0] ?? null;
  // External selects load options from the app, so any value is acceptable there.
  const strict = !type.includes('external_select');
  switch (type) {
    case 'button':
    case 'workflow_button':
      return {};
    case 'static_select':
    case 'external_select':
    case 'overflow':
    case 'radio_buttons': {
      if (picked) return { selected_option: { text: plainText(picked.text), value: picked.value } };
      const v = one();
      return { selected_option: v === null ? null : selectedOption(element, v, strict) };
    }
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { selected_options: asList().map((v) => selectedOption(element, v, strict)) };
    case 'users_select':
      return { selected_user: one() };
    case 'multi_users_select':
      return { selected_users: asList() };
    case 'conversations_select':
      return { selected_conversation: one() };
    case 'multi_conversations_select':
      return { selected_conversations: asList() };
    case 'channels_select':
      return { selected_channel: one() };
    case 'multi_channels_select':
      return { selected_channels: asList() };
    case 'datepicker':
      return { selected_date: one() };
    case 'timepicker':
      return { selected_time: one() };
    case 'datetimepicker':
      return { selected_date_time: value === undefined || value === null ? null : Number(value) };
    default:
      return { value: value === undefined || value === null ? null : String(value) };
  }
}

function plainText(text: string): PlainText {
  return { type: 'plain_text', text };
}

/** An option the element offers; picking one it does not offer is a test bug, so say so. */
function selectedOption(element: JsonObject, value: string, strict: boolean): { text: PlainText; value: string } {
  const label = findOptionLabel(element, value);
  if (label === undefined && strict) throw new Error(`Element '${String(element['action_id'])}' offers no option with value '${value}'`);
  return { text: plainText(label ?? value), value };
}

function findOptionLabel(element: JsonObject, value: string): string | undefined {
  const groups = Array.isArray(element['option_groups']) ? element['option_groups'].filter(isRecord) : [];
  for (const list of [element['options'], ...groups.map((g) => g['options'])]) {
    if (!Array.isArray(list)) continue;
    const option = list.filter(isRecord).find((o) => o['value'] === value);
    const text = option?.['text'];
    if (isRecord(text) && typeof text['text'] === 'string') return text['text'];
  }
  return undefined;
}

function isInputBlock(block: SlackBlock): boolean {
  return block.type === 'input';
}

function pick(source: JsonObject, keys: readonly string[]): JsonObject {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

function collectActionIds(block: SlackBlock): string[] {
  const elements: unknown[] = [block['accessory'], block['element'], ...(Array.isArray(block['elements']) ? block['elements'] : [])];
  return elements
    .filter(isRecord)
    .flatMap((e) => (typeof e['action_id'] === 'string' ? [`${e['action_id']} (block ${block.block_id ?? '?'})`] : []));
}

function describeSurface(surface: Surface): string {
  return 'viewId' in surface ? `view ${surface.viewId}` : `message ${surface.ts} in ${surface.channel}`;
}

function parseJson(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    return text;
  }
}
