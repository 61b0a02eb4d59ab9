import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRedisServer, freePort, redisAnswers, resolveDemoRedis } from '../../sandbox/local-redis.js';

const redisServer = findRedisServer();

describe('npm run demo finds Redis', () => {
  it('uses REDIS_URL as given, without looking further', async () => {
    expect(await resolveDemoRedis({ redisUrl: 'redis://10.9.8.7:6390', path: '' })).toEqual({ url: 'redis://10.9.8.7:6390' });
  });

  it('when nothing answers and no redis-server is on PATH, has nothing to offer (the demo prints how to get one and exits 2)', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    expect(await resolveDemoRedis({ defaultUrl: nobody, path: '/nonexistent' })).toBeUndefined();
  });

  it.skipIf(redisServer === undefined)(
    'when nothing answers, starts a private redis-server on a free port and stops it again',
    async () => {
      const nobody = `redis://127.0.0.1:${await freePort()}`;
      const choice = await resolveDemoRedis({ defaultUrl: nobody, path: dirname(redisServer ?? '') });
      expect(choice?.local).toBeDefined();
      const url = choice?.url ?? '';
      expect(url).not.toBe(nobody);
      expect(await redisAnswers(url)).toBe(true);
      await choice?.local?.stop();
      expect(await redisAnswers(url, 300)).toBe(false);
    },
  );

  it('finds redis-server on PATH only where it is', () => {
    expect(findRedisServer('/nonexistent:/also-not')).toBeUndefined();
    if (redisServer !== undefined) expect(existsSync(redisServer)).toBe(true);
  });
});
