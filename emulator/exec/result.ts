/**
 * Result sets and their JSON wire form (`rowtype` + `rowset` of strings), as the Node driver
 * decodes them: lower-case type names, timestamps as epoch seconds with `scale` decimals,
 * variants as JSON text.
 */

export type ColumnType = 'text' | 'fixed' | 'real' | 'boolean' | 'timestamp_ltz' | 'timestamp_ntz' | 'variant' | 'object' | 'array';

export interface Column {
  name: string;
  type: ColumnType;
  /** Fractional digits for timestamps / fixed. */
  scale?: number;
}

/** Cell values: timestamps are epoch milliseconds; variants are any JSON value. */
export type Cell = string | number | boolean | null | Record<string, unknown> | unknown[];

export interface ResultSet {
  columns: Column[];
  rows: Cell[][];
}

export const text = (name: string): Column => ({ name, type: 'text' });
export const fixed = (name: string): Column => ({ name, type: 'fixed', scale: 0 });
export const tsLtz = (name: string): Column => ({ name, type: 'timestamp_ltz', scale: 3 });

/**
 * SHOW output prints flags as the strings 'true'/'false' (e.g. is_default_version), so the
 * emulator does too; callers should accept both strings and booleans.
 */
export const flag = (v: boolean): string => (v ? 'true' : 'false');

export function statusResult(message: string): ResultSet {
  return { columns: [text('status')], rows: [[message]] };
}

export interface WireColumn {
  name: string;
  database: string;
  schema: string;
  table: string;
  type: ColumnType;
  nullable: boolean;
  byteLength: number | null;
  length: number | null;
  scale: number | null;
  precision: number | null;
  collation: null;
}

export function wireRowtype(columns: readonly Column[]): WireColumn[] {
  return columns.map((c) => {
    const isText = c.type === 'text';
    const isNumber = c.type === 'fixed' || c.type === 'real';
    const isTs = c.type.startsWith('timestamp');
    return {
      name: c.name,
      database: '',
      schema: '',
      table: '',
      type: c.type,
      nullable: true,
      byteLength: isText ? 16_777_216 : null,
      length: isText ? 16_777_216 : null,
      scale: isNumber || isTs ? (c.scale ?? 0) : null,
      precision: c.type === 'fixed' ? 38 : isTs ? 0 : null,
      collation: null,
    };
  });
}

function tsString(ms: number, scale: number): string {
  const negative = ms < 0;
  const abs = Math.abs(ms);
  const secs = Math.floor(abs / 1000);
  const millis = abs % 1000;
  const frac = (String(millis).padStart(3, '0') + '0'.repeat(Math.max(0, scale - 3))).slice(0, scale);
  return `${negative ? '-' : ''}${secs}${scale > 0 ? `.${frac}` : ''}`;
}

export function wireCell(col: Column, v: Cell): string | null {
  if (v === null || v === undefined) return null;
  switch (col.type) {
    case 'text':
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
    case 'fixed':
      return typeof v === 'number' ? (col.scale ? v.toFixed(col.scale) : String(Math.trunc(v))) : String(v);
    case 'real':
      return String(v);
    case 'boolean':
      return v === true || v === 'true' ? '1' : '0';
    case 'timestamp_ltz':
    case 'timestamp_ntz':
      return tsString(typeof v === 'number' ? v : Date.parse(String(v)), col.scale ?? 3);
    case 'variant':
    case 'object':
    case 'array':
      return JSON.stringify(v, null, 2);
  }
}

export function wireRowset(rs: ResultSet): Array<Array<string | null>> {
  return rs.rows.map((row) => rs.columns.map((c, i) => wireCell(c, row[i] ?? null)));
}

/** Snowflake LIKE (case-insensitive in SHOW … LIKE): % and _ wildcards, \ escapes. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? '';
    if (ch === '\\' && i + 1 < pattern.length) {
      re += (pattern[i + 1] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    } else if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, caseInsensitive ? 'i' : '');
}
