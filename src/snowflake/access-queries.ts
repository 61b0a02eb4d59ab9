import { z } from 'zod';
import type { QueryRunner } from './client.js';
import { nullableBoolean, nullableText, optionalText, text, timestamp } from './columns.js';
import { parseQualifiedName, type Identifier, type ParseResult, type QualifiedName } from './identifiers.js';
import { list, literal, sql, type Sql } from './sql.js';

/**
 * Who we are and who may call a service: current user/role, grants, the ALL_ENDPOINTS_USAGE service
 * role, and the network policy a PAT needs before it can reach an ingress endpoint.
 */

const IdentityRow = z.object({ user: text, role: optionalText });

export interface CurrentIdentity {
  readonly user: string;
  readonly role: string | null;
}

export async function currentIdentity(db: QueryRunner): Promise<CurrentIdentity> {
  const rows = await db.query(sql`SELECT CURRENT_USER() AS "USER", CURRENT_ROLE() AS "ROLE"`.repeatable(), IdentityRow);
  const row = rows[0];
  if (row === undefined) return { user: '', role: null };
  return { user: row.user, role: row.role };
}

const GrantRow = z.object({
  created_on: timestamp,
  privilege: text,
  granted_on: text,
  name: text,
  granted_to: nullableText,
  grantee_name: nullableText,
  grant_option: nullableBoolean,
  granted_by: nullableText,
});

export interface Grant {
  readonly privilege: string;
  /** ACCOUNT, DATABASE, SCHEMA, COMPUTE_POOL, SERVICE, ROLE … */
  readonly grantedOn: string;
  readonly name: string;
  readonly grantedTo: string | null;
  readonly granteeName: string | null;
  readonly grantOption: boolean;
  readonly grantedBy: string | null;
  readonly createdOn: Date | null;
}

export async function showGrantsToRole(db: QueryRunner, role: Identifier): Promise<Grant[]> {
  const rows = await db.query(sql`SHOW GRANTS TO ROLE ${role}`.repeatable(), GrantRow);
  return rows.map((r) => ({
    privilege: r.privilege,
    grantedOn: r.granted_on,
    name: r.name,
    grantedTo: r.granted_to,
    granteeName: r.grantee_name,
    grantOption: r.grant_option === true,
    grantedBy: r.granted_by,
    createdOn: r.created_on,
  }));
}

const StatusRow = z.object({ status: text });

async function statusOf(db: QueryRunner, statement: Sql): Promise<string> {
  const rows = await db.query(statement, StatusRow);
  return rows[0]?.status ?? '';
}

/** GRANT SERVICE ROLE <svc>!ALL_ENDPOINTS_USAGE TO ROLE <role>: lets the role call the ingress endpoint. Never retried. */
export function grantEndpointUsage(db: QueryRunner, service: QualifiedName, role: Identifier): Promise<string> {
  return statusOf(db, grantEndpointUsageStatement(service, role));
}

export const grantEndpointUsageStatement = (service: QualifiedName, role: Identifier): Sql =>
  sql`GRANT SERVICE ROLE ${service}!ALL_ENDPOINTS_USAGE TO ROLE ${role}`.requires(`OWNERSHIP ON SERVICE ${service.sql}`);

declare const ipv4Brand: unique symbol;
/** A validated dotted-quad IPv4 address. */
export type Ipv4 = string & { readonly [ipv4Brand]: true };

