/**
 * Redis for `npm run demo` on a machine that has none running: a private `redis-server` on a free
 * loopback port, with a temporary directory and no persistence, stopped (and its directory
 * removed) when the demo ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const REDIS_HELP = [
  'The demo needs Redis: set REDIS_URL, start one on 127.0.0.1:6379, or install redis-server and the demo starts a private one:',
  '  Debian/Ubuntu: sudo apt-get install redis-server',
  '  macOS (Homebrew): brew install redis',
  '  Docker: docker compose up redis   (in this repository, then run the demo again)',
].join('\n');

export interface LocalRedis {
  readonly url: string;
  stop(): Promise<void>;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisChoice {
  readonly url: string;
  /** Set when the demo started its own redis-server; stop it on the way out. */
  readonly local?: LocalRedis;
}

/**
 * Where the demo's Redis is: REDIS_URL when set; else the default address when something answers
 * there; else a private redis-server when one is on PATH; else undefined (print REDIS_HELP).
 */
export async function resolveDemoRedis(
  options: { redisUrl?: string | undefined; defaultUrl?: string; path?: string } = {},
): Promise<RedisChoice | undefined> {
  if (options.redisUrl !== undefined && options.redisUrl !== '') return { url: options.redisUrl };
  const fallback = options.defaultUrl ?? DEFAULT_REDIS_URL;
  if (await redisAnswers(fallback)) return { url: fallback };
  const binary = findRedisServer(options.path);
  if (binary === undefined) return undefined;
  const local = await startLocalRedis(binary);
  return { url: local.url, local };
}

/** True when something at `url` answers PING with PONG within `timeoutMs`. */
export function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(target.port || 6379), target.hostname);
    const done = (answer: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    // A server with a password answers -NOAUTH: it is there, and REDIS_URL must say how to log in.
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
    socket.once('error', () => done(false));
  });
}

/** The absolute path of `redis-server` on PATH, if there is one. */
export function findRedisServer(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Starts a private redis-server; resolves once it answers PING. */
export async function startLocalRedis(binary: string): Promise<LocalRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'spcs-demo-redis-'));
  const child: ChildProcess = spawn(
    binary,
    ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
      // Its own process group: Ctrl-C reaches the demo, which stops Redis after the bot has finished with it.
      detached: true,
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (child.exitCode !== null) break;
    if (await redisAnswers(url, 200)) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${binary} did not start on port ${port}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
