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

/**
 * Worker options of a queue with one job per gate record (deploy, execute): a few at a time, and a
 * lock whose lapse hands a killed worker's job to another worker (stall check as often).
 * @defaultValue lock 30 s
 */
export function recordWorkerOptions(queue: QueueConnection, lockDurationMs = 30_000) {
  return {
    connection: queue.connection,
    prefix: queuePrefix(queue.keyPrefix),
    concurrency: 4,
    lockDuration: lockDurationMs,
    stalledInterval: lockDurationMs,
  };
}

/**
 * The sweep's step, for any queue whose job id is the record id: enqueue each stranded record
 * (approved, never started) that has no job. Waiting behind other jobs, or running, is not stranded.
 */
export async function enqueueStranded(
  queue: { getJob(id: string): Promise<unknown> },
  stranded: readonly { readonly id: string }[],
  enqueue: (id: string) => Promise<void>,
  report: (id: string) => void,
): Promise<void> {
  for (const record of stranded) {
    if ((await queue.getJob(record.id)) !== undefined) continue;
    await enqueue(record.id);
    report(record.id);
  }
}
