import type { Redis } from 'ioredis';

/**
 * BullMQ keys live under `${REDIS_KEY_PREFIX}:bull:<queue>:…`, so several bots (or tests) can share
 * one Redis and a test's cleanup of its prefix removes its queues too.
 */
export function queuePrefix(keyPrefix: string): string {
  return `${keyPrefix}:bull`;
}

/** What every queue and worker factory takes. */
export interface QueueConnection {
  /** Shared ioredis connection with maxRetriesPerRequest: null, as BullMQ requires. */
  readonly connection: Redis;
  readonly keyPrefix: string;
}
