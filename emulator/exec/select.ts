/**
 * SELECT over the emulator's three row sources (contract rows 19, 20, 22, 28):
 * TABLE(<svc>!SPCS_GET_LOGS(…)), TABLE(<svc>!SPCS_GET_METRICS(…)), the account event table,
 * and no FROM at all (CURRENT_USER() …). Unknown columns are `invalid identifier` (000904),
 * unknown tables 002003, unknown functions 002140.
 */
import { SqlError, doesNotExist, invalidIdentifier } from '../errors.js';
import { resolveObjectName } from '../session-context.js';
import { requirePrivilege, requireService } from '../spcs/lookup.js';
import { eventTableRows, metricRows, platformEventRows, serviceLogRows } from '../spcs/observability.js';
import { canSee } from '../spcs/privileges.js';
import { serviceDisplay, serviceKey } from '../spcs/services.js';
import { displayName, key3 } from '../spcs/state.js';
import type { Condition, Expr, SelectSource, SelectStatement } from '../sql/ast.js';
import { type Exec, type ExecOutcome, done } from './context.js';
import { type Cell, type Column, type ColumnType, likeToRegExp } from './result.js';
import { isRecord } from '../json.js';

type Row = Record<string, Cell>;

interface Source {
  columns: Column[];
  rows: Row[];
}

interface Typed {
  v: Cell;
  t: ColumnType;
}

const HOUR = 3_600_000;

function unknownFunction(name: string): SqlError {
  return new SqlError('002140', '42601', `SQL compilation error:\nUnknown function ${name}`);
}

// ---------------------------------------------------------------------------------------------
// Expressions

function literalType(v: Cell): ColumnType {
  if (typeof v === 'number') return Number.isInteger(v) ? 'fixed' : 'real';
  if (typeof v === 'boolean') return 'boolean';
  if (v !== null && typeof v === 'object') return 'variant';
  return 'text';
}

function toMs(t: Typed): number {
  if (typeof t.v === 'number') return t.v;
  const parsed = Date.parse(String(t.v));
  if (Number.isNaN(parsed)) throw new SqlError('100035', '22007', `Timestamp '${String(t.v)}' is not recognized`, 'EXECUTION');
  return parsed;
}

const DATE_UNITS: Record<string, number> = {
  MILLISECOND: 1,
  MILLISECONDS: 1,
  MS: 1,
  SECOND: 1000,
  SECONDS: 1000,
  S: 1000,
  MINUTE: 60_000,
  MINUTES: 60_000,
  MIN: 60_000,
  HOUR: HOUR,
  HOURS: HOUR,
  H: HOUR,
  DAY: 24 * HOUR,
  DAYS: 24 * HOUR,
  D: 24 * HOUR,
  WEEK: 7 * 24 * HOUR,
};

function evalFn(x: Exec, e: Extract<Expr, { k: 'fn' }>, row: Row, cols: Map<string, Column>): Typed {
  const arg = (i: number): Typed => {
    const a = e.args[i];
    if (!a) throw new SqlError('000938', '42601', `SQL compilation error:\nnot enough arguments for function [${e.name}]`);
    return evalExpr(x, a, row, cols);
  };
  switch (e.name) {
    case 'CURRENT_USER':
      return { v: x.ctx.user, t: 'text' };
    case 'CURRENT_ROLE':
      return { v: x.ctx.role, t: 'text' };
    case 'CURRENT_DATABASE':
      return { v: x.ctx.database, t: 'text' };
    case 'CURRENT_SCHEMA':
      return { v: x.ctx.schema, t: 'text' };
    case 'CURRENT_WAREHOUSE':
      return { v: x.ctx.warehouse, t: 'text' };
    case 'CURRENT_ACCOUNT':
      return { v: x.sim.state.account, t: 'text' };
    case 'CURRENT_VERSION':
      return { v: '9.20.0', t: 'text' };
    case 'CURRENT_TIMESTAMP':
    case 'SYSDATE':
      return { v: x.now, t: 'timestamp_ltz' };
    case 'SYSTEM$ML_PLATFORM_CAPABILITIES':
      return { v: JSON.stringify(x.sim.state.mlPlatformCapabilities), t: 'text' };
    case 'DATEADD':
    case 'TIMESTAMPADD': {
      const unitExpr = e.args[0];
      let unit = '';
      if (unitExpr?.k === 'col') unit = unitExpr.name;
      else unit = String(arg(0).v ?? '').toUpperCase();
      const mult = DATE_UNITS[unit];
      if (mult === undefined)
        throw new SqlError('002021', '22023', `SQL compilation error:\nInvalid date part '${unit}' for function DATEADD`);
      const n = Number(arg(1).v);
      return { v: toMs(arg(2)) + n * mult, t: 'timestamp_ltz' };
    }
    case 'TO_TIMESTAMP':
    case 'TO_TIMESTAMP_LTZ':
    case 'TO_TIMESTAMP_NTZ':
      return { v: toMs(arg(0)), t: 'timestamp_ltz' };
    default:
      throw unknownFunction(e.name);
  }
}

