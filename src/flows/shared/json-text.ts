import { z } from 'zod';

/** A button value or private_metadata that holds JSON, checked against `shape` (bad JSON is a parse failure, not a throw). */
export function jsonText<T extends z.ZodType>(shape: T) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(shape);
}
