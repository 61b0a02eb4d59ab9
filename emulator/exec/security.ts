/**
 * Access and account settings: SHOW PARAMETERS, GRANT SERVICE ROLE, CREATE NETWORK RULE /
 * POLICY, ALTER USER … NETWORK_POLICY, SHOW GRANTS TO ROLE, USE … (contract rows 21, 23–27, 29).
 */
import { isIPv4 } from 'node:net';
import { SqlError, alreadyExists, doesNotExist, insufficientPrivileges, invalidValue } from '../errors.js';
import { resolveObjectName, resolveSchemaName } from '../session-context.js';
import { requireDatabase, requirePrivilege, requireSchema, requireService } from '../spcs/lookup.js';
import { addGrant, canSee, hasPrivilege, owner, removeGrantsOn } from '../spcs/privileges.js';
import { serviceDisplay, serviceKey } from '../spcs/services.js';
import { networkPolicyAllows } from '../spcs/network.js';
import { displayName, key2, key3, type NetworkRule } from '../spcs/state.js';
import type { PropValue, Statement } from '../sql/ast.js';
import { parseObjectName } from '../sql/names.js';
import { type Exec, type ExecOutcome, done } from './context.js';
import { type Cell, type Column, flag, likeToRegExp, statusResult, text, tsLtz } from './result.js';

type Stmt<K extends Statement['kind']> = Extract<Statement, { kind: K }>;

const OK = 'Statement executed successfully.';

interface ParamRow {
  key: string;
  value: string;
  def: string;
  level: string;
  description: string;
  type: string;
}

const PARAM_COLUMNS: Column[] = [text('key'), text('value'), text('default'), text('level'), text('description'), text('type')];

function paramResult(rows: ParamRow[], like: string | undefined): ExecOutcome {
  const re = like === undefined ? null : likeToRegExp(like, true);
  return done({
    columns: PARAM_COLUMNS,
    rows: rows.filter((r) => (re ? re.test(r.key) : true)).map((r): Cell[] => [r.key, r.value, r.def, r.level, r.description, r.type]),
  });
}

export function showParameters(x: Exec, s: Stmt<'showParameters'>): ExecOutcome {
  const st = x.sim.state;
  const sc = s.scope;
  if (sc.k === 'account') {
    const et = st.eventTable;
    const etValue = et.explicit ? displayName(et.database, et.schema, et.name) : 'snowflake.telemetry.events';
    return paramResult(
      [
        {
          key: 'EVENT_TABLE',
          value: etValue,
          def: 'snowflake.telemetry.events',
          level: et.explicit ? 'ACCOUNT' : '',
          description: 'Event table for the account',
          type: 'STRING',
        },
        {
          key: 'NETWORK_POLICY',
          value: st.accountNetworkPolicy ?? '',
          def: '',
          level: st.accountNetworkPolicy ? 'ACCOUNT' : '',
          description: 'Network policy assigned for the account',
          type: 'STRING',
        },
        {
          key: 'STATEMENT_TIMEOUT_IN_SECONDS',
          value: '172800',
          def: '172800',
          level: '',
          description: 'Timeout in seconds for statements',
          type: 'NUMBER',
        },
        { key: 'TIMEZONE', value: 'America/Los_Angeles', def: 'America/Los_Angeles', level: '', description: 'time zone', type: 'STRING' },
      ],
      s.like,
    );
  }
  if (sc.k === 'user') {
    const user = st.users.get(sc.name.value);
    if (!user) throw doesNotExist('User', displayName(sc.name.value));
    const privileged = x.ctx.role === 'ACCOUNTADMIN' || x.ctx.role === 'SECURITYADMIN' || x.ctx.role === 'USERADMIN';
    if (user.name !== x.ctx.user && !privileged && owner(st, 'USER', user.name) !== x.ctx.role) {
      throw insufficientPrivileges('user', displayName(user.name));
    }
    return paramResult(
      [
        {
          key: 'NETWORK_POLICY',
          value: user.networkPolicy ?? '',
          def: '',
          level: user.networkPolicy ? 'USER' : '',
          description: 'Network policy assigned for the user',
          type: 'STRING',
        },
        { key: 'TIMEZONE', value: 'UTC', def: 'America/Los_Angeles', level: 'USER', description: 'time zone', type: 'STRING' },
      ],
      s.like,
    );
  }
  return paramResult(
    [
      { key: 'TIMEZONE', value: 'UTC', def: 'America/Los_Angeles', level: 'SESSION', description: 'time zone', type: 'STRING' },
      {
        key: 'QUERY_TAG',
        value: String(x.ctx.params['QUERY_TAG'] ?? ''),
        def: '',
        level: x.ctx.params['QUERY_TAG'] ? 'SESSION' : '',
        description: 'String (up to 4096 characters) used to tag statements',
        type: 'STRING',
      },
    ],
    s.like,
  );
}

