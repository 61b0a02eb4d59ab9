/**
 * `/spcs access <service>` end to end: the real bot (Bolt in HTTP mode, LOG_LEVEL debug) against
 * the Slack double, the SPCS emulator (SQL and REST ingress) and real Redis. One bot for the file;
 * the tests run in order and the last one checks that no PAT typed in them leaked anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { addGrant } from '../../emulator/spcs/privileges.js';
import { currentIdentity } from '../../src/snowflake/access-queries.js';
import { sql } from '../../src/snowflake/sql.js';
import type { ViewSubmissionResponse } from '../support/slack-request.js';
import { startTestBot, type TestBot } from '../support/test-bot.js';
import { clientFor, envFor } from '../snowflake/support/emulator.js';
import {
  auditEntries,
  click,
  dumpRedis,
  fieldErrors,
  ingressRequests,
  MANAGER,
  NON_MANAGER,
  openAccess,
  submit,
  viewText,
  waitForView,
} from './support.js';

const SERVICE = 'ML_DB.SERVING.IRIS_SVC';
const GOOD_PAT = 'pat-spcs-bot-emulator';
const BAD_PAT = 'pat-not-a-real-token-4711';

let t: TestBot;
/** Every HTTP body the bot answered Slack with (acks carry views too). */
const ackBodies: string[] = [];
/** Modals that showed a REST test result: Slack must no longer hold the typed PAT in them. */
const resultViews: string[] = [];

beforeAll(async () => {
  t = await startTestBot({ env: { SPCS_MANAGERS: MANAGER.id } });
  // As GRANT OWNERSHIP ON USER ANALYST TO ROLE SPCS_OPERATOR: the bot may read and set that person's policy.
  addGrant(t.emulator.state, {
    role: 'SPCS_OPERATOR',
    privilege: 'OWNERSHIP',
    on: 'USER',
    key: 'ANALYST',
    name: 'ANALYST',
    createdOn: Date.now(),
  });
});

/** A fresh login, as the bot does after a restart: the name it logged in as, or the refusal. */
async function freshLogin(env: Record<string, string | undefined> = {}): Promise<string> {
  const client = clientFor(envFor(t.emulator, env), { retryAttempts: 1 });
  try {
    return (await currentIdentity(client)).user;
  } finally {
    await client.close();
  }
}

const changes = (from: number) =>
  sqlTexts()
    .slice(from)
    .filter((s) => /^(CREATE|ALTER|GRANT)/i.test(s));
afterAll(async () => {
  await t?.stop();
});

/** Opens the modal's test form as a non-manager (testing needs no permission); returns the modal's id. */
async function openTestForm(): Promise<string> {
  const { viewId } = await openAccess(t, 'IRIS_SVC', NON_MANAGER);
  await click(t, viewId, 'access.open_test', NON_MANAGER);
  await waitForView(t, viewId, 'access.test');
  return viewId;
}

/** Submits the test form, keeping the ack's body for the leak check. */
async function sendTest(viewId: string, sample: string, pat: string): Promise<ViewSubmissionResponse> {
  const res = await submit(t, viewId, { 'access.method': 'PREDICT', 'access.sample': sample, 'access.pat_secret': pat }, NON_MANAGER);
  ackBodies.push(res.text);
  return res;
}

/** Sends a test that passes validation and returns the result view's text. */
async function testResult(sample: string, pat: string): Promise<string> {
  const viewId = await openTestForm();
  await sendTest(viewId, sample, pat);
  const result = await waitForView(t, viewId, 'access.result');
  resultViews.push(viewId);
  return viewText(result);
}

const sqlTexts = () => t.emulator.sqlLog.filter((e) => e.outcome === 'success').map((e) => e.sqlText.trim().replace(/;$/, ''));