function toCell(v: unknown): Cell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v;
  if (isRecord(v)) return v;
  return String(v);
}

function evalExpr(x: Exec, e: Expr, row: Row, cols: Map<string, Column>): Typed {
  switch (e.k) {
    case 'lit':
      return { v: e.value, t: literalType(e.value) };
    case 'col': {
      const col = cols.get(e.name);
      if (!col) throw invalidIdentifier(e.tok.line, e.tok.col, e.name);
      return { v: row[e.name] ?? null, t: col.type };
    }
    case 'neg': {
      const v = evalExpr(x, e.expr, row, cols);
      return { v: typeof v.v === 'number' ? -v.v : null, t: v.t };
    }
    case 'fn':
      return evalFn(x, e, row, cols);
    case 'path': {
      let v: unknown = evalExpr(x, e.base, row, cols).v;
      if (typeof v === 'string') {
        try {
          v = JSON.parse(v);
        } catch {
          v = null;
        }
      }
      for (const key of e.path) {
        if (isRecord(v)) v = v[key];
        else if (Array.isArray(v)) v = v[Number(key)];
        else v = undefined;
      }
      return { v: toCell(v), t: 'variant' };
    }
    case 'cast': {
      const inner = evalExpr(x, e.expr, row, cols);
      const type = e.type;
      if (['STRING', 'VARCHAR', 'TEXT', 'CHAR'].includes(type)) {
        const v = inner.v;
        return { v: v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v), t: 'text' };
      }
      if (['NUMBER', 'INT', 'INTEGER', 'FLOAT', 'DOUBLE', 'REAL', 'DECIMAL', 'NUMERIC'].includes(type)) {
        const n = inner.v === null ? null : Number(inner.v);
        return { v: n, t: type === 'FLOAT' || type === 'DOUBLE' || type === 'REAL' ? 'real' : 'fixed' };
      }
      if (type.startsWith('TIMESTAMP'))
        return { v: inner.v === null ? null : toMs(inner), t: type === 'TIMESTAMP_NTZ' ? 'timestamp_ntz' : 'timestamp_ltz' };
      if (type === 'BOOLEAN') return { v: inner.v === null ? null : Boolean(inner.v), t: 'boolean' };
      if (type === 'VARIANT' || type === 'OBJECT' || type === 'ARRAY') return { v: inner.v, t: 'variant' };
      throw new SqlError('002040', '42601', `SQL compilation error:\nUnsupported data type '${type}'.`);
    }
  }
}

/** Static type of an expression (for the rowtype of an empty result). */
function exprType(x: Exec, e: Expr, cols: Map<string, Column>): ColumnType {
  switch (e.k) {
    case 'col': {
      const col = cols.get(e.name);
      if (!col) throw invalidIdentifier(e.tok.line, e.tok.col, e.name);
      return col.type;
    }
    case 'lit':
      return literalType(e.value);
    case 'neg':
      return exprType(x, e.expr, cols);
    case 'path':
      exprType(x, e.base, cols);
      return 'variant';
    case 'cast':
      return evalExpr(x, { k: 'cast', expr: { k: 'lit', value: null }, type: e.type }, {}, cols).t;
    case 'fn':
      return evalFn(x, e, {}, cols).t;
  }
}