/** Service roles a service exposes. Model services add INFERENCE_SERVICE_FUNCTION_USAGE. */
function serviceRoles(isModelService: boolean): string[] {
  return isModelService ? ['ALL_ENDPOINTS_USAGE', 'INFERENCE_SERVICE_FUNCTION_USAGE'] : ['ALL_ENDPOINTS_USAGE'];
}

export function grantServiceRole(x: Exec, s: Stmt<'grantServiceRole'>): ExecOutcome {
  const st = x.sim.state;
  const [db, schema, name] = resolveObjectName(
    s.service.parts.map((p) => p.value),
    x.ctx,
    'GRANT SERVICE ROLE',
  );
  const svc = requireService(x.sim, x.ctx.role, db, schema, name);
  const roleName = s.serviceRole.value;
  if (svc.isJob || !serviceRoles(svc.model !== null).includes(roleName)) {
    throw doesNotExist('Service role', `${serviceDisplay(svc)}!${displayName(roleName)}`);
  }
  requirePrivilege(x.sim, x.ctx.role, ['OWNERSHIP'], 'SERVICE', serviceKey(svc), 'service', serviceDisplay(svc));
  const target = s.role.value;
  if (!st.roles.has(target)) throw doesNotExist('Role', displayName(target));
  addGrant(st, {
    role: target,
    privilege: 'USAGE',
    on: 'SERVICE_ROLE',
    key: `${serviceKey(svc)}!${roleName}`,
    name: `${serviceDisplay(svc)}!${roleName}`,
    grantedBy: x.ctx.role,
    createdOn: x.now,
  });
  return done(statusResult(OK));
}

function listProp(props: Map<string, PropValue>, name: string): string[] | undefined {
  const v = props.get(name);
  if (v === undefined) return undefined;
  if (v.k === 'list') return v.v;
  if (v.k === 'string') return [v.v];
  throw invalidValue(name, String(v.v), 'expected a parenthesised list');
}

function textProp(props: Map<string, PropValue>, name: string): string | undefined {
  const v = props.get(name);
  if (v === undefined) return undefined;
  if (v.k === 'string' || v.k === 'ident') return v.v;
  throw invalidValue(name, String(v.v));
}

function validCidr(v: string): boolean {
  const [ip, bits, ...rest] = v.split('/');
  if (rest.length > 0 || !ip || !isIPv4(ip)) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= 32;
}

const RULE_PROPS = new Set(['MODE', 'TYPE', 'VALUE_LIST', 'COMMENT']);

