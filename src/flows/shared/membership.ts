import type { WebClient } from '@slack/web-api';
import { isListedApprover } from '../../domain/approval-policy.js';

/**
 * Who belongs where in Slack, for every list of people the bot checks (SPCS_APPROVERS,
 * SPCS_DEPLOYERS, SPCS_MANAGERS): user-group members (usergroups.users.list) and channel members
 * (conversations.members). Answers are cached briefly: a burst of clicks must not burn
 * usergroups.users.list's Tier 2 budget. One instance serves approvals and permissions alike.
 */
export interface MemberDirectory {
  /** Whether the user is in the list, directly or as a member of a listed user group (S…). */
  isListed(principals: readonly string[], userId: string): Promise<boolean>;
  isChannelMember(channelId: string, userId: string): Promise<boolean>;
}

const CACHE_MS = 30_000;

export function createMemberDirectory(
  client: Pick<WebClient, 'usergroups' | 'conversations'>,
  now: () => number = Date.now,
): MemberDirectory {
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
    async isListed(principals, userId) {
      if (principals.includes(userId)) return true;
      const memberOf: string[] = [];
      // Sequential on purpose: the first group that contains the user ends the look-ups early.
      for (const group of principals.filter((id) => id.startsWith('S'))) {
        if ((await groupMembers(group)).includes(userId)) {
          memberOf.push(group);
          break;
        }
      }
      return isListedApprover(principals, userId, memberOf);
    },
    async isChannelMember(channelId, userId) {
      return (await channelMembers(channelId)).includes(userId);
    },
  };
}
