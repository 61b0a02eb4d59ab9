/**
 * Who the bot is and who may call a service, through the real driver against the emulator:
 * identity, grants, the ALL_ENDPOINTS_USAGE service role and the network policy a PAT needs.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSnowflakeClient } from '../../src/snowflake/client.js';
import { sql } from '../../src/snowflake/sql.js';
import {
  accessStatements,
  createIngressNetworkRule,
  createNetworkPolicy,
  currentIdentity,
  describeNetworkPolicy,
  describeNetworkRule,
  getAccountNetworkPolicy,
  getUserNetworkPolicy,
  grantEndpointUsage,
  parseIpv4,
  runAccessStatement,
  setUserNetworkPolicy,
  showGrantsToRole,
} from '../../src/snowflake/access-queries.js';
import { isPrivateLinkConfig, parseSnowflakeEnv } from '../../src/snowflake/connection-config.js';
import { getInferenceEndpoint, listServiceEndpoints } from '../../src/snowflake/service-queries.js';
import type { SnowflakeClient } from '../../src/snowflake/client.js';
import { identifierFromSnowflake, requireQualifiedName } from '../../src/snowflake/identifiers.js';
import { clientFor, envFor, startFrozenEmulator, type Emulator, useEmulatorClient } from './support/emulator.js';

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

describe('identity and grants', () => {
  it('reports the current user and role', async () => {
    expect(await currentIdentity(db)).toEqual({ user: 'SPCS_BOT', role: 'SPCS_OPERATOR' });
  });

  it('lists the grants of a role', async () => {
    const grants = await showGrantsToRole(db, id('SPCS_OPERATOR'));
    expect(grants).toContainEqual(expect.objectContaining({ privilege: 'USAGE', grantedOn: 'COMPUTE_POOL', name: 'CPU_XS_POOL' }));
    expect(grants).toContainEqual(expect.objectContaining({ privilege: 'BIND SERVICE ENDPOINT', grantedOn: 'ACCOUNT' }));
  });

  it('grants ALL_ENDPOINTS_USAGE on a service to a role', async () => {
    expect(await grantEndpointUsage(db, IRIS_SVC, id('ANALYST'))).toBe('Statement executed successfully.');
    // Only an administrator may read another role's grants.
    const admin = clientFor(envFor(emu, { SNOWFLAKE_USER: 'ADMIN', SNOWFLAKE_ROLE: 'ACCOUNTADMIN' }));
    try {
      const grants = await showGrantsToRole(admin, id('ANALYST'));
      expect(grants.map((g) => g.name)).toContain('ML_DB.SERVING.IRIS_SVC!ALL_ENDPOINTS_USAGE');
    } finally {
      await admin.close();
    }
    await expect(showGrantsToRole(db, id('ANALYST'))).rejects.toMatchObject({ kind: 'insufficient_privileges' });
  });

  it('when the role does not exist, then the grant is not_found', async () => {
    await expect(grantEndpointUsage(db, IRIS_SVC, id('NO_SUCH_ROLE'))).rejects.toMatchObject({
      kind: 'not_found',
      failure: { objectKind: 'role' },
    });
  });
});

describe('network policy for PAT access', () => {
  const rule = requireQualifiedName('ML_DB.SERVING.BOT_CLIENT_RULE', 'test', 3);

  it('creates an ingress rule and a policy, sets it on the bot user, and reads it back', async () => {
    expect(await getUserNetworkPolicy(db, id('SPCS_BOT'))).toBeNull();
    // 127.0.0.1: the emulator enforces policies on login, and the tests log in from there.
    expect(await createIngressNetworkRule(db, rule, ip('127.0.0.1'))).toMatch(/created/);
    expect(await createNetworkPolicy(db, id('BOT_CLIENT_POLICY'), rule)).not.toBe('');
    expect(await setUserNetworkPolicy(db, id('SPCS_BOT'), id('BOT_CLIENT_POLICY'))).toBe('Statement executed successfully.');
    expect(await getUserNetworkPolicy(db, id('SPCS_BOT'))).toBe('BOT_CLIENT_POLICY');
  });

  it('when the rule already exists, then it is already_exists', async () => {
    await expect(createIngressNetworkRule(db, rule, ip('127.0.0.1'))).rejects.toMatchObject({
      kind: 'already_exists',
      code: '002002',
    });
  });

  it('when the bot may not read another user, then it is insufficient_privileges naming the user', async () => {
    await expect(getUserNetworkPolicy(db, id('ANALYST'))).rejects.toMatchObject({
      kind: 'insufficient_privileges',
      failure: { objectKind: 'user', objectName: 'ANALYST' },
    });
  });
});

/** A fresh login as `user` (password), answering with its first query's outcome. */
async function loginAs(env: Record<string, string | undefined>): Promise<string> {
  const client = clientFor(envFor(emu, env), { retryAttempts: 1 });
  try {
    return (await currentIdentity(client)).user;
  } finally {
    await client.close();
  }
}

