import { randomBytes } from 'node:crypto';
import { logDeploymentStep } from '../../jobs/deployment-log.js';
import { DeployRequest } from '../../domain/deploy-request.js';
import { deployPlanHash, planDeployStatements } from '../../snowflake/index.js';
import type { Deployment, DeploymentRequester, DeploymentSubmission } from '../../domain/deployment.js';
import type { Logger } from '../../logger.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { DeploymentStore } from '../../store/deployment-store.js';
import type { ExpiryScheduler } from '../../jobs/expiry-queue.js';
import type { Notifier } from '../../jobs/notifier.js';

/**
 * The deploy wizard's way into the approval gate: stores the request pending, audits it and has its
 * summary posted. The Approve / Reject listeners are the gate's (src/flows/gate/), shared with
 * service and pool changes.
 */

export interface RequesterDeps {
  readonly store: Pick<DeploymentStore, 'create'>;
  readonly audit: Pick<AuditLog, 'append'>;
  readonly notifier: Pick<Notifier, 'summary'>;
  readonly expiry: ExpiryScheduler;
  readonly logger: Logger;
  readonly now: () => number;
}

export function newDeploymentId(): string {
  return `d${BigInt(`0x${randomBytes(10).toString('hex')}`).toString(36)}`.padEnd(9, '0');
}

/**
 * Stores the request as pending, audits it, arranges for it to expire after SPCS_APPROVAL_TTL
 * and has the summary with Approve / Reject posted.
 */
export function createDeploymentRequester(deps: RequesterDeps): DeploymentRequester {
  return {
    async request(submission: DeploymentSubmission) {
      const request = DeployRequest.parse(submission.request);
      const deployment: Deployment = {
        id: newDeploymentId(),
        request,
        // Bound to the statements the worker will send (rendered from this request).
        planHash: deployPlanHash(planDeployStatements(request)),
        requestedBy: submission.requestedBy,
        teamId: submission.teamId,
        channelId: submission.channelId,
        requestedAtMs: deps.now(),
        state: 'pending',
        approvals: [],
      };
      await deps.store.create(deployment);
      await deps.audit.append({
        event: 'requested',
        deploymentId: deployment.id,
        actor: submission.requestedBy,
        teamId: submission.teamId,
        channelId: submission.channelId,
        atMs: deployment.requestedAtMs,
        planHash: deployment.planHash,
      });
      await deps.expiry.schedule('deployment', deployment.id, deployment.requestedAtMs);
      await deps.notifier.summary(deployment.id);
      logDeploymentStep(deps.logger, deployment, 'requested', { requestedBy: deployment.requestedBy });
      return { deploymentId: deployment.id };
    },
  };
}
