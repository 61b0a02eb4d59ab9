import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { DependencyCheck } from './health.js';
import type { Logger } from './logger.js';

/**
 * REDIS_URL, in one of three forms:
 *
 * - `redis://[[user]:password@]host[:port][/db]` (`rediss://` for TLS): one server, as ioredis parses it.
 * - `redis+sentinel://[[user]:password@]host[:port][,host2[:port2]…]/master_name[/db][?sentinelUsername=…&sentinelPassword=…]`
 *   (`rediss+sentinel://` for TLS): the Sentinels to ask for the current master of `master_name`;
 *   a Sentinel's port defaults to 26379; user and password are the data nodes' (master and
 *   replicas), the query's are the Sentinels' own (ioredis's option names). The form of the
 *   Redis-Sentinel-Url package, also taken by redis-vl and Prefect.
 * - `redis+cluster://[[user]:password@]host[:port][,host2[:port2]…]` (`rediss+cluster://` for TLS):
 *   seed nodes of a Redis Cluster; a port defaults to 6379; user and password are every node's.
 *   No established form exists; this one follows the Sentinel form.
 */
export type RedisTarget =
  | { readonly kind: 'server'; readonly url: string }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: readonly RedisNode[];
      readonly masterName: string;
      readonly db: number;
      readonly tls: boolean;
      readonly username: string | undefined;
      readonly password: string | undefined;
      readonly sentinelUsername: string | undefined;
      readonly sentinelPassword: string | undefined;
    }
  | {
      readonly kind: 'cluster';
      readonly nodes: readonly RedisNode[];
      readonly tls: boolean;
      readonly username: string | undefined;
      readonly password: string | undefined;
    };

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

export const REDIS_URL_EXPECTS =
  'a redis:// or rediss:// URL, redis+sentinel://[user:password@]host:26379[,host2:26379]/master_name[/db][?sentinelPassword=…], or redis+cluster://[user:password@]host:6379[,host2:6379]';

