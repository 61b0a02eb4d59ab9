import type { DeployRequest } from './deploy-request.js';
import type { ApprovalState, Decision, Deployment, Execution, Milestone, Phase } from './deployment.js';

/**
 * What a person sees of a deployment: the summary, its status line, the thread replies and the
 * reject modal are rendered from this, never from the stored record. It leaves out what only the
 * store and the tracker need (versions, message ts, channel, query id, the last observation).
 */
export interface DeploymentView {
  /** What the Approve / Reject buttons carry: the deployment and the plan shown. */
  readonly target: { readonly deploymentId: string; readonly planHash: string };
  readonly request: DeployRequest;
  readonly requestedBy: string;
  readonly state: ApprovalState;
  readonly approvals: readonly Decision[];
  readonly rejection: Decision | undefined;
  /** Absent until the deployment is approved and queued. */
  readonly progress: DeploymentProgress | undefined;
}

export interface DeploymentProgress {
  readonly phase: Phase;
  readonly sinceMs: number;
  readonly buildJobName: string | undefined;
  readonly ingressUrl: string | undefined;
  readonly endpointPending: boolean;
  readonly failure: DeploymentFailure | undefined;
  readonly attention: DeploymentAttention | undefined;
  readonly milestones: readonly Milestone[];
}

export type DeploymentFailure = NonNullable<Execution['failure']>;

export interface DeploymentAttention {
  /** Already a sentence: what is unknown and what to check. */
  readonly detail: string;
  /** A look a person asked for is queued or running. */
  readonly checking: boolean;
  /** Who closed it (then it is no longer open). */
  readonly resolvedBy: string | undefined;
}

export function deploymentView(d: Deployment): DeploymentView {
  const e = d.execution;
  return {
    target: { deploymentId: d.id, planHash: d.planHash },
    request: d.request,
    requestedBy: d.requestedBy,
    state: d.state,
    approvals: d.approvals,
    rejection: d.rejection,
    progress:
      e === undefined
        ? undefined
        : {
            phase: e.phase,
            sinceMs: e.phaseSinceMs,
            buildJobName: e.buildJobName,
            ingressUrl: e.ingressUrl,
            endpointPending: e.endpointPending === true,
            failure: e.failure,
            attention:
              e.attention === undefined
                ? undefined
                : { detail: e.attention.detail, checking: e.attention.checking === true, resolvedBy: e.attention.resolvedBy },
            milestones: e.milestones,
          },
  };
}
