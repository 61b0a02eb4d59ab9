import type { ApprovalPolicy } from '../../domain/approval-policy.js';
import type { ExpiryScheduler } from '../../jobs/expiry-queue.js';
import type { Logger } from '../../logger.js';
import type { QueryRunner } from '../../snowflake/index.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { DeploymentStore } from '../../store/deployment-store.js';
import type { OperationStore } from '../../store/operation-store.js';
import type { ActionGuard } from '../shared/permissions.js';

/** What the management flows (services and pools) need; app.ts builds it. */
export interface ManageDeps {
  /** SHOW SERVICES / COMPUTE POOLS (the changes themselves run in the execute worker). */
  readonly snowflake: QueryRunner;
  readonly operations: Pick<OperationStore, 'create' | 'update'>;
  /** Where a service's thread is, and whether it has a deployment in flight. */
  readonly deployments: Pick<DeploymentStore, 'forService'>;
  readonly audit: Pick<AuditLog, 'append'>;
  /** SPCS_MANAGERS, checked at every entry point and again before anything runs. */
  readonly guard: ActionGuard;
  /** Expires a request behind the approvers' gate once SPCS_APPROVAL_TTL passes with no decision. */
  readonly expiry: ExpiryScheduler;
  readonly policy: ApprovalPolicy;
  readonly logger: Logger;
  readonly now: () => number;
}