// ---------------------------------------------------------------------------------------------
// Sources

const TS: Column = { name: 'TIMESTAMP', type: 'timestamp_ntz', scale: 9 };

function timeArg(x: Exec, args: Record<string, Expr>, name: string, fallback: number): number {
  const e = args[name];
  if (!e) return fallback;
  return toMs(evalExpr(x, e, {}, new Map()));
}

function tableFnSource(x: Exec, src: Extract<SelectSource, { k: 'tableFn' }>): Source {
  const [db, schema, name] = resolveObjectName(
    src.service.parts.map((p) => p.value),
    x.ctx,
    'SELECT',
  );
  const svc = requireService(x.sim, x.ctx.role, db, schema, name);
  if (src.fn !== 'SPCS_GET_LOGS' && src.fn !== 'SPCS_GET_METRICS' && src.fn !== 'SPCS_GET_EVENTS')
    throw unknownFunction(`${serviceDisplay(svc)}!${src.fn}`);
  requirePrivilege(x.sim, x.ctx.role, ['MONITOR'], 'SERVICE', serviceKey(svc), 'service', serviceDisplay(svc));
  for (const k of Object.keys(src.args)) {
    if (k !== 'START_TIME' && k !== 'END_TIME') {
      throw new SqlError('001044', '42P13', `SQL compilation error:\nInvalid argument ${k} for function ${src.fn}`);
    }
  }
  if (src.fn === 'SPCS_GET_LOGS') {
    const from = timeArg(x, src.args, 'START_TIME', x.now - 24 * HOUR);
    const to = timeArg(x, src.args, 'END_TIME', x.now);
    const rows = serviceLogRows(x.sim, svc.id, from, to, x.now).map((r) => ({
      TIMESTAMP: r.timestamp,
      INSTANCE_ID: r.instanceId,
      CONTAINER_NAME: r.containerName,
      LOG: r.log,
      RECORD_ATTRIBUTES: r.recordAttributes,
    }));
    return {
      columns: [
        TS,
        { name: 'INSTANCE_ID', type: 'text' },
        { name: 'CONTAINER_NAME', type: 'text' },
        { name: 'LOG', type: 'text' },
        { name: 'RECORD_ATTRIBUTES', type: 'object' },
      ],
      rows,
    };
  }
  if (src.fn === 'SPCS_GET_EVENTS') {
    // Columns and types as docs.snowflake.com/en/sql-reference/functions/spcs_get_events lists
    // them; START_TIME defaults to one day ago.
    const from = timeArg(x, src.args, 'START_TIME', x.now - 24 * HOUR);
    const to = timeArg(x, src.args, 'END_TIME', x.now);
    const rows = platformEventRows(svc, from, to, x.now).map((r) => ({
      TIMESTAMP: r.timestamp,
      SEVERITY: r.severity,
      EVENT_NAME: r.eventName,
      EVENT_DETAILS: r.details,
      INSTANCE_ID: r.instanceId,
      CONTAINER_NAME: r.containerName,
      RECORD: { name: r.eventName, severity_text: r.severity },
      RECORD_ATTRIBUTES: {},
    }));
    return {
      columns: [
        TS,
        { name: 'SEVERITY', type: 'text' },
        { name: 'EVENT_NAME', type: 'text' },
        { name: 'EVENT_DETAILS', type: 'object' },
        { name: 'INSTANCE_ID', type: 'fixed' },
        { name: 'CONTAINER_NAME', type: 'text' },
        { name: 'RECORD', type: 'object' },
        { name: 'RECORD_ATTRIBUTES', type: 'object' },
      ],
      rows,
    };
  }
  // Columns and types as docs.snowflake.com/en/sql-reference/functions/spcs_get_metrics lists them;
  // START_TIME defaults to one day ago.
  const from = timeArg(x, src.args, 'START_TIME', x.now - 24 * HOUR);
  const to = timeArg(x, src.args, 'END_TIME', x.now);
  const rows = metricRows(x.sim, svc, from, to, x.now).map((r) => ({
    TIMESTAMP: r.timestamp,
    METRIC_NAME: r.metricName,
    VALUE: r.value,
    UNIT: r.unit,
    INSTANCE_ID: Number(r.instanceId),
    CONTAINER_NAME: r.containerName,
    RESOURCE: null,
    RECORD: { metric: { name: r.metricName, unit: r.unit }, type: 'GAUGE' },
    RECORD_ATTRIBUTES: r.gpu === undefined ? {} : { gpu: r.gpu },
  }));
  return {
    columns: [
      TS,
      { name: 'METRIC_NAME', type: 'text' },
      { name: 'VALUE', type: 'text' },
      { name: 'UNIT', type: 'text' },
      { name: 'INSTANCE_ID', type: 'fixed' },
      { name: 'CONTAINER_NAME', type: 'text' },
      { name: 'RESOURCE', type: 'text' },
      { name: 'RECORD', type: 'object' },
      { name: 'RECORD_ATTRIBUTES', type: 'object' },
    ],
    rows,
  };
}

