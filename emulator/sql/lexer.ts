/**
 * Tokenizer for the small SQL dialect the emulator recognises.
 *
 * Follows Snowflake's lexical rules where they matter for the bot:
 * - unquoted identifiers fold to upper case, quoted ones keep their case and use `""` for a quote;
 * - string literals use `''` for a quote and backslash escapes (`\\`, `\'`, `\n`, `\t`);
 * - `$$ … $$` dollar-quoted strings are taken verbatim;
 * - `?` and `:1` are bind markers; `--`, `//` and `/* … *\/` are comments.
 */

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'bind' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** For `word`: upper-cased text; `quoted`: identifier with escapes resolved; `string`: literal value; `punct`: the symbol. */
  value: string;
  /** Source text exactly as written (used in error messages). */
  raw: string;
  /** Offset in the statement text. */
  pos: number;
  line: number;
  /** Column on its line, 0-based, as Snowflake reports positions. */
  col: number;
  /** For `bind`: 1-based bind index. */
  bindIndex?: number;
}

export class LexError extends Error {
  constructor(
    message: string,
    readonly pos: number,
    readonly line: number,
    readonly col: number,
    readonly near: string,
  ) {
    super(message);
  }
}

const PUNCT3 = new Set<string>();
const PUNCT2 = new Set(['::', '=>', '<>', '!=', '>=', '<=', '||']);
const PUNCT1 = new Set(['.', ',', '(', ')', '=', ';', '!', ':', '*', '-', '+', '<', '>', '[', ']', '/', '{', '}', '@']);

function isWordStart(ch: string): boolean {
  return /[A-Za-z_]/.test(ch) || ch.charCodeAt(0) > 127;
}