async function asAdmin<T>(work: (admin: SnowflakeClient) => Promise<T>): Promise<T> {
  const admin = clientFor(envFor(emu, { SNOWFLAKE_USER: 'ADMIN', SNOWFLAKE_ROLE: 'ACCOUNTADMIN' }));
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}

describe('network policies that govern logins, and the PAT rule', () => {
  const analystRule = requireQualifiedName('ML_DB.SERVING.ANALYST_RULE', 'test', 3);
  const openRule = requireQualifiedName('ML_DB.SERVING.LOOPBACK_RULE', 'test', 3);
  const analystPat = () => ({
    SNOWFLAKE_USER: 'ANALYST',
    SNOWFLAKE_PASSWORD: undefined,
    SNOWFLAKE_ROLE: 'ANALYST',
    SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN',
    SNOWFLAKE_TOKEN: emu.credentials.analystPat,
  });

  it('when the user is subject to no network policy, then its PAT is refused at login', async () => {
    await expect(loginAs(analystPat())).rejects.toMatchObject({
      kind: 'bad_credentials',
      message: expect.stringContaining('must be subject to a network policy'),
    });
  });

  it('when a user-level policy excludes the client address, then that user is refused with 390422 and the other users are not', async () => {
    await createIngressNetworkRule(db, analystRule, ip('198.51.100.7'));
    await createNetworkPolicy(db, id('ANALYST_POLICY'), analystRule);
    await asAdmin((admin) => setUserNetworkPolicy(admin, id('ANALYST'), id('ANALYST_POLICY')));
    // 390422: the driver surfaces Snowflake's message.
    await expect(loginAs({ SNOWFLAKE_USER: 'ANALYST', SNOWFLAKE_ROLE: 'ANALYST' })).rejects.toMatchObject({
      message: expect.stringContaining('Incoming request with IP/Token 127.0.0.1 is not allowed'),
    });
    expect(await loginAs({})).toBe('SPCS_BOT');
  });

  it('describes a policy and its rule, and adding an address keeps the old entries; the user then logs in again', async () => {
    const policy = await describeNetworkPolicy(db, id('ANALYST_POLICY'));
    expect(policy.allowedRules.map((r) => r.sql)).toEqual(['ML_DB.SERVING.ANALYST_RULE']);
    expect(await describeNetworkRule(db, analystRule)).toEqual({ type: 'IPV4', mode: 'INGRESS', values: ['198.51.100.7/32'] });
    const statement = accessStatements.addToRule(analystRule, ['198.51.100.7/32'], ip('127.0.0.1'));
    expect(statement.text).toBe("ALTER NETWORK RULE ML_DB.SERVING.ANALYST_RULE SET VALUE_LIST = ('198.51.100.7/32', '127.0.0.1/32')");
    expect(await runAccessStatement(db, statement)).toBe('Statement executed successfully.');
    expect((await describeNetworkRule(db, analystRule))?.values).toEqual(['198.51.100.7/32', '127.0.0.1/32']);
    expect(await loginAs({ SNOWFLAKE_USER: 'ANALYST', SNOWFLAKE_ROLE: 'ANALYST' })).toBe('ANALYST');
    expect(await loginAs(analystPat())).toBe('ANALYST'); // now subject to a policy with a rule: the PAT works
  });

  it('when the bot may not read a policy or rule it does not own, then it is insufficient_privileges', async () => {
    const adminRule = requireQualifiedName('ML_DB.SERVING.ADMIN_RULE', 'test', 3);
    await asAdmin(async (admin) => {
      await createIngressNetworkRule(admin, adminRule, ip('10.0.0.1'));
      await createNetworkPolicy(admin, id('ADMIN_POLICY'), adminRule);
    });
    await expect(describeNetworkPolicy(db, id('ADMIN_POLICY'))).rejects.toMatchObject({
      kind: expect.stringMatching(/insufficient_privileges|not_found/),
    });
    await expect(describeNetworkRule(db, adminRule)).rejects.toMatchObject({
      kind: expect.stringMatching(/insufficient_privileges|not_found/),
    });
  });

  it('reads the account-level policy, which then governs users without their own (their PATs included)', async () => {
    expect(await getAccountNetworkPolicy(db)).toBeNull();
    await createIngressNetworkRule(db, openRule, ip('127.0.0.1'));
    await createNetworkPolicy(db, id('ACCOUNT_LOOPBACK'), openRule);
    await asAdmin((admin) => admin.query(sql`ALTER ACCOUNT SET NETWORK_POLICY = ACCOUNT_LOOPBACK`, z.object({ status: z.string() })));
    expect(await getAccountNetworkPolicy(db)).toBe('ACCOUNT_LOOPBACK');
    // ANALYST's own policy still wins over the account's; SPCS_BOT has its own from the block above.
    expect(await getUserNetworkPolicy(db, id('SPCS_BOT'))).toBe('BOT_CLIENT_POLICY');
  });
});