const QUERY_HISTORY_FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  QUERY_HISTORY: ['END_TIME_RANGE_START', 'END_TIME_RANGE_END', 'RESULT_LIMIT', 'INCLUDE_CLIENT_GENERATED_STATEMENT'],
  QUERY_HISTORY_BY_USER: ['USER_NAME', 'END_TIME_RANGE_START', 'END_TIME_RANGE_END', 'RESULT_LIMIT', 'INCLUDE_CLIENT_GENERATED_STATEMENT'],
  QUERY_HISTORY_BY_SESSION: [
    'SESSION_ID',
    'END_TIME_RANGE_START',
    'END_TIME_RANGE_END',
    'RESULT_LIMIT',
    'INCLUDE_CLIENT_GENERATED_STATEMENT',
  ],
};

const EXECUTION_STATUS = { running: 'RUNNING', success: 'SUCCESS', error: 'FAILED_WITH_ERROR' } as const;

/**
 * TABLE([<db>.]INFORMATION_SCHEMA.QUERY_HISTORY[_BY_USER|_BY_SESSION](…)): the statements this
 * emulator received, newest first, up to RESULT_LIMIT (default 100, at most 10,000), the current
 * user's own unless the role is ACCOUNTADMIN (docs functions/query_history).
 */
/** Scanning a table runs on a warehouse; metadata statements (SHOW, CALL SYSTEM$…) do not. */
function requireWarehouse(x: Exec): void {
  if (x.ctx.warehouse === null) {
    throw new SqlError(
      '000606',
      '57P03',
      "No active warehouse selected in the current session.  Select an active warehouse with the 'use warehouse' command.\n",
      'EXECUTION',
    );
  }
}

