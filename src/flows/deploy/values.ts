import type { ViewStateValue } from '@slack/bolt';

/** Reads a view's submitted state; block_id equals action_id for every wizard input. */
export type StateValues = Readonly<Record<string, Readonly<Record<string, ViewStateValue>>>>;

const field = (values: StateValues, id: string): ViewStateValue | undefined => values[id]?.[id];

/** Typed text (trimmed is the parser's job), or undefined when empty. */
export function textOf(values: StateValues, id: string): string | undefined {
  const v = field(values, id)?.value;
  return v === null || v === undefined || v === '' ? undefined : v;
}

export function selectedOf(values: StateValues, id: string): string | undefined {
  return field(values, id)?.selected_option?.value ?? undefined;
}

export function checkedOf(values: StateValues, id: string): string[] {
  return (field(values, id)?.selected_options ?? []).map((o) => o.value);
}

/** True when the field is in the submitted state at all (a select left alone is absent). */
export const hasField = (values: StateValues, id: string): boolean => field(values, id) !== undefined;

export type WholeNumber = { ok: true; value: number } | { ok: false; message: string };

/** A whole number in [min, max]; the message names the field and the range. */
export function parseWholeNumber(raw: string | undefined, label: string, min: number, max: number): WholeNumber {
  const range = `a whole number from ${min} to ${max}`;
  if (raw === undefined) return { ok: false, message: `${label}: required, ${range}` };
  if (!/^\s*-?\d+\s*$/.test(raw)) return { ok: false, message: `${label}: ${range} (got ${raw.slice(0, 20)})` };
  const value = Number(raw);
  if (value < min || value > max) return { ok: false, message: `${label}: ${range} (got ${value})` };
  return { ok: true, value };
}
