import type { ApprovalState, Decision } from './deployment.js';
import type { ExecutionPhase, Operation, OperationChange, ServiceSnapshot } from './operation.js';

/**
 * What a person sees of a service or pool change: the confirmation, the approval summary, the
 * outcome and needs-attention replies and the reject modal are rendered from this, not from the
 * stored record.
 */
export interface OperationView {
  /** What the Confirm / Approve buttons carry: the request and the plan shown. */
  readonly target: { readonly operationId: string; readonly planHash: string };
  /** DB.SCHEMA.SERVICE, or the pool's name, as SQL text. */
  readonly subject: string;
  readonly change: OperationChange;
  /** The "current" side of current → new, as Snowflake showed it at request time. */
  readonly before: ServiceSnapshot;
  readonly requestedBy: string;
  /** Why approvers are needed; absent when the requester's own confirmation is enough. */
  readonly approvalReason: 'drop' | 'deployment_in_flight' | undefined;
  readonly state: ApprovalState;
  readonly approvals: readonly Decision[];
  readonly rejection: Decision | undefined;
  readonly phase: ExecutionPhase | undefined;
  /** Statements sent with no answer yet: what a person should check in Snowflake. */
  readonly unanswered: readonly string[];
  /** Why a person has to look, or why it failed before any statement. */
  readonly note: string | undefined;
  /** The outcome sentence, once there is one. */
  readonly outcome: string | undefined;
}

export function operationView(op: Operation): OperationView {
  return {
    target: { operationId: op.id, planHash: op.planHash },
    subject: op.service,
    change: op.change,
    before: op.before,
    requestedBy: op.requestedBy,
    approvalReason:
      op.gateReason === undefined ? undefined : op.gateReason.startsWith('deployment_in_flight') ? 'deployment_in_flight' : 'drop',
    state: op.state,
    approvals: op.approvals,
    rejection: op.rejection,
    phase: op.execution?.phase,
    unanswered: (op.execution?.statements ?? []).filter((s) => s.outcome === undefined).map((s) => s.text),
    note: op.execution?.note,
    outcome: op.outcome?.text,
  };
}
