import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  describeConfig,
  parseSnowflakeEnv,
  secretsOf,
  SnowflakeEnvSchema,
  SnowflakeEnvVars,
} from '../../src/snowflake/connection-config.js';
import { toDriverOptions } from '../../src/snowflake/driver.js';

const SECRET = 'pw-Sup3r-secret';

function problemsOf(env: Record<string, string>): readonly string[] {
  const r = parseSnowflakeEnv(env);
  return r.ok ? [] : r.problems;
}

describe('parseSnowflakeEnv', () => {
  it('when account, user and password are set, then it logs in with a password', () => {
    const r = parseSnowflakeEnv({
      SNOWFLAKE_ACCOUNT: 'myorg-acct',
      SNOWFLAKE_USER: 'bot',
      SNOWFLAKE_PASSWORD: SECRET,
      SNOWFLAKE_ROLE: 'DEPLOYER',
      SNOWFLAKE_WAREHOUSE: 'WH',
      SNOWFLAKE_ACCESS_URL: 'http://127.0.0.1:8080/',
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      source: 'env',
      account: 'myorg-acct',
      user: 'bot',
      role: 'DEPLOYER',
      warehouse: 'WH',
      accessUrl: 'http://127.0.0.1:8080',
      auth: { method: 'password' },
    });
    expect(toDriverOptions(r.config)).toMatchObject({
      account: 'myorg-acct',
      username: 'bot',
      password: SECRET,
      authenticator: 'SNOWFLAKE',
      accessUrl: 'http://127.0.0.1:8080',
    });
    expect(secretsOf(r.config)).toEqual([SECRET]);
  });

  it('never shows a secret when the config is logged, serialised or described', () => {
    const r = parseSnowflakeEnv({ SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_USER: 'u', SNOWFLAKE_PASSWORD: SECRET });
    if (!r.ok) throw new Error('expected ok');
    expect(JSON.stringify(r.config)).not.toContain(SECRET);
    expect(inspect(r.config, { depth: 10 })).not.toContain(SECRET);
    expect(`${describeConfig(r.config)}`).not.toContain(SECRET);
  });

  it('infers key pair from SNOWFLAKE_PRIVATE_KEY_PATH', () => {
    const r = parseSnowflakeEnv({
      SNOWFLAKE_ACCOUNT: 'a',
      SNOWFLAKE_USER: 'u',
      SNOWFLAKE_PRIVATE_KEY_PATH: '/keys/rsa.p8',
      SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: SECRET,
    });
    expect(r.ok && toDriverOptions(r.config)).toMatchObject({
      authenticator: 'SNOWFLAKE_JWT',
      privateKeyPath: '/keys/rsa.p8',
      privateKeyPass: SECRET,
    });
  });

  it.each(['PROGRAMMATIC_ACCESS_TOKEN', 'oauth'])('uses SNOWFLAKE_TOKEN with SNOWFLAKE_AUTHENTICATOR=%s', (authenticator) => {
    const r = parseSnowflakeEnv({
      SNOWFLAKE_ACCOUNT: 'a',
      SNOWFLAKE_USER: 'u',
      SNOWFLAKE_AUTHENTICATOR: authenticator,
      SNOWFLAKE_TOKEN: SECRET,
    });
    expect(r.ok && toDriverOptions(r.config)).toMatchObject({ authenticator: authenticator.toUpperCase(), token: SECRET });
  });

  it('lets an OAuth token stand without a user', () => {
    expect(parseSnowflakeEnv({ SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_AUTHENTICATOR: 'OAUTH', SNOWFLAKE_TOKEN: 't' }).ok).toBe(true);
  });

  it('uses connections.toml when SNOWFLAKE_CONNECTION_NAME is set', () => {
    const r = parseSnowflakeEnv({ SNOWFLAKE_CONNECTION_NAME: 'prod' });
    expect(r).toEqual({ ok: true, config: { source: 'connections_toml', connectionName: 'prod' } });
    expect(r.ok && toDriverOptions(r.config)).toBeUndefined();
  });

  it.each<[Record<string, string>, string[]]>([
    [
      {},
      [
        'SNOWFLAKE_ACCOUNT: required (e.g. myorg-myaccount), or set SNOWFLAKE_CONNECTION_NAME',
        'SNOWFLAKE_PASSWORD, SNOWFLAKE_PRIVATE_KEY_PATH or SNOWFLAKE_TOKEN: one is required (or set SNOWFLAKE_CONNECTION_NAME)',
      ],
    ],
    [{ SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_AUTHENTICATOR: 'OAUTH' }, ['SNOWFLAKE_TOKEN: required when SNOWFLAKE_AUTHENTICATOR=OAUTH']],
    [
      { SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_USER: 'u', SNOWFLAKE_TOKEN: SECRET },
      ['SNOWFLAKE_AUTHENTICATOR: required with SNOWFLAKE_TOKEN, PROGRAMMATIC_ACCESS_TOKEN or OAUTH'],
    ],
    [{ SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_PASSWORD: SECRET }, ['SNOWFLAKE_USER: required when SNOWFLAKE_AUTHENTICATOR=SNOWFLAKE']],
    [
      { SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_USER: 'u', SNOWFLAKE_PASSWORD: SECRET, SNOWFLAKE_PRIVATE_KEY_PATH: '/k' },
      ['SNOWFLAKE_PASSWORD, SNOWFLAKE_PRIVATE_KEY_PATH: set only one credential'],
    ],
    [
      {
        SNOWFLAKE_ACCOUNT: 'a',
        SNOWFLAKE_USER: 'u',
        SNOWFLAKE_AUTHENTICATOR: 'SNOWFLAKE_JWT',
        SNOWFLAKE_PRIVATE_KEY_PATH: '/k',
        SNOWFLAKE_PASSWORD: SECRET,
      },
      ['SNOWFLAKE_PASSWORD: not used when SNOWFLAKE_AUTHENTICATOR=SNOWFLAKE_JWT; unset it'],
    ],
    [
      { SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_USER: 'u', SNOWFLAKE_AUTHENTICATOR: 'EXTERNALBROWSER' },
      ['SNOWFLAKE_AUTHENTICATOR: expected one of SNOWFLAKE, SNOWFLAKE_JWT, PROGRAMMATIC_ACCESS_TOKEN, OAUTH'],
    ],
    [
      { SNOWFLAKE_ACCOUNT: 'a b', SNOWFLAKE_USER: 'u', SNOWFLAKE_PASSWORD: SECRET },
      ['SNOWFLAKE_ACCOUNT: expected an account identifier such as myorg-myaccount (letters, digits, -, _ or .)'],
    ],
    [
      { SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_USER: 'u', SNOWFLAKE_PASSWORD: SECRET, SNOWFLAKE_ACCESS_URL: 'ftp://x' },
      ['SNOWFLAKE_ACCESS_URL: expected an http(s) base URL such as https://myorg-myaccount.privatelink.snowflakecomputing.com'],
    ],
    [
      { SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_USER: 'u', SNOWFLAKE_PASSWORD: SECRET, SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: SECRET },
      ['SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: only used with SNOWFLAKE_PRIVATE_KEY_PATH; unset it'],
    ],
    [
      { SNOWFLAKE_CONNECTION_NAME: 'prod', SNOWFLAKE_PASSWORD: SECRET },
      ['SNOWFLAKE_PASSWORD: not used with SNOWFLAKE_CONNECTION_NAME (settings come from connections.toml); unset one of them'],
    ],
  ])('reports what is wrong with %j', (env, expected) => {
    const problems = problemsOf(env);
    expect(problems).toEqual(expected);
    expect(problems.join('\n')).not.toContain(SECRET);
  });

  it('treats blank variables as unset', () => {
    expect(parseSnowflakeEnv({ SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_USER: 'u', SNOWFLAKE_PASSWORD: SECRET, SNOWFLAKE_TOKEN: '  ' }).ok).toBe(
      true,
    );
  });
});

describe('SnowflakeEnvSchema', () => {
  it('composes into an app-level schema and reports issues under the variable name', () => {
    const App = z.object({ PORT: z.string().optional() }).extend(SnowflakeEnvVars.shape);
    expect(App.safeParse({ SNOWFLAKE_ACCOUNT: 'a' }).success).toBe(true);
    const r = SnowflakeEnvSchema.safeParse({ SNOWFLAKE_ACCOUNT: 'a', SNOWFLAKE_AUTHENTICATOR: 'OAUTH' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['SNOWFLAKE_TOKEN'], message: 'required when SNOWFLAKE_AUTHENTICATOR=OAUTH' });
    const ok = SnowflakeEnvSchema.safeParse({ SNOWFLAKE_CONNECTION_NAME: 'dev' });
    expect(ok.success && ok.data).toEqual({ source: 'connections_toml', connectionName: 'dev' });
  });
});