function isWordPart(ch: string): boolean {
  return /[A-Za-z0-9_$]/.test(ch) || ch.charCodeAt(0) > 127;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let positionalBind = 0;

  const advanceTo = (end: number): void => {
    for (let k = i; k < end; k++) {
      if (sql[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    i = end;
  };
  const push = (kind: TokenKind, value: string, start: number, startLine: number, startCol: number, extra?: Partial<Token>): void => {
    tokens.push({ kind, value, raw: sql.slice(start, i), pos: start, line: startLine, col: startCol, ...extra });
  };

  while (i < sql.length) {
    const ch = sql[i] ?? '';
    const next = sql[i + 1] ?? '';
    if (/\s/.test(ch)) {
      advanceTo(i + 1);
      continue;
    }
    if ((ch === '-' && next === '-') || (ch === '/' && next === '/')) {
      const end = sql.indexOf('\n', i);
      advanceTo(end === -1 ? sql.length : end);
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new LexError('unterminated comment', i, line, i - lineStart, '/*');
      advanceTo(end + 2);
      continue;
    }
    const start = i;
    const startLine = line;
    const startCol = i - lineStart;
    if (ch === "'") {
      let value = '';
      let k = i + 1;
      let closed = false;
      while (k < sql.length) {
        const c = sql[k] ?? '';
        if (c === "'") {
          if (sql[k + 1] === "'") {
            value += "'";
            k += 2;
            continue;
          }
          closed = true;
          k++;
          break;
        }
        if (c === '\\') {
          const e = sql[k + 1] ?? '';
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f', "'": "'", '"': '"', '\\': '\\' };
          value += map[e] ?? e;
          k += 2;
          continue;
        }
        value += c;
        k++;
      }
      if (!closed) throw new LexError('unterminated string literal', start, startLine, startCol, "'");
      advanceTo(k);
      push('string', value, start, startLine, startCol);
      continue;
    }
    if (ch === '$' && next === '$') {
      const end = sql.indexOf('$$', i + 2);
      if (end === -1) throw new LexError('unterminated $$ string', start, startLine, startCol, '$$');
      const value = sql.slice(i + 2, end);
      advanceTo(end + 2);
      push('string', value, start, startLine, startCol);
      continue;
    }
    if (ch === '"') {
      let value = '';
      let k = i + 1;
      let closed = false;
      while (k < sql.length) {
        const c = sql[k] ?? '';
        if (c === '"') {
          if (sql[k + 1] === '"') {
            value += '"';
            k += 2;
            continue;
          }
          closed = true;
          k++;
          break;
        }
        value += c;
        k++;
      }
      if (!closed || value.length === 0) throw new LexError('bad quoted identifier', start, startLine, startCol, '"');
      advanceTo(k);
      push('quoted', value, start, startLine, startCol);
      continue;
    }
    if (ch === '?') {
      advanceTo(i + 1);
      positionalBind++;
      push('bind', '?', start, startLine, startCol, { bindIndex: positionalBind });
      continue;
    }
    if (ch === ':' && /[0-9]/.test(next)) {
      let k = i + 1;
      while (k < sql.length && /[0-9]/.test(sql[k] ?? '')) k++;
      const n = Number(sql.slice(i + 1, k));
      advanceTo(k);
      push('bind', `:${n}`, start, startLine, startCol, { bindIndex: n });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(next))) {
      let k = i;
      while (k < sql.length && /[0-9]/.test(sql[k] ?? '')) k++;
      if (sql[k] === '.' && /[0-9]/.test(sql[k + 1] ?? '')) {
        k++;
        while (k < sql.length && /[0-9]/.test(sql[k] ?? '')) k++;
      }
      if ((sql[k] === 'e' || sql[k] === 'E') && /[-+0-9]/.test(sql[k + 1] ?? '')) {
        k += 2;
        while (k < sql.length && /[0-9]/.test(sql[k] ?? '')) k++;
      }
      if (isWordPart(sql[k] ?? ' ')) {
        // e.g. 5m or 1GiB: treat the whole thing as a word-like token.
        while (k < sql.length && isWordPart(sql[k] ?? '')) k++;
        advanceTo(k);
        push('word', sql.slice(start, k).toUpperCase(), start, startLine, startCol);
        continue;
      }
      advanceTo(k);
      push('number', sql.slice(start, k), start, startLine, startCol);
      continue;
    }
    if (isWordStart(ch) || (ch === '$' && isWordStart(next))) {
      let k = i + 1;
      while (k < sql.length && isWordPart(sql[k] ?? '')) k++;
      advanceTo(k);
      push('word', sql.slice(start, k).toUpperCase(), start, startLine, startCol);
      continue;
    }
    const two = sql.slice(i, i + 2);
    const three = sql.slice(i, i + 3);
    if (PUNCT3.has(three)) {
      advanceTo(i + 3);
      push('punct', three, start, startLine, startCol);
      continue;
    }
    if (PUNCT2.has(two)) {
      advanceTo(i + 2);
      push('punct', two, start, startLine, startCol);
      continue;
    }
    if (PUNCT1.has(ch)) {
      advanceTo(i + 1);
      push('punct', ch, start, startLine, startCol);
      continue;
    }
    throw new LexError(`unexpected character '${ch}'`, start, startLine, startCol, ch);
  }
  tokens.push({ kind: 'eof', value: '', raw: '<EOF>', pos: sql.length, line, col: i - lineStart });
  return tokens;
}

/** Splits a token stream into statements at top-level semicolons, dropping empty ones. */
export function splitStatements(tokens: readonly Token[]): Token[][] {
  const out: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'punct' && t.value === '(') depth++;
    if (t.kind === 'punct' && t.value === ')') depth = Math.max(0, depth - 1);
    if (t.kind === 'eof' || (t.kind === 'punct' && t.value === ';' && depth === 0)) {
      if (current.length > 0) out.push([...current, { ...t, kind: 'eof', value: '', raw: '<EOF>' }]);
      current = [];
      continue;
    }
    current.push(t);
  }
  return out;
}
