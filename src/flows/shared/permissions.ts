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
