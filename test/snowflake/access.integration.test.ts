/**
 * Who the bot is and who may call a service, through the real driver against the emulator:
 * identity, grants, the ALL_ENDPOINTS_USAGE service role and the network policy a PAT needs.
 */
import { describe, expect, it } from 'vitest';
import {
  createIngressNetworkRule,
  createNetworkPolicy,
  currentIdentity,
  getUserNetworkPolicy,
  grantEndpointUsage,
  parseIpv4,
  setUserNetworkPolicy,
  showGrantsToRole,
} from '../../src/snowflake/access-queries.js';
import type { SnowflakeClient } from '../../src/snowflake/client.js';
import { identifierFromSnowflake, requireQualifiedName } from '../../src/snowflake/identifiers.js';
import { clientFor, envFor, type Emulator, useEmulatorClient } from './support/emulator.js';

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
    await expect(grantEndpointUsage(db, IRIS_SVC, id('NO_SUCH_ROLE'))).rejects.toMatchObject({ kind: 'not_found', failure: { objectKind: 'role' } });
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
