/**
 * What a worker does with a deployment that an earlier worker left in `submitting` without a query
 * id: it may have sent CALL SYSTEM$DEPLOY_MODEL, and Snowflake may have taken it. The CALL is never
 * sent a second time; the query history (by the CALL's QUERY_TAG) and SHOW SERVICES decide, and
 * where they cannot, a person does (issue 13, "Crash safety").
 */

/** The tagged CALL in INFORMATION_SCHEMA.QUERY_HISTORY_BY_USER. */
export type HistoryLookup =
  | { readonly kind: 'found'; readonly queryId: string }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unreadable'; readonly why: string };

/** The service in SHOW SERVICES, with when Snowflake created it. */
export type ServiceLookup =
  | { readonly kind: 'present'; readonly createdOnMs: number | null }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unreadable'; readonly why: string };

export const ATTENTION_REASONS = ['history_unreadable', 'service_without_query', 'service_unreadable'] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];

export type RecoveryDecision =
  | { readonly kind: 'follow'; readonly queryId: string }
  /** Snowflake has no trace of it: safe to call failed, and to request again. */
  | { readonly kind: 'not_taken' }
  | { readonly kind: 'needs_attention'; readonly reason: AttentionReason };

/**
 * A service created at or after the moment the CALL was about to go out is this deployment's (or
 * someone else's deploy of the same name, which a person has to tell apart); an older one is not.
 * Without a creation time, presence alone is not proof either way.
 */
function createdBySubmission(service: Extract<ServiceLookup, { kind: 'present' }>, submittingSinceMs: number): boolean | null {
  if (service.createdOnMs === null) return null;
  return service.createdOnMs >= submittingSinceMs;
}

export function decideSubmissionRecovery(history: HistoryLookup, service: ServiceLookup, submittingSinceMs: number): RecoveryDecision {
  if (history.kind === 'found') return { kind: 'follow', queryId: history.queryId };
  if (service.kind === 'unreadable') return { kind: 'needs_attention', reason: 'service_unreadable' };
  const ours = service.kind === 'present' ? createdBySubmission(service, submittingSinceMs) : false;
  // A new service without its CALL in the history: it was taken, but there is no query to follow.
  if (ours !== false) return { kind: 'needs_attention', reason: 'service_without_query' };
  // No service yet says little while the image may still be building: only the history can say "not taken".
  if (history.kind === 'unreadable') return { kind: 'needs_attention', reason: 'history_unreadable' };
  return { kind: 'not_taken' };
}
