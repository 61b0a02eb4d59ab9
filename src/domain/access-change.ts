import { z } from 'zod';
import { PendingChange } from '../store/access-session-store.js';
import { GATES } from './approval-policy.js';

/**
 * A confirmed `/spcs access` change (issue 13) as a record behind the one approval gate: the
 * requester's own confirmation approves it (gate `self`), the access worker runs it. It carries
 * what the worker needs without the modal's session (which may have expired) and where the
 * result goes (the modal's view, else the channel).
 */

const Fq = z.object({ database: z.string().min(1), schema: z.string().min(1), name: z.string().min(1) });

export const ACCESS_PHASES = ['executing', 'done', 'failed', 'needs_attention'] as const;
export type AccessPhase = (typeof ACCESS_PHASES)[number];

export const AccessStatementRun = z.object({
  text: z.string(),
  /** Absent: sent (or about to be) and not answered yet. */
  state: z.enum(['ran', 'failed', 'not_run']).optional(),
});

export const AccessExecution = z.object({
  phase: z.enum(ACCESS_PHASES),
  sinceMs: z.number(),
  statements: z.array(AccessStatementRun),
});
export type AccessExecution = z.infer<typeof AccessExecution>;

export const AccessChangeRecord = z.object({
  id: z.string().regex(/^a[0-9a-z]{8,32}$/),
  requestedBy: z.string(),
  requestedAtMs: z.number(),
  planHash: z.string().length(64),
  state: z.enum(['pending', 'approved', 'rejected', 'expired']),
  approvals: z.array(z.object({ userId: z.string(), atMs: z.number() })),
  rejection: z.object({ userId: z.string(), atMs: z.number(), reason: z.string().optional() }).optional(),
  gate: z.enum(GATES),
  sessionId: z.string(),
  viewId: z.string(),
  teamId: z.string(),
  channelId: z.string(),
  /** The service the modal is about, as Snowflake resolved it (the grant's target). */
  service: Fq,
  change: PendingChange,
  /** The plan's statement texts as confirmed (their hash is planHash). */
  statements: z.array(z.string()),
  /** Written by the access worker only (src/jobs/access-executor.ts). */
  execution: AccessExecution.optional(),
  /** The sentence the person is shown once it ran (or did not). */
  notice: z.string().optional(),
  ok: z.boolean().optional(),
});
export type AccessChangeRecord = z.infer<typeof AccessChangeRecord>;
