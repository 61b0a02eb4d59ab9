/** Starts deployments on a bot's Redis prefix exactly as the deploy wizard hands them to the approval gate. */
import { createLogger } from '../src/logger.js';
import { Redis } from 'ioredis';
import type { DeployRequest } from '../src/domain/deploy-request.js';
import { createDeploymentRequester } from '../src/flows/approval/index.js';
import { createExpiryQueue, createExpiryScheduler } from '../src/jobs/expiry-queue.js';
import { createNotifier, createNotifyQueues } from '../src/jobs/notifier.js';
import { AuditLog } from '../src/store/audit-log.js';
import { DeploymentStore } from '../src/store/deployment-store.js';
import { irisRequest as irisRequestFixture } from '../test/support/deploy-requests.js';
import { CHANNEL, REDIS_URL, REQUESTER } from './environment.js';

/** IRIS_CLASSIFIER V1 on CPU_M_POOL (room for many instances), in `schema`. */
export function irisRequest(serviceName: string, schema = 'SERVING'): DeployRequest {
  const request = irisRequestFixture(serviceName);
  return {
    ...request,
    service: { ...request.service, schema },
    pool: { kind: 'existing', name: 'CPU_M_POOL', instanceFamily: 'CPU_X64_M', gpu: null, state: 'ACTIVE' },
  };
}

export interface DeploymentStarter {
  readonly store: DeploymentStore;
  readonly redis: Redis;
  /** Resolves with the id once the request is stored (the bot posts the summary). */
  request(serviceName: string, teamId: string): Promise<string>;
  /** Waits until the bot posted the summaries of `ids`; their ts, in order. */
  summaryTimestamps(ids: readonly string[], timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

export function connectDeployments(keyPrefix: string): DeploymentStarter {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const store = new DeploymentStore(redis, keyPrefix);
  const queue = createNotifyQueues({ connection: redis, keyPrefix });
  const expiryQueue = createExpiryQueue({ connection: redis, keyPrefix });
  const expiry = createExpiryScheduler(expiryQueue, { ttlMs: 0, now: Date.now });
  const requester = createDeploymentRequester({
    store,
    audit: new AuditLog(redis, keyPrefix),
    notifier: createNotifier(queue),
    expiry,
    logger: createLogger('silent'),
    now: Date.now,
  });
  return {
    store,
    redis,
    async request(serviceName, teamId) {
      const { deploymentId } = await requester.request({
        request: irisRequest(serviceName),
        requestedBy: REQUESTER,
        teamId,
        channelId: CHANNEL,
      });
      return deploymentId;
    },
    async summaryTimestamps(ids, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const found = new Map<string, string>();
      for (;;) {
        const waiting = ids.filter((id) => !found.has(id));
        for (let i = 0; i < waiting.length; i += 500) {
          const chunk = waiting.slice(i, i + 500);
          const records = await store.getMany(chunk);
          records.forEach((d, j) => {
            const id = chunk[j];
            if (d?.messageTs !== undefined && id !== undefined) found.set(id, d.messageTs);
          });
        }
        if (found.size === ids.length) return ids.map((id) => found.get(id) ?? '');
        if (Date.now() > deadline) throw new Error(`${ids.length - found.size} of ${ids.length} summaries never posted`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await Promise.all([queue.summaries.close(), queue.replies.close()]);
      await expiryQueue.close();
      redis.disconnect();
    },
  };
}

/** Removes every key under a prefix. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}
