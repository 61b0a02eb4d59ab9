import { z } from 'zod';
import type { QueryRunner } from './client.js';
import { nullableBoolean, nullableText, optionalText, text, timestamp } from './columns.js';
import type { Identifier, ParseResult, QualifiedName } from './identifiers.js';
import { literal, sql, type Sql } from './sql.js';

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
  return statusOf(
    db,
    sql`GRANT SERVICE ROLE ${service}!ALL_ENDPOINTS_USAGE TO ROLE ${role}`.requires(`OWNERSHIP ON SERVICE ${service.sql}`),
  );
}

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

/** The network policy set on a user, or null (SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER). */
export async function getUserNetworkPolicy(db: QueryRunner, user: Identifier): Promise<string | null> {
  const rows = await db.query(sql`SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER ${user}`.repeatable(), ParameterRow);
  const value = rows.find((r) => r.key.toUpperCase() === 'NETWORK_POLICY')?.value ?? null;
  return value === null || value.trim() === '' ? null : value;
}

/** CREATE NETWORK RULE <fq> MODE = INGRESS TYPE = IPV4 VALUE_LIST = ('<ip>/32'). Never retried. */
export function createIngressNetworkRule(db: QueryRunner, rule: QualifiedName, ip: Ipv4): Promise<string> {
  if (!isIpv4(ip)) return Promise.reject(new RangeError('createIngressNetworkRule: not an IPv4 address'));
  return statusOf(
    db,
    sql`CREATE NETWORK RULE ${rule} MODE = INGRESS TYPE = IPV4 VALUE_LIST = (${literal(`${ip}/32`)})`.requires(
      `CREATE NETWORK RULE ON SCHEMA ${rule.container.sql}`,
    ),
  );
}

/** CREATE NETWORK POLICY <policy> ALLOWED_NETWORK_RULE_LIST = ('<fq rule>'). Never retried. */
export function createNetworkPolicy(db: QueryRunner, policy: Identifier, rule: QualifiedName): Promise<string> {
  return statusOf(
    db,
    sql`CREATE NETWORK POLICY ${policy} ALLOWED_NETWORK_RULE_LIST = (${literal(rule.sql)})`.requires(
      'CREATE NETWORK POLICY ON ACCOUNT',
    ),
  );
}

/** ALTER USER <user> SET NETWORK_POLICY = <policy>. Setting it twice is harmless, so it may be retried. */
export function setUserNetworkPolicy(db: QueryRunner, user: Identifier, policy: Identifier): Promise<string> {
  return statusOf(
    db,
    sql`ALTER USER ${user} SET NETWORK_POLICY = ${policy}`.repeatable().requires(`OWNERSHIP ON USER ${user.sql}`),
  );
}
