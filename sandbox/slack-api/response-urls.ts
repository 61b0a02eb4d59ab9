/**
 * response_url bookkeeping: each URL remembers where the interaction happened and allows at
 * most 5 uses within 30 minutes, as Slack documents.
 */
import type { IdSource } from './ids.js';

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60_000;

export interface ResponseUrlContext {
  /** Channel of the command or click; in_channel / ephemeral responses go here. */
  channel?: string | undefined;
  /** The message that was clicked; replace_original / delete_original act on it. */
  messageTs?: string | undefined;
  /** The user who triggered it; ephemeral responses are shown to them. */
  userId?: string | undefined;
}

export interface ResponseUrlRecord extends ResponseUrlContext {
  id: string;
  issuedAt: number;
  uses: number;
}

export type ResponseUrlCheck = { ok: true; record: ResponseUrlRecord } | { ok: false; error: 'invalid_url' | 'used_url' | 'expired_url' };

export class ResponseUrls {
  private readonly records = new Map<string, ResponseUrlRecord>();

  constructor(
    private readonly ids: IdSource,
    private readonly now: () => number,
  ) {}

  issue(context: ResponseUrlContext): ResponseUrlRecord {
    const record: ResponseUrlRecord = { ...context, id: this.ids.opaque(), issuedAt: this.now(), uses: 0 };
    this.records.set(record.id, record);
    return record;
  }

  /** Counts a use if the URL is still live. */
  use(id: string): ResponseUrlCheck {
    const record = this.records.get(id);
    if (!record) return { ok: false, error: 'invalid_url' };
    if (this.now() - record.issuedAt > RESPONSE_URL_TTL_MS) return { ok: false, error: 'expired_url' };
    if (record.uses >= RESPONSE_URL_MAX_USES) return { ok: false, error: 'used_url' };
    record.uses += 1;
    return { ok: true, record };
  }

  reset(): void {
    this.records.clear();
  }
}
