/**
 * Readers for Block Kit as it arrives over the wire: the renderer takes `unknown` (what the bot
 * sent, parsed from JSON) so that a block of any shape renders, and a wrong field cannot crash it.
 */

export type JsonRecord = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(o: unknown, key: string): string | undefined {
  if (!isRecord(o)) return undefined;
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

export function num(o: unknown, key: string): number | undefined {
  if (!isRecord(o)) return undefined;
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function bool(o: unknown, key: string): boolean | undefined {
  if (!isRecord(o)) return undefined;
  const v = o[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function rec(o: unknown, key: string): JsonRecord | undefined {
  if (!isRecord(o)) return undefined;
  const v = o[key];
  return isRecord(v) ? v : undefined;
}

export function arr(o: unknown, key: string): readonly unknown[] {
  if (!isRecord(o)) return [];
  const v = o[key];
  return Array.isArray(v) ? v : [];
}

export function strings(o: unknown, key: string): string[] {
  return arr(o, key).filter((v): v is string => typeof v === 'string');
}

export function records(o: unknown, key: string): JsonRecord[] {
  return arr(o, key).filter(isRecord);
}
