import { z } from 'zod';
import { ATTENTION_REASONS } from './deploy-recovery.js';
import { DeployRequest } from './deploy-request.js';

/**
 * A deployment from request to outcome. The approval part (`state`) and the execution part
 * (`phase`) are separate: state says whether it may run; phase says how far it got.
 */
export const APPROVAL_STATES = ['pending', 'approved', 'rejected', 'expired'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const PHASES = [
  'queued', // approved, job enqueued
  'creating_pool',
  'dropping_service',
  'submitting', // CALL SYSTEM$DEPLOY_MODEL about to be sent
  'building_image', // MODEL_BUILD_ job running
  'starting', // service PENDING
  'running', // final: success
  'failed', // final
  'timed_out', // final: 30 minutes in one phase
  'cancelled', // final: policy re-check refused at job start, or cancelled in Snowflake
  'needs_attention', // a worker could not tell whether Snowflake took the CALL: a person decides
] as const;
export type Phase = (typeof PHASES)[number];
export const FINAL_PHASES: readonly Phase[] = ['running', 'failed', 'timed_out', 'cancelled'];

export const FailureKind = z.enum([
  'build_failed',
  'oom',
  'no_free_node',
  'missing_privilege',
  'timed_out',
  'deploy_error',
  'policy',
  'cancelled',
]);
export type FailureKind = z.infer<typeof FailureKind>;

export const Decision = z.object({ userId: z.string(), atMs: z.number(), reason: z.string().max(3000).optional() });
export type Decision = z.infer<typeof Decision>;

/** Thread replies, each posted exactly once per deployment. */
export const MILESTONES = [
  'approved',
  'needs_attention',
  'build_started',
  'build_done',
  'starting',
  'waiting_for_capacity',
  'running',
  'endpoint_ready',
  'failed',
] as const;
export type Milestone = (typeof MILESTONES)[number];

export const Execution = z.object({
  phase: z.enum(PHASES),
  phaseSinceMs: z.number(),
  /** Stored before anything else happens after the CALL, so a restarted worker resumes instead of deploying again. */
  queryId: z.string().optional(),
  buildJobName: z.string().optional(),
  ingressUrl: z.string().optional(),
  /**
   * Running, but the REST endpoint is still provisioning (SQL and Python work already): the
   * tracker keeps following until the URL is known, then posts it (milestone endpoint_ready).
   */
  endpointPending: z.boolean().optional(),
  failure: z.object({ kind: FailureKind, message: z.string(), logTail: z.array(z.string()), privilege: z.string().optional() }).optional(),
  /** Why a person has to look (phase needs_attention), and who resolved it. */
  attention: z
    .object({
      reason: z.enum(ATTENTION_REASONS),
      detail: z.string(),
      /** When the CALL was about to go out: a service created since then may be this deployment's. */
      submittingSinceMs: z.number(),
      /** How many times a person asked to look again (each look is its own deploy job). */
      checks: z.number().int().min(0).default(0),
      /** A look a person asked for is queued or running. */
      checking: z.boolean().optional(),
      resolvedBy: z.string().optional(),
    })
    .optional(),
  /** What the last status round saw (SHOW SERVICES fields); a change triggers a closer look. */
  observed: z.string().optional(),
  milestones: z.array(z.enum(MILESTONES)).default([]),
});
export type Execution = z.infer<typeof Execution>;

/** Whether the status tracker still follows the deployment: not final yet, or running with its endpoint to come. */
export function isFollowed(e: Execution): boolean {
  if (e.phase === 'needs_attention') return false;
  return !FINAL_PHASES.includes(e.phase) || (e.phase === 'running' && e.endpointPending === true);
}

export const Deployment = z.object({
  id: z.string().regex(/^d[0-9a-z]{8,32}$/),
  request: DeployRequest,
  planHash: z.string().length(64),
  requestedBy: z.string(),
  teamId: z.string(),
  channelId: z.string(),
  /** ts of the summary message: the parent of the status thread. */
  messageTs: z.string().optional(),
  requestedAtMs: z.number(),
  state: z.enum(APPROVAL_STATES),
  approvals: z.array(Decision),
  rejection: Decision.optional(),
  execution: Execution.optional(),
});
export type Deployment = z.infer<typeof Deployment>;

/** What the wizard hands over when a person submits the last step. */
export interface DeploymentSubmission {
  readonly request: DeployRequest;
  readonly requestedBy: string;
  readonly teamId: string;
  readonly channelId: string;
}

/**
 * The approval gate's entry point, used by the deploy wizard: stores the deployment as pending,
 * writes the audit entry and posts the confirmation summary with Approve / Reject to the channel.
 * Nothing changes in Snowflake here.
 */
export interface DeploymentRequester {
  request(submission: DeploymentSubmission): Promise<{ readonly deploymentId: string }>;
}
