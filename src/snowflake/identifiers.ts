/**
 * The one place that validates and renders Snowflake identifiers.
 *
 * Rules for names typed by people (`parseIdentifier`, `parseQualifiedName`):
 * - Surrounding whitespace is trimmed (Slack fields often carry it); anything else is checked as typed.
 * - Unquoted (the default, and the only form the deploy wizard accepts): letters, digits, `_` or `$`,
 *   starting with a letter or `_`, at most 255 characters. Snowflake folds it to upper case.
 *   Quotes, semicolons, spaces, dots, dashes and any other character are refused with a message that
 *   names the offending character, before any SQL exists.
 * - Quoted (only with `{ allowQuoted: true }`): the whole input is `"..."`, a quote inside is written
 *   `""`, the name is kept verbatim (case-sensitive). Empty names, lone quotes and control characters
 *   are refused.
 *
 * Names that come back from Snowflake (SHOW output) are already resolved; `identifierFromSnowflake`
 * wraps them without folding case.
 *
 * Rendering: a resolved name made of upper-case letters, digits, `_` and `$` that is not a reserved
 * word is rendered bare; every other name is double-quoted with `"` doubled. Both forms mean exactly
 * the stored name, so rendering never changes which object a statement touches.
 */

export const MAX_IDENTIFIER_LENGTH = 255;

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

// Module-private token: only this file can construct Identifier and QualifiedName.
const internal: unique symbol = Symbol('identifiers.internal');

/** A validated identifier. `name` is what Snowflake stores; `sql` is safe statement text for it. */
export class Identifier {
  readonly name: string;
  readonly sql: string;
  private constructor(token: typeof internal, name: string) {
    if (token !== internal) throw new TypeError('Identifier is constructed by identifiers.ts only');
    this.name = name;
    this.sql = renderName(name);
  }
  /** @internal used by this module's parsers only */
  static fromResolved(token: typeof internal, name: string): Identifier {
    return new Identifier(token, name);
  }
  /**
   * How snowflake-ml-python writes the name in a deployment spec: bare when it is upper-case
   * identifier characters (reserved words included), otherwise quoted.
   */
  get specText(): string {
    return BARE_RESOLVED.test(this.name) ? this.name : quoteIdentifier(this.name);
  }
  toString(): string {
    return this.sql;
  }
}

/** `DB.SCHEMA.NAME` (or a shorter prefix, e.g. `DB.SCHEMA`), each part validated. */
export class QualifiedName {
  readonly parts: readonly Identifier[];
  readonly sql: string;
  private constructor(token: typeof internal, parts: readonly Identifier[]) {
    if (token !== internal) throw new TypeError('QualifiedName is constructed by identifiers.ts only');
    this.parts = parts;
    this.sql = parts.map((p) => p.sql).join('.');
  }
  /** @internal */
  static fromParts(token: typeof internal, parts: readonly Identifier[]): QualifiedName {
    return new QualifiedName(token, parts);
  }
  /** The last part: the object's own name. */
  get name(): Identifier {
    const last = this.parts[this.parts.length - 1];
    if (last === undefined) throw new TypeError('QualifiedName has no parts');
    return last;
  }
  /** Every part but the last: the container, e.g. DB.SCHEMA for DB.SCHEMA.SERVICE. */
  get container(): QualifiedName {
    return new QualifiedName(internal, this.parts.slice(0, -1));
  }
  /** The parts' `specText` joined with dots, for the deployment spec YAML. */
  get specText(): string {
    return this.parts.map((p) => p.specText).join('.');
  }
  toString(): string {
    return this.sql;
  }
}

export interface ParseOptions {
  /** Accept `"..."` (case-sensitive, may contain spaces). Off by default: the wizard refuses quotes. */
  readonly allowQuoted?: boolean;
}

const UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const BARE_RESOLVED = /^[A-Z_][A-Z0-9_$]*$/;
// C0, DEL, C1 and the Unicode line/paragraph separators: never part of a name we accept.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Snowflake's reserved keywords: bare, these would be read as syntax, so they are always quoted. */
const RESERVED = new Set(
  (
    'ACCOUNT ALL ALTER AND ANY AS BETWEEN BY CASE CAST CHECK COLUMN CONNECT CONNECTION CONSTRAINT CREATE CROSS ' +
    'CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DATABASE DELETE DISTINCT DROP ELSE EXISTS ' +
    'FALSE FOLLOWING FOR FROM FULL GRANT GROUP GSCLUSTER HAVING ILIKE IN INCREMENT INNER INSERT INTERSECT INTO IS ' +
    'ISSUE JOIN LATERAL LEFT LIKE LOCALTIME LOCALTIMESTAMP MINUS NATURAL NOT NULL OF ON OR ORDER ORGANIZATION ' +
    'QUALIFY REGEXP REVOKE RIGHT RLIKE ROW ROWS SAMPLE SCHEMA SELECT SET SOME START TABLE TABLESAMPLE THEN TO ' +
    'TRIGGER TRUE TRY_CAST UNION UNIQUE UPDATE USING VALUES VIEW WHEN WHENEVER WHERE WINDOW WITH'
  ).split(' '),
);

function renderName(name: string): string {
  if (BARE_RESOLVED.test(name) && !RESERVED.has(name)) return name;
  return quoteIdentifier(name);
}

/** `"` + name with every `"` doubled + `"`. The only quoting of identifiers in the codebase. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Describes a refused character the way a person would say it. */
function describeChar(ch: string): string {
  switch (ch) {
    case ' ':
      return 'a space';
    case ';':
      return 'a semicolon';
    case '"':
    case "'":
    case '`':
      return 'a quote';
    case '.':
      return 'a dot';
    case '-':
      return 'a dash';
    default:
      if (CONTROL.test(ch)) return 'a control character';
      if (/\s/.test(ch)) return 'a space';
      return `"${ch}"`;
  }
}

const RULE = 'use letters, digits, _ or $, starting with a letter or _';

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

function checkUnquoted(text: string, field: string): ParseResult<string> {
  if (text.length > MAX_IDENTIFIER_LENGTH) {
    return fail(`${field}: at most ${MAX_IDENTIFIER_LENGTH} characters (got ${text.length})`);
  }
  if (UNQUOTED.test(text)) return { ok: true, value: text.toUpperCase() };
  // Find the first offending character so the message is specific.
  const chars = Array.from(text);
  const first = chars[0] ?? '';
  if (!/[A-Za-z_]/.test(first)) {
    const what = /[0-9$]/.test(first) ? `"${first}" at the start` : describeChar(first);
    return fail(`${field}: ${RULE} (got ${what})`);
  }
  const bad = chars.find((ch) => !/[A-Za-z0-9_$]/.test(ch)) ?? first;
  return fail(`${field}: ${RULE} (got ${describeChar(bad)})`);
}

function checkQuoted(text: string, field: string): ParseResult<string> {
  // text starts and ends with '"' and has length >= 2.
  const inner = text.slice(1, -1);
  // Scanning left to right like Snowflake does, `""` is a quote; any other quote would end the name.
  if (inner.replaceAll('""', '').includes('"')) {
    return fail(`${field}: inside quotes, write "" for each quote character`);
  }
  const name = inner.replaceAll('""', '"');
  if (name.length === 0) return fail(`${field}: required`);
  if (CONTROL.test(name)) return fail(`${field}: must not contain a control character`);
  if (name.length > MAX_IDENTIFIER_LENGTH) {
    return fail(`${field}: at most ${MAX_IDENTIFIER_LENGTH} characters (got ${name.length})`);
  }
  return { ok: true, value: name };
}

function parseName(raw: string, field: string, options: ParseOptions): ParseResult<string> {
  if (raw.length === 0) return fail(`${field}: required`);
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    if (options.allowQuoted !== true) return fail(`${field}: ${RULE} (got a quote)`);
    return checkQuoted(raw, field);
  }
  return checkUnquoted(raw, field);
}