export function createNetworkRule(x: Exec, s: Stmt<'createNetworkRule'>): ExecOutcome {
  const st = x.sim.state;
  for (const k of s.props.keys()) {
    if (!RULE_PROPS.has(k)) throw new SqlError('001003', '42000', `SQL compilation error:\ninvalid property '${k}' for 'NETWORK RULE'`);
  }
  const [db, schema, name] = resolveObjectName(
    s.name.parts.map((p) => p.value),
    x.ctx,
    'CREATE NETWORK RULE',
  );
  requireSchema(x.sim, x.ctx.role, db, schema);
  requirePrivilege(x.sim, x.ctx.role, ['CREATE NETWORK RULE'], 'SCHEMA', key2(db, schema), 'schema', displayName(db, schema));
  const type = (textProp(s.props, 'TYPE') ?? '').toUpperCase();
  const mode = (textProp(s.props, 'MODE') ?? 'INGRESS').toUpperCase();
  const values = listProp(s.props, 'VALUE_LIST');
  if (!type) throw new SqlError('001003', '42000', 'SQL compilation error:\nMissing option(s): [TYPE]');
  if (!values) throw new SqlError('001003', '42000', 'SQL compilation error:\nMissing option(s): [VALUE_LIST]');
  if (!['IPV4', 'HOST_PORT', 'PRIVATE_HOST_PORT', 'AWSVPCEID', 'AZURELINKID'].includes(type)) throw invalidValue('TYPE', type);
  if (!['INGRESS', 'EGRESS', 'INTERNAL_STAGE', 'POSTGRES_INGRESS', 'POSTGRES_EGRESS'].includes(mode)) throw invalidValue('MODE', mode);
  if (type === 'IPV4') {
    const bad = values.find((v) => !validCidr(v));
    if (bad !== undefined) throw invalidValue('VALUE_LIST', bad, 'not a valid IPv4 address or CIDR range');
  }
  const key = key3(db, schema, name);
  if (st.networkRules.has(key)) {
    if (s.ifNotExists) return done(statusResult(`${displayName(name)} already exists, statement succeeded.`));
    if (!s.orReplace) throw alreadyExists(displayName(db, schema, name));
    requirePrivilege(x.sim, x.ctx.role, ['OWNERSHIP'], 'NETWORK_RULE', key, 'network rule', displayName(db, schema, name));
    removeGrantsOn(st, 'NETWORK_RULE', key);
  }
  st.networkRules.set(key, {
    database: db,
    schema,
    name,
    mode,
    type,
    values,
    comment: textProp(s.props, 'COMMENT') ?? null,
    owner: x.ctx.role,
    createdOn: x.now,
  });
  addGrant(st, {
    role: x.ctx.role,
    privilege: 'OWNERSHIP',
    on: 'NETWORK_RULE',
    key,
    name: displayName(db, schema, name),
    createdOn: x.now,
  });
  return done(statusResult(`Network rule ${displayName(name)} successfully created.`));
}

const POLICY_PROPS = new Set(['ALLOWED_NETWORK_RULE_LIST', 'BLOCKED_NETWORK_RULE_LIST', 'ALLOWED_IP_LIST', 'BLOCKED_IP_LIST', 'COMMENT']);

