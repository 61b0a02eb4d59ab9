import type { AuditLog } from '../../store/audit-log.js';
import type { MemberDirectory } from './membership.js';

/**
 * Who may do what (issue 5 "Authorization"): SPCS_DEPLOYERS may request deployments,
 * SPCS_MANAGERS may suspend, resume, scale, drop, create pools and set up access. Read-only
 * commands are open to everyone; an empty list means everyone for that action. Approvals have
 * their own policy (SPCS_APPROVERS, see the approval flow).
 */
export const GUARDED_ACTIONS = ['deploy', 'manage'] as const;
export type GuardedAction = (typeof GUARDED_ACTIONS)[number];

export interface Permissions {
  /** Whether the user is listed for the action, directly or through a Slack user group. */
  can(action: GuardedAction, userId: string): Promise<boolean>;
}

/** The lists behind each guarded action (SPCS_DEPLOYERS, SPCS_MANAGERS); user and user-group ids. */
export type PermissionLists = Readonly<Record<GuardedAction, readonly string[]>>;

/** Permissions over the shared Slack membership look-up: an empty list lets everyone act. */
export function createPermissions(lists: PermissionLists, members: Pick<MemberDirectory, 'isListed'>): Permissions {
  return {
    async can(action, userId) {
      const listed = lists[action];
      return listed.length === 0 || members.isListed(listed, userId);
    },
  };
}

/** What a person tried, in words for the refusal and the audit entry ("drop ML_DB.SERVING.IRIS_SVC"). */
export interface GuardedAttempt {
  readonly action: GuardedAction;
  /** The verb shown to the person and audited, e.g. `suspend`, `create a compute pool`. */
  readonly doing: string;
  /** What it was aimed at (a service, a pool, a model); empty when nothing yet. */
  readonly target: string;
  readonly userId: string;
  readonly teamId?: string;
  readonly channelId?: string;
}

/**
 * The permission guard every changing entry point starts with: allowed → null; refused → the
 * sentence to show, after the refusal is audited (event `permission_refused`).
 */
export interface ActionGuard {
  refuse(attempt: GuardedAttempt): Promise<string | null>;
}

const LIST_OF: Record<GuardedAction, string> = { deploy: 'SPCS_DEPLOYERS', manage: 'SPCS_MANAGERS' };

export function createActionGuard(deps: {
  readonly permissions: Permissions;
  readonly audit: Pick<AuditLog, 'append'>;
  readonly now: () => number;
}): ActionGuard {
  return {
    async refuse(attempt) {
      if (await deps.permissions.can(attempt.action, attempt.userId)) return null;
      await deps.audit.append({
        event: 'permission_refused',
        // Refusals belong to no deployment; the target names what was aimed at.
        deploymentId: '',
        planHash: '',
        actor: attempt.userId,
        atMs: deps.now(),
        action: attempt.doing,
        target: attempt.target,
        ...(attempt.teamId !== undefined && { teamId: attempt.teamId }),
        ...(attempt.channelId !== undefined && { channelId: attempt.channelId }),
      });
      const what = attempt.target === '' ? attempt.doing : `${attempt.doing} ${attempt.target}`;
      return `:no_entry: You are not allowed to ${what}: only the people listed in ${LIST_OF[attempt.action]} (directly or through a user group) may ${attempt.action === 'deploy' ? 'request deployments' : 'change services and compute pools'}.`;
    },
  };
}
