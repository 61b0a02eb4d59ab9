import { z } from 'zod';
import type { StoreRedis } from './store-redis.js';

/**
 * The append-only audit trail: one Redis stream (`${keyPrefix}:audit`), one XADD per event.
 * Entries are never edited; the stream id orders them.
 */

export const AUDIT_EVENTS = [
  'requested',
  'approval_recorded',
  'approved',
  'refused',
  'rejected',
  'expired',
  'execution_started',
  'execution_refused',
  'deploy_submitted',
  'phase_changed',
  'outcome',
  // Authorization and service/pool management (issue 5).
  'permission_refused',
  'change_requested',
  'change_applied',
  'change_failed',
  // Changes run by the execute worker (issue 13): it cannot tell whether one took effect; a person answered.
  'change_needs_attention',
  'change_resolved',
  // A deployment that needs attention (the worker could not tell whether Snowflake took the CALL): a person answered.
  'deploy_resolved',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export const AuditEntry = z.object({
  event: z.enum(AUDIT_EVENTS),
  deploymentId: z.string(),
  /** Slack user id of the person who acted; absent for the bot's own steps. */
  actor: z.string().optional(),
  teamId: z.string().optional(),
  channelId: z.string().optional(),
  atMs: z.coerce.number(),
  planHash: z.string(),
  /** Reason code, phase, query id… whatever the event carries. */
  detail: z.string().optional(),
  /** What was attempted (`suspend`, `drop`, `create a compute pool`…), for refusals and changes. */
  action: z.string().optional(),
  /** What it was aimed at: a service's or pool's name. */
  target: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export interface StoredAuditEntry extends AuditEntry {
  readonly streamId: string;
}

export class AuditLog {
  constructor(
    private readonly redis: StoreRedis,
    private readonly keyPrefix: string,
  ) {}

  private get key(): string {
    return `${this.keyPrefix}:audit`;
  }

  async append(entry: AuditEntry): Promise<void> {
    const parsed = AuditEntry.parse(entry);
    const fields = Object.entries(parsed).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)]));
    await this.redis.xadd(this.key, '*', ...fields);
  }

  /** Entries oldest first, optionally for one deployment. */
  async read(deploymentId?: string): Promise<StoredAuditEntry[]> {
    const raw = await this.redis.xrange(this.key, '-', '+');
    const entries = raw.map(([streamId, fields]) => {
      const record: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i] ?? ''] = fields[i + 1] ?? '';
      return { ...AuditEntry.parse(record), streamId };
    });
    return deploymentId === undefined ? entries : entries.filter((e) => e.deploymentId === deploymentId);
  }
}