function isIpv4(value: string): value is Ipv4 {
  const parts = value.split('.');
  // Strict: four decimal octets 0-255, no leading zeros (01 reads as octal in some tools), nothing else.
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** Parses a single IPv4 address (no CIDR suffix, no spaces inside), e.g. "203.0.113.7". */
export function parseIpv4(input: string, field: string): ParseResult<Ipv4> {
  const value = input.trim();
  if (value === '') return { ok: false, message: `${field}: required` };
  if (isIpv4(value)) return { ok: true, value };
  return { ok: false, message: `${field}: an IPv4 address such as 203.0.113.7 (four numbers from 0 to 255, no /mask)` };
}

const ParameterRow = z.object({ key: text, value: optionalText, level: optionalText });

async function networkPolicyParameter(db: QueryRunner, statement: Sql): Promise<string | null> {
  const rows = await db.query(statement, ParameterRow);
  const value = rows.find((r) => r.key.toUpperCase() === 'NETWORK_POLICY')?.value ?? null;
  return value === null || value.trim() === '' ? null : value;
}

/** The network policy set on a user, or null (SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER). */
export function getUserNetworkPolicy(db: QueryRunner, user: Identifier): Promise<string | null> {
  return networkPolicyParameter(db, sql`SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER ${user}`.repeatable());
}

/**
 * The account-level network policy, or null (SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN ACCOUNT;
 * columns key, value, default, level, description, type). It governs every user without a policy
 * of their own, so it alone satisfies the PAT rule for them.
 */
export function getAccountNetworkPolicy(db: QueryRunner): Promise<string | null> {
  return networkPolicyParameter(db, sql`SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN ACCOUNT`.repeatable());
}

declare const cidrBrand: unique symbol;
/** One IPv4 address as a /32 range, the only kind of value the bot adds to a rule. */
type Ipv4HostRange = string & { readonly [cidrBrand]: true };

const hostRange = (ip: Ipv4): Ipv4HostRange => `${ip}/32` as Ipv4HostRange;

/** True when a rule value (`a.b.c.d` or `a.b.c.d/n`, as Snowflake stores IPV4 rules) covers `ip`. */
export function rangeContains(range: string, ip: Ipv4): boolean {
  const [base, bitsText, ...rest] = range.trim().split('/');
  if (rest.length > 0 || base === undefined || !isIpv4(base)) return false;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const toInt = (v: string) => v.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
  const size = 2 ** (32 - bits);
  return Math.floor(toInt(base) / size) === Math.floor(toInt(ip) / size);
}

const PropertyRow = z.object({ name: text, value: optionalText });
const RuleRefs = z.array(z.object({ fullyQualifiedRuleName: z.string() }));

export interface NetworkPolicyDescription {
  /** The allowed rules, as Snowflake names them (DB.SCHEMA.RULE); unreadable names are left out. */
  readonly allowedRules: readonly QualifiedName[];
  readonly blockedRules: readonly QualifiedName[];
  /** The older per-policy IP lists. */
  readonly allowedIps: readonly string[];
  readonly blockedIps: readonly string[];
}

function ruleRefs(value: string | null): QualifiedName[] {
  if (value === null || value.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [];
  }
  const refs = RuleRefs.safeParse(parsed);
  if (!refs.success) return [];
  return refs.data.flatMap((r) => {
    const name = parseQualifiedName(r.fullyQualifiedRuleName, 'network rule', { parts: 3, allowQuoted: true });
    return name.ok ? [name.value] : [];
  });
}

const splitList = (value: string | null): string[] =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim().replace(/^'|'$/g, ''))
    .filter((v) => v !== '');

/**
 * DESCRIBE NETWORK POLICY: one row per property (name, value); the rule lists are JSON arrays of
 * {"fullyQualifiedRuleName": "DB.SCHEMA.RULE"}, the IP lists comma-separated.
 */
export async function describeNetworkPolicy(db: QueryRunner, policy: Identifier): Promise<NetworkPolicyDescription> {
  const rows = await db.query(
    sql`DESCRIBE NETWORK POLICY ${policy}`.repeatable().requires(`OWNERSHIP ON NETWORK POLICY ${policy.sql}`),
    PropertyRow,
  );
  const prop = (name: string) => rows.find((r) => r.name.toUpperCase() === name)?.value ?? null;
  return {
    allowedRules: ruleRefs(prop('ALLOWED_NETWORK_RULE_LIST')),
    blockedRules: ruleRefs(prop('BLOCKED_NETWORK_RULE_LIST')),
    allowedIps: splitList(prop('ALLOWED_IP_LIST')),
    blockedIps: splitList(prop('BLOCKED_IP_LIST')),
  };
}

const RuleRow = z.object({ name: text, type: text, mode: text, value_list: optionalText });

