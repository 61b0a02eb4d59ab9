import { randomBytes } from 'node:crypto';
import type { z } from 'zod';

/**
 * Short-lived modal state (a wizard draft, an access session) in Redis as zod-checked JSON under
 * `${keyPrefix}:${kind}:<id>`, expiring `ttlSeconds` after the last save. private_metadata carries
 * only the id, so ids are minted here and a key is never built from text we did not issue.
 */

/** The slice of ioredis the store needs. */
export interface EphemeralRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
  del(key: string): Promise<number>;
}

export interface EphemeralJsonStore<T extends { readonly id: string }> {
  /** A fresh, unique id (also what private_metadata carries). */
  newId(): string;
  /** Null when missing, expired, not an id we issued, or not readable as T. */
  get(id: string): Promise<T | null>;
  /** Writes the record and refreshes its TTL. */
  save(record: T): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface EphemeralJsonStoreOptions<T> {
  readonly redis: EphemeralRedis;
  readonly keyPrefix: string;
  /** Key segment, e.g. `draft`. */
  readonly kind: string;
  /** One lower-case letter that starts every id, so ids of different stores never mix. */
  readonly idTag: string;
  readonly schema: z.ZodType<T>;
  readonly ttlSeconds: number;
}

export function createEphemeralJsonStore<T extends { readonly id: string }>(options: EphemeralJsonStoreOptions<T>): EphemeralJsonStore<T> {
  const { redis, keyPrefix, kind, idTag, schema, ttlSeconds } = options;
  const validId = new RegExp(`^${idTag}[0-9a-f]{24}$`);
  const key = (id: string) => `${keyPrefix}:${kind}:${id}`;
  return {
    newId: () => `${idTag}${randomBytes(12).toString('hex')}`,
    async get(id) {
      if (!validId.test(id)) return null;
      const raw = await redis.get(key(id));
      if (raw === null) return null;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        return null;
      }
      const parsed = schema.safeParse(json);
      return parsed.success ? parsed.data : null;
    },
    async save(record) {
      await redis.set(key(record.id), JSON.stringify(schema.parse(record)), 'EX', ttlSeconds);
    },
    async delete(id) {
      if (validId.test(id)) await redis.del(key(id));
    },
  };
}
