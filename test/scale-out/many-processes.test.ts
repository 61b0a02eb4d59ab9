import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approve,
  deployCallsFor,
  deploymentAt,
  doubledPosts,
  eventually,
  phaseOf,
  POLL_INTERVAL_MS,
  requestThroughWizard,
  runningReplies,
  startFleet,
  type BotProcess,
  type Fleet,
} from './fleet.js';

/**
 * Two web and two worker processes (ROLE=web, ROLE=worker) on one Redis prefix: Slack requests
 * land on any web process, jobs on any worker, and everything a request or a job needs is in Redis.
 */

let fleet: Fleet;
let webs: [BotProcess, BotProcess];
beforeAll(async () => {
  fleet = await startFleet();
  const [web1, web2, ...workers] = await Promise.all([
    fleet.start('web'),
    fleet.start('web'),
    fleet.start('worker'),
    fleet.start('worker'),
  ]);
  webs = [web1, web2];
  const started = [web1, web2, ...workers];
  await eventually(async () => (await Promise.all(started.map((p) => p.readyz()))).every((s) => s === 200), 20_000, 'all ready');
}, 120_000);
afterAll(async () => {
  await fleet?.close();
});

/** The tracker's round statement: one SHOW SERVICES per schema in flight (all of these are in ML_DB.SERVING). */
const isRoundStatement = (sqlText: string) => /^SHOW SERVICES IN SCHEMA ML_DB\.SERVING$/i.test(sqlText.trim());

describe('two web and two worker processes on one Redis', () => {
  it('when three deployments are requested and approved through different web processes, then each deploys once, reaches running, rounds are not doubled and no message is posted twice', async () => {
    const names = ['IRIS_FLEET_A', 'IRIS_FLEET_B', 'IRIS_FLEET_C'];
    const deployments = [];
    for (const [i, name] of names.entries()) {
      // Each wizard's steps alternate between the web processes; the approval goes to the other one.
      const ts = await requestThroughWizard(fleet, i % 2 === 0 ? webs : [...webs].reverse(), name);
      deployments.push({ name, ts, id: (await deploymentAt(fleet, ts)).id });
    }
    for (const [i, d] of deployments.entries()) await approve(fleet, i % 2 === 0 ? webs[1] : webs[0], d.ts);

    for (const d of deployments) {
      await eventually(async () => (await phaseOf(fleet, d.id)) === 'running' || undefined, 40_000, `${d.name} running`);
      await eventually(() => runningReplies(fleet, d.ts).length > 0 || undefined, 15_000, `${d.name} running reply`);
    }
    for (const d of deployments) {
      expect(deployCallsFor(fleet, d.id), d.name).toBe(1);
      expect(runningReplies(fleet, d.ts), d.name).toHaveLength(1);
    }
    // Both workers took part (the deploy jobs and the rounds went to whichever was free).
    const workers = fleet.processes.filter((p) => p.role === 'worker');
    expect(workers.every((w) => w.logs.some((l) => typeof l['deploymentId'] === 'string'))).toBe(true);

    // One round per interval across all workers, as with one worker: no second schedule, no doubled round.
    const rounds = fleet.emulator.sqlLog.filter((e) => isRoundStatement(e.sqlText)).map((e) => e.at);
    const first = rounds[0] ?? 0;
    const last = rounds.at(-1) ?? 0;
    const realWindowMs = (last - first) / fleet.emulator.clock.speed;
    expect(rounds.length).toBeGreaterThanOrEqual(2);
    expect(rounds.length).toBeLessThanOrEqual(Math.floor(realWindowMs / POLL_INTERVAL_MS) + 2);

    expect(doubledPosts(fleet)).toEqual([]);
    expect(fleet.emulator.unsupportedSql()).toEqual([]);
  }, 120_000);

  it('when a web process starts after the summary was posted, then an Approve click sent to it deploys', async () => {
    // CPU_XS_POOL's two nodes are taken by now.
    const ts = await requestThroughWizard(fleet, webs, 'IRIS_LATE_WEB', 'CPU_M_POOL');
    const { id } = await deploymentAt(fleet, ts);
    const late = await fleet.start('web');
    await approve(fleet, late, ts);
    await eventually(async () => (await phaseOf(fleet, id)) === 'running' || undefined, 40_000, 'running');
    await eventually(() => runningReplies(fleet, ts).length > 0 || undefined, 15_000, 'running reply');
    const approved = (await fleet.audit.read(id)).filter((e) => e.event === 'approved');
    expect(approved).toHaveLength(1);
    expect(deployCallsFor(fleet, id)).toBe(1);
    expect(doubledPosts(fleet)).toEqual([]);
  }, 90_000);
});
