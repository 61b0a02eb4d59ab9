import type { WebClient } from '@slack/web-api';
import type { ApprovalPolicy } from '../../domain/approval-policy.js';
import { isListedApprover } from '../../domain/approval-policy.js';

/**
 * Whether a person may approve: listed in SPCS_APPROVERS directly or through a user group
 * (usergroups.users.list), or, with an empty list, a member of the request's channel
 * (conversations.members). Answers are cached briefly: a burst of clicks must not burn
 * usergroups.users.list's Tier 2 budget.
 */
export interface ApproverDirectory {
  isApprover(userId: string, channelId: string): Promise<boolean>;
}

const CACHE_MS = 30_000;

export function createApproverDirectory(
  client: Pick<WebClient, 'usergroups' | 'conversations'>,
  policy: Pick<ApprovalPolicy, 'approvers'>,
  now: () => number = Date.now,
): ApproverDirectory {
  const cache = new Map<string, { at: number; members: Promise<readonly string[]> }>();
  const cached = (key: string, load: () => Promise<readonly string[]>): Promise<readonly string[]> => {
    const hit = cache.get(key);
    if (hit !== undefined && now() - hit.at < CACHE_MS) return hit.members;
    const members = load();
    cache.set(key, { at: now(), members });
    members.catch(() => cache.delete(key)); // a failed lookup is not remembered
    return members;
  };

  const groupMembers = (group: string) =>
    cached(`group:${group}`, async () => (await client.usergroups.users.list({ usergroup: group })).users ?? []);

  const channelMembers = (channel: string) =>
    cached(`channel:${channel}`, async () => {
      const members: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.conversations.members({ channel, limit: 1000, ...(cursor ? { cursor } : {}) });
        members.push(...(page.members ?? []));
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor !== undefined);
      return members;
    });

  return {
    async isApprover(userId, channelId) {
      if (policy.approvers.length === 0) return (await channelMembers(channelId)).includes(userId);
      if (policy.approvers.includes(userId)) return true;
      const groups = policy.approvers.filter((id) => id.startsWith('S'));
      const memberOf: string[] = [];
      for (const group of groups) if ((await groupMembers(group)).includes(userId)) memberOf.push(group);
      return isListedApprover(policy.approvers, userId, memberOf);
    },
  };
}
