import { describeFailure } from '../../blocks/observe-kit.js';
import { inlineCode } from '../../blocks/text.js';
import {
  describeNetworkPolicy,
  describeNetworkRule,
  getAccountNetworkPolicy,
  getUserNetworkPolicy,
  identifierFromSnowflake,
  isSnowflakeError,
  rangeContains,
  type Identifier,
  type Ipv4,
  type NetworkPolicyDescription,
  type QueryRunner,
} from '../../snowflake/index.js';
import type { AccessSession, PendingChange } from '../../store/access-session-store.js';
import { newPolicyChange } from './changes.js';

/**
 * What the network step proposes for a user and a client address, from what Snowflake says:
 * - the user has a policy of its own (it takes precedence over the account's): add the address to
 *   one of its IPV4 ingress rules, keeping the entries it has, or nothing if one already allows it;
 * - the user has none but the account has one: that policy already governs the user and satisfies
 *   the PAT rule (programmatic-access-tokens, "Network policy requirements"), so nothing;
 * - neither: a new rule and policy set on the user.
 */
export type NetworkPlan =
  | {
      readonly kind: 'propose';
      readonly change: PendingChange & { kind: 'network' | 'rule' };
      readonly userPolicy: string | null;
      readonly accountPolicy: string | null;
    }
  | {
      readonly kind: 'nothing';
      readonly notice: string;
      readonly userPolicy: string | null | undefined;
      readonly accountPolicy: string | null | undefined;
    };

const failureText = (err: unknown, doing: string) => describeFailure(isSnowflakeError(err) ? err.failure : null, doing);

async function addToPolicyRule(
  db: QueryRunner,
  user: Identifier,
  policy: string,
  ip: Ipv4,
): Promise<(PendingChange & { kind: 'rule' }) | string> {
  const shown = inlineCode(policy);
  let description: NetworkPolicyDescription;
  try {
    description = await describeNetworkPolicy(db, identifierFromSnowflake(policy));
  } catch (err) {
    return `${failureText(err, `read network policy ${policy}`)}\nUser ${inlineCode(user.name)} already has network policy ${shown}; ask its owner to allow ${inlineCode(ip)} in one of its network rules.`;
  }
  if (description.allowedIps.some((v) => rangeContains(v, ip)))
    return `:white_check_mark: Network policy ${shown} of user ${inlineCode(user.name)} already allows ${inlineCode(ip)}; nothing to change.`;
  let candidate: (PendingChange & { kind: 'rule' }) | null = null;
  for (const rule of description.allowedRules) {
    const found = await describeNetworkRule(db, rule).catch(() => null);
    if (found === null || found.type !== 'IPV4' || found.mode !== 'INGRESS') continue;
    if (found.values.some((v) => rangeContains(v, ip))) {
      return `:white_check_mark: Network policy ${shown} of user ${inlineCode(user.name)} already allows ${inlineCode(ip)} (rule ${inlineCode(rule.sql)}); nothing to change.`;
    }
    const [database, schema, name] = rule.parts.map((p) => p.name);
    if (candidate === null && database !== undefined && schema !== undefined && name !== undefined) {
      candidate = { kind: 'rule', user: user.name, ip, policy, rule: { database, schema, name }, existing: [...found.values] };
    }
  }
  return (
    candidate ??
    `:information_source: User ${inlineCode(user.name)} has network policy ${shown}, but it has no IPv4 ingress network rule the bot's role owns. Ask the policy's owner to allow ${inlineCode(ip)}; replacing the policy would drop what it allows today.`
  );
}

export async function planNetworkAccess(db: QueryRunner, session: AccessSession, user: Identifier, ip: Ipv4): Promise<NetworkPlan> {
  const [account, own] = await Promise.allSettled([getAccountNetworkPolicy(db), getUserNetworkPolicy(db, user)]);
  const accountPolicy = account.status === 'fulfilled' ? account.value : undefined;
  if (own.status === 'rejected') {
    return {
      kind: 'nothing',
      notice: failureText(own.reason, `read the network policy of user ${user.name}`),
      userPolicy: undefined,
      accountPolicy,
    };
  }
  const userPolicy = own.value;
  if (userPolicy !== null) {
    const step = await addToPolicyRule(db, user, userPolicy, ip);
    return typeof step === 'string'
      ? { kind: 'nothing', notice: step, userPolicy, accountPolicy }
      : { kind: 'propose', change: step, userPolicy, accountPolicy: accountPolicy ?? null };
  }
  if (accountPolicy === undefined) {
    // Unknown is not "none": a new user-level policy would override an account policy we could not see.
    const why = account.status === 'rejected' ? failureText(account.reason, 'read the account-level network policy') : '';
    return {
      kind: 'nothing',
      notice: `${why}\nUser ${inlineCode(user.name)} has no network policy of its own; an account administrator can tell whether the account's policy covers it.`,
      userPolicy,
      accountPolicy,
    };
  }
  if (accountPolicy !== null) {
    return {
      kind: 'nothing',
      notice: `:white_check_mark: User ${inlineCode(user.name)} has no network policy of its own, so the account-level policy ${inlineCode(accountPolicy)} governs its logins. That satisfies the PAT rule; nothing to create. If calls from ${inlineCode(ip)} are refused, an account administrator adds it to that policy's rules.`,
      userPolicy,
      accountPolicy,
    };
  }
  return { kind: 'propose', change: newPolicyChange(session, user, ip), userPolicy, accountPolicy };
}
