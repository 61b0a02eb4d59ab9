import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { Cluster } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { queuePrefix } from '../../src/jobs/queues.js';
import { z } from 'zod';
import { connectRedis } from '../../src/redis.js';
import { redisProblem } from '../../src/startup.js';
import { createRecord, readRecords } from '../../src/store/versioned-record.js';
import { privateCluster } from './private-redis.js';

/**
 * A real three-node Redis Cluster: BullMQ's Lua scripts touch several keys of a queue, so they run
 * only if all of them hash to one slot, which queuePrefix's hash tag ensures. And why the stores
 * read several records with single commands rather than a pipeline (cluster.test.ts runs the bot).
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connect(): Promise<Cluster> {
  const cluster = await privateCluster();
  cleanups.push(() => cluster.remove());
  const connection = connectRedis(cluster.url, { maxRetriesPerRequest: null });
  if (!('nodes' in connection)) throw new Error('expected a Cluster connection');
  cleanups.push(() => connection.disconnect());
  return connection;
}

describe('Redis Cluster', () => {
  it('when BullMQ runs on a cluster with the bot’s prefix, then a job is added and processed; with a prefix that is no hash tag, the add is refused (CROSSSLOT)', async () => {
    const connection = await connect();
    const keyPrefix = `test-${randomUUID().slice(0, 8)}`;
    const queue = new Queue('deploy', { connection, prefix: queuePrefix(keyPrefix) });
    const worker = new Worker('deploy', async (job) => `done ${String(job.data.n)}`, { connection, prefix: queuePrefix(keyPrefix) });
    cleanups.push(async () => {
      await worker.close();
      await queue.close();
    });
    // Listening before the add: the worker may finish the job before add() resolves.
    const completed = new Promise((resolve) => worker.on('completed', (done) => done.id === 'd1' && resolve(done.returnvalue)));
    await queue.add('deploy', { n: 1 }, { jobId: 'd1' });
    await expect(completed).resolves.toBe('done 1');

    const untagged = new Queue('deploy', { connection, prefix: `${keyPrefix}:bull` });
    cleanups.push(() => untagged.close());
    await expect(untagged.add('deploy', { n: 2 })).rejects.toThrow(/CROSSSLOT/);
  }, 60_000);

  it('when several records are read in one pipeline on a cluster, then ioredis refuses it; readRecords (single commands) reads them', async () => {
    const connection = await connect();
    const keys = ['d1', 'd2', 'd3', 'd4'].map((id) => `spcs:deployment:${id}`);
    const codec = { parse: (value: unknown) => z.object({ n: z.number() }).parse(value) };
    for (const [n, key] of keys.entries()) await createRecord(connection, key, codec, { n });
    const pipeline = connection.pipeline();
    for (const key of keys) pipeline.hmget(key, 'doc', 'v');
    await expect(pipeline.exec()).rejects.toThrow(/slot/i);
    const read = await readRecords(connection, [...keys, 'spcs:deployment:d5'], codec);
    expect(read.map((r) => r?.record.n ?? null)).toEqual([0, 1, 2, 3, null]);
  }, 60_000);

  it("when every node requires a password, then the URL's password lets the bot in, and a wrong one is a start-up line without it", async () => {
    const password = 'cluster-pw-shh';
    const cluster = await privateCluster({ password });
    cleanups.push(() => cluster.remove());
    expect(await redisProblem(cluster.url)).toBeUndefined();
    const connection = connectRedis(cluster.url, { maxRetriesPerRequest: 1 });
    cleanups.push(() => connection.disconnect());
    const codec = { parse: (value: unknown) => z.object({ n: z.number() }).parse(value) };
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => `spcs:deployment:${k}`);
    for (const [n, key] of keys.entries()) await createRecord(connection, key, codec, { n });
    expect((await readRecords(connection, keys, codec)).map((r) => r?.record.n)).toEqual([0, 1, 2, 3, 4, 5]);

    const wrong = cluster.url.replace(encodeURIComponent(password), 'wrong-pw-shh');
    const problem = await redisProblem(wrong);
    expect(problem).toMatch(
      /^Redis at redis\+cluster:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+ \(REDIS_URL\) refused the credentials: /,
    );
    expect(problem).not.toContain('shh');
  }, 60_000);
});