function queryHistorySource(x: Exec, src: Extract<SelectSource, { k: 'infoFn' }>): Source {
  const parts = src.name.parts.map((p) => p.value);
  const fn = parts.at(-1) ?? '';
  const allowed = QUERY_HISTORY_FUNCTIONS[fn];
  const schema = parts.at(-2);
  if (allowed === undefined || schema !== 'INFORMATION_SCHEMA' || parts.length > 3) throw unknownFunction(parts.join('.'));
  if (parts.length === 2 && x.ctx.database === null) {
    throw new SqlError(
      '090105',
      '22000',
      "Cannot perform SELECT. This session does not have a current database. Call 'USE DATABASE', or use a qualified name.",
      'EXECUTION',
    );
  }
  for (const k of Object.keys(src.args)) {
    if (!allowed.includes(k)) throw new SqlError('001044', '42P13', `SQL compilation error:\nInvalid argument ${k} for function ${fn}`);
  }
  requireWarehouse(x);
  const arg = (name: string) => {
    const e = src.args[name];
    return e === undefined ? undefined : evalExpr(x, e, {}, new Map()).v;
  };
  const limit = Number(arg('RESULT_LIMIT') ?? 100);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new SqlError('001008', '22023', `SQL compilation error:\ninvalid value [${String(limit)}] for parameter 'RESULT_LIMIT'`);
  }
  const user = fn === 'QUERY_HISTORY_BY_USER' ? String(arg('USER_NAME') ?? x.ctx.user) : x.ctx.user;
  const session = fn === 'QUERY_HISTORY_BY_SESSION' ? Number(arg('SESSION_ID') ?? x.ctx.sessionId) : null;
  const all = x.ctx.role === 'ACCOUNTADMIN' && fn === 'QUERY_HISTORY';
  const entries = (x.history?.() ?? [])
    .filter((e) => e.queryId !== x.queryId && (all || e.user === user) && (session === null || e.sessionId === session))
    .filter((e) => e.user === x.ctx.user || x.ctx.role === 'ACCOUNTADMIN')
    .slice(-limit)
    .reverse();
  const rows = entries.map((e) => ({
    QUERY_ID: e.queryId,
    QUERY_TEXT: e.sqlText,
    SESSION_ID: e.sessionId,
    USER_NAME: e.user,
    ROLE_NAME: e.role,
    QUERY_TAG: typeof e.parameters['QUERY_TAG'] === 'string' ? e.parameters['QUERY_TAG'] : '',
    EXECUTION_STATUS: EXECUTION_STATUS[e.outcome],
    ERROR_CODE: e.errorCode,
    ERROR_MESSAGE: e.errorMessage,
    START_TIME: e.at,
  }));
  const text = (name: string): Column => ({ name, type: 'text' });
  return {
    columns: [
      text('QUERY_ID'),
      text('QUERY_TEXT'),
      { name: 'SESSION_ID', type: 'fixed' },
      text('USER_NAME'),
      text('ROLE_NAME'),
      text('QUERY_TAG'),
      text('EXECUTION_STATUS'),
      text('ERROR_CODE'),
      text('ERROR_MESSAGE'),
      { name: 'START_TIME', type: 'timestamp_ltz', scale: 3 },
    ],
    rows,
  };
}

