import { z } from 'zod';
import { parse as parseYaml } from 'yaml';

/**
 * Column parsers for rows read by name. Snowflake's types reach us loosely: SHOW output numbers may be
 * `fixed` (a JS number) or text, booleans may be booleans or 'true'/'false', timestamps are Date
 * objects or epoch text, JSON arrays arrive as text. Each parser accepts every shape we have seen and
 * yields one clean type; a missing column reads as null for the nullable ones.
 */

const missingToNull = (value: unknown): unknown => (value === undefined ? null : value);

/** Text; numbers are accepted as their string form (names like 1 come back as numbers from some servers). */
export const text = z.union([z.string(), z.number().transform(String)]);
export const nullableText = z.preprocess(missingToNull, text.nullable());

/** Text where empty or the word "null"/"None" means absent. */
export const optionalText = z.preprocess(
  (value) => (value === undefined || value === '' || value === 'null' || value === 'None' ? null : value),
  text.nullable(),
);

const numericString = z
  .string()
  .trim()
  .regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, { error: 'expected a number' })
  .transform(Number);
export const number = z.union([z.number(), numericString, z.bigint().transform(Number)]);
export const nullableNumber = z.preprocess((value) => (value === undefined || value === '' ? null : value), number.nullable());

const booleanString = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', 'y', 'n', 'yes', 'no', '1', '0'], { error: 'expected true or false' }))
  .transform((v) => v === 'true' || v === 'y' || v === 'yes' || v === '1');
export const boolean = z.union([z.boolean(), booleanString, z.number().transform((n) => n !== 0)]);
export const nullableBoolean = z.preprocess((value) => (value === undefined || value === '' ? null : value), boolean.nullable());

/** A timestamp: the driver's Date subclass, an ISO string or epoch seconds. Copied into a plain Date. */
export const timestamp = z.preprocess(
  (value) => {
    if (value === undefined || value === null || value === '') return null;
    if (value instanceof Date) return new Date(value.getTime());
    if (typeof value === 'number') return new Date(value * 1000);
    if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return new Date(Number(value) * 1000);
    if (typeof value === 'string') return new Date(value);
    return value;
  },
  z
    .date()
    .refine((d) => !Number.isNaN(d.getTime()), { error: 'expected a timestamp' })
    .nullable(),
);

function parseJsonText(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value; // left for the schema to reject with a clear message
  }
}

/** A JSON array of strings, as text (`["A","B"]`) or already parsed. Missing or empty reads as []. */
export const jsonStringArray = z.preprocess(
  (value) => parseJsonText(value) ?? [],
  z.array(z.string(), { error: 'expected a JSON array of strings' }),
);

/** YAML (or JSON, which YAML includes) text parsed to a value; null when missing or unparseable. */
export const yamlDocument = z.preprocess((value) => {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') return value;
  try {
    return parseYaml(value);
  } catch {
    return null;
  }
}, z.unknown());
