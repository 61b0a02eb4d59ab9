import { afterEach, describe, expect, it } from 'vitest';
import { queuePrefix } from '../../src/jobs/queues.js';
import { redisClient } from '../../src/redis.js';
import { approve, deployCallsFor, eventually, phaseOf, runningReplies, startFleet } from './fleet.js';
import { privateRedis, privateSentinel } from './private-redis.js';

/** REDIS_URL=redis+sentinel://…: a real Sentinel (redis-server --sentinel) in front of a private master. */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Redis through Sentinel', () => {
  it('when REDIS_URL names a Sentinel, then a web and a worker process find the master through it and a deployment reaches running', async () => {
    const master = await privateRedis();
    cleanups.push(() => master.remove());
    const sentinel = await privateSentinel(master);
    cleanups.push(() => sentinel.remove());
    const fleet = await startFleet({ redisUrl: sentinel.url });
    cleanups.push(() => fleet.close());
    const [web, worker] = await Promise.all([fleet.start('web'), fleet.start('worker')]);
    await eventually(async () => (await Promise.all([web, worker].map((p) => p.readyz()))).every((s) => s === 200), 20_000, 'ready');

    const { id, ts } = await fleet.request('IRIS_SENTINEL');
    await approve(fleet, web, ts);
    await eventually(async () => (await phaseOf(fleet, id)) === 'running' || undefined, 40_000, 'running');
    await eventually(() => runningReplies(fleet, ts).length > 0 || undefined, 15_000, 'running reply');
    expect(deployCallsFor(fleet, id)).toBe(1);

    // The keys are on the master, and BullMQ's sit under one hash tag that still starts with the prefix.
    const direct = redisClient(master.url, { maxRetriesPerRequest: 1 });
    cleanups.push(() => direct.disconnect());
    const keys = await direct.keys(`${fleet.keyPrefix}:*`);
    expect(keys).toContain(`${fleet.keyPrefix}:deployment:${id}`);
    expect(keys).toContain(`${queuePrefix(fleet.keyPrefix)}:execute:${id}`);
    expect(queuePrefix(fleet.keyPrefix)).toBe(`${fleet.keyPrefix}:{${fleet.keyPrefix}:bull}`);
  }, 120_000);
});
