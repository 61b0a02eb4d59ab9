/**
 * Shapes shared by the fake Slack server and the signed-request client. They follow the JSON
 * Slack sends and returns (snake_case), so assertions read like Slack's own docs.
 */

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Block Kit block as stored by the fake: only `type` is guaranteed (validation checked the rest). */
export interface SlackBlock {
  type: string;
  block_id?: string;
  [key: string]: unknown;
}

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface ViewStateValue {
  type: string;
  value?: string | null;
  selected_option?: { text: PlainText; value: string } | null;
  selected_options?: { text: PlainText; value: string }[];
  selected_user?: string | null;
  selected_users?: string[];
  selected_conversation?: string | null;
  selected_conversations?: string[];
  selected_channel?: string | null;
  selected_channels?: string[];
  selected_date?: string | null;
  selected_time?: string | null;
  selected_date_time?: number | null;
  [key: string]: unknown;
}

/** `view.state.values`: block_id → action_id → value. */
export type ViewStateValues = Record<string, Record<string, ViewStateValue>>;

/** A modal as Slack returns it from views.open / views.update / views.push. */
export interface SlackView {
  id: string;
  team_id: string;
  type: string;
  title: PlainText | null;
  submit: PlainText | null;
  close: PlainText | null;
  blocks: SlackBlock[];
  private_metadata: string;
  callback_id: string;
  external_id: string;
  state: { values: ViewStateValues };
  hash: string;
  clear_on_close: boolean;
  notify_on_close: boolean;
  previous_view_id: string | null;
  root_view_id: string;
  app_id: string;
  app_installed_team_id: string;
  bot_id: string;
}

/** The fake's bookkeeping around a view; `open` turns false when it leaves its stack. */
export interface FakeView extends SlackView {
  readonly open: boolean;
  /** The last `response_action: errors` map the app returned for this view, if any. */
  readonly submissionErrors: Record<string, string> | undefined;
}

export interface FakeMessageRevision {
  text: string | undefined;
  blocks: SlackBlock[] | undefined;
  at: number;
}

export interface FakeMessage {
  type: 'message';
  channel: string;
  ts: string;
  user: string;
  bot_id?: string;
  app_id?: string;
  team: string;
  text: string;
  blocks?: SlackBlock[];
  attachments?: JsonObject[];
  metadata?: JsonObject;
  files?: FakeFileSummary[];
  upload?: boolean;
  subtype?: string;
  thread_ts?: string;
  reply_count?: number;
  reply_users?: string[];
  latest_reply?: string;
  edited?: { user: string; ts: string };
  /** reactions.add / reactions.remove, in the order they were first added. */
  reactions?: FakeReaction[];
  /** Every text/blocks version, oldest first, so tests can assert how a status message evolved. */
  revisions: FakeMessageRevision[];
}

export interface FakeReaction {
  name: string;
  users: string[];
  count: number;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  thread_ts?: string;
  text: string;
  blocks?: SlackBlock[];
  source: 'chat.postEphemeral' | 'response_url';
}

export interface FakeFileSummary {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  size: number;
}

export interface FakeFile extends FakeFileSummary {
  /** Exactly the bytes POSTed to the upload URL (empty until the upload happens). */
  bytes: Buffer;
  declaredLength: number;
  uploaded: boolean;
  completed: boolean;
  altText?: string;
  channelId?: string;
  threadTs?: string;
  initialComment?: string;
}

export interface FakeUser {
  id: string;
  name: string;
  real_name?: string;
  email?: string;
  is_bot?: boolean;
  is_admin?: boolean;
  deleted?: boolean;
  tz?: string;
}

export interface RecordedCall {
  /** Web API method, or `response_url` / `file_upload` for the fake's side URLs. */
  method: string;
  /** Arguments as received; JSON-valued fields (blocks, view, attachments, files…) parsed back. Token never included. */
  args: JsonObject;
  /** Clock time (the injectable `now`) when the request arrived. */
  at: number;
  /** HTTP status the fake answered with (filled in once handled). */
  status: number;
  ok: boolean;
  error?: string;
  /** The JSON body the fake answered with. */
  response: JsonObject;
}