describe('/spcs access', () => {
  it('when the command has no service, then the ack says what was expected, with an example', async () => {
    const res = await t.slack.slashCommand({ command: '/spcs', text: 'access', user: MANAGER });
    const text = JSON.stringify(res.body);
    expect(text).toContain('Service: required');
    expect(text).toContain('/spcs access IRIS_SVC');
  });

  it('when opened on a running service, then it shows the endpoint URL, the methods and the network policy state', async () => {
    const { overview } = await openAccess(t, 'IRIS_SVC', MANAGER);
    const host = t.emulator.service('IRIS_SVC')?.endpoints.find((e) => e.name === 'inference')?.host ?? 'missing';
    const text = viewText(overview);
    expect(text).toContain(`https://${host}`);
    expect(text).toContain('PREDICT(SEPAL_LENGTH FLOAT, SEPAL_WIDTH FLOAT, PETAL_LENGTH FLOAT, PETAL_WIDTH FLOAT)');
    expect(text).toContain('ML_DB.REGISTRY.IRIS_CLASSIFIER VERSION V1');
    // Both levels read; no user is assumed, the bot's own least of all.
    expect(text).toContain('The account has no network policy');
    expect(text).toContain('Name the Snowflake user the PAT belongs to (yours)');
    expect(sqlTexts()).toContain("SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN ACCOUNT");
    expect(sqlTexts()).not.toContain("SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER SPCS_BOT");
    expect(text).toContain('Programmatic Access Tokens');
    expect(text).toContain('token-exchange');
  });

  it('when a non-manager tries to set up a network policy, then it is refused naming the action, audited, and nothing runs', async () => {
    const { viewId } = await openAccess(t, SERVICE, NON_MANAGER);
    const before = sqlTexts().length;
    await click(t, viewId, 'access.open_network', NON_MANAGER);
    const view = await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes(':no_entry:'));
    expect(viewText(view)).toContain(`not allowed to set up a network policy for callers of ${SERVICE}`);
    expect(viewText(view)).toContain('SPCS_MANAGERS');
    const refused = (await auditEntries(t.keyPrefix)).filter((e) => e['event'] === 'permission_refused');
    expect(refused).toEqual([
      expect.objectContaining({ actor: NON_MANAGER.id, target: SERVICE, action: 'set up a network policy for callers of' }),
    ]);
    expect(
      sqlTexts()
        .slice(before)
        .filter((s) => /^(CREATE|ALTER|GRANT)/i.test(s)),
    ).toEqual([]);
  });

  it("when the bot's role lacks CREATE NETWORK RULE, then the manager is told which grant to ask for", async () => {
    t.emulator.faults.missingPrivilege({ privilege: 'CREATE NETWORK RULE', on: 'SCHEMA', name: 'ML_DB.SERVING' });
    try {
      const { viewId } = await openAccess(t, SERVICE, MANAGER);
      await click(t, viewId, 'access.open_network', MANAGER);
      await waitForView(t, viewId, 'access.network');
      await submit(t, viewId, { 'access.user': 'ANALYST', 'access.client_ip': '198.51.100.1' }, MANAGER);
      await waitForView(t, viewId, 'access.network_confirm');
      await submit(t, viewId, {}, MANAGER);
      const view = await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes('lacks a privilege'));
      expect(viewText(view)).toContain('GRANT CREATE NETWORK RULE ON SCHEMA ML_DB.SERVING TO ROLE');
      const failed = (await auditEntries(t.keyPrefix)).filter((e) => e['event'] === 'change_failed');
      expect(failed).toEqual([expect.objectContaining({ actor: MANAGER.id, detail: 'insufficient_privileges at statement 1 of 3' })]);
    } finally {
      t.emulator.faults.clear();
    }
  });

  it("when a manager opens the network step, then the user field is empty and asks for their own user, not the bot's", async () => {
    const { viewId } = await openAccess(t, SERVICE, MANAGER);
    await click(t, viewId, 'access.open_network', MANAGER);
    const form = await waitForView(t, viewId, 'access.network');
    const input = JSON.stringify(form.blocks).match(/"block_id":"access\.user".*?"element":\{[^}]*\}/)?.[0] ?? '';
    expect(input).not.toContain('initial_value');
    expect(viewText(form)).toContain("Not the bot's own user SPCS_BOT");
    const bad = await submit(t, viewId, { 'access.user': 'jane doe', 'access.client_ip': '198.51.100.7' }, MANAGER);
    expect(fieldErrors(bad)['access.user']).toMatch(/^Snowflake user: .*space.*Type the Snowflake user the PAT belongs to/);
    const empty = await submit(t, viewId, { 'access.user': '', 'access.client_ip': '198.51.100.7' }, MANAGER);
    expect(fieldErrors(empty)['access.user']).toContain('Snowflake user: required');
  });

  it('when a manager sets up a network policy for a person without one (none on the account either), then a bad IP is refused on the field, the exact statements run only after confirmation, and the bot can still log in', async () => {
    const { viewId } = await openAccess(t, SERVICE, MANAGER);
    await click(t, viewId, 'access.open_network', MANAGER);
    await waitForView(t, viewId, 'access.network');

    const bad = await submit(t, viewId, { 'access.user': 'ANALYST', 'access.client_ip': '203.0.113.300' }, MANAGER);
    expect(fieldErrors(bad)['access.client_ip']).toContain('IPv4 address');
    const badCidr = await submit(t, viewId, { 'access.user': 'ANALYST', 'access.client_ip': '127.0.0.1/24' }, MANAGER);
    expect(fieldErrors(badCidr)['access.client_ip']).toContain('no /mask');

    const before = sqlTexts().length;
    await submit(t, viewId, { 'access.user': 'analyst', 'access.client_ip': '198.51.100.7' }, MANAGER);
    const confirm = await waitForView(t, viewId, 'access.network_confirm');
    const statements = [
      "CREATE NETWORK RULE ML_DB.SERVING.SPCS_ACCESS_ANALYST_RULE MODE = INGRESS TYPE = IPV4 VALUE_LIST = ('198.51.100.7/32')",
      "CREATE NETWORK POLICY SPCS_ACCESS_ANALYST_POLICY ALLOWED_NETWORK_RULE_LIST = ('ML_DB.SERVING.SPCS_ACCESS_ANALYST_RULE')",
      'ALTER USER ANALYST SET NETWORK_POLICY = SPCS_ACCESS_ANALYST_POLICY',
    ];
    for (const s of statements) expect(viewText(confirm)).toContain(s);
    expect(viewText(confirm)).toContain('none of its own, none on the account');
    expect(viewText(confirm)).not.toContain("bot's own Snowflake user");
    // Only the checks have run so far: both levels.
    expect(sqlTexts().slice(before).sort()).toEqual([
      "SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN ACCOUNT",
      "SHOW PARAMETERS LIKE 'NETWORK_POLICY' IN USER ANALYST",
    ]);

    const ran = sqlTexts().length;
    await submit(t, viewId, {}, MANAGER);
    const done = await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes(':white_check_mark: User'));
    expect(viewText(done)).toMatch(/ANALYST.*has network policy.*SPCS_ACCESS_ANALYST_POLICY/);
    expect(changes(ran)).toEqual(statements);
    const applied = (await auditEntries(t.keyPrefix)).filter((e) => e['event'] === 'change_applied');
    expect(applied).toEqual([expect.objectContaining({ actor: MANAGER.id, target: SERVICE, detail: statements.join(';\n') })]);
    // The policy governs ANALYST's logins only: the bot logs in afresh; ANALYST from here does not (390422).
    expect(await freshLogin()).toBe('SPCS_BOT');
    await expect(freshLogin({ SNOWFLAKE_USER: 'ANALYST', SNOWFLAKE_ROLE: 'ANALYST' })).rejects.toMatchObject({
      message: expect.stringContaining('is not allowed to access Snowflake'),
    });
  });

  it('when the person already has a policy, then the address is added to its rule keeping the old entries, not a new policy; a second time nothing is proposed', async () => {
    const { viewId } = await openAccess(t, SERVICE, MANAGER);
    await click(t, viewId, 'access.open_network', MANAGER);
    await waitForView(t, viewId, 'access.network');
    const before = sqlTexts().length;
    await submit(t, viewId, { 'access.user': 'ANALYST', 'access.client_ip': '127.0.0.1' }, MANAGER);
    const confirm = await waitForView(t, viewId, 'access.network_confirm');
    const statement = "ALTER NETWORK RULE ML_DB.SERVING.SPCS_ACCESS_ANALYST_RULE SET VALUE_LIST = ('198.51.100.7/32', '127.0.0.1/32')";
    expect(viewText(confirm)).toContain(statement);
    expect(viewText(confirm)).toContain('keeping its 1 existing entry');
    expect(viewText(confirm)).not.toContain('CREATE NETWORK POLICY');
    expect(sqlTexts().slice(before)).toEqual(
      expect.arrayContaining([
        'DESCRIBE NETWORK POLICY SPCS_ACCESS_ANALYST_POLICY',
        'DESCRIBE NETWORK RULE ML_DB.SERVING.SPCS_ACCESS_ANALYST_RULE',
      ]),
    );
    expect(changes(before)).toEqual([]);

    await submit(t, viewId, {}, MANAGER);
    await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes('now also allows'));
    expect(changes(before)).toEqual([statement]);
    const rule = [...t.emulator.state.networkRules.values()].find((r) => r.name === 'SPCS_ACCESS_ANALYST_RULE');
    expect(rule?.values).toEqual(['198.51.100.7/32', '127.0.0.1/32']);
    expect(await freshLogin({ SNOWFLAKE_USER: 'ANALYST', SNOWFLAKE_ROLE: 'ANALYST' })).toBe('ANALYST');

    await click(t, viewId, 'access.open_network', MANAGER);
    await waitForView(t, viewId, 'access.network');
    const again = sqlTexts().length;
    await submit(t, viewId, { 'access.user': 'ANALYST', 'access.client_ip': '127.0.0.1' }, MANAGER);
    const view = await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes('already allows'));
    expect(viewText(view)).toContain('nothing to change');
    expect(changes(again)).toEqual([]);
  });

  it("when the bot's own user is chosen, then the confirmation carries a blocking warning naming the lock-out, nothing runs without ticking it, and ticked it does lock the bot out", async () => {
    const { viewId } = await openAccess(t, SERVICE, MANAGER);
    await click(t, viewId, 'access.open_network', MANAGER);
    await waitForView(t, viewId, 'access.network');
    const before = sqlTexts().length;
    await submit(t, viewId, { 'access.user': 'SPCS_BOT', 'access.client_ip': '203.0.113.9' }, MANAGER);
    const confirm = await waitForView(t, viewId, 'access.network_confirm');
    const text = viewText(confirm);
    expect(text).toContain("is the bot's own Snowflake user");
    expect(text).toContain("the bot's own logins from any address other than `203.0.113.9` are refused (Snowflake error 390422)");
    const refused = await submit(t, viewId, {}, MANAGER);
    expect(fieldErrors(refused)['access.ack_lockout']).toContain("refuse the bot's own logins");
    expect(changes(before)).toEqual([]);
    expect(await freshLogin()).toBe('SPCS_BOT');

    // Ticked, it runs, and the effect is the one named: the bot's next login from here is refused.
    await submit(t, viewId, { 'access.ack_lockout': ['ack'] }, MANAGER);
    await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes(':white_check_mark: User'));
    expect(changes(before)).toContain('ALTER USER SPCS_BOT SET NETWORK_POLICY = SPCS_ACCESS_SPCS_BOT_POLICY');
    await expect(freshLogin()).rejects.toMatchObject({ message: expect.stringContaining('is not allowed to access Snowflake') });
    const admin = clientFor(envFor(t.emulator, { SNOWFLAKE_USER: 'ADMIN', SNOWFLAKE_ROLE: 'ACCOUNTADMIN' }));
    try {
      await admin.query(sql`ALTER USER SPCS_BOT UNSET NETWORK_POLICY`, z.object({ status: z.string() }));
    } finally {
      await admin.close();
    }
    expect(await freshLogin()).toBe('SPCS_BOT');
  });

  it('when the account has a network policy and the user none of its own, then the flow says so and proposes nothing, and PATs of such users work', async () => {
    const admin = clientFor(envFor(t.emulator, { SNOWFLAKE_USER: 'ADMIN', SNOWFLAKE_ROLE: 'ACCOUNTADMIN' }));
    const status = z.object({ status: z.string() });
    try {
      await admin.query(sql`CREATE NETWORK RULE ML_DB.SERVING.OFFICE_RULE MODE = INGRESS TYPE = IPV4 VALUE_LIST = ('127.0.0.0/8')`, status);
      await admin.query(sql`CREATE NETWORK POLICY OFFICE_POLICY ALLOWED_NETWORK_RULE_LIST = ('ML_DB.SERVING.OFFICE_RULE')`, status);
      await admin.query(sql`ALTER ACCOUNT SET NETWORK_POLICY = OFFICE_POLICY`, status);
    } finally {
      await admin.close();
    }
    const { viewId, overview } = await openAccess(t, SERVICE, MANAGER);
    expect(viewText(overview)).toContain(
      'The account-level network policy `OFFICE_POLICY` governs every user without a policy of their own',
    );
    await click(t, viewId, 'access.open_network', MANAGER);
    await waitForView(t, viewId, 'access.network');
    const before = sqlTexts().length;
    await submit(t, viewId, { 'access.user': 'SPCS_BOT', 'access.client_ip': '127.0.0.1' }, MANAGER);
    const view = await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes('governs its logins'));
    expect(viewText(view)).toContain(
      'the account-level policy `OFFICE_POLICY` governs its logins. That satisfies the PAT rule; nothing to create.',
    );
    expect(t.fake.view(viewId)?.callback_id).not.toBe('access.network_confirm');
    expect(changes(before)).toEqual([]);
    expect(await freshLogin()).toBe('SPCS_BOT');
  });

  it('when a manager grants the service role, then a bad role is refused on the field and the GRANT runs after confirmation, audited', async () => {
    const { viewId } = await openAccess(t, SERVICE, MANAGER);
    await click(t, viewId, 'access.open_grant', MANAGER);
    await waitForView(t, viewId, 'access.grant');
    const bad = await submit(t, viewId, { 'access.role': 'DATA SCIENTIST' }, MANAGER);
    expect(fieldErrors(bad)['access.role']).toMatch(/^Role: /);

    await submit(t, viewId, { 'access.role': 'analyst' }, MANAGER);
    const statement = `GRANT SERVICE ROLE ${SERVICE}!ALL_ENDPOINTS_USAGE TO ROLE ANALYST`;
    expect(viewText(await waitForView(t, viewId, 'access.grant_confirm'))).toContain(statement);
    expect(sqlTexts()).not.toContain(statement);
    await submit(t, viewId, {}, MANAGER);
    await waitForView(t, viewId, 'access.overview', (v) => viewText(v).includes('may now call the endpoint'));
    expect(sqlTexts()).toContain(statement);
    const applied = (await auditEntries(t.keyPrefix)).filter((e) => e['event'] === 'change_applied' && e['detail'] === statement);
    expect(applied).toEqual([expect.objectContaining({ actor: MANAGER.id, target: SERVICE })]);
  });

  it('when the sample input has the wrong number of values, then the field says so and no request is sent', async () => {
    const viewId = await openTestForm();
    const requests = ingressRequests(t);
    const res = await sendTest(viewId, '5.1, 3.5', GOOD_PAT);
    expect(fieldErrors(res)['access.sample']).toContain('PREDICT takes 4 values');
    expect(fieldErrors(res)['access.sample']).toContain('got 2 values');
    const wrongType = await sendTest(viewId, '5.1, 3.5, wide, 0.2', GOOD_PAT);
    expect(fieldErrors(wrongType)['access.sample']).toContain('Value 3 (PETAL_LENGTH FLOAT) must be a number');
    expect(ingressRequests(t)).toBe(requests);
  });

  it('when tested with a good PAT, then the bot calls the ingress and shows HTTP 200 with the prediction', async () => {
    const requests = ingressRequests(t);
    const text = await testResult('5.1, 3.5, 1.4, 0.2', GOOD_PAT);
    expect(text).toContain('HTTP 200');
    expect(text).toContain('"CLASS": "setosa"');
    expect(text).toContain('{"data":[[0,5.1,3.5,1.4,0.2]]}');
    expect(ingressRequests(t)).toBe(requests + 1);
  });

  it('when tested with a bad PAT, then the result says clearly that the token was not accepted (401)', async () => {
    const text = await testResult('[6.3, 2.8, 5.1, 1.5]', BAD_PAT);
    expect(text).toContain('HTTP 401');
    expect(text).toContain('The token was not accepted');
  });

  it('after the REST tests, then no PAT is in any log line, Redis key or value, Slack call, view state or ack', async () => {
    const logs = t.logText();
    expect(logs).toContain('access REST test done'); // the logs were collected, at debug level
    expect(t.logs.some((l) => l['level'] === 20)).toBe(true);
    const redis = await dumpRedis(t.keyPrefix);
    expect(redis).toContain(':access:'); // sessions were stored
    // Args only: the fake's recorded responses hold live views, which the test itself types into.
    const calls = JSON.stringify(t.fake.calls().map((c) => [c.method, c.args]));
    expect(calls).toContain('views.update');
    // A form answered with field errors still holds what the person typed, as in Slack; a sent request's view does not.
    expect(resultViews).toHaveLength(2);
    const views = JSON.stringify(resultViews.map((id) => t.fake.view(id)));
    for (const pat of [GOOD_PAT, BAD_PAT]) {
      expect(logs).not.toContain(pat);
      expect(redis).not.toContain(pat);
      expect(calls).not.toContain(pat);
      expect(views).not.toContain(pat);
      for (const body of ackBodies) expect(body).not.toContain(pat);
    }
  });
});
