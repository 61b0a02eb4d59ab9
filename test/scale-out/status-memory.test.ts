/**
 * The status rounds' memory lives in Redis: two trackers (two connections, as two worker
 * processes have) count rounds as one sequence and continue each other's closer-look backoff.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { StatusMemory } from '../../src/store/status-memory.js';
import { deleteKeys, TEST_REDIS_URL } from '../support/test-bot.js';

const keyPrefix = `test-${randomUUID().slice(0, 8)}`;
const connections: Redis[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) c.disconnect();
  await deleteKeys(TEST_REDIS_URL, keyPrefix);
});

function worker(): { redis: Redis; memory: StatusMemory } {
  const redis = new Redis(TEST_REDIS_URL);
  connections.push(redis);
  return { redis, memory: new StatusMemory(redis, keyPrefix) };
}

describe('status memory in Redis', () => {
  it('when two workers take rounds in turn, then they count one sequence of rounds', async () => {
    const [a, b] = [worker(), worker()];
    const rounds = [await a.memory.nextRound(), await b.memory.nextRound(), await a.memory.nextRound(), await b.memory.nextRound()];
    expect(rounds).toEqual([1, 2, 3, 4]);
    // The counter expires if the bot stops for long (a restarted count only means a closer look sooner).
    expect(await a.redis.ttl(`${keyPrefix}:status:round`)).toBeGreaterThan(0);
  });

  it("when one worker noted a closer look's wait, then the other reads it, and forgetting it on either removes it for both", async () => {
    const [a, b] = [worker(), worker()];
    await a.memory.setLookWait('d-1', { round: 7, atMs: 1_000, everyRounds: 2 });
    expect(await b.memory.lookWait('d-1')).toEqual({ round: 7, atMs: 1_000, everyRounds: 2 });
    expect(await b.memory.lookWait('d-2')).toBeNull();
    // Under the bot's prefix, with a TTL: a wait left behind (a deployment gone untracked meanwhile) does not stay.
    const ttl = await a.redis.ttl(`${keyPrefix}:status:look-wait:d-1`);
    expect(ttl).toBeGreaterThan(0);
    await b.memory.forget('d-1');
    expect(await a.memory.lookWait('d-1')).toBeNull();
  });

  it('when the stored wait is not a wait (another version wrote it, or it was damaged), then it reads as none', async () => {
    const { redis, memory } = worker();
    await redis.set(`${keyPrefix}:status:look-wait:d-3`, JSON.stringify({ round: 'x' }));
    await redis.set(`${keyPrefix}:status:look-wait:d-4`, '{not json');
    expect(await memory.lookWait('d-3')).toBeNull();
    expect(await memory.lookWait('d-4')).toBeNull();
  });
});
