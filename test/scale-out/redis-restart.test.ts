import { afterEach, describe, expect, it } from 'vitest';
import { privateRedis } from './private-redis.js';
import { approve, deployCallsFor, doubledPosts, eventually, phaseOf, runningReplies, startFleet, type Fleet } from './fleet.js';

/**
 * A private redis-server (own port, own directory, append-only file) under a web and a worker
 * process; it is SIGKILLed and started again on the same files while a deployment is tracked.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Redis killed and restarted under the processes', () => {
  it('when Redis dies and comes back while a deployment is tracked, then /readyz goes unready and ready again and the deployment reaches running, its final message posted once', async () => {
    const redis = await privateRedis();
    cleanups.push(() => redis.remove());
    const fleet: Fleet = await startFleet({ redisUrl: redis.url });
    cleanups.push(() => fleet.close());
    const [web, worker] = await Promise.all([fleet.start('web'), fleet.start('worker')]);
    const both = [web, worker];
    await eventually(async () => (await Promise.all(both.map((p) => p.readyz()))).every((s) => s === 200), 20_000, 'ready');

    // Snowflake's clock stands still until Redis is back: the deployment waits in the tracker.
    fleet.emulator.clock.setSpeed(0);
    const { id, ts } = await fleet.request('IRIS_REDIS_DOWN');
    await approve(fleet, web, ts);
    await eventually(async () => (await fleet.store.trackedIds()).includes(id) || undefined, 20_000, 'tracked');
    await eventually(() => fleet.notificationsIdle(), 10_000, 'notifications sent');

    await redis.kill();
    await eventually(async () => (await Promise.all(both.map((p) => p.readyz()))).every((s) => s === 503), 15_000, 'unready');
    await redis.start();
    await eventually(async () => (await Promise.all(both.map((p) => p.readyz()))).every((s) => s === 200), 20_000, 'ready again');

    fleet.emulator.clock.setSpeed(4);
    await eventually(async () => (await phaseOf(fleet, id)) === 'running' || undefined, 40_000, 'running');
    await eventually(() => runningReplies(fleet, ts).length > 0 || undefined, 15_000, 'running reply');
    expect(runningReplies(fleet, ts)).toHaveLength(1);
    expect(deployCallsFor(fleet, id)).toBe(1);
    expect(doubledPosts(fleet)).toEqual([]);
    expect(both.every((p) => p.child.exitCode === null)).toBe(true);
  }, 120_000);
});
