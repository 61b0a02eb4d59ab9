/**
 * Statement recognizer: turns SQL text + binds into one typed Statement, or throws the
 * Snowflake syntax error (001003) pointing at the furthest token any recognizer reached.
 * Every shape in emulator/SQL-CONTRACT.md has a recognizer here.
 */
import { SqlError, statementCountMismatch, syntaxError } from '../errors.js';
import type { AlterServiceAction, ParamScope, PropValue, ServicesScope, Statement } from './ast.js';
import { type BindValue, Cursor, ParseFail, type QName, type Scalar } from './cursor.js';
import { LexError, splitStatements, tokenize, type Token } from './lexer.js';
import { parseSelect } from './select.js';

type Recognizer = (c: Cursor) => Statement;

function optLike(c: Cursor): string | undefined {
  if (c.kw('LIKE')) return c.string();
  return undefined;
}

/** `NAME = value` pairs until something that is not `word =`. */
function parseProps(c: Cursor): Map<string, PropValue> {
  const props = new Map<string, PropValue>();
  while (c.peek().kind === 'word' && c.peek(1).kind === 'punct' && c.peek(1).value === '=') {
    const name = c.next().value;
    c.next();
    const t = c.peek();
    let v: PropValue;
    if (t.kind === 'punct' && t.value === '(') {
      c.next();
      const list: string[] = [];
      if (!c.isPunct(')')) {
        do {
          if (c.isStringLike()) list.push(c.string());
          else
            list.push(
              c
                .qname(3)
                .parts.map((p) => p.value)
                .join('.'),
            );
        } while (c.punct(','));
      }
      c.expectPunct(')');
      v = { k: 'list', v: list };
    } else if (t.kind === 'number' || (t.kind === 'punct' && t.value === '-')) {
      v = { k: 'num', v: c.integer() };
    } else if (t.kind === 'word' && (t.value === 'TRUE' || t.value === 'FALSE')) {
      c.next();
      v = { k: 'bool', v: t.value === 'TRUE' };
    } else if (t.kind === 'string' || t.kind === 'bind') {
      v = { k: 'string', v: c.string() };
    } else if (t.kind === 'word' || t.kind === 'quoted') {
      v = {
        k: 'ident',
        v: c
          .qname(3)
          .parts.map((p) => p.value)
          .join('.'),
      };
    } else {
      return c.fail();
    }
    if (props.has(name)) c.fail();
    props.set(name, v);
    c.punct(',');
  }
  return props;
}

const showDatabases: Recognizer = (c) => {
  c.expectKw('SHOW', 'DATABASES');
  const like = optLike(c);
  c.expectEnd();
  return like === undefined ? { kind: 'showDatabases' } : { kind: 'showDatabases', like };
};

const showSchemas: Recognizer = (c) => {
  c.expectKw('SHOW', 'SCHEMAS');
  const like = optLike(c);
  let database: QName | undefined;
  if (c.kw('IN')) {
    c.kw('DATABASE');
    database = c.qname(1);
  }
  c.expectEnd();
  return { kind: 'showSchemas', ...(like !== undefined ? { like } : {}), ...(database ? { database } : {}) };
};

const showModels: Recognizer = (c) => {
  c.expectKw('SHOW', 'MODELS');
  const like = optLike(c);
  let schema: QName | undefined;
  if (c.kw('IN')) {
    c.expectKw('SCHEMA');
    schema = c.qname(2);
  }
  c.expectEnd();
  return { kind: 'showModels', ...(like !== undefined ? { like } : {}), ...(schema ? { schema } : {}) };
};

const showVersions: Recognizer = (c) => {
  c.expectKw('SHOW', 'VERSIONS');
  const like = optLike(c);
  c.expectKw('IN', 'MODEL');
  const model = c.qname(3);
  c.expectEnd();
  return { kind: 'showVersions', model, ...(like !== undefined ? { like } : {}) };
};

const showFunctions: Recognizer = (c) => {
  c.expectKw('SHOW', 'FUNCTIONS');
  const like = optLike(c);
  c.expectKw('IN', 'MODEL');
  const model = c.qname(3);
  c.expectKw('VERSION');
  const version = c.ident();
  c.expectEnd();
  return { kind: 'showFunctions', model, version, ...(like !== undefined ? { like } : {}) };
};

const showComputePools: Recognizer = (c) => {
  c.expectKw('SHOW', 'COMPUTE', 'POOLS');
  const like = optLike(c);
  let startsWith: string | undefined;
  if (c.kws('STARTS', 'WITH')) startsWith = c.string();
  c.expectEnd();
  return { kind: 'showComputePools', ...(like !== undefined ? { like } : {}), ...(startsWith !== undefined ? { startsWith } : {}) };
};