/**
 * Parses one identifier typed by a person. Never throws; the message starts with `field` and says
 * what to type, e.g. `Service name: use letters, digits, _ or $, starting with a letter or _ (got a space)`.
 */
export function parseIdentifier(input: string, field: string, options: ParseOptions = {}): ParseResult<Identifier> {
  const parsed = parseName(input.trim(), field, options);
  return parsed.ok ? { ok: true, value: Identifier.fromResolved(internal, parsed.value) } : parsed;
}

/** Splits on dots that are outside double quotes. Returns null on an unterminated quote. */
function splitQualified(text: string): string[] | null {
  const parts: string[] = [];
  let current = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '"') {
      if (inQuotes && text.charAt(i + 1) === '"') {
        current += '""';
        i++;
        continue;
      }
      inQuotes = !inQuotes;
      current += ch;
    } else if (ch === '.' && !inQuotes) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (inQuotes) return null;
  parts.push(current);
  return parts;
}

export interface QualifiedParseOptions extends ParseOptions {
  /** Exact number of parts required, e.g. 3 for DB.SCHEMA.NAME, 2 for DB.SCHEMA. */
  readonly parts: 1 | 2 | 3;
  /** How the expected shape reads to a person, e.g. "DATABASE.SCHEMA.SERVICE". */
  readonly shape?: string;
}

/** Parses `DB.SCHEMA.NAME` (or a shorter form), each part with the same rules as `parseIdentifier`. */
export function parseQualifiedName(input: string, field: string, options: QualifiedParseOptions): ParseResult<QualifiedName> {
  const text = input.trim();
  if (text.length === 0) return fail(`${field}: required`);
  const shape = options.shape ?? ['DATABASE', 'SCHEMA', 'NAME'].slice(3 - options.parts).join('.');
  const pieces = splitQualified(text);
  if (pieces === null) {
    return options.allowQuoted === true ? fail(`${field}: a quote is not closed`) : fail(`${field}: ${RULE} (got a quote)`);
  }
  if (pieces.length !== options.parts) {
    return fail(
      `${field}: expected ${shape} (${options.parts} part${options.parts === 1 ? '' : 's'} separated by dots, got ${pieces.length})`,
    );
  }
  const parts: Identifier[] = [];
  for (const piece of pieces) {
    // No trimming inside: "DB . SCHEMA" has spaces a person should see refused.
    const parsed = parseName(piece, field, options);
    if (!parsed.ok) return parsed;
    parts.push(Identifier.fromResolved(internal, parsed.value));
  }
  return { ok: true, value: QualifiedName.fromParts(internal, parts) };
}

/**
 * Wraps a name exactly as Snowflake returned it (e.g. SHOW output `name`), without case folding.
 * Throws on names Snowflake cannot have produced (empty, too long, control characters): that is a
 * bug or a hostile server, not user input.
 */
export function identifierFromSnowflake(name: string): Identifier {
  if (name.length === 0 || name.length > MAX_IDENTIFIER_LENGTH || CONTROL.test(name)) {
    throw new RangeError('identifier from Snowflake is empty, too long or has control characters');
  }
  return Identifier.fromResolved(internal, name);
}

/** Builds a qualified name from validated parts, e.g. a schema plus a service name. */
export function qualify(...parts: ReadonlyArray<Identifier | QualifiedName>): QualifiedName {
  const flat = parts.flatMap((p) => (p instanceof QualifiedName ? [...p.parts] : [p]));
  if (flat.length === 0 || flat.length > 3) throw new RangeError('a qualified name has 1 to 3 parts');
  return QualifiedName.fromParts(internal, flat);
}

/**
 * Parses text that is already trusted to be SQL-shaped (configuration, resolved names from SHOW
 * output like `DB.SCHEMA.NAME`) allowing quoted parts. Throws with the field name on bad input.
 */
export function requireQualifiedName(input: string, field: string, parts: 1 | 2 | 3): QualifiedName {
  const parsed = parseQualifiedName(input, field, { parts, allowQuoted: true });
  if (!parsed.ok) throw new RangeError(parsed.message);
  return parsed.value;
}
