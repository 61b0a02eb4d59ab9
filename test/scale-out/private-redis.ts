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
  /** With the password in it when the server has one. */
  readonly url: string;
  readonly password: string | undefined;
  readonly port: number;
  readonly dir: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its directory. */
  remove(): Promise<void>;
}

/** `password`: the server is started with `requirepass`. */
export async function privateRedis(options: { readonly password?: string } = {}): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'spcs-scale-redis-'));
  const port = await freePort();
  const { password } = options;
  const url = `redis://${password === undefined ? '' : `:${encodeURIComponent(password)}@`}127.0.0.1:${port}`;
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
    password,
    port,
    dir,
    async start() {
      // appendfsync always: every write Redis acknowledged is on disk, so a SIGKILL loses none.
      server = spawn(
        'redis-server',
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
          ...(password === undefined ? [] : ['--requirepass', password]),
        ],
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
  /** redis+sentinel://127.0.0.1:PORT/mymaster, with the master's and the Sentinel's passwords when they have them. */
  readonly url: string;
  readonly port: number;
  remove(): Promise<void>;
}

/**
 * One Sentinel (quorum 1) watching `master` as `mymaster`; resolves once it names the master. It
 * logs in to a master with a password (`sentinel auth-pass`); `password` is its own `requirepass`.
 */
export async function privateSentinel(master: PrivateRedis, options: { readonly password?: string } = {}): Promise<PrivateSentinel> {
  const port = await freePort();
  const { password } = options;
  const config = join(master.dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${master.dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`,
      ...(master.password === undefined ? [] : [`sentinel auth-pass mymaster ${master.password}`]),
      ...(password === undefined ? [] : [`requirepass ${password}`]),
      '',
    ].join('\n'),
  );
  const server = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
  const exited = once(server, 'exit');
  const knowsMaster = async () => {
    const probe = new Redis(`redis://127.0.0.1:${port}`, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      ...(password !== undefined && { password }),
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      const answer: unknown = await probe.call('SENTINEL', 'get-master-addr-by-name', 'mymaster');
      // Also that it could log in to the master: a master it cannot AUTH to is flagged down.
      const flags: unknown = await probe.call('SENTINEL', 'master', 'mymaster');
      const flagText = Array.isArray(flags) ? String(flags[flags.indexOf('flags') + 1]) : '';
      return Array.isArray(answer) && String(answer[1]) === String(master.port) && flagText === 'master';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  };
  await eventually(knowsMaster, 10_000, 'Sentinel naming the master');
  const credentials = master.password === undefined ? '' : `:${encodeURIComponent(master.password)}@`;
  const query = password === undefined ? '' : `?sentinelPassword=${encodeURIComponent(password)}`;
  return {
    url: `redis+sentinel://${credentials}127.0.0.1:${port}/mymaster${query}`,
    port,
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

/** Three masters (no replicas) on private ports, joined with `redis-cli --cluster create`; `password`: every node's `requirepass`. */
export async function privateCluster(options: { readonly password?: string } = {}): Promise<PrivateCluster> {
  const { password } = options;
  const auth = password === undefined ? [] : ['-a', password, '--no-auth-warning'];
  const dir = mkdtempSync(join(tmpdir(), 'spcs-scale-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const servers = ports.map((port) => {
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir);
    const args = [
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--cluster-enabled', 'yes', '--save', ''],
      ...(password === undefined ? [] : ['--requirepass', password, '--masterauth', password]),
    ];
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
      () => nodes.every((n) => run('redis-cli', ['-u', `redis://${n}`, ...auth, 'PING']).includes('PONG')),
      10_000,
      'cluster nodes up',
    );
    run('redis-cli', [...auth, '--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
    await eventually(
      () => nodes.every((n) => run('redis-cli', ['-u', `redis://${n}`, ...auth, 'CLUSTER', 'INFO']).includes('cluster_state:ok')),
      15_000,
      'cluster state ok',
    );
    const credentials = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
    return { url: `redis+cluster://${credentials}${nodes.join(',')}`, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  return `${result.stdout}${result.stderr}`;
}
