import type { NetworkNothingModel } from '../../blocks/access.js';
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
  type SnowflakeFailure,
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
      /** Why nothing is proposed; src/blocks words it. */
      readonly reason: NetworkNothingModel;
      readonly userPolicy: string | null | undefined;
      readonly accountPolicy: string | null | undefined;
    };

const failureOf = (err: unknown): SnowflakeFailure | null => (isSnowflakeError(err) ? err.failure : null);

async function addToPolicyRule(
  db: QueryRunner,
  user: Identifier,
  policy: string,
  ip: Ipv4,
): Promise<(PendingChange & { kind: 'rule' }) | NetworkNothingModel> {
  const about = { user: user.name, policy, ip };
  let description: NetworkPolicyDescription;
  try {
    description = await describeNetworkPolicy(db, identifierFromSnowflake(policy));
  } catch (err) {
    return { kind: 'policy_unreadable', ...about, failure: failureOf(err) };
  }
  if (description.allowedIps.some((v) => rangeContains(v, ip))) return { kind: 'already_allowed', ...about };
  let candidate: (PendingChange & { kind: 'rule' }) | null = null;
  for (const rule of description.allowedRules) {
    const found = await describeNetworkRule(db, rule).catch(() => null);
    if (found === null || found.type !== 'IPV4' || found.mode !== 'INGRESS') continue;
    if (found.values.some((v) => rangeContains(v, ip))) return { kind: 'already_allowed', ...about, rule: rule.sql };
    const [database, schema, name] = rule.parts.map((p) => p.name);
    if (candidate === null && database !== undefined && schema !== undefined && name !== undefined) {
      candidate = { kind: 'rule', user: user.name, ip, policy, rule: { database, schema, name }, existing: [...found.values] };
    }
  }
  return candidate ?? { kind: 'no_owned_rule', ...about };
}

export async function planNetworkAccess(db: QueryRunner, session: AccessSession, user: Identifier, ip: Ipv4): Promise<NetworkPlan> {
  const [account, own] = await Promise.allSettled([getAccountNetworkPolicy(db), getUserNetworkPolicy(db, user)]);
  const accountPolicy = account.status === 'fulfilled' ? account.value : undefined;
  if (own.status === 'rejected') {
    return {
      kind: 'nothing',
      reason: { kind: 'user_policy_unreadable', user: user.name, failure: failureOf(own.reason) },
      userPolicy: undefined,
      accountPolicy,
    };
  }
  const userPolicy = own.value;
  if (userPolicy !== null) {
    const step = await addToPolicyRule(db, user, userPolicy, ip);
    return step.kind !== 'rule'
      ? { kind: 'nothing', reason: step, userPolicy, accountPolicy }
      : { kind: 'propose', change: step, userPolicy, accountPolicy: accountPolicy ?? null };
  }
  if (accountPolicy === undefined) {
    // Unknown is not "none": a new user-level policy would override an account policy we could not see.
    const failure = account.status === 'rejected' ? failureOf(account.reason) : undefined;
    return {
      kind: 'nothing',
      reason: { kind: 'account_unknown', user: user.name, failure },
      userPolicy,
      accountPolicy,
    };
  }
  if (accountPolicy !== null) {
    return {
      kind: 'nothing',
      reason: { kind: 'account_governs', user: user.name, accountPolicy, ip },
      userPolicy,
      accountPolicy,
    };
  }
  return { kind: 'propose', change: newPolicyChange(session, user, ip), userPolicy, accountPolicy };
}
