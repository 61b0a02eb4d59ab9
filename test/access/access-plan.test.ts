/**
 * `/spcs access` changes as plans: the confirm view shows the plan's statements and hash, the submit
 * runs exactly those statements only when the plan rebuilt then hashes alike, and a run that stops
 * part-way says which statements ran. The real bot against the Slack double, the emulator and real
 * Redis; one bot for the file, a Snowflake user of its own per test.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addGrant } from '../../emulator/spcs/privileges.js';
import { installUsers } from '../../emulator/seed.js';
import type { FakeView } from '../support/fake-slack.js';
import { startTestBot, TEST_REDIS_URL, type TestBot } from '../support/test-bot.js';
import { auditEntries, click, MANAGER, openAccess, submit, viewText, waitForView } from './support.js';

const SERVICE = 'ML_DB.SERVING.IRIS_SVC';
const USERS = ['DANA', 'EVE', 'FRANK', 'GRACE'] as const;

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ env: { SPCS_MANAGERS: MANAGER.id } });
  installUsers(
    t.emulator.state,
    USERS.map((name) => ({ name })),
  );
  // As GRANT OWNERSHIP ON USER <name> TO ROLE SPCS_OPERATOR: the bot may set these people's policies.
  for (const name of USERS) {
    addGrant(t.emulator.state, { role: 'SPCS_OPERATOR', privilege: 'OWNERSHIP', on: 'USER', key: name, name, createdOn: Date.now() });
  }
});

afterAll(async () => {
  await t?.stop();
});

/** Every statement the emulator received from `from` on that changes something, whatever its outcome. */
const changesReceived = (from: number) =>
  t.emulator.sqlLog
    .slice(from)
    .map((e) => e.sqlText.trim().replace(/;$/, ''))
    .filter((s) => /^(CREATE|ALTER|GRANT|DROP|REVOKE)/i.test(s));

