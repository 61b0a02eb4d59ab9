/**
 * The sample input of the REST test, checked against the method's signature before any request:
 * the person types the feature values (`5.1, 3.5, 1.4, 0.2` or a JSON array) and gets a field
 * error naming the expected count and types, never a 400 from the service.
 */

/** One input of a model method, as the registry describes it (model-signature or SQL type). */
export interface SignatureInput {
  readonly name: string;
  readonly type: string;
}

export interface MethodShape {
  /** SQL name, e.g. PREDICT or PREDICT_PROBA. */
  readonly name: string;
  readonly inputs: readonly SignatureInput[];
}

export type SampleValue = number | string | boolean;
export type SampleResult =
  | { readonly ok: true; readonly values: readonly SampleValue[] }
  | { readonly ok: false; readonly message: string };

type Kind = 'integer' | 'number' | 'boolean' | 'text';

/** Model-signature types (FLOAT, INT64, BOOL, STRING) and SQL types (NUMBER(38,0), VARCHAR) alike. */
export function kindOf(type: string): Kind {
  const t = type.trim().toUpperCase();
  if (/^(U?INT\d*|INTEGER|BIGINT|SMALLINT|TINYINT|BYTEINT|LONG)$/.test(t)) return 'integer';
  // NUMBER without a scale is NUMBER(38,0) in Snowflake: whole numbers only.
  if (/^(NUMBER|DECIMAL|NUMERIC)(\(\s*\d+\s*(,\s*0\s*)?\))?$/.test(t)) return 'integer';
  if (/^(FLOAT\d*|DOUBLE|REAL|DECFLOAT|NUMBER|DECIMAL|NUMERIC)\b/.test(t)) return 'number';
  if (t === 'BOOL' || t === 'BOOLEAN') return 'boolean';
  return 'text';
}

const EXAMPLE: Readonly<Record<Kind, string>> = { integer: '1', number: '1.0', boolean: 'true', text: '"text"' };

/** The REST path of a method: lower case, `_` as `-` (PREDICT_PROBA → predict-proba). */
export const restPath = (method: string): string => method.toLowerCase().replaceAll('_', '-');

export function describeSignature(method: MethodShape): string {
  return `${method.name}(${method.inputs.map((i) => `${i.name} ${i.type}`).join(', ')})`;
}

export function exampleInput(method: MethodShape): string {
  return method.inputs.map((i) => EXAMPLE[kindOf(i.type)]).join(', ');
}

/** Splits `a, b, "c, d"` on commas outside double quotes. */
function splitValues(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  out.push(current.trim());
  return out;
}

/** Values typed as JSON keep their type; plain text is read by the input's kind. */
function coerce(raw: unknown, input: SignatureInput, position: number): { ok: true; value: SampleValue } | { ok: false; message: string } {
  const kind = kindOf(input.type);
  const label = `Value ${position} (${input.name} ${input.type})`;
  const shown = JSON.stringify(raw)?.slice(0, 40) ?? '';
  const fromText = typeof raw === 'string' ? raw : null;
  switch (kind) {
    case 'integer':
    case 'number': {
      const n =
        typeof raw === 'number'
          ? raw
          : fromText !== null && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(fromText)
            ? Number(fromText)
            : NaN;
      if (!Number.isFinite(n)) return { ok: false, message: `${label} must be a number; got ${shown}` };
      if (kind === 'integer' && !Number.isInteger(n)) return { ok: false, message: `${label} must be a whole number; got ${shown}` };
      return { ok: true, value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const lower = fromText?.toLowerCase();
      if (lower === 'true' || lower === 'false') return { ok: true, value: lower === 'true' };
      return { ok: false, message: `${label} must be true or false; got ${shown}` };
    }
    case 'text': {
      if (typeof raw === 'string') return { ok: true, value: /^".*"$/s.test(raw) ? raw.slice(1, -1) : raw };
      if (typeof raw === 'number' || typeof raw === 'boolean') return { ok: true, value: String(raw) };
      return { ok: false, message: `${label} must be text; got ${shown}` };
    }
  }
}

function parseJsonArray(text: string): unknown[] | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** Reads one row of sample input for `method`; the message says what was expected. */
export function parseSampleInput(text: string | undefined, method: MethodShape): SampleResult {
  const expected = `${method.inputs.length} value${method.inputs.length === 1 ? '' : 's'} for ${describeSignature(method)}, e.g. ${exampleInput(method)}`;
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return { ok: false, message: `Sample input: required, ${expected}` };
  let raw: unknown[];
  if (trimmed.startsWith('[')) {
    const array = parseJsonArray(trimmed);
    if (array === null) return { ok: false, message: `Sample input: not a valid JSON array; type ${expected}` };
    raw = array;
  } else raw = splitValues(trimmed);
  if (raw.length !== method.inputs.length) {
    return { ok: false, message: `Sample input: ${method.name} takes ${expected}; got ${raw.length} value${raw.length === 1 ? '' : 's'}.` };
  }
  const values: SampleValue[] = [];
  for (const [i, input] of method.inputs.entries()) {
    const value = coerce(raw[i], input, i + 1);
    if (!value.ok) return { ok: false, message: `Sample input: ${value.message}` };
    values.push(value.value);
  }
  return { ok: true, values };
}
