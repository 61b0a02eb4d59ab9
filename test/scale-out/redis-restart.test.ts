import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { approve, deployCallsFor, doubledPosts, eventually, phaseOf, runningReplies, startFleet, type Fleet } from './fleet.js';

/**
 * A private redis-server (own port, own directory, append-only file) under a web and a worker
 * process; it is SIGKILLed and started again on the same files while a deployment is tracked.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface PrivateRedis {
  readonly url: string;
  kill(): Promise<void>;
  start(): Promise<void>;
}

async function privateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'spcs-scale-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  const answers = async () => {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  };
  const handle: PrivateRedis = {
    url,
    async start() {
      // appendfsync always: every write Redis acknowledged is on disk, so a SIGKILL loses none.
      server = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
        { stdio: 'ignore' },
      );
      await eventually(answers, 10_000, 'private redis-server answering');
    },
    async kill() {
      const running = server;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
      const exited = once(running, 'exit');
      running.kill('SIGKILL');
      await exited;
    },
  };
  cleanups.push(async () => {
    await handle.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  await handle.start();
  return handle;
}

describe('Redis killed and restarted under the processes', () => {
  it('when Redis dies and comes back while a deployment is tracked, then /readyz goes unready and ready again and the deployment reaches running, its final message posted once', async () => {
    const redis = await privateRedis();
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
