/** Type guard for parsed JSON objects (the one place request bodies are narrowed). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
