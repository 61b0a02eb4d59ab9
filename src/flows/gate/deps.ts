import type { ApprovalPolicy } from '../../domain/approval-policy.js';
import type { Notifier } from '../../jobs/notifier.js';
import type { Logger } from '../../logger.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { DeploymentStore } from '../../store/deployment-store.js';
import type { OperationStore } from '../../store/operation-store.js';
import type { ActionGuard } from '../shared/permissions.js';

/** What the gate listeners need; app.ts builds it. Only Redis work happens here: Snowflake work is the workers'. */
export interface GateDeps {
  readonly deployments: Pick<DeploymentStore, 'get' | 'readVersioned' | 'approve' | 'reject'>;
  readonly operations: Pick<OperationStore, 'get' | 'readVersioned' | 'approve' | 'reject'>;
  readonly audit: Pick<AuditLog, 'append'>;
  /** Summary edits and thread replies, for both kinds. */
  readonly notifier: Pick<Notifier, 'summary' | 'changeSummary'>;
  /** SPCS_APPROVERS membership (or channel membership with an empty list). */
  readonly approvers: { isApprover(userId: string, channelId: string): Promise<boolean> };
  /** SPCS_MANAGERS, checked again when a requester confirms their own change. */
  readonly guard: ActionGuard;
  readonly enqueueDeploy: (deploymentId: string) => Promise<void>;
  readonly enqueueChange: (operationId: string) => Promise<void>;
  /** A person's answer to a change that needs attention (src/jobs/change-executor.ts resolveAttention); null when it was not waiting. */
  readonly resolveAttention: (operationId: string, action: 'mark_done' | 'retry', actor: string) => Promise<unknown>;
  /** A person's answer to a deployment that needs attention (src/jobs/deploy-executor.ts resolveDeployAttention); null when it was not waiting. */
  readonly resolveDeployAttention: (deploymentId: string, action: 'recheck' | 'mark_failed', actor: string) => Promise<unknown>;
  readonly policy: ApprovalPolicy;
  readonly logger: Logger;
  readonly now: () => number;
}
