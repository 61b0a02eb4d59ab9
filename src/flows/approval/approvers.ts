import type { ApprovalPolicy } from '../../domain/approval-policy.js';
import type { MemberDirectory } from '../shared/membership.js';

/**
 * Whether a person may approve: listed in SPCS_APPROVERS directly or through a user group, or,
 * with an empty list, a member of the request's channel. The look-ups (and their cache) are the
 * shared MemberDirectory's, the same one permissions use.
 */
export interface ApproverDirectory {
  isApprover(userId: string, channelId: string): Promise<boolean>;
}

export function createApproverDirectory(members: MemberDirectory, policy: Pick<ApprovalPolicy, 'approvers'>): ApproverDirectory {
  return {
    isApprover(userId, channelId) {
      return policy.approvers.length === 0 ? members.isChannelMember(channelId, userId) : members.isListed(policy.approvers, userId);
    },
  };
}
