import { Cluster, type RedisCommander } from 'ioredis';

/**
 * What a store takes: the commands ioredis's `Redis` and `Cluster` share, so one store runs on a
 * single server, behind Sentinel or on Redis Cluster. A store sends only single-key commands (and
 * single-key scripts), which a Cluster routes to the slot's node by itself; the one thing that
 * differs is a key scan, in `scanKeys`.
 */
export type StoreRedis = RedisCommander;

/**
 * Every key matching `match`, a batch at a time. SCAN sees one node's keys only, so on a Cluster
 * it runs on every master (ioredis's own advice, `cluster.nodes('master')`); a key moved by a
 * resharding during the scan may come twice, so callers must not mind duplicates.
 */
export async function* scanKeys(redis: StoreRedis, match: string): AsyncGenerator<string[]> {
  const nodes: StoreRedis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  // Before the first slots refresh a Cluster knows no master: an empty answer would look like "no records".
  if (nodes.length === 0) throw new Error('Redis Cluster: no master node known yet');
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}