const showInstanceFamilies: Recognizer = (c) => {
  c.expectKw('SHOW', 'COMPUTE', 'POOL', 'INSTANCE', 'FAMILIES');
  const like = optLike(c);
  c.expectEnd();
  return { kind: 'showInstanceFamilies', ...(like !== undefined ? { like } : {}) };
};

const showServices: Recognizer = (c) => {
  c.expectKw('SHOW');
  const job = c.kw('JOB');
  c.expectKw('SERVICES');
  const like = optLike(c);
  let scope: ServicesScope = { k: 'current' };
  if (c.kw('IN')) {
    if (c.kw('ACCOUNT')) scope = { k: 'account' };
    else if (c.kw('DATABASE')) scope = { k: 'database', name: c.qname(1) };
    else if (c.kw('SCHEMA')) scope = { k: 'schema', name: c.qname(2) };
    else c.fail();
  }
  let startsWith: string | undefined;
  if (c.kws('STARTS', 'WITH')) startsWith = c.string();
  let limit: number | undefined;
  if (c.kw('LIMIT')) limit = c.integer();
  c.expectEnd();
  return {
    kind: 'showServices',
    job,
    scope,
    ...(like !== undefined ? { like } : {}),
    ...(startsWith !== undefined ? { startsWith } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
};

const showInService =
  (what: 'CONTAINERS' | 'INSTANCES'): Recognizer =>
  (c) => {
    c.expectKw('SHOW', 'SERVICE', what, 'IN', 'SERVICE');
    const service = c.qname(3);
    c.expectEnd();
    return what === 'CONTAINERS' ? { kind: 'showServiceContainers', service } : { kind: 'showServiceInstances', service };
  };

const showEndpoints: Recognizer = (c) => {
  c.expectKw('SHOW', 'ENDPOINTS', 'IN', 'SERVICE');
  const service = c.qname(3);
  c.expectEnd();
  return { kind: 'showEndpoints', service };
};

const describeService: Recognizer = (c) => {
  if (!c.kw('DESCRIBE')) c.expectKw('DESC');
  c.expectKw('SERVICE');
  const service = c.qname(3);
  c.expectEnd();
  return { kind: 'describeService', service };
};

const describeComputePool: Recognizer = (c) => {
  if (!c.kw('DESCRIBE')) c.expectKw('DESC');
  c.expectKw('COMPUTE', 'POOL');
  const name = c.ident();
  c.expectEnd();
  return { kind: 'describeComputePool', name };
};

const createComputePool: Recognizer = (c) => {
  c.expectKw('CREATE');
  const tok = c.peek();
  c.expectKw('COMPUTE', 'POOL');
  const ifNotExists = c.kws('IF', 'NOT', 'EXISTS');
  const name = c.ident();
  const props = parseProps(c);
  c.expectEnd();
  return { kind: 'createComputePool', ifNotExists, name, props, tok };
};

const alterComputePool: Recognizer = (c) => {
  c.expectKw('ALTER', 'COMPUTE', 'POOL');
  const ifExists = c.kws('IF', 'EXISTS');
  const name = c.ident();
  let action: 'SUSPEND' | 'RESUME';
  if (c.kw('SUSPEND')) action = 'SUSPEND';
  else if (c.kw('RESUME')) action = 'RESUME';
  else return c.fail();
  c.expectEnd();
  return { kind: 'alterComputePool', ifExists, name, action };
};

const callDeploy: Recognizer = (c) => {
  c.expectKw('CALL', 'SYSTEM$DEPLOY_MODEL');
  c.expectPunct('(');
  const spec = c.string();
  c.expectPunct(')');
  c.expectEnd();
  return { kind: 'deployModel', spec };
};

/** CREATE [OR REPLACE] [SCOPED] TEMPORARY STAGE [IF NOT EXISTS] <name>, as ml-python's sql/stage.py sends it (plain CREATE STAGE too). */
const createStage: Recognizer = (c) => {
  c.expectKw('CREATE');
  const orReplace = c.kws('OR', 'REPLACE');
  c.kw('SCOPED');
  const temporary = c.kw('TEMPORARY') || c.kw('TEMP');
  c.expectKw('STAGE');
  const ifNotExists = c.kws('IF', 'NOT', 'EXISTS');
  const name = c.qname(3);
  c.expectEnd();
  return { kind: 'createStage', orReplace, temporary, ifNotExists, name };
};

/** PUT '<file url>' @<stage>[/] [AUTO_COMPRESS = …] [OVERWRITE = …] …: the file URL quoted, into the stage's root. */
const put: Recognizer = (c) => {
  c.expectKw('PUT');
  const file = c.string();
  c.expectPunct('@');
  const stage = c.qname(3);
  c.punct('/');
  const props = parseProps(c);
  c.expectEnd();
  return { kind: 'put', file, stage, props };
};

const callGetServiceLogs: Recognizer = (c) => {
  c.expectKw('CALL', 'SYSTEM$GET_SERVICE_LOGS');
  c.expectPunct('(');
  const args: Scalar[] = [];
  if (!c.isPunct(')')) {
    do {
      args.push(c.scalar());
    } while (c.punct(','));
  }
  c.expectPunct(')');
  c.expectEnd();
  return { kind: 'getServiceLogs', args };
};

const alterService: Recognizer = (c) => {
  c.expectKw('ALTER', 'SERVICE');
  const ifExists = c.kws('IF', 'EXISTS');
  const service = c.qname(3);
  let action: AlterServiceAction;
  if (c.kw('SUSPEND')) action = { k: 'suspend' };
  else if (c.kw('RESUME')) action = { k: 'resume' };
  else if (c.kw('SET')) {
    const props = parseProps(c);
    if (props.size === 0) c.fail();
    action = { k: 'set', props };
  } else return c.fail();
  c.expectEnd();
  return { kind: 'alterService', ifExists, service, action };
};

const dropService: Recognizer = (c) => {
  c.expectKw('DROP', 'SERVICE');
  const ifExists = c.kws('IF', 'EXISTS');
  const service = c.qname(3);
  const force = c.kw('FORCE');
  c.expectEnd();
  return { kind: 'dropService', ifExists, service, force };
};

const showParameters: Recognizer = (c) => {
  c.expectKw('SHOW', 'PARAMETERS');
  const like = optLike(c);
  let scope: ParamScope = { k: 'session' };
  if (c.kw('IN')) {
    if (c.kw('ACCOUNT')) scope = { k: 'account' };
    else if (c.kw('SESSION')) scope = { k: 'session' };
    else if (c.kw('USER')) scope = { k: 'user', name: c.ident() };
    else c.fail();
  }
  c.expectEnd();
  return { kind: 'showParameters', scope, ...(like !== undefined ? { like } : {}) };
};

const grantServiceRole: Recognizer = (c) => {
  c.expectKw('GRANT', 'SERVICE', 'ROLE');
  const service = c.qname(3);
  c.expectPunct('!');
  const serviceRole = c.ident();
  c.expectKw('TO', 'ROLE');
  const role = c.ident();
  c.expectEnd();
  return { kind: 'grantServiceRole', service, serviceRole, role };
};

const createNetworkRule: Recognizer = (c) => {
  c.expectKw('CREATE');
  const orReplace = c.kws('OR', 'REPLACE');
  c.expectKw('NETWORK', 'RULE');
  const ifNotExists = c.kws('IF', 'NOT', 'EXISTS');
  const name = c.qname(3);
  const props = parseProps(c);
  c.expectEnd();
  return { kind: 'createNetworkRule', orReplace, ifNotExists, name, props };
};

const createNetworkPolicy: Recognizer = (c) => {
  c.expectKw('CREATE');
  const orReplace = c.kws('OR', 'REPLACE');
  c.expectKw('NETWORK', 'POLICY');
  const ifNotExists = c.kws('IF', 'NOT', 'EXISTS');
  const name = c.ident();
  const props = parseProps(c);
  c.expectEnd();
  return { kind: 'createNetworkPolicy', orReplace, ifNotExists, name, props };
};

const alterUser: Recognizer = (c) => {
  c.expectKw('ALTER', 'USER');
  const ifExists = c.kws('IF', 'EXISTS');
  const user = c.ident();
  if (c.kw('SET')) {
    c.expectKw('NETWORK_POLICY');
    c.expectPunct('=');
    const policy = c.isStringLike() ? { value: c.string().toUpperCase(), quoted: false } : c.ident();
    c.expectEnd();
    return { kind: 'alterUserNetworkPolicy', ifExists, user, policy };
  }
  c.expectKw('UNSET', 'NETWORK_POLICY');
  c.expectEnd();
  return { kind: 'alterUserNetworkPolicy', ifExists, user, policy: null };
};

/** ALTER ACCOUNT SET NETWORK_POLICY = <policy> | ALTER ACCOUNT UNSET NETWORK_POLICY. */
const alterAccount: Recognizer = (c) => {
  c.expectKw('ALTER', 'ACCOUNT');
  if (c.kw('SET')) {
    c.expectKw('NETWORK_POLICY');
    c.expectPunct('=');
    const policy = c.isStringLike() ? { value: c.string().toUpperCase(), quoted: false } : c.ident();
    c.expectEnd();
    return { kind: 'alterAccountNetworkPolicy', policy };
  }
  c.expectKw('UNSET', 'NETWORK_POLICY');
  c.expectEnd();
  return { kind: 'alterAccountNetworkPolicy', policy: null };
};

/** ALTER NETWORK RULE [IF EXISTS] <name> SET VALUE_LIST = (...) [COMMENT = '...'] | UNSET { VALUE_LIST | COMMENT }. */
const alterNetworkRule: Recognizer = (c) => {
  c.expectKw('ALTER', 'NETWORK', 'RULE');
  const ifExists = c.kws('IF', 'EXISTS');
  const name = c.qname(3);
  if (c.kw('SET')) {
    const props = parseProps(c);
    c.expectEnd();
    return { kind: 'alterNetworkRule', ifExists, name, props, unset: null };
  }
  c.expectKw('UNSET');
  let unset: 'VALUE_LIST' | 'COMMENT' = 'VALUE_LIST';
  if (!c.kw('VALUE_LIST')) {
    c.expectKw('COMMENT');
    unset = 'COMMENT';
  }
  c.expectEnd();
  return { kind: 'alterNetworkRule', ifExists, name, props: null, unset };
};

const describeNetwork: Recognizer = (c) => {
  if (!c.kw('DESCRIBE')) c.expectKw('DESC');
  c.expectKw('NETWORK');
  if (c.kw('POLICY')) {
    const name = c.ident();
    c.expectEnd();
    return { kind: 'describeNetworkPolicy', name };
  }
  c.expectKw('RULE');
  const name = c.qname(3);
  c.expectEnd();
  return { kind: 'describeNetworkRule', name };
};

const showGrants: Recognizer = (c) => {
  c.expectKw('SHOW', 'GRANTS', 'TO', 'ROLE');
  const role = c.ident();
  c.expectEnd();
  return { kind: 'showGrantsToRole', role };
};

const use: Recognizer = (c) => {
  c.expectKw('USE');
  let what: 'ROLE' | 'DATABASE' | 'SCHEMA' | 'WAREHOUSE' = 'DATABASE';
  if (c.kw('ROLE')) what = 'ROLE';
  else if (c.kw('DATABASE')) what = 'DATABASE';
  else if (c.kw('SCHEMA')) what = 'SCHEMA';
  else if (c.kw('WAREHOUSE')) what = 'WAREHOUSE';
  const name = c.qname(what === 'SCHEMA' ? 2 : 1);
  c.expectEnd();
  return { kind: 'use', what, name };
};

const select: Recognizer = (c) => parseSelect(c);

const RECOGNIZERS: readonly Recognizer[] = [
  showDatabases,
  showSchemas,
  showModels,
  showVersions,
  showFunctions,
  showComputePools,
  showInstanceFamilies,
  showServices,
  showInService('CONTAINERS'),
  showInService('INSTANCES'),
  showEndpoints,
  showParameters,
  showGrants,
  describeService,
  describeComputePool,
  createComputePool,
  createNetworkRule,
  createNetworkPolicy,
  alterComputePool,
  alterService,
  alterUser,
  alterAccount,
  alterNetworkRule,
  describeNetwork,
  dropService,
  callDeploy,
  createStage,
  put,
  callGetServiceLogs,
  grantServiceRole,
  use,
  select,
];

export interface Recognized {
  statement: Statement;
}

/**
 * Recognises exactly one statement. Throws SqlError 001003 for anything outside the grammar,
 * 000008 for several statements, and bind errors as they arise.
 */
export function recognize(sql: string, binds: Readonly<Record<string, BindValue>>): Statement {
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch (e) {
    if (e instanceof LexError) throw syntaxError(e.line, e.col, e.near);
    throw e;
  }
  const statements = splitStatements(tokens);
  if (statements.length === 0) {
    throw new SqlError('000900', '42000', 'SQL compilation error:\nEmpty SQL statement.');
  }
  if (statements.length > 1) throw statementCountMismatch(statements.length);
  const stmtTokens = statements[0] ?? [];
  let furthest = 0;
  for (const r of RECOGNIZERS) {
    const c = new Cursor(stmtTokens, sql, binds);
    try {
      return r(c);
    } catch (e) {
      if (e instanceof ParseFail) {
        furthest = Math.max(furthest, e.index);
        continue;
      }
      throw e;
    }
  }
  const bad = stmtTokens[Math.min(furthest, stmtTokens.length - 1)];
  if (!bad) throw syntaxError(1, 0, '<EOF>');
  throw syntaxError(bad.line, bad.col, bad.kind === 'eof' ? '<EOF>' : bad.raw);
}
