import { bindNotSet } from '../errors.js';
import type { Token } from './lexer.js';

/** A bind value as the driver sends it: `bindings: {"1": {type: "TEXT", value: "…"}}`. */
export interface BindValue {
  type: string;
  value: string | null;
}

/** An identifier after Snowflake folding: unquoted → upper case, quoted → exact. */
export interface Ident {
  value: string;
  quoted: boolean;
}

/** A dotted name of 1–3 parts plus the token it started at (for error positions). */
export interface QName {
  parts: Ident[];
  tok: Token;
}

export type Scalar = string | number | boolean | null;

/** Thrown when a recognizer does not match; carries the index of the offending token. */
export class ParseFail {
  constructor(readonly index: number) {}
}

/**
 * A backtracking cursor over a statement's tokens. Recognizers call the `expect*` methods and
 * throw ParseFail on mismatch; bind markers are resolved here, as values, never re-lexed.
 */
export class Cursor {
  private i = 0;

  constructor(
    readonly tokens: readonly Token[],
    readonly sql: string,
    private readonly binds: Readonly<Record<string, BindValue>>,
  ) {}

  get index(): number {
    return this.i;
  }

  set index(v: number) {
    this.i = v;
  }

  peek(offset = 0): Token {
    const t = this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
    if (!t) throw new ParseFail(this.i);
    return t;
  }

  fail(): never {
    throw new ParseFail(this.i);
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  isWord(...words: string[]): boolean {
    const t = this.peek();
    return t.kind === 'word' && words.includes(t.value);
  }

  isWordAt(offset: number, ...words: string[]): boolean {
    const t = this.peek(offset);
    return t.kind === 'word' && words.includes(t.value);
  }

  isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.value === p;
  }

  /** Consumes the keyword if present. */
  kw(word: string): boolean {
    if (this.isWord(word)) {
      this.i++;
      return true;
    }
    return false;
  }

  /** Consumes a keyword sequence if all present. */
  kws(...words: string[]): boolean {
    const save = this.i;
    for (const w of words) {
      if (!this.kw(w)) {
        this.i = save;
        return false;
      }
    }
    return true;
  }

  expectKw(...words: string[]): void {
    for (const w of words) {
      if (!this.kw(w)) this.fail();
    }
  }

  punct(p: string): boolean {
    if (this.isPunct(p)) {
      this.i++;
      return true;
    }
    return false;
  }

  expectPunct(p: string): void {
    if (!this.punct(p)) this.fail();
  }

  isEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  expectEnd(): void {
    if (!this.isEnd()) this.fail();
  }

  ident(): Ident {
    const t = this.peek();
    if (t.kind === 'word') {
      this.i++;
      return { value: t.value, quoted: false };
    }
    if (t.kind === 'quoted') {
      this.i++;
      return { value: t.value, quoted: true };
    }
    return this.fail();
  }

  qname(maxParts = 3): QName {
    const tok = this.peek();
    const parts = [this.ident()];
    while (parts.length < maxParts && this.isPunct('.')) {
      this.i++;
      parts.push(this.ident());
    }
    return { parts, tok };
  }

  bind(t: Token): BindValue {
    const idx = t.bindIndex ?? 0;
    const b = this.binds[String(idx)];
    if (!b) throw bindNotSet(t.value === '?' ? 0 : idx);
    return b;
  }

  /** A string literal or a bind (any bind type is read as its text). */
  string(): string {
    const t = this.peek();
    if (t.kind === 'string') {
      this.i++;
      return t.value;
    }
    if (t.kind === 'bind') {
      this.i++;
      const b = this.bind(t);
      if (b.value === null) this.fail();
      return b.value;
    }
    return this.fail();
  }

  isStringLike(): boolean {
    const t = this.peek();
    return t.kind === 'string' || t.kind === 'bind';
  }

  /** An integer literal (optionally negative) or a numeric bind. */
  integer(): number {
    const neg = this.punct('-');
    const t = this.peek();
    let n: number;
    if (t.kind === 'number') {
      n = Number(t.value);
    } else if (t.kind === 'bind') {
      const b = this.bind(t);
      n = Number(b.value);
    } else {
      return this.fail();
    }
    if (!Number.isInteger(n)) this.fail();
    this.i++;
    return neg ? -n : n;
  }

  /** A literal scalar: string, number, TRUE/FALSE/NULL, or bind (typed by the bind type). */
  scalar(): Scalar {
    const t = this.peek();
    if (t.kind === 'punct' && t.value === '-') {
      this.i++;
      const n = this.peek();
      if (n.kind !== 'number') this.fail();
      this.i++;
      return -Number(n.value);
    }
    if (t.kind === 'string') {
      this.i++;
      return t.value;
    }
    if (t.kind === 'number') {
      this.i++;
      return Number(t.value);
    }
    if (t.kind === 'word' && (t.value === 'TRUE' || t.value === 'FALSE')) {
      this.i++;
      return t.value === 'TRUE';
    }
    if (t.kind === 'word' && t.value === 'NULL') {
      this.i++;
      return null;
    }
    if (t.kind === 'bind') {
      this.i++;
      return bindToScalar(this.bind(t));
    }
    return this.fail();
  }

  /** Source text between two token indexes (inclusive start, exclusive end). */
  textBetween(startIndex: number, endIndex: number): string {
    const a = this.tokens[startIndex];
    const b = this.tokens[endIndex - 1];
    if (!a || !b) return '';
    return this.sql.slice(a.pos, b.pos + b.raw.length);
  }
}

export function bindToScalar(b: BindValue): Scalar {
  if (b.value === null) return null;
  switch (b.type.toUpperCase()) {
    case 'FIXED':
    case 'REAL':
      return Number(b.value);
    case 'BOOLEAN':
      return b.value.toLowerCase() === 'true' || b.value === '1';
    default:
      return b.value;
  }
}
