import { afterEach, describe, expect, it } from 'vitest';
import { queuePrefix } from '../../src/jobs/queues.js';
import { redisClient } from '../../src/redis.js';
import { redisProblem } from '../../src/startup.js';
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

describe('Redis through Sentinel, with passwords', () => {
  const dataPassword = 'data-pw-shh/1';
  const sentinelPassword = 'sentinel-pw-shh&2';

  it('when the master and the Sentinel each require a password and REDIS_URL carries both, then the bot works and no password reaches its logs or /readyz', async () => {
    const master = await privateRedis({ password: dataPassword });
    cleanups.push(() => master.remove());
    const sentinel = await privateSentinel(master, { password: sentinelPassword });
    cleanups.push(() => sentinel.remove());
    expect(sentinel.url).toBe(
      `redis+sentinel://:${encodeURIComponent(dataPassword)}@127.0.0.1:${sentinel.port}/mymaster?sentinelPassword=${encodeURIComponent(sentinelPassword)}`,
    );
    expect(await redisProblem(sentinel.url)).toBeUndefined();

    const fleet = await startFleet({ redisUrl: sentinel.url });
    cleanups.push(() => fleet.close());
    const [web, worker] = await Promise.all([fleet.start('web'), fleet.start('worker')]);
    await eventually(async () => (await Promise.all([web, worker].map((p) => p.readyz()))).every((s) => s === 200), 20_000, 'ready');
    const { id, ts } = await fleet.request('IRIS_SENTINEL_AUTH');
    await approve(fleet, web, ts);
    await eventually(async () => (await phaseOf(fleet, id)) === 'running' || undefined, 40_000, 'running');
    await eventually(() => runningReplies(fleet, ts).length > 0 || undefined, 15_000, 'running reply');
    expect(deployCallsFor(fleet, id)).toBe(1);

    const readyz = await (await fetch(`http://127.0.0.1:${web.port}/readyz`)).text();
    const seen = [readyz, ...[web, worker].flatMap((p) => p.logs.map((l) => JSON.stringify(l)))].join('\n');
    for (const secret of [dataPassword, sentinelPassword, encodeURIComponent(dataPassword), encodeURIComponent(sentinelPassword)])
      expect(seen).not.toContain(secret);
  }, 120_000);

  it('when REDIS_URL has a wrong password for the master or the Sentinel, then the start-up check says the credentials were refused, without any password', async () => {
    const master = await privateRedis({ password: dataPassword });
    cleanups.push(() => master.remove());
    const sentinel = await privateSentinel(master, { password: sentinelPassword });
    cleanups.push(() => sentinel.remove());
    const at = `127.0.0.1:${sentinel.port}/mymaster`;
    const wrong = 'wrong-pw-shh';
    const byMaster =
      /^Redis at redis(\+sentinel)?:\/\/127\.0\.0\.1:\d+(\/mymaster\/0)? \(REDIS_URL\) refused the credentials: WRONGPASS .*; check the user and password in REDIS_URL/;
    const bySentinels =
      /^The Sentinels at redis\+sentinel:\/\/127\.0\.0\.1:\d+\/mymaster\/0 \(REDIS_URL\) refused the credentials: .*(WRONGPASS|NOAUTH).*; check sentinelPassword/;
    const cases: Array<[string, RegExp]> = [
      [`redis+sentinel://:${wrong}@${at}?sentinelPassword=${encodeURIComponent(sentinelPassword)}`, byMaster],
      [`redis+sentinel://:${encodeURIComponent(dataPassword)}@${at}?sentinelPassword=${wrong}`, bySentinels],
      [`redis+sentinel://:${encodeURIComponent(dataPassword)}@${at}`, bySentinels],
      [`redis://:${wrong}@127.0.0.1:${master.port}`, byMaster],
    ];
    for (const [url, expected] of cases) {
      const problem = await redisProblem(url);
      expect(problem).toMatch(expected);
      for (const secret of [wrong, dataPassword, sentinelPassword, encodeURIComponent(dataPassword), encodeURIComponent(sentinelPassword)])
        expect(problem).not.toContain(secret);
    }
  }, 60_000);
});
