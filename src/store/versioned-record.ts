import type { StoreRedis } from './store-redis.js';

/**
 * One JSON record per Redis hash (`doc` = the record, `v` = its version), written only by a
 * compare-and-set on `v` in one Lua script. The approval gate's records (deployments and service
 * change requests) all go through here, so "decide on the version read, write only if nobody
 * wrote in between" has one implementation.
 */

// KEYS[1] = hash; ARGV[1] = expected version ('0' = must not exist), ARGV[2] = new doc.
export const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], 'v')
if (current or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'v', tostring(tonumber(ARGV[1]) + 1))
return 1
`;

const MAX_ATTEMPTS = 50;

/** What a transition decides: write a new record (and return `result`), or leave it as is. */
export type Step<T, R> = { readonly write: T; readonly result: R } | { readonly result: R };

export interface RecordCodec<T> {
  /** Parses (and so checks) a record on its way in and out. */
  parse(value: unknown): T;
}

export async function createRecord<T>(redis: StoreRedis, key: string, codec: RecordCodec<T>, record: T): Promise<boolean> {
  const written = await redis.eval(COMPARE_AND_SET, 1, key, '0', JSON.stringify(codec.parse(record)));
  return written === 1;
}

export async function readRecord<T>(redis: StoreRedis, key: string, codec: RecordCodec<T>): Promise<{ record: T; version: number } | null> {
  const [doc, v] = await redis.hmget(key, 'doc', 'v');
  if (doc == null || v == null) return null;
  return { record: codec.parse(JSON.parse(doc)), version: Number(v) };
}

/**
 * Many records at once; null where a key holds none. One HMGET per key, all sent before any reply
 * is read (ioredis writes each command at once), so still about one round trip; not a pipeline,
 * which on Redis Cluster must keep to one slot while a Cluster routes each single command to its
 * own slot's node.
 */
export async function readRecords<T>(
  redis: StoreRedis,
  keys: readonly string[],
  codec: RecordCodec<T>,
): Promise<Array<{ record: T; version: number } | null>> {
  const replies = await Promise.all(keys.map((key) => redis.hmget(key, 'doc', 'v')));
  return replies.map(([doc, v]) => (doc == null || v == null ? null : { record: codec.parse(JSON.parse(doc)), version: Number(v) }));
}

/**
 * Reads, lets `decide` choose, and writes only if nobody wrote in between; on a conflict it
 * starts over from the new version. `decide` must be pure: it may run more than once. `known`, a
 * version the caller has just read, saves the first read (a stale one only costs a retry).
 */
export async function transitionRecord<T, R>(
  redis: StoreRedis,
  key: string,
  codec: RecordCodec<T>,
  decide: (current: T | null) => Step<T, R>,
  known?: { readonly record: T; readonly version: number },
): Promise<R> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = attempt === 0 && known !== undefined ? known : await readRecord(redis, key, codec);
    const step = decide(current?.record ?? null);
    if (!('write' in step) || current === null) return step.result;
    const doc = JSON.stringify(codec.parse(step.write));
    const written = await redis.eval(COMPARE_AND_SET, 1, key, String(current.version), doc);
    if (written === 1) return step.result;
  }
  throw new Error(`${key}: too many concurrent writes`);
}
