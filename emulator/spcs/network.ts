/** Network policies: does a user's policy let a client IP in (login and ingress)? */
import { isIPv4 } from 'node:net';
import type { SpcsState, User } from './state.js';

/**
 * The policy that governs a user's logins: their own, else the account's (a user-level policy
 * takes precedence over the account-level one; docs.snowflake.com/en/user-guide/network-policies).
 */
export function effectivePolicy(st: SpcsState, user: User): string | null {
  return user.networkPolicy ?? st.accountNetworkPolicy;
}

/**
 * The PAT rule (docs.snowflake.com/en/user-guide/programmatic-access-tokens, "Network policy
 * requirements"): by default a token is used only by a user subject to a network policy with one
 * or more network rules. ENFORCED_NOT_REQUIRED models an authentication policy's
 * PAT_POLICY = (NETWORK_POLICY_EVALUATION = ENFORCED_NOT_REQUIRED).
 */
export function patAllowed(st: SpcsState, user: User): boolean {
  if (st.patNetworkPolicyEvaluation === 'ENFORCED_NOT_REQUIRED') return true;
  const name = effectivePolicy(st, user);
  const policy = name === null ? undefined : st.networkPolicies.get(name);
  return policy !== undefined && [...policy.allowedRules, ...policy.blockedRules].some((k) => !k.startsWith('ip:'));
}

/** True when `ip` is allowed by the user's network policy (or the user has none). */
export function networkPolicyAllows(st: SpcsState, policyName: string | null, ip: string): boolean {
  if (policyName === null) return true;
  const policy = st.networkPolicies.get(policyName);
  if (!policy) return true;
  const matches = (keys: string[]): boolean =>
    keys.some((k) => {
      if (k.startsWith('ip:')) return cidrContains(k.slice(3), ip);
      const rule = st.networkRules.get(k);
      return !!rule && rule.type === 'IPV4' && rule.values.some((v) => cidrContains(v, ip));
    });
  if (matches(policy.blockedRules)) return false;
  return policy.allowedRules.length === 0 || matches(policy.allowedRules);
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => (acc << 8) + Number(p), 0) >>> 0;
}

export function cidrContains(cidr: string, ip: string): boolean {
  if (!isIPv4(ip)) return false;
  const [base, bitsText] = cidr.split('/');
  if (!base || !isIPv4(base)) return false;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipToInt(base) & mask) === (ipToInt(ip) & mask);
}

/** The endpoint's host over private connectivity: `<prefix>.privatelink.snowflakecomputing.app`. */
export function privatelinkHost(host: string): string {
  return host.replace(/\.snowflakecomputing\.app$/, '.privatelink.snowflakecomputing.app');
}