/** The statements as the confirm view lists them (its ``` block, one `…;` per line). */
function shownStatements(view: FakeView): string[] {
  const block = viewText(view).match(/These statements will run[^`]*```([\s\S]*?)```/)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => l.replace(/;$/, ''));
}

/** What the confirm view's private_metadata carries (the session id and the plan hash). */
function metadataOf(view: FakeView): { s?: string; h?: string } {
  try {
    return JSON.parse(view.private_metadata) as { s?: string; h?: string };
  } catch {
    return { s: view.private_metadata };
  }
}

/** Opens the network step and submits it for `user` from `ip`; returns the modal id and its confirm view. */
async function confirmNetwork(user: string, ip: string): Promise<{ viewId: string; confirm: FakeView }> {
  const { viewId } = await openAccess(t, SERVICE, MANAGER);
  await click(t, viewId, 'access.open_network', MANAGER);
  await waitForView(t, viewId, 'access.network');
  await submit(t, viewId, { 'access.user': user, 'access.client_ip': ip }, MANAGER);
  return { viewId, confirm: await waitForView(t, viewId, 'access.network_confirm') };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ruleNamed = (name: string) => [...t.emulator.state.networkRules.values()].find((r) => r.name === name);

describe('/spcs access plans', () => {
  it('when a manager confirms a network setup, then the emulator receives exactly the statements the view showed, and the audit carries the hash shown', async () => {
    const { viewId, confirm } = await confirmNetwork('DANA', '198.51.100.21');
    const shown = shownStatements(confirm);
    expect(shown).toHaveLength(3);
    const hash = metadataOf(confirm).h ?? '';
    // The hash is over the exact statement texts, and the view shows its start.
    expect(hash).toBe(sha256(shown.join(';\n')));
    expect(viewText(confirm)).toContain(`sha256:${hash.slice(0, 12)}`);

    const before = t.emulator.sqlLog.length;
    await submit(t, viewId, {}, MANAGER);
    await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes(':white_check_mark: User'));
    expect(changesReceived(before)).toEqual(shown);
    const applied = (await auditEntries(t.keyPrefix)).filter((e) => e['event'] === 'change_applied');
    expect(applied).toEqual([expect.objectContaining({ actor: MANAGER.id, planHash: hash, detail: shown.join(';\n') })]);
  });

  it("when the confirmation's plan hash was tampered with, then the submit refuses with a clear message and runs nothing", async () => {
    const { viewId, confirm } = await confirmNetwork('EVE', '198.51.100.22');
    const before = t.emulator.sqlLog.length;
    const forged = '0'.repeat(64);
    const res = await t.slack.viewSubmission({
      viewId,
      user: MANAGER,
      mutate: (payload) => {
        const view = payload['view'] as Record<string, unknown>;
        view['private_metadata'] = JSON.stringify({ ...metadataOf(confirm), h: forged });
      },
    });
    expect(res.status).toBe(200);
    const view = await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes('nothing was run'));
    expect(viewText(view)).toContain('The statements are no longer the ones you confirmed');
    expect(changesReceived(before)).toEqual([]);
    expect(ruleNamed('SPCS_ACCESS_EVE_RULE')).toBeUndefined();
    const refused = (await auditEntries(t.keyPrefix)).filter((e) => e['event'] === 'execution_refused');
    expect(refused).toEqual([expect.objectContaining({ actor: MANAGER.id, planHash: forged, detail: 'plan_changed' })]);
  });

  it('when the stored change is altered after confirmation, then the plan rebuilt at submit hashes differently and nothing runs', async () => {
    const { viewId, confirm } = await confirmNetwork('FRANK', '198.51.100.23');
    const sessionId = metadataOf(confirm).s ?? '';
    const key = `${t.keyPrefix}:access:${sessionId}`;
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const session = JSON.parse((await redis.get(key)) ?? '{}') as { pending?: { ip?: string } };
      expect(session.pending?.ip).toBe('198.51.100.23');
      // Someone else's address, after the person confirmed theirs.
      await redis.set(key, JSON.stringify({ ...session, pending: { ...session.pending, ip: '203.0.113.66' } }), 'EX', 600);
    } finally {
      redis.disconnect();
    }
    const before = t.emulator.sqlLog.length;
    await submit(t, viewId, {}, MANAGER);
    await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes('nothing was run'));
    expect(changesReceived(before)).toEqual([]);
    expect(ruleNamed('SPCS_ACCESS_FRANK_RULE')).toBeUndefined();
  });

  it('when the 2nd of three statements fails, then the overview says which ran, which failed and which did not, what exists now and how to undo it', async () => {
    t.emulator.faults.missingPrivilege({ privilege: 'CREATE NETWORK POLICY', on: 'ACCOUNT' });
    try {
      const { viewId, confirm } = await confirmNetwork('GRACE', '198.51.100.24');
      const [rule, policy, alter] = shownStatements(confirm);
      const before = t.emulator.sqlLog.length;
      await submit(t, viewId, {}, MANAGER);
      const view = await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes('lacks a privilege'));
      const text = viewText(view);
      expect(text).toContain(`:white_check_mark: ran 1. \`${rule}\``);
      expect(text).toContain(`:x: failed 2. \`${policy}\``);
      expect(text).toContain(`:white_circle: not run 3. \`${alter}\``);
      expect(text).toContain('*Exists now:* network rule `ML_DB.SERVING.SPCS_ACCESS_GRACE_RULE` exists.');
      expect(text).toContain('DROP NETWORK RULE ML_DB.SERVING.SPCS_ACCESS_GRACE_RULE;');
      expect(text).toContain('GRANT CREATE NETWORK POLICY ON ACCOUNT TO ROLE');
      // What the report says is what Snowflake holds: the rule, no policy, nothing on the user.
      expect(changesReceived(before)).toEqual([rule, policy]);
      expect(ruleNamed('SPCS_ACCESS_GRACE_RULE')?.values).toEqual(['198.51.100.24/32']);
      expect(t.emulator.state.networkPolicies.has('SPCS_ACCESS_GRACE_POLICY')).toBe(false);
      expect(t.emulator.state.users.get('GRACE')?.networkPolicy).toBeNull();
      const failed = (await auditEntries(t.keyPrefix)).filter((e) => e['event'] === 'change_failed');
      expect(failed).toEqual([
        expect.objectContaining({
          actor: MANAGER.id,
          planHash: metadataOf(confirm).h,
          detail: 'insufficient_privileges at statement 2 of 3',
        }),
      ]);
    } finally {
      t.emulator.faults.clear();
    }
  });
});
