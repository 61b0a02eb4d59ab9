/**
 * Identifiers shaped like Slack's, deterministic per fake instance so snapshots stay stable.
 */
import { randomBytes } from 'node:crypto';
import { isRecord, type SlackBlock } from './types.js';

export interface FakeIdentity {
  teamId: string;
  teamDomain: string;
  teamName: string;
  botUserId: string;
  botId: string;
  botName: string;
  appId: string;
}

export class IdSource {
  private counters = new Map<string, number>();
  private lastMicros = 0;

  /** With `clock`, message timestamps follow it (the sandbox shows real times); without, they are fixed per instance. */
  constructor(private readonly clock?: () => number) {}

  next(kind: string): number {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return n;
  }

  /** Message timestamps: "1700000000.000100", "1700000000.000200", … strictly increasing. */
  ts(): string {
    const fixed = 1_700_000_000_000_000 + this.next('ts') * 100;
    const micros = this.clock === undefined ? fixed : Math.max(this.lastMicros + 100, Math.floor(this.clock() * 1000));
    this.lastMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  /** Slack-style prefixed id, e.g. V0000000001 for views, F0000000001 for files. */
  prefixed(prefix: string): string {
    return `${prefix}${this.next(prefix).toString(36).toUpperCase().padStart(10, '0')}`;
  }

  /** Same format as Slack's view hashes ("156772938.1827394"). */
  hash(): string {
    return `${1_700_000_000 + this.next('hash')}.${randomBytes(4).toString('hex')}`;
  }

  /** Same format as Slack's trigger ids ("12345.98765.abcd2358fdea"). */
  triggerId(): string {
    return `${this.next('trigger')}.${1_000_000 + this.next('trigger-team')}.${randomBytes(16).toString('hex')}`;
  }

  opaque(): string {
    return randomBytes(12).toString('hex');
  }

  reset(): void {
    this.counters.clear();
    this.lastMicros = 0;
  }
}

/** Element types that carry an action_id (Slack generates one when the app omits it). */
const NON_INTERACTIVE = new Set(['image', 'plain_text', 'mrkdwn']);

/**
 * Slack stores blocks with a block_id on every block and an action_id on every interactive
 * element, generating them when the app leaves them out. We copy that so payload builders
 * always have ids to send back.
 */
export function withSlackIds(blocks: readonly SlackBlock[], ids: IdSource): SlackBlock[] {
  const copy: SlackBlock[] = structuredClone([...blocks]);
  const taken = new Set(copy.map((b) => b.block_id).filter((id): id is string => typeof id === 'string'));
  for (const block of copy) {
    if (block.block_id === undefined) block.block_id = unique(() => ids.prefixed('blk').slice(-5), taken);
    fillActionIds(block, ids);
  }
  return copy;
}

function fillActionIds(block: SlackBlock, ids: IdSource): void {
  if (block.type === 'context' || block.type === 'rich_text') return;
  const elements: unknown[] = [block['accessory'], block['element'], ...(Array.isArray(block['elements']) ? block['elements'] : [])];
  for (const el of elements) {
    if (!isRecord(el) || typeof el['type'] !== 'string' || NON_INTERACTIVE.has(el['type'])) continue;
    if (el['action_id'] === undefined) el['action_id'] = ids.prefixed('act').slice(-6);
  }
}

function unique(make: () => string, taken: Set<string>): string {
  let id = make();
  while (taken.has(id)) id = make();
  taken.add(id);
  return id;
}
