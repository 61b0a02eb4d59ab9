/** A redis-server of a test's own: own port, own directory, append-only file, started and killed at will. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../support/free-port.js';
import { eventually } from './fleet.js';

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its directory. */
  remove(): Promise<void>;
}

export async function privateRedis(): Promise<PrivateRedis> {
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
    port,
    dir,
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
    async remove() {
      await handle.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await handle.start();
  return handle;
}

export interface PrivateSentinel {
  /** redis+sentinel://127.0.0.1:PORT/mymaster */
  readonly url: string;
  remove(): Promise<void>;
}

/** One Sentinel (quorum 1) watching `master` as `mymaster`; resolves once it names the master. */
export async function privateSentinel(master: PrivateRedis): Promise<PrivateSentinel> {
  const port = await freePort();
  const config = join(master.dir, 'sentinel.conf');
  writeFileSync(
    config,
    [`port ${port}`, 'bind 127.0.0.1', `dir ${master.dir}`, `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`, ''].join('\n'),
  );
  const server = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
  const exited = once(server, 'exit');
  const knowsMaster = async () => {
    const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      const answer: unknown = await probe.call('SENTINEL', 'get-master-addr-by-name', 'mymaster');
      return Array.isArray(answer) && String(answer[1]) === String(master.port);
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  };
  await eventually(knowsMaster, 10_000, 'Sentinel naming the master');
  return {
    url: `redis+sentinel://127.0.0.1:${port}/mymaster`,
    async remove() {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      await exited;
    },
  };
}

export interface PrivateCluster {
  /** redis+cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3 */
  readonly url: string;
  remove(): Promise<void>;
}

/** Three masters (no replicas) on private ports, joined with `redis-cli --cluster create`. */
export async function privateCluster(): Promise<PrivateCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'spcs-scale-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const servers = ports.map((port) => {
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--cluster-enabled', 'yes', '--save', ''];
    const server = spawn('redis-server', args, { stdio: 'ignore' });
    return { server, exited: once(server, 'exit') };
  });
  const remove = async () => {
    for (const { server, exited } of servers) {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    await eventually(
      () => nodes.every((n) => run('redis-cli', ['-u', `redis://${n}`, 'PING']).includes('PONG')),
      10_000,
      'cluster nodes up',
    );
    run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
    await eventually(
      () => nodes.every((n) => run('redis-cli', ['-u', `redis://${n}`, 'CLUSTER', 'INFO']).includes('cluster_state:ok')),
      15_000,
      'cluster state ok',
    );
    return { url: `redis+cluster://${nodes.join(',')}`, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  return `${result.stdout}${result.stderr}`;
}