export interface NetworkRuleDescription {
  readonly type: string;
  readonly mode: string;
  /** The values exactly as Snowflake holds them, in order. */
  readonly values: readonly string[];
}

/** DESCRIBE NETWORK RULE: one row (created_on, name, database_name, schema_name, owner, comment, type, mode, value_list). */
export async function describeNetworkRule(db: QueryRunner, rule: QualifiedName): Promise<NetworkRuleDescription | null> {
  const rows = await db.query(sql`DESCRIBE NETWORK RULE ${rule}`.repeatable().requires(`OWNERSHIP ON NETWORK RULE ${rule.sql}`), RuleRow);
  const row = rows[0];
  return row === undefined ? null : { type: row.type.toUpperCase(), mode: row.mode.toUpperCase(), values: splitList(row.value_list) };
}

/**
 * The REST-access changes as statements, so the confirm view shows exactly the text that runs.
 * DDL takes no binds: values are literals from the one escaper, names are validated identifiers.
 */
export const accessStatements = {
  /** CREATE NETWORK RULE <fq> MODE = INGRESS TYPE = IPV4 VALUE_LIST = ('<ip>/32'). */
  createIngressRule: (rule: QualifiedName, ip: Ipv4): Sql =>
    sql`CREATE NETWORK RULE ${rule} MODE = INGRESS TYPE = IPV4 VALUE_LIST = (${literal(hostRange(ip))})`.requires(
      `CREATE NETWORK RULE ON SCHEMA ${rule.container.sql}`,
    ),
  /** CREATE NETWORK POLICY <policy> ALLOWED_NETWORK_RULE_LIST = ('<fq rule>'). */
  createPolicy: (policy: Identifier, rule: QualifiedName): Sql =>
    sql`CREATE NETWORK POLICY ${policy} ALLOWED_NETWORK_RULE_LIST = (${literal(rule.sql)})`.requires('CREATE NETWORK POLICY ON ACCOUNT'),
  /** ALTER USER <user> SET NETWORK_POLICY = <policy>: setting it twice is harmless. */
  setUserPolicy: (user: Identifier, policy: Identifier): Sql =>
    sql`ALTER USER ${user} SET NETWORK_POLICY = ${policy}`.repeatable().requires(`OWNERSHIP ON USER ${user.sql}`),
  /**
   * ALTER NETWORK RULE <fq> SET VALUE_LIST = (...existing, '<ip>/32'). SET replaces the list (it
   * is not additive), so the existing values go first, unchanged.
   */
  addToRule: (rule: QualifiedName, existing: readonly string[], ip: Ipv4): Sql =>
    sql`ALTER NETWORK RULE ${rule} SET VALUE_LIST = (${list([...existing, hostRange(ip)].map(literal))})`
      .repeatable()
      .requires(`OWNERSHIP ON NETWORK RULE ${rule.sql}`),
} as const;

/** Runs one of `accessStatements` (or the grant); returns Snowflake's status text. */
export function runAccessStatement(db: QueryRunner, statement: Sql): Promise<string> {
  return statusOf(db, statement);
}

/** CREATE NETWORK RULE <fq> MODE = INGRESS TYPE = IPV4 VALUE_LIST = ('<ip>/32'). Never retried. */
export function createIngressNetworkRule(db: QueryRunner, rule: QualifiedName, ip: Ipv4): Promise<string> {
  if (!isIpv4(ip)) return Promise.reject(new RangeError('createIngressNetworkRule: not an IPv4 address'));
  return statusOf(db, accessStatements.createIngressRule(rule, ip));
}

/** CREATE NETWORK POLICY <policy> ALLOWED_NETWORK_RULE_LIST = ('<fq rule>'). Never retried. */
export function createNetworkPolicy(db: QueryRunner, policy: Identifier, rule: QualifiedName): Promise<string> {
  return statusOf(db, accessStatements.createPolicy(policy, rule));
}

/** ALTER USER <user> SET NETWORK_POLICY = <policy>. Setting it twice is harmless, so it may be retried. */
export function setUserNetworkPolicy(db: QueryRunner, user: Identifier, policy: Identifier): Promise<string> {
  return statusOf(db, accessStatements.setUserPolicy(user, policy));
}
