/**
 * runAccessPlan as a worker would call it: a QueryRunner and a plan, no Slack. Through the real
 * driver against the emulator.
 */
import { describe, expect, it } from 'vitest';
import { createIngressNetworkRule, parseIpv4 } from '../../src/snowflake/access-queries.js';
import { buildAccessPlan, runAccessPlan } from '../../src/snowflake/access-plan.js';
import type { SnowflakeClient } from '../../src/snowflake/client.js';
import { identifierFromSnowflake, requireQualifiedName } from '../../src/snowflake/identifiers.js';
import { type Emulator, useEmulatorClient } from '../snowflake/support/emulator.js';

let emu: Emulator;
let db: SnowflakeClient;
useEmulatorClient((e, d) => {
  emu = e;
  db = d;
});

const id = identifierFromSnowflake;
const IRIS_SVC = requireQualifiedName('ML_DB.SERVING.IRIS_SVC', 'test', 3);

function ip(text: string) {
  const parsed = parseIpv4(text, 'Client IP');
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

const changesFrom = (from: number) =>
  emu.sqlLog
    .slice(from)
    .map((e) => e.sqlText)
    .filter((s) => /^(CREATE|ALTER|GRANT)/i.test(s));

describe('runAccessPlan', () => {
  it('when a grant plan runs with its own hash, then its one statement runs and is reported ran', async () => {
    const plan = buildAccessPlan({ kind: 'grant', service: IRIS_SVC, role: id('ANALYST') });
    const run = await runAccessPlan(db, plan, plan.hash);
    expect(run.status).toBe('applied');
    expect(run.outcomes.map((o) => [o.state, o.step.statement.text])).toEqual([
      ['ran', 'GRANT SERVICE ROLE ML_DB.SERVING.IRIS_SVC!ALL_ENDPOINTS_USAGE TO ROLE ANALYST'],
    ]);
  });

  it('when the hash it is given does not match the plan, then it is plan_changed and Snowflake receives nothing', async () => {
    const rule = requireQualifiedName('ML_DB.SERVING.RUN_PLAN_RULE', 'test', 3);
    const plan = buildAccessPlan({ kind: 'network', user: id('ANALYST'), ip: ip('198.51.100.40'), rule, policy: id('RUN_PLAN_POLICY') });
    const before = emu.sqlLog.length;
    const run = await runAccessPlan(db, plan, 'f'.repeat(64));
    expect(run).toMatchObject({ status: 'plan_changed', confirmedHash: 'f'.repeat(64) });
    expect(run.outcomes.map((o) => o.state)).toEqual(['not_run', 'not_run', 'not_run']);
    expect(emu.sqlLog.length).toBe(before);
  });

  it('when the rule no longer holds the values the plan was built from, then it is rule_changed and the rule is left alone', async () => {
    const rule = requireQualifiedName('ML_DB.SERVING.RUN_PLAN_SHARED_RULE', 'test', 3);
    // The rule as it stands, made outside the plan.
    await createIngressNetworkRule(db, rule, ip('198.51.100.41'));

    const stale = buildAccessPlan({ kind: 'rule', rule, existing: ['203.0.113.0/24'], ip: ip('198.51.100.42') });
    const before = emu.sqlLog.length;
    const run = await runAccessPlan(db, stale, stale.hash);
    expect(run).toMatchObject({ status: 'rule_changed', current: ['198.51.100.41/32'] });
    expect(changesFrom(before)).toEqual([]);

    const fresh = buildAccessPlan({ kind: 'rule', rule, existing: ['198.51.100.41/32'], ip: ip('198.51.100.42') });
    expect((await runAccessPlan(db, fresh, fresh.hash)).status).toBe('applied');
    expect([...emu.state.networkRules.values()].find((r) => r.name === 'RUN_PLAN_SHARED_RULE')?.values).toEqual([
      '198.51.100.41/32',
      '198.51.100.42/32',
    ]);
  });
});
