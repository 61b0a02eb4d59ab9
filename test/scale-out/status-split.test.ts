import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlLogEntry } from '../../emulator/index.js';
import { defaultUsers } from '../../emulator/seed.js';
import {
  approve,
  doubledPosts,
  eventually,
  phaseOf,
  POLL_INTERVAL_MS,
  runningReplies,
  startFleet,
  type BotProcess,
  type Fleet,
} from './fleet.js';

/**
 * One web and two worker processes; deployments in four schemas tracked at once. Each round is
 * split into one job per schema that either worker takes. The workers log in as different
 * Snowflake users (SPCS_BOT, SPCS_BOT_2, both SPCS_OPERATOR), so the emulator's statement log
 * tells which process sent what; every status statement carries its round's QUERY_TAG.
 */

const SECOND_USER = 'SPCS_BOT_2';
const SCHEMAS = ['SERVING', 'REGISTRY', 'TEAM_A', 'TEAM_B'];
/** Its listing takes longer than the poll interval: a round lasts longer than the interval. */
const SLOW_SCHEMA = 'TEAM_B';
const SLOW_LISTING_MS = 3 * POLL_INTERVAL_MS;

let fleet: Fleet;
let web: BotProcess;
beforeAll(async () => {
  fleet = await startFleet({
    emulator: {
      // Real-time builds and starts (FAST_TIMINGS): the deployments stay tracked for several rounds.
      speed: 1,
      serviceSchemas: ['TEAM_A', 'TEAM_B'],
      users: [
        ...defaultUsers(undefined),
        { name: SECOND_USER, password: 'emulator', defaultRole: 'SPCS_OPERATOR', roles: ['SPCS_OPERATOR', 'PUBLIC'] },
      ],
    },
  });
  const started = await Promise.all([fleet.start('web'), fleet.start('worker'), fleet.start('worker', { SNOWFLAKE_USER: SECOND_USER })]);
  web = started[0];
  await eventually(async () => (await Promise.all(started.map((p) => p.readyz()))).every((s) => s === 200), 20_000, 'all ready');
}, 120_000);
afterAll(async () => {
  await fleet?.close();
});

/** The round a statement belongs to, by its QUERY_TAG; undefined for statements no round sent. */
function roundOf(e: SqlLogEntry): number | undefined {
  const tag = e.parameters['QUERY_TAG'];
  const m = typeof tag === 'string' ? /^spcs-chatops:status:(\d+)$/.exec(tag) : null;
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function listedSchema(e: SqlLogEntry): string | undefined {
  return /^SHOW SERVICES IN SCHEMA ML_DB\.([A-Z_]+)$/i.exec(e.sqlText.trim())?.[1];
}

describe('status rounds split across worker processes', () => {
  it('when deployments in four schemas are tracked at once and one schema lists slowly, then each round lists each schema once, both workers list, rounds never overlap, and every deployment runs with no message posted twice', async () => {
    fleet.emulator.faults.slowStatement({ sqlText: `SHOW SERVICES IN SCHEMA ML_DB.${SLOW_SCHEMA}`, ms: SLOW_LISTING_MS });
    const pools = [
      { kind: 'existing', name: 'CPU_XS_POOL', instanceFamily: 'CPU_X64_XS', gpu: null, state: 'ACTIVE' },
      { kind: 'existing', name: 'CPU_M_POOL', instanceFamily: 'CPU_X64_M', gpu: null, state: 'SUSPENDED' },
    ] as const;
    const deployments = [];
    for (const [i, schema] of SCHEMAS.entries()) {
      const name = `IRIS_SPLIT_${i}`;
      const { id, ts } = await fleet.request(name, {
        service: { database: 'ML_DB', schema, name },
        pool: pools[i % 2] ?? pools[0],
      });
      deployments.push({ name, id, ts });
    }
    for (const d of deployments) await approve(fleet, web, d.ts);

    for (const d of deployments) {
      await eventually(async () => (await phaseOf(fleet, d.id)) === 'running' || undefined, 60_000, `${d.name} running`);
      await eventually(() => runningReplies(fleet, d.ts).length > 0 || undefined, 15_000, `${d.name} running reply`);
    }
    await eventually(() => fleet.notificationsIdle(), 15_000, 'notifications sent');
    for (const d of deployments) expect(runningReplies(fleet, d.ts), d.name).toHaveLength(1);
    expect(doubledPosts(fleet)).toEqual([]);
    expect(fleet.emulator.unsupportedSql()).toEqual([]);

    const byRound = new Map<number, SqlLogEntry[]>();
    for (const e of fleet.emulator.sqlLog) {
      const round = roundOf(e);
      if (round === undefined) continue;
      byRound.set(round, [...(byRound.get(round) ?? []), e]);
    }
    const rounds = [...byRound].sort(([a], [b]) => a - b);
    expect(rounds.length).toBeGreaterThanOrEqual(3);

    // (a) Within a round each schema is listed once, never twice; every schema was listed.
    const listed = new Set<string>();
    for (const [round, entries] of rounds) {
      const schemas = entries.flatMap((e) => listedSchema(e) ?? []);
      expect(new Set(schemas).size, `round ${round}: ${schemas.join(', ')}`).toBe(schemas.length);
      for (const s of schemas) listed.add(s);
    }
    expect([...listed].sort()).toEqual([...SCHEMAS].sort());

    // (b) Both worker processes listed schemas (each logs in as its own user).
    const listers = new Set(rounds.flatMap(([, entries]) => entries.filter((e) => listedSchema(e) !== undefined).map((e) => e.user)));
    expect([...listers].sort()).toEqual(['SPCS_BOT', SECOND_USER]);

    // (c) A round with the slow schema lasted longer than the interval, and still no statement of
    // the next round started before every statement of the round before it had finished.
    const speed = fleet.emulator.clock.speed;
    const spans = rounds.map(([round, entries]) => ({
      round,
      start: Math.min(...entries.map((e) => e.at)),
      end: Math.max(...entries.map((e) => e.endedAt ?? Number.POSITIVE_INFINITY)),
    }));
    expect(spans.some((s) => (s.end - s.start) / speed > POLL_INTERVAL_MS)).toBe(true);
    for (const [i, next] of spans.entries()) {
      const previous = spans[i - 1];
      if (previous === undefined) continue;
      expect(next.start, `round ${next.round} started before round ${previous.round} ended`).toBeGreaterThanOrEqual(previous.end);
    }
  }, 150_000);
});