const MULTI_HOST = /^(rediss?)\+(sentinel|cluster):\/\/(?:([^@/?#]*)@)?([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/;
const SENTINEL_QUERY = ['sentinelUsername', 'sentinelPassword'] as const;
const NODE = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/;
const NAME = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Parses REDIS_URL. A problem names the part that is wrong in fixed words: the URL may carry a
 * password, so no part of it is ever repeated back.
 */
export function parseRedisUrl(text: string): { ok: true; target: RedisTarget } | { ok: false; problem: string } {
  const bad = (problem: string) => ({ ok: false as const, problem });
  const trimmed = text.trim();
  const scheme = /^([a-z+]+):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') {
    try {
      const url = new URL(trimmed);
      if (url.hostname === '') return bad(`${REDIS_URL_EXPECTS} (the host is missing)`);
      return { ok: true, target: { kind: 'server', url: trimmed } };
    } catch {
      return bad(REDIS_URL_EXPECTS);
    }
  }
  const match = MULTI_HOST.exec(trimmed);
  if (match === null) return bad(REDIS_URL_EXPECTS);
  const [, base, kind, userInfo, hostList = '', path = '', query] = match;
  const defaultPort = kind === 'sentinel' ? 26379 : 6379;
  const nodes: RedisNode[] = [];
  for (const part of hostList.split(',')) {
    const node = NODE.exec(part.trim());
    const host = node?.[1] ?? node?.[2];
    const port = node?.[3] === undefined ? defaultPort : Number(node[3]);
    if (host === undefined || !(port > 0 && port <= 65535)) return bad(`${REDIS_URL_EXPECTS} (each host is host[:port], comma separated)`);
    nodes.push({ host, port });
  }
  let username: string | undefined;
  let password: string | undefined;
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    try {
      username = decodeURIComponent(colon < 0 ? userInfo : userInfo.slice(0, colon)) || undefined;
      password = colon < 0 ? undefined : decodeURIComponent(userInfo.slice(colon + 1)) || undefined;
    } catch {
      return bad(`${REDIS_URL_EXPECTS} (the user or password is not URL-encoded)`);
    }
  }
  const tls = base === 'rediss';
  const segments = path.split('/').filter((s) => s !== '');
  if (kind === 'cluster') {
    if (segments.length > 0) return bad(`${REDIS_URL_EXPECTS} (a cluster URL has no path: a cluster has only database 0)`);
    if (query !== undefined) return bad(`${REDIS_URL_EXPECTS} (a cluster URL takes no ?query: the password goes before the hosts)`);
    return { ok: true, target: { kind: 'cluster', nodes, tls, username, password } };
  }
  const params = new URLSearchParams(query ?? '');
  const names = [...params.keys()];
  // Names are not repeated back either: a mistyped one may be a pasted password.
  if (names.some((n) => !SENTINEL_QUERY.some((known) => known === n)) || new Set(names).size !== names.length)
    return bad(`${REDIS_URL_EXPECTS} (a Sentinel URL's query takes only sentinelUsername and sentinelPassword, each once)`);
  const sentinelUsername = params.get('sentinelUsername') || undefined;
  const sentinelPassword = params.get('sentinelPassword') || undefined;
  const [masterName, dbText, ...rest] = segments;
  if (masterName === undefined || !NAME.test(masterName) || rest.length > 0)
    return bad(`${REDIS_URL_EXPECTS} (a Sentinel URL ends with /master_name or /master_name/db)`);
  if (dbText !== undefined && !/^\d{1,2}$/.test(dbText)) return bad(`${REDIS_URL_EXPECTS} (the database is a number, e.g. /mymaster/0)`);
  return {
    ok: true,
    target: {
      kind: 'sentinel',
      sentinels: nodes,
      masterName,
      db: Number(dbText ?? '0'),
      tls,
      username,
      password,
      sentinelUsername,
      sentinelPassword,
    },
  };
}

/** The target without credentials, for log and error lines. */
export function describeRedisTarget(url: string): string {
  const parsed = parseRedisUrl(url);
  if (!parsed.ok) return '(not a Redis URL)';
  const t = parsed.target;
  const hosts = (nodes: readonly RedisNode[]) => nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',');
  if (t.kind === 'sentinel') return `${t.tls ? 'rediss' : 'redis'}+sentinel://${hosts(t.sentinels)}/${t.masterName}/${t.db}`;
  if (t.kind === 'cluster') return `${t.tls ? 'rediss' : 'redis'}+cluster://${hosts(t.nodes)}`;
  try {
    const u = new URL(t.url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(not a Redis URL)';
  }
}

function targetOf(url: string): RedisTarget {
  const parsed = parseRedisUrl(url);
  // loadConfig checked REDIS_URL already; this only guards other callers.
  if (!parsed.ok) throw new Error(`REDIS_URL: expected ${parsed.problem}`);
  return parsed.target;
}

/** What the stores, the queues and the readiness check talk to: one server, the master behind Sentinel, or a Cluster. */
export type RedisConnection = Redis | Cluster;

/**
 * One connection to a single server or, through Sentinel, to the current master (ioredis follows
 * a failover by itself). A Cluster URL is refused here: use `connectRedis`.
 */
export function redisClient(url: string, options: RedisOptions): Redis {
  const target = targetOf(url);
  if (target.kind === 'server') return new Redis(target.url, options);
  if (target.kind === 'sentinel') {
    return new Redis({
      ...options,
      sentinels: target.sentinels.map((n) => ({ host: n.host, port: n.port })),
      name: target.masterName,
      db: target.db,
      ...(target.username !== undefined && { username: target.username }),
      ...(target.password !== undefined && { password: target.password }),
      ...(target.sentinelUsername !== undefined && { sentinelUsername: target.sentinelUsername }),
      ...(target.sentinelPassword !== undefined && { sentinelPassword: target.sentinelPassword }),
      ...(target.tls && { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true }),
    });
  }
  throw new Error('REDIS_URL: a Redis Cluster needs connectRedis');
}

/**
 * Any of the three targets. For a Cluster the options are split as ioredis wants them: the
 * per-node ones go to every node (`redisOptions`, where BullMQ also looks for
 * maxRetriesPerRequest: null); offline queue, lazy connect and the retry strategy are the
 * cluster's own.
 */
export function connectRedis(url: string, options: RedisOptions): RedisConnection {
  const target = targetOf(url);
  if (target.kind !== 'cluster') return redisClient(url, options);
  const { enableOfflineQueue, lazyConnect, retryStrategy, ...nodeOptions } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions: {
      ...nodeOptions,
      ...(target.username !== undefined && { username: target.username }),
      ...(target.password !== undefined && { password: target.password }),
      ...(target.tls && { tls: {} }),
    },
    ...(enableOfflineQueue !== undefined && { enableOfflineQueue }),
    ...(lazyConnect !== undefined && { lazyConnect }),
    ...(retryStrategy !== undefined && { clusterRetryStrategy: retryStrategy }),
  };
  return new Cluster(
    target.nodes.map((n) => ({ host: n.host, port: n.port })),
    clusterOptions,
  );
}

/** A connection BullMQ can share: it requires maxRetriesPerRequest null so blocking commands wait out outages. */
export function createRedis(url: string, logger: Logger, name: string): RedisConnection {
  const redis = connectRedis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
  let lastError = '';
  redis.on('error', (err: Error) => {
    // ioredis reports every failed reconnect; log each distinct error once.
    if (err.message !== lastError) logger.warn({ err, connection: name }, 'redis connection error');
    lastError = err.message;
  });
  redis.on('ready', () => {
    lastError = '';
  });
  return redis;
}

/**
 * Readiness uses its own connection with the offline queue off, so a ping fails at once while
 * Redis is down instead of waiting in the queue.
 */
export function redisReadinessCheck(url: string): DependencyCheck & { close(): Promise<void> } {
  const redis = connectRedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectionName: 'readiness',
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  redis.on('error', () => undefined); // surfaced through /readyz instead
  return {
    name: 'redis',
    async check() {
      // Right after start the first connect may still be in progress: wait for its outcome, not the queue.
      if (redis.status === 'connecting' || redis.status === 'connect') {
        await new Promise<void>((resolve) => {
          const done = () => {
            redis.off('ready', done);
            redis.off('error', done);
            resolve();
          };
          redis.once('ready', done);
          redis.once('error', done);
        });
      }
      const answer = await redis.ping();
      if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
    },
    async close() {
      redis.disconnect();
    },
  };
}
