import type { z } from 'zod';
import { SnowflakeError } from './errors.js';

/** One row as the driver returns it in object mode: column name → value. */
export type RawRow = Readonly<Record<string, unknown>>;

/** SHOW columns are lower case, SELECT columns upper case: one case makes schemas predictable. */
export function lowerKeys(row: RawRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key.toLowerCase()] = value;
  return out;
}

/** Parses rows by column name; a row that does not fit throws SnowflakeError('unexpected_result'). */
export function parseRows<T>(rows: readonly RawRow[], schema: z.ZodType<T>, what: string): T[] {
  return rows.map((raw, index) => {
    const parsed = schema.safeParse(lowerKeys(raw));
    if (parsed.success) return parsed.data;
    // Column names and expectations only: values may be anything, including things not to log.
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`).join('; ');
    throw new SnowflakeError({ kind: 'unexpected_result' }, `Unexpected result from ${what}, row ${index + 1}: ${issues}`);
  });
}
