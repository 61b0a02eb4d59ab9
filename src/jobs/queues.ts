import type { Cluster, Redis } from 'ioredis';

/**
 * BullMQ keys live under `${REDIS_KEY_PREFIX}:{${REDIS_KEY_PREFIX}:bull}:<queue>:…`. BullMQ's Lua
 * scripts touch several keys of a queue at once, so on Redis Cluster the prefix must be one hash
 * tag (https://docs.bullmq.io/patterns/redis-cluster); the tag carries REDIS_KEY_PREFIX so two bots
 * on one cluster land on different slots, and the key still starts with REDIS_KEY_PREFIX, so a
 * test's cleanup of its prefix (and an operator's `SCAN MATCH spcs:*`) finds the queues too.
 */
export function queuePrefix(keyPrefix: string): string {
  return `${keyPrefix}:{${keyPrefix}:bull}`;
}

/** What every queue and worker factory takes. */
export interface QueueConnection {
  /** Shared ioredis connection with maxRetriesPerRequest: null, as BullMQ requires. */
  readonly connection: Redis | Cluster;
  readonly keyPrefix: string;
}
