import { Redis } from 'ioredis';
import type { DependencyCheck } from './health.js';
import type { Logger } from './logger.js';

/** A connection BullMQ can share: it requires maxRetriesPerRequest null so blocking commands wait out outages. */
export function createRedis(url: string, logger: Logger, name: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
  let lastError = '';
  redis.on('error', (err: Error) => {
    // ioredis reports every failed reconnect; log each distinct error once.
    if (err.message !== lastError) logger.warn({ err, connection: name }, 'redis connection error');
    lastError = err.message;
  });
  redis.on('ready', () => {
    lastError = '';
  });
  return redis;
}

/**
 * Readiness uses its own connection with the offline queue off, so a ping fails at once while
 * Redis is down instead of waiting in the queue.
 */
export function redisReadinessCheck(url: string): DependencyCheck & { close(): Promise<void> } {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectionName: 'readiness',
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  redis.on('error', () => undefined); // surfaced through /readyz instead
  return {
    name: 'redis',
    async check() {
      // Right after start the first connect may still be in progress: wait for its outcome, not the queue.
      if (redis.status === 'connecting' || redis.status === 'connect') {
        await new Promise<void>((resolve) => {
          const done = () => {
            redis.off('ready', done);
            redis.off('error', done);
            resolve();
          };
          redis.once('ready', done);
          redis.once('error', done);
        });
      }
      const answer = await redis.ping();
      if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
    },
    async close() {
      redis.disconnect();
    },
  };
}