describe('PrivateLink: privatelink_ingress_url on a Business Critical account', () => {
  it('decides from the connection host, as snowflake-ml-python does (it contains privatelink.snowflake)', () => {
    const privateLinkOf = (env: Record<string, string | undefined>) => {
      const parsed = parseSnowflakeEnv({ SNOWFLAKE_USER: 'SPCS_BOT', SNOWFLAKE_PASSWORD: 'x', ...env });
      if (!parsed.ok) throw new Error(parsed.problems.join('; '));
      return isPrivateLinkConfig(parsed.config);
    };
    expect(privateLinkOf({ SNOWFLAKE_ACCOUNT: 'xy12345.us-east-1.privatelink' })).toBe(true);
    expect(
      privateLinkOf({
        SNOWFLAKE_ACCOUNT: 'myorg-myaccount',
        SNOWFLAKE_ACCESS_URL: 'https://myorg-myaccount.privatelink.snowflakecomputing.com',
      }),
    ).toBe(true);
    expect(privateLinkOf({ SNOWFLAKE_ACCOUNT: 'myorg-myaccount' })).toBe(false);
    expect(privateLinkOf({ SNOWFLAKE_ACCOUNT: 'myorg-myaccount', SNOWFLAKE_ACCESS_URL: 'http://127.0.0.1:8085' })).toBe(false);
  });

  it('is absent on other accounts, present here, and used only when the connection goes over PrivateLink', async () => {
    expect((await listServiceEndpoints(db, IRIS_SVC)).find((e) => e.name === 'inference')?.privatelinkIngressUrl ?? null).toBeNull();
    const bc = await startFrozenEmulator({ privateLink: true });
    const publicDb = clientFor(envFor(bc));
    // The driver reaches the PrivateLink host through the emulator acting as an HTTP proxy.
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = bc.url;
    process.env.NO_PROXY = '127.0.0.1,localhost';
    const privateDb = clientFor(envFor(bc, { SNOWFLAKE_ACCESS_URL: `http://emuacct.privatelink.snowflakecomputing.com:${bc.port}` }));
    try {
      bc.clock.advance(10 * 60_000);
      const host = bc.service('IRIS_SVC')?.endpoints.find((e) => e.name === 'inference')?.host ?? 'missing';
      const privateHost = host.replace('.snowflakecomputing.app', '.privatelink.snowflakecomputing.app');
      expect((await listServiceEndpoints(publicDb, IRIS_SVC)).find((e) => e.name === 'inference')?.privatelinkIngressUrl).toBe(privateHost);
      expect(publicDb.privateLink).toBe(false);
      expect(await getInferenceEndpoint(publicDb, IRIS_SVC)).toMatchObject({ state: 'ready', url: `https://${host}` });
      expect(privateDb.privateLink).toBe(true);
      expect(await getInferenceEndpoint(privateDb, IRIS_SVC)).toMatchObject({ state: 'ready', url: `https://${privateHost}` });
    } finally {
      process.env.HTTP_PROXY = saved.HTTP_PROXY;
      process.env.NO_PROXY = saved.NO_PROXY;
      if (saved.HTTP_PROXY === undefined) delete process.env.HTTP_PROXY;
      if (saved.NO_PROXY === undefined) delete process.env.NO_PROXY;
      await privateDb.close();
      await publicDb.close();
      await bc.close();
    }
  });
  it('with a connections.toml connection, then its host or account decides too, and endpoints follow', async () => {
    const bc = await startFrozenEmulator({ privateLink: true });
    const home = mkdtempSync(join(tmpdir(), 'spcs-toml-pl-'));
    const file = join(home, 'connections.toml');
    const c = bc.credentials;
    const login = [`user = "${c.user}"`, `password = "${c.password}"`, `role = "${c.role}"`, `port = ${bc.port}`, 'protocol = "http"'];
    writeFileSync(
      file,
      [
        '[private_host]',
        `account = "${c.account}"`,
        'host = "emuacct.privatelink.snowflakecomputing.com"',
        ...login,
        '',
        '[private_account]',
        'account = "xy12345.us-east-1.privatelink"',
        ...login,
        '',
        '[public]',
        `account = "${c.account}"`,
        'host = "127.0.0.1"',
        ...login,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    chmodSync(file, 0o600);
    const saved = {
      HOME: process.env.SNOWFLAKE_HOME,
      NAME: process.env.SNOWFLAKE_DEFAULT_CONNECTION_NAME,
      HTTP_PROXY: process.env.HTTP_PROXY,
      NO_PROXY: process.env.NO_PROXY,
    };
    process.env.SNOWFLAKE_HOME = home;
    process.env.HTTP_PROXY = bc.url;
    process.env.NO_PROXY = '127.0.0.1,localhost';
    const tomlClient = (name: string): SnowflakeClient => {
      const parsed = parseSnowflakeEnv({ SNOWFLAKE_CONNECTION_NAME: name });
      if (!parsed.ok) throw new Error(parsed.problems.join());
      return createSnowflakeClient(parsed.config, { useEnvProxy: true });
    };
    const privateDb = tomlClient('private_host');
    const accountDb = tomlClient('private_account');
    const publicDb = tomlClient('public');
    try {
      expect(privateDb.privateLink).toBe(true);
      expect(accountDb.privateLink).toBe(true);
      expect(publicDb.privateLink).toBe(false);
      bc.clock.advance(10 * 60_000);
      const host = bc.service('IRIS_SVC')?.endpoints.find((e) => e.name === 'inference')?.host ?? 'missing';
      const privateHost = host.replace('.snowflakecomputing.app', '.privatelink.snowflakecomputing.app');
      // Through the real driver, over the PrivateLink host (the emulator proxies it).
      expect(await getInferenceEndpoint(privateDb, IRIS_SVC)).toMatchObject({ state: 'ready', url: `https://${privateHost}` });
      expect(await getInferenceEndpoint(publicDb, IRIS_SVC)).toMatchObject({ state: 'ready', url: `https://${host}` });
    } finally {
      for (const [k, v] of Object.entries({
        SNOWFLAKE_HOME: saved.HOME,
        SNOWFLAKE_DEFAULT_CONNECTION_NAME: saved.NAME,
        HTTP_PROXY: saved.HTTP_PROXY,
        NO_PROXY: saved.NO_PROXY,
      })) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await privateDb.close();
      await accountDb.close();
      await publicDb.close();
      await bc.close();
    }
  });
});
