/**
 * A deliberately small SELECT grammar: enough for the contract's log/metric/event-table queries
 * and `SELECT CURRENT_USER() AS "USER", …`. Column references are checked against the source's
 * schema at execution time, so a typo is an `invalid identifier` error, never an empty result.
 *
 *   SELECT item [, item…] [FROM TABLE(<svc>!FN(name => expr, …)) | FROM <table>]
 *     [WHERE cond [AND cond…]] [ORDER BY key [ASC|DESC] [, …]] [LIMIT n]
 *   item := * | expr [[AS] alias]
 *   expr := column | literal | bind | fn(args) | expr:"path".key | expr::type | -expr
 *   cond := expr (= | != | <> | < | <= | > | >= | [NOT] LIKE | ILIKE) expr | expr [NOT] IN (expr, …)
 */
import type { CompareOp, Condition, Expr, OrderKey, SelectItem, SelectSource, SelectStatement } from './ast.js';
import { type Cursor, bindToScalar } from './cursor.js';

const SYMBOLIC_OPS: Readonly<Record<string, CompareOp>> = { '=': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

const RESERVED_AFTER_EXPR = new Set(['FROM', 'WHERE', 'ORDER', 'LIMIT', 'AND', 'OR', 'AS', 'ASC', 'DESC', 'LIKE', 'ILIKE', 'IN', 'NOT']);

export function parseSelect(c: Cursor): SelectStatement {
  c.expectKw('SELECT');
  const items: SelectItem[] = [];
  do {
    items.push(parseItem(c));
  } while (c.punct(','));
  let from: SelectSource | undefined;
  if (c.kw('FROM')) from = parseSource(c);
  const where: Condition[] = [];
  if (c.kw('WHERE')) {
    do {
      where.push(parseCondition(c));
    } while (c.kw('AND'));
  }
  const orderBy: OrderKey[] = [];
  if (c.kws('ORDER', 'BY')) {
    do {
      const t = c.peek();
      let expr: OrderKey['expr'];
      if (t.kind === 'number') {
        c.next();
        expr = { k: 'ordinal', n: Number(t.value) };
      } else {
        expr = parseExpr(c);
      }
      let desc = false;
      if (c.kw('DESC')) desc = true;
      else c.kw('ASC');
      if (c.kws('NULLS', 'FIRST') || c.kws('NULLS', 'LAST')) {
        /* accepted, default ordering is fine for the emulator */
      }
      orderBy.push({ expr, desc });
    } while (c.punct(','));
  }
  let limit: number | undefined;
  if (c.kw('LIMIT')) {
    limit = c.integer();
    if (limit < 0) c.fail();
  }
  c.expectEnd();
  const stmt: SelectStatement = { kind: 'select', items, where, orderBy };
  if (from) stmt.from = from;
  if (limit !== undefined) stmt.limit = limit;
  return stmt;
}

function parseItem(c: Cursor): SelectItem {
  if (c.punct('*')) return { expr: 'star', name: '*' };
  const start = c.index;
  const expr = parseExpr(c);
  const end = c.index;
  if (c.kw('AS')) {
    const alias = c.ident();
    return { expr, name: alias.value };
  }
  const t = c.peek();
  if ((t.kind === 'word' && !RESERVED_AFTER_EXPR.has(t.value)) || t.kind === 'quoted') {
    const alias = c.ident();
    return { expr, name: alias.value };
  }
  const name = expr.k === 'col' ? expr.name : c.textBetween(start, end).toUpperCase();
  return { expr, name };
}

function parseSource(c: Cursor): SelectSource {
  if (c.isWord('TABLE') && c.peek(1).kind === 'punct' && c.peek(1).value === '(') {
    const tok = c.peek();
    c.next();
    c.expectPunct('(');
    const service = c.qname(3);
    const named = (): Record<string, Expr> => {
      c.expectPunct('(');
      const args: Record<string, Expr> = {};
      if (!c.isPunct(')')) {
        do {
          const name = c.ident().value;
          c.expectPunct('=>');
          args[name] = parseExpr(c);
        } while (c.punct(','));
      }
      c.expectPunct(')');
      return args;
    };
    if (c.isPunct('(')) {
      const args = named();
      c.expectPunct(')');
      return { k: 'infoFn', name: service, args, tok };
    }
    c.expectPunct('!');
    const fn = c.ident().value;
    const args = named();
    c.expectPunct(')');
    return { k: 'tableFn', service, fn, args, tok };
  }
  return { k: 'table', name: c.qname(3) };
}

function parseCondition(c: Cursor): Condition {
  const left = parseExpr(c);
  const not = c.kws('NOT', 'IN');
  if (not || c.kw('IN')) {
    c.expectPunct('(');
    const list: Expr[] = [];
    do {
      list.push(parseExpr(c));
    } while (c.punct(','));
    c.expectPunct(')');
    return { k: 'in', left, not, list };
  }
  let op: CompareOp;
  const t = c.peek();
  const symbolic = t.kind === 'punct' ? SYMBOLIC_OPS[t.value] : undefined;
  if (symbolic) {
    c.next();
    op = symbolic;
  } else if (c.kws('NOT', 'LIKE')) {
    op = 'NOT LIKE';
  } else if (c.kw('LIKE')) {
    op = 'LIKE';
  } else if (c.kw('ILIKE')) {
    op = 'ILIKE';
  } else {
    return c.fail();
  }
  return { k: 'cmp', left, op, right: parseExpr(c) };
}

export function parseExpr(c: Cursor): Expr {
  let e = parsePrimary(c);
  for (;;) {
    if (c.isPunct(':') && (c.peek(1).kind === 'quoted' || c.peek(1).kind === 'word')) {
      c.next();
      const path: string[] = [pathKey(c)];
      while (c.isPunct('.') || c.isPunct('[')) {
        if (c.punct('.')) path.push(pathKey(c));
        else {
          c.expectPunct('[');
          const s = c.scalar();
          c.expectPunct(']');
          path.push(String(s));
        }
      }
      e = { k: 'path', base: e, path };
      continue;
    }
    if (c.punct('::')) {
      const type = c.ident().value;
      if (c.punct('(')) {
        c.integer();
        if (c.punct(',')) c.integer();
        c.expectPunct(')');
      }
      e = { k: 'cast', expr: e, type };
      continue;
    }
    return e;
  }
}

function pathKey(c: Cursor): string {
  const t = c.next();
  if (t.kind === 'quoted') return t.value;
  if (t.kind === 'word') return t.raw; // JSON keys keep their case even unquoted
  return c.fail();
}

function parsePrimary(c: Cursor): Expr {
  const t = c.peek();
  if (t.kind === 'punct' && t.value === '-') {
    c.next();
    return { k: 'neg', expr: parsePrimary(c) };
  }
  if (t.kind === 'punct' && t.value === '(') {
    c.next();
    const e = parseExpr(c);
    c.expectPunct(')');
    return e;
  }
  if (t.kind === 'string' || t.kind === 'number') {
    return { k: 'lit', value: c.scalar() };
  }
  if (t.kind === 'bind') {
    c.next();
    return { k: 'lit', value: bindToScalar(c.bind(t)) };
  }
  if (t.kind === 'word' && (t.value === 'TRUE' || t.value === 'FALSE' || t.value === 'NULL')) {
    return { k: 'lit', value: c.scalar() };
  }
  if (t.kind === 'word' || t.kind === 'quoted') {
    const next = c.peek(1);
    if (t.kind === 'word' && next.kind === 'punct' && next.value === '(') {
      c.next();
      c.next();
      const args: Expr[] = [];
      const named: Record<string, Expr> = {};
      if (!c.isPunct(')')) {
        do {
          if ((c.peek().kind === 'word' || c.peek().kind === 'quoted') && c.peek(1).kind === 'punct' && c.peek(1).value === '=>') {
            const name = c.ident().value;
            c.next();
            named[name] = parseExpr(c);
          } else {
            args.push(parseExpr(c));
          }
        } while (c.punct(','));
      }
      c.expectPunct(')');
      return { k: 'fn', name: t.value, args, named, tok: t };
    }
    if (t.kind === 'word' && RESERVED_AFTER_EXPR.has(t.value)) c.fail();
    c.next();
    return { k: 'col', name: t.value, tok: t };
  }
  return c.fail();
}