export function createNetworkPolicy(x: Exec, s: Stmt<'createNetworkPolicy'>): ExecOutcome {
  const st = x.sim.state;
  for (const k of s.props.keys()) {
    if (!POLICY_PROPS.has(k)) throw new SqlError('001003', '42000', `SQL compilation error:\ninvalid property '${k}' for 'NETWORK POLICY'`);
  }
  if (!hasPrivilege(st, x.ctx.role, 'CREATE NETWORK POLICY', 'ACCOUNT', '')) throw insufficientPrivileges('account', st.account);
  const name = s.name.value;
  const resolveRules = (list: string[] | undefined): string[] =>
    (list ?? []).map((text) => {
      const parts = parseObjectName(text);
      if (!parts) throw doesNotExist('Network rule', text);
      const [db, schema, rule] = resolveObjectName(parts, x.ctx, 'CREATE NETWORK POLICY');
      const key = key3(db, schema, rule);
      if (!st.networkRules.has(key) || !hasPrivilege(st, x.ctx.role, 'USAGE', 'NETWORK_RULE', key)) {
        throw doesNotExist('Network rule', displayName(db, schema, rule));
      }
      return key;
    });
  const allowedRules = resolveRules(listProp(s.props, 'ALLOWED_NETWORK_RULE_LIST'));
  const blockedRules = resolveRules(listProp(s.props, 'BLOCKED_NETWORK_RULE_LIST'));
  for (const key of allowedRules) {
    const rule = st.networkRules.get(key);
    if (rule && rule.mode !== 'INGRESS')
      throw invalidValue('ALLOWED_NETWORK_RULE_LIST', rule.name, `network rule mode must be INGRESS, got ${rule.mode}`);
  }
  for (const ip of [...(listProp(s.props, 'ALLOWED_IP_LIST') ?? []), ...(listProp(s.props, 'BLOCKED_IP_LIST') ?? [])]) {
    if (!validCidr(ip)) throw invalidValue('ALLOWED_IP_LIST', ip, 'not a valid IPv4 address or CIDR range');
  }
  if (st.networkPolicies.has(name)) {
    if (s.ifNotExists) return done(statusResult(`${displayName(name)} already exists, statement succeeded.`));
    if (!s.orReplace) throw alreadyExists(displayName(name));
    requirePrivilege(x.sim, x.ctx.role, ['OWNERSHIP'], 'NETWORK_POLICY', name, 'network policy', displayName(name));
  }
  const allowedIps = listProp(s.props, 'ALLOWED_IP_LIST') ?? [];
  const blockedIps = listProp(s.props, 'BLOCKED_IP_LIST') ?? [];
  st.networkPolicies.set(name, {
    name,
    allowedRules: [...allowedRules, ...allowedIps.map((ip) => `ip:${ip}`)],
    blockedRules: [...blockedRules, ...blockedIps.map((ip) => `ip:${ip}`)],
    comment: textProp(s.props, 'COMMENT') ?? null,
    owner: x.ctx.role,
    createdOn: x.now,
  });
  addGrant(st, { role: x.ctx.role, privilege: 'OWNERSHIP', on: 'NETWORK_POLICY', key: name, name: displayName(name), createdOn: x.now });
  return done(statusResult(OK));
}

export function alterUserNetworkPolicy(x: Exec, s: Stmt<'alterUserNetworkPolicy'>): ExecOutcome {
  const st = x.sim.state;
  const user = st.users.get(s.user.value);
  if (!user) {
    if (s.ifExists) return done(statusResult(OK));
    throw doesNotExist('User', displayName(s.user.value));
  }
  const attach = hasPrivilege(st, x.ctx.role, 'ATTACH POLICY', 'ACCOUNT', '');
  if (s.policy === null) {
    if (!attach && owner(st, 'USER', user.name) !== x.ctx.role) throw insufficientPrivileges('user', displayName(user.name));
    user.networkPolicy = null;
    return done(statusResult(OK));
  }
  const policyName = s.policy.value;
  if (!st.networkPolicies.has(policyName) || !canSee(st, x.ctx.role, 'NETWORK_POLICY', policyName)) {
    throw doesNotExist('Network policy', displayName(policyName));
  }
  const ownsBoth = owner(st, 'NETWORK_POLICY', policyName) === x.ctx.role && owner(st, 'USER', user.name) === x.ctx.role;
  if (!attach && !ownsBoth) throw insufficientPrivileges('user', displayName(user.name));
  user.networkPolicy = policyName;
  return done(statusResult(OK));
}

const isAdmin = (role: string) => role === 'ACCOUNTADMIN' || role === 'SECURITYADMIN';

/**
 * ALTER ACCOUNT SET NETWORK_POLICY: SECURITYADMIN or higher, or ATTACH POLICY on the account.
 * Snowflake refuses a policy that would block the requester's own address.
 */
export function alterAccountNetworkPolicy(x: Exec, s: Stmt<'alterAccountNetworkPolicy'>): ExecOutcome {
  const st = x.sim.state;
  if (!isAdmin(x.ctx.role) && !hasPrivilege(st, x.ctx.role, 'ATTACH POLICY', 'ACCOUNT', ''))
    throw insufficientPrivileges('account', st.account);
  if (s.policy === null) {
    st.accountNetworkPolicy = null;
    return done(statusResult(OK));
  }
  const name = s.policy.value;
  if (!st.networkPolicies.has(name)) throw doesNotExist('Network policy', displayName(name));
  if (!networkPolicyAllows(st, name, x.ctx.clientIp)) {
    throw new SqlError(
      '002107',
      '42601',
      `Network policy ${displayName(name)} cannot be activated. Requestor IP address, ${x.ctx.clientIp}, must be included in allowed network rules or allowed IP list.`,
    );
  }
  st.accountNetworkPolicy = name;
  return done(statusResult(OK));
}