function eventTableSource(x: Exec, src: Extract<SelectSource, { k: 'table' }>): Source {
  const st = x.sim.state;
  const [db, schema, name] = resolveObjectName(
    src.name.parts.map((p) => p.value),
    x.ctx,
    'SELECT',
  );
  const et = st.eventTable;
  const key = key3(db, schema, name);
  if (key !== key3(et.database, et.schema, et.name) || !canSee(st, x.ctx.role, 'EVENT_TABLE', key)) {
    throw doesNotExist('Object', displayName(db, schema, name));
  }
  requireWarehouse(x);
  const rows = eventTableRows(x.sim, x.now).map((r) => ({
    TIMESTAMP: r.timestamp,
    START_TIMESTAMP: null,
    OBSERVED_TIMESTAMP: r.timestamp,
    TRACE: null,
    RESOURCE: null,
    RESOURCE_ATTRIBUTES: r.resourceAttributes,
    SCOPE: r.scope,
    SCOPE_ATTRIBUTES: null,
    RECORD_TYPE: r.recordType,
    RECORD: { severity_text: 'INFO' },
    RECORD_ATTRIBUTES: r.recordAttributes,
    VALUE: r.value,
    EXEMPLARS: null,
  }));
  const obj = (n: string): Column => ({ name: n, type: 'object' });
  return {
    columns: [
      TS,
      { name: 'START_TIMESTAMP', type: 'timestamp_ntz', scale: 9 },
      { name: 'OBSERVED_TIMESTAMP', type: 'timestamp_ntz', scale: 9 },
      obj('TRACE'),
      obj('RESOURCE'),
      obj('RESOURCE_ATTRIBUTES'),
      obj('SCOPE'),
      obj('SCOPE_ATTRIBUTES'),
      { name: 'RECORD_TYPE', type: 'text' },
      obj('RECORD'),
      obj('RECORD_ATTRIBUTES'),
      { name: 'VALUE', type: 'variant' },
      { name: 'EXEMPLARS', type: 'array' },
    ],
    rows,
  };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function compare(a: Cell, b: Cell): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

function matches(x: Exec, c: Condition, row: Row, cols: Map<string, Column>): boolean {
  const left = evalExpr(x, c.left, row, cols).v;
  if (c.k === 'in') {
    if (left === null) return false;
    const hit = c.list.some((e) => {
      const v = evalExpr(x, e, row, cols).v;
      return v !== null && compare(left, v) === 0;
    });
    return c.not ? !hit : hit;
  }
  const right = evalExpr(x, c.right, row, cols).v;
  if (left === null || right === null) return false;
  switch (c.op) {
    case '=':
      return compare(left, right) === 0;
    case '!=':
      return compare(left, right) !== 0;
    case '<':
      return compare(left, right) < 0;
    case '<=':
      return compare(left, right) <= 0;
    case '>':
      return compare(left, right) > 0;
    case '>=':
      return compare(left, right) >= 0;
    case 'LIKE':
      return likeToRegExp(String(right), false).test(String(left));
    case 'NOT LIKE':
      return !likeToRegExp(String(right), false).test(String(left));
    case 'ILIKE':
      return likeToRegExp(String(right), true).test(String(left));
  }
}

export function executeSelect(x: Exec, s: SelectStatement): ExecOutcome {
  const source: Source = !s.from
    ? { columns: [], rows: [{}] }
    : s.from.k === 'tableFn'
      ? tableFnSource(x, s.from)
      : s.from.k === 'infoFn'
        ? queryHistorySource(x, s.from)
        : eventTableSource(x, s.from);
  const cols = new Map(source.columns.map((c) => [c.name, c]));

  const outColumns: Column[] = [];
  const outExprs: Array<Expr | { k: 'srccol'; name: string }> = [];
  for (const item of s.items) {
    if (item.expr === 'star') {
      if (!s.from) throw new SqlError('000900', '42601', 'SQL compilation error:\nSELECT with no columns');
      for (const c of source.columns) {
        outColumns.push(c);
        outExprs.push({ k: 'srccol', name: c.name });
      }
      continue;
    }
    const t = exprType(x, item.expr, cols);
    outColumns.push({ name: item.name, type: t, ...(t.startsWith('timestamp') ? { scale: t === 'timestamp_ntz' ? 9 : 3 } : {}) });
    outExprs.push(item.expr);
  }

  let rows = source.rows.filter((r) => s.where.every((c) => matches(x, c, r, cols)));
  if (s.orderBy.length > 0) {
    const keyed = rows.map((r) => ({
      r,
      keys: s.orderBy.map((o) => {
        if ('n' in o.expr && o.expr.k === 'ordinal') {
          const e = outExprs[o.expr.n - 1];
          if (!e) throw new SqlError('000904', '42000', `SQL compilation error:\nORDER BY position ${o.expr.n} is not in select list`);
          return 'k' in e && e.k === 'srccol' ? (r[e.name] ?? null) : evalExpr(x, e, r, cols).v;
        }
        const e = o.expr;
        if (e.k === 'col' && !cols.has(e.name)) {
          const idx = s.items.findIndex((it) => it.name === e.name);
          const target = outExprs[idx];
          if (idx >= 0 && target) return 'k' in target && target.k === 'srccol' ? (r[target.name] ?? null) : evalExpr(x, target, r, cols).v;
        }
        return evalExpr(x, e, r, cols).v;
      }),
    }));
    keyed.sort((a, b) => {
      for (let i = 0; i < s.orderBy.length; i++) {
        const av = a.keys[i] ?? null;
        const bv = b.keys[i] ?? null;
        const desc = s.orderBy[i]?.desc ?? false;
        if (av === null && bv === null) continue;
        if (av === null) return desc ? -1 : 1;
        if (bv === null) return desc ? 1 : -1;
        const d = compare(av, bv);
        if (d !== 0) return desc ? -d : d;
      }
      return 0;
    });
    rows = keyed.map((k) => k.r);
  }
  if (s.limit !== undefined) rows = rows.slice(0, s.limit);
  const outRows: Cell[][] = rows.map((r) =>
    outExprs.map((e) => ('k' in e && e.k === 'srccol' ? (r[e.name] ?? null) : evalExpr(x, e, r, cols).v)),
  );
  return done({ columns: outColumns, rows: outRows });
}
