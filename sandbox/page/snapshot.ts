/**
 * What the sandbox server tells the page (GET /sandbox/api/state?user=U…): one person's view of
 * the channel. Shared by the server and the browser code, so both agree on the shape.
 */

export interface SnapshotPerson {
  id: string;
  name: string;
  real_name: string;
  role: string;
}

export interface SnapshotFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  size: number;
  /** Where the page loads the bytes from. */
  url: string;
}

export interface SnapshotReaction {
  name: string;
  users: string[];
  count: number;
}

/**
 * A message as Slack's API returns it (conversations.history / replies), which is what the
 * renderer reads; ephemeral messages carry `ephemeral: true` and are only in their person's snapshot.
 */
export interface SnapshotMessage {
  type: 'message';
  channel: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  bot_profile?: { name: string };
  text: string;
  blocks?: unknown[];
  files?: SnapshotFile[];
  edited?: { user: string; ts: string };
  reply_count?: number;
  reactions?: SnapshotReaction[];
  ephemeral?: boolean;
  /** How many versions the message has had (chat.update adds one). */
  revisions: number;
}

export interface SnapshotView {
  id: string;
  type: string;
  title: { type: 'plain_text'; text: string } | null;
  submit: { type: 'plain_text'; text: string } | null;
  close: { type: 'plain_text'; text: string } | null;
  blocks: unknown[];
  state: { values: Record<string, Record<string, unknown>> };
  hash: string;
  callback_id: string;
  notify_on_close: boolean;
  /** `response_action: errors` from the last submission: block_id → message. */
  errors: Record<string, string> | null;
}

/** Something Slack would show the person, or a refusal a developer must see. `user` set: only that person sees it. */
export interface SnapshotNotice {
  id: number;
  user?: string;
  level: 'error' | 'warning';
  text: string;
  details?: string[];
  at: number;
}

export interface SnapshotTimeStep {
  label: string;
  advanceMs: number;
}

export interface Snapshot {
  me: string;
  people: SnapshotPerson[];
  bot: { id: string; name: string };
  channel: { id: string; name: string };
  /** Channel messages and this person's ephemerals, oldest first. */
  timeline: SnapshotMessage[];
  /** Thread replies (and this person's ephemerals in the thread) by parent ts. */
  threads: Record<string, SnapshotMessage[]>;
  /** This person's open modal stack, root first. */
  views: SnapshotView[];
  notices: SnapshotNotice[];
  timeSteps: SnapshotTimeStep[];
  /** Whether an SPCS emulator is attached (the Snowflake panel). */
  snowflake: boolean;
}

export interface SqlLogEntry {
  at: number;
  queryId: string;
  sqlText: string;
  user: string;
  role: string;
  outcome: 'success' | 'error' | 'running';
  errorCode: string | null;
  errorMessage: string | null;
}

export interface EmulatorState {
  now: string;
  pools: { name: string; state: string }[];
  services: { name: string; status: string; isJob: boolean; pool: string }[];
}