/** ALTER and DESCRIBE NETWORK RULE need OWNERSHIP of the rule. */
function requireRuleOwnership(x: Exec, found: NonNullable<ReturnType<typeof ruleByName>>): void {
  const { key, rule } = found;
  requirePrivilege(
    x.sim,
    x.ctx.role,
    ['OWNERSHIP'],
    'NETWORK_RULE',
    key,
    'network rule',
    displayName(rule.database, rule.schema, rule.name),
  );
}

function ruleByName(x: Exec, parts: string[], doing: string): { key: string; rule: NetworkRule } | null {
  const [db, schema, name] = resolveObjectName(parts, x.ctx, doing);
  const key = key3(db, schema, name);
  const rule = x.sim.state.networkRules.get(key);
  return rule === undefined || !canSee(x.sim.state, x.ctx.role, 'NETWORK_RULE', key) ? null : { key, rule };
}

/** ALTER NETWORK RULE … SET VALUE_LIST replaces the list (not additive); OWNERSHIP on the rule. */
export function alterNetworkRule(x: Exec, s: Stmt<'alterNetworkRule'>): ExecOutcome {
  const parts = s.name.parts.map((p) => p.value);
  const found = ruleByName(x, parts, 'ALTER NETWORK RULE');
  if (found === null) {
    if (s.ifExists) return done(statusResult(OK));
    throw doesNotExist('Network rule', displayName(...parts));
  }
  const { rule } = found;
  requireRuleOwnership(x, found);
  if (s.props === null) {
    if (s.unset === 'VALUE_LIST') rule.values = [];
    else rule.comment = null;
    return done(statusResult(OK));
  }
  for (const k of s.props.keys()) {
    if (k !== 'VALUE_LIST' && k !== 'COMMENT')
      throw new SqlError('001003', '42000', `SQL compilation error:\ninvalid property '${k}' for 'NETWORK RULE'`);
  }
  const values = listProp(s.props, 'VALUE_LIST');
  if (values !== undefined) {
    if (rule.type === 'IPV4') {
      const bad = values.find((v) => !validCidr(v));
      if (bad !== undefined) throw invalidValue('VALUE_LIST', bad, 'not a valid IPv4 address or CIDR range');
    }
    rule.values = values;
  }
  const comment = textProp(s.props, 'COMMENT');
  if (comment !== undefined) rule.comment = comment;
  return done(statusResult(OK));
}

/** DESCRIBE NETWORK POLICY: one (name, value) row per property that is set; rule lists as JSON. */
export function describeNetworkPolicy(x: Exec, s: Stmt<'describeNetworkPolicy'>): ExecOutcome {
  const st = x.sim.state;
  const name = s.name.value;
  const policy = st.networkPolicies.get(name);
  if (!policy || !canSee(st, x.ctx.role, 'NETWORK_POLICY', name)) throw doesNotExist('Network policy', displayName(name));
  if (!isAdmin(x.ctx.role) && owner(st, 'NETWORK_POLICY', name) !== x.ctx.role)
    throw insufficientPrivileges('network policy', displayName(name));
  const ips = (keys: string[]) => keys.filter((k) => k.startsWith('ip:')).map((k) => k.slice(3));
  const rules = (keys: string[]) =>
    keys.flatMap((k) => {
      const r = k.startsWith('ip:') ? undefined : st.networkRules.get(k);
      return r === undefined ? [] : [{ fullyQualifiedRuleName: displayName(r.database, r.schema, r.name) }];
    });
  const rows: Cell[][] = [];
  const add = (prop: string, value: string) => {
    if (value !== '' && value !== '[]') rows.push([prop, value]);
  };
  add('ALLOWED_IP_LIST', ips(policy.allowedRules).join(','));
  add('BLOCKED_IP_LIST', ips(policy.blockedRules).join(','));
  add('ALLOWED_NETWORK_RULE_LIST', JSON.stringify(rules(policy.allowedRules)));
  add('BLOCKED_NETWORK_RULE_LIST', JSON.stringify(rules(policy.blockedRules)));
  return done({ columns: [text('name'), text('value')], rows });
}

