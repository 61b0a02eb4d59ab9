import type { Logger } from '../../logger.js';
import type { QueryRunner } from '../../snowflake/index.js';
import type { ApprovalPolicy } from '../../domain/approval-policy.js';
import type { AccessChangeStore } from '../../store/access-change-store.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { Permissions } from '../shared/permissions.js';
import type { SessionRedis } from '../../store/access-session-store.js';

/** What `/spcs access` needs from the rest of the bot; app.ts builds it. */
export interface AccessDeps {
  /**
   * Reads (SHOW SERVICES/ENDPOINTS/PARAMETERS/MODELS/VERSIONS/FUNCTIONS) and, after a manager
   * confirms, CREATE NETWORK RULE/POLICY, ALTER USER … SET NETWORK_POLICY, GRANT SERVICE ROLE.
   */
  readonly snowflake: QueryRunner;
  /** Holds the modal's state (`${keyPrefix}:access:<id>`). */
  readonly redis: SessionRedis;
  readonly keyPrefix: string;
  /** Setting up access changes Snowflake: only `manage` may confirm a change. */
  readonly permissions: Permissions;
  readonly audit: Pick<AuditLog, 'append'>;
  /** Confirmed changes behind the gate (issue 13); the access worker runs them. */
  readonly changes: Pick<AccessChangeStore, 'createIfAbsent' | 'approve'>;
  /** Hands a confirmed change to the access worker (job id = record id). */
  readonly enqueueAccess: (accessId: string) => Promise<void>;
  /** The gate's settings; a confirmation is the `self` gate (policyFor). */
  readonly policy: ApprovalPolicy;
  readonly logger: Logger;
  readonly now: () => number;
  /** SPCS_INGRESS_URL_OVERRIDE: a `{host}` template the REST test sends to instead of https://<host>. */
  readonly ingressUrlOverride: string | undefined;
  /** How long the REST test waits for the endpoint (default 30 s; the ingress itself gives up at 60 s). */
  readonly restTimeoutMs?: number;
  /** The REST test's HTTP client (default: global fetch). */
  readonly fetch?: typeof fetch;
}
