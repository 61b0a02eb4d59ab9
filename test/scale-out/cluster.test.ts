import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../src/domain/deployment.js';
import { connectRedis } from '../../src/redis.js';
import { DeploymentStore } from '../../src/store/deployment-store.js';
import { approve, deployCallsFor, eventually, phaseOf, runningReplies, startFleet } from './fleet.js';
import { privateCluster, type PrivateCluster } from './private-redis.js';

/**
 * REDIS_URL=redis+cluster://…: the bot on a real three-master Redis Cluster. The records of one
 * kind sit in every slot, so a key scan must visit every master and a read of several records
 * must go to several nodes; BullMQ's keys share one hash tag (cluster-keys.test.ts).
 */

let cluster: PrivateCluster;
let redis: Cluster;
beforeAll(async () => {
  cluster = await privateCluster();
  const connection = connectRedis(cluster.url, { maxRetriesPerRequest: null });
  if (!('nodes' in connection)) throw new Error('expected a Cluster connection');
  redis = connection;
}, 60_000);
afterAll(async () => {
  redis?.disconnect();
  await cluster?.remove();
});

/** `perMaster` fresh deployment ids for each master, by the slot of the record's key. */
async function idsOnEveryMaster(keyPrefix: string, perMaster: number): Promise<string[][]> {
  const slots: unknown = await redis.cluster('SLOTS');
  const ranges = (Array.isArray(slots) ? slots : []).map((r: unknown) => {
    const [start, end, owner] = Array.isArray(r) ? r : [];
    return { start: Number(start), end: Number(end), port: Number(Array.isArray(owner) ? owner[1] : Number.NaN) };
  });
  const ports = [...new Set(ranges.map((r) => r.port))].sort();
  expect(ports).toHaveLength(3);
  const byPort = new Map(ports.map((p) => [p, [] as string[]]));
  while ([...byPort.values()].some((ids) => ids.length < perMaster)) {
    const id = `d${randomBytes(12).toString('hex')}`;
    const slot = await redis.cluster('KEYSLOT', `${keyPrefix}:deployment:${id}`);
    const port = ranges.find((r) => slot >= r.start && slot <= r.end)?.port;
    const ids = port === undefined ? undefined : byPort.get(port);
    if (ids !== undefined && ids.length < perMaster) ids.push(id);
  }
  return [...byPort.values()];
}

describe('Redis Cluster (redis+cluster://)', () => {
  it('when REDIS_URL names the cluster, then a deployment goes from request to running with one CALL and one final reply, and the sweep finds approved records on every master', async () => {
    const fleet = await startFleet({ redisUrl: cluster.url, env: { TEST_SWEEP_MS: '500' } });
    try {
      const [web, worker] = await Promise.all([fleet.start('web'), fleet.start('worker')]);
      await eventually(async () => (await Promise.all([web, worker].map((p) => p.readyz()))).every((s) => s === 200), 20_000, 'ready');

      const { id, ts } = await fleet.request('IRIS_CLUSTER');
      await approve(fleet, web, ts);
      await eventually(async () => (await phaseOf(fleet, id)) === 'running' || undefined, 40_000, 'running');
      await eventually(() => runningReplies(fleet, ts).length > 0 || undefined, 15_000, 'running reply');
      await eventually(() => fleet.notificationsIdle(), 15_000, 'notifications sent');
      expect(runningReplies(fleet, ts)).toHaveLength(1);
      expect(deployCallsFor(fleet, id)).toBe(1);
      const deployed = await fleet.store.get(id);
      if (deployed === null) throw new Error('the deployment is gone');

      // Approved records with no job, two on each master, as a click handler that stopped before
      // its enqueue leaves them. Their plan hash is stale, so each job starts and is refused: the
      // worker's log says the sweep found it, without six more deployments.
      const groups = await idsOnEveryMaster(fleet.keyPrefix, 2);
      const stranded = groups.flat();
      const approvedAtMs = Date.now() - 60_000;
      for (const strandedId of stranded) {
        const record: Deployment = {
          ...deployed,
          id: strandedId,
          planHash: 'f'.repeat(64),
          state: 'approved',
          approvals: [{ userId: deployed.approvals[0]?.userId ?? 'U0', atMs: approvedAtMs }],
        };
        delete record.execution;
        await fleet.store.create(record);
      }
      for (const strandedId of stranded) {
        await eventually(
          () => worker.logs.some((l) => l['recordId'] === strandedId && String(l['msg']).includes('enqueued by the sweep')) || undefined,
          20_000,
          `sweep of ${strandedId}`,
        );
      }
      await eventually(
        async () => (await fleet.audit.read()).filter((e) => e.event === 'execution_refused').length === stranded.length,
        15_000,
        'refusals',
      );

      // The scans and the multi-record read of the stores, in this process as well.
      const store = new DeploymentStore(redis, fleet.keyPrefix);
      const found = await store.forService({ database: 'ML_DB', schema: 'SERVING', name: 'IRIS_CLUSTER' });
      expect(found.map((d) => d.id).sort()).toEqual([id, ...stranded].sort());
      expect((await store.getMany([...stranded, 'dmissing000'])).map((d) => d?.id ?? null)).toEqual([...stranded, null]);
      expect(deployCallsFor(fleet, id)).toBe(1);
    } finally {
      await fleet.close();
    }
  }, 180_000);
});