/** DESCRIBE NETWORK RULE: one row; OWNERSHIP on the rule. */
export function describeNetworkRule(x: Exec, s: Stmt<'describeNetworkRule'>): ExecOutcome {
  const parts = s.name.parts.map((p) => p.value);
  const found = ruleByName(x, parts, 'DESCRIBE NETWORK RULE');
  if (found === null) throw doesNotExist('Network rule', displayName(...parts));
  const { rule } = found;
  requireRuleOwnership(x, found);
  const columns: Column[] = [
    tsLtz('created_on'),
    text('name'),
    text('database_name'),
    text('schema_name'),
    text('owner'),
    text('comment'),
    text('type'),
    text('mode'),
    text('value_list'),
  ];
  return done({
    columns,
    rows: [
      [rule.createdOn, rule.name, rule.database, rule.schema, rule.owner, rule.comment ?? '', rule.type, rule.mode, rule.values.join(',')],
    ],
  });
}

export function showGrantsToRole(x: Exec, s: Stmt<'showGrantsToRole'>): ExecOutcome {
  const st = x.sim.state;
  const role = s.role.value;
  if (!st.roles.has(role)) throw doesNotExist('Role', displayName(role));
  const user = st.users.get(x.ctx.user);
  const allowed =
    role === x.ctx.role || (user?.roles.includes(role) ?? false) || x.ctx.role === 'ACCOUNTADMIN' || x.ctx.role === 'SECURITYADMIN';
  if (!allowed) throw insufficientPrivileges('role', displayName(role));
  const rows: Cell[][] = st.grants
    .filter((g) => g.role === role)
    .map((g) => [g.createdOn, g.privilege, g.on, g.name, 'ROLE', role, flag(g.grantOption), g.grantedBy]);
  const columns: Column[] = [
    tsLtz('created_on'),
    text('privilege'),
    text('granted_on'),
    text('name'),
    text('granted_to'),
    text('grantee_name'),
    text('grant_option'),
    text('granted_by'),
  ];
  return done({ columns, rows });
}

export function use(x: Exec, s: Stmt<'use'>): ExecOutcome {
  const st = x.sim.state;
  const parts = s.name.parts.map((p) => p.value);
  switch (s.what) {
    case 'ROLE': {
      const role = parts[0] ?? '';
      const user = st.users.get(x.session.user);
      if (!user?.roles.includes(role)) {
        throw new SqlError(
          '003013',
          '42501',
          `Requested role '${role}' is not assigned to the executing user. Specify another role to activate.`,
        );
      }
      x.session.role = role;
      break;
    }
    case 'DATABASE': {
      const db = parts[0] ?? '';
      requireDatabase(x.sim, x.ctx.role, db);
      x.session.database = db;
      x.session.schema = st.schemas.has(key2(db, 'PUBLIC')) ? 'PUBLIC' : null;
      break;
    }
    case 'SCHEMA': {
      const [db, schema] = resolveSchemaName(parts, x.ctx, 'USE SCHEMA');
      requireSchema(x.sim, x.ctx.role, db, schema);
      x.session.database = db;
      x.session.schema = schema;
      break;
    }
    case 'WAREHOUSE': {
      const wh = parts[0] ?? '';
      if (!st.warehouses.has(wh) || !hasPrivilege(st, x.ctx.role, 'USAGE', 'WAREHOUSE', wh)) {
        throw new SqlError('002043', '02000', 'SQL compilation error:\nObject does not exist, or operation cannot be performed.');
      }
      x.session.warehouse = wh;
      break;
    }
  }
  return done(statusResult(OK));
}
