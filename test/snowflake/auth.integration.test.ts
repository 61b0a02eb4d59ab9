/**
 * Every login method through the real snowflake-sdk driver against the emulator: password, key pair
 * (plain and encrypted PKCS#8 written to a temp file), PAT, OAuth and connections.toml; and how each
 * refused login is reported.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentIdentity } from '../../src/snowflake/access-queries.js';
import { createSnowflakeClient, type SnowflakeClient } from '../../src/snowflake/client.js';
import { parseSnowflakeEnv } from '../../src/snowflake/connection-config.js';
import { SnowflakeError } from '../../src/snowflake/errors.js';
import { clientFor, envFor, startFrozenEmulator, writeConnectionsToml, type Emulator } from './support/emulator.js';

const PASSPHRASE = 'correct horse battery staple';

function rsaKeyPair(passphrase?: string) {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding:
      passphrase === undefined ? { type: 'pkcs8', format: 'pem' } : { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
  });
}

const plainKey = rsaKeyPair();
const encryptedKey = rsaKeyPair(PASSPHRASE);
const strangerKey = rsaKeyPair();

let emu: Emulator;
let dir: string;
const clients: SnowflakeClient[] = [];
const track = (client: SnowflakeClient) => {
  clients.push(client);
  return client;
};

beforeAll(async () => {
  // An authentication policy lifting the PAT rule (PATs need a network policy by default; test/snowflake/access.integration.test.ts covers that).
  emu = await startFrozenEmulator({
    botUser: { publicKeyPem: [plainKey.publicKey, encryptedKey.publicKey] },
    patNetworkPolicyEvaluation: 'ENFORCED_NOT_REQUIRED',
  });
  dir = mkdtempSync(join(tmpdir(), 'spcs-auth-'));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeSecretFile(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode });
  chmodSync(path, mode); // the umask may have narrowed it; tests need the exact mode
  return path;
}

async function expectLoggedInAsBot(client: SnowflakeClient): Promise<void> {
  expect(await client.ping()).toMatchObject({ ok: true });
  expect(await currentIdentity(client)).toEqual({ user: 'SPCS_BOT', role: 'SPCS_OPERATOR' });
}

describe('when the bot logs in', () => {
  it('with a password, then queries run as the bot', async () => {
    await expectLoggedInAsBot(track(clientFor(envFor(emu))));
  });

  it('with a key pair from a file, then queries run as the bot', async () => {
    const path = writeSecretFile('rsa_key.p8', plainKey.privateKey);
    const env = envFor(emu, { SNOWFLAKE_PASSWORD: undefined, SNOWFLAKE_PRIVATE_KEY_PATH: path });
    await expectLoggedInAsBot(track(clientFor(env)));
  });

  it('with an encrypted key and its passphrase, then queries run as the bot', async () => {
    const path = writeSecretFile('rsa_key_enc.p8', encryptedKey.privateKey);
    const env = envFor(emu, {
      SNOWFLAKE_PASSWORD: undefined,
      SNOWFLAKE_AUTHENTICATOR: 'SNOWFLAKE_JWT',
      SNOWFLAKE_PRIVATE_KEY_PATH: path,
      SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: PASSPHRASE,
    });
    await expectLoggedInAsBot(track(clientFor(env)));
  });

  it('with a programmatic access token, then queries run as the bot', async () => {
    const env = envFor(emu, {
      SNOWFLAKE_PASSWORD: undefined,
      SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN',
      SNOWFLAKE_TOKEN: emu.credentials.pat,
    });
    await expectLoggedInAsBot(track(clientFor(env)));
  });

  it('with an OAuth token, then queries run as the bot', async () => {
    const env = envFor(emu, {
      SNOWFLAKE_PASSWORD: undefined,
      SNOWFLAKE_AUTHENTICATOR: 'OAUTH',
      SNOWFLAKE_TOKEN: emu.credentials.oauthToken,
    });
    await expectLoggedInAsBot(track(clientFor(env)));
  });

  it('with a named connection from connections.toml (mode 0600), then queries run as the bot', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    writeConnectionsToml(home, emu);
    const saved = { home: process.env.SNOWFLAKE_HOME, name: process.env.SNOWFLAKE_DEFAULT_CONNECTION_NAME };
    process.env.SNOWFLAKE_HOME = home;
    try {
      const parsed = parseSnowflakeEnv({ SNOWFLAKE_CONNECTION_NAME: 'emulator' });
      if (!parsed.ok) throw new Error(parsed.problems.join());
      await expectLoggedInAsBot(track(createSnowflakeClient(parsed.config)));
      expect(process.env.SNOWFLAKE_DEFAULT_CONNECTION_NAME).toBe('emulator');

      // A section that is not in the file is a configuration error, raised before any login.
      const missing = parseSnowflakeEnv({ SNOWFLAKE_CONNECTION_NAME: 'absent' });
      if (!missing.ok) throw new Error(missing.problems.join());
      expect(() => createSnowflakeClient(missing.config)).toThrow(
        expect.objectContaining({ kind: 'configuration', message: expect.stringContaining('absent') }),
      );

      // A file others may write to is refused by the driver; we say so up front.
      chmodSync(join(home, 'connections.toml'), 0o666);
      expect(() => createSnowflakeClient(parsed.config)).toThrow(expect.objectContaining({ kind: 'configuration' }));
    } finally {
      if (saved.home === undefined) delete process.env.SNOWFLAKE_HOME;
      else process.env.SNOWFLAKE_HOME = saved.home;
      if (saved.name === undefined) delete process.env.SNOWFLAKE_DEFAULT_CONNECTION_NAME;
      else process.env.SNOWFLAKE_DEFAULT_CONNECTION_NAME = saved.name;
    }
  });
});

describe('when a login is refused', () => {
  async function refusal(env: Record<string, string | undefined>): Promise<SnowflakeError> {
    const client = track(clientFor(env));
    const ping = await client.ping();
    if (ping.ok) throw new Error('expected the login to fail');
    // A statement fails the same way as the readiness check.
    const err = await currentIdentity(client).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SnowflakeError);
    expect(err).toMatchObject({ kind: ping.error.kind });
    return ping.error;
  }

  it('with a wrong password, then it is bad_credentials and the password is not in the message', async () => {
    const secret = 'wrong-Passw0rd-xyz';
    const err = await refusal(envFor(emu, { SNOWFLAKE_PASSWORD: secret }));
    expect(err.kind).toBe('bad_credentials');
    expect(err.message).not.toContain(secret);
  });

  it('with an unknown PAT, then it is bad_credentials', async () => {
    const secret = 'pat-not-a-real-token';
    const err = await refusal(
      envFor(emu, { SNOWFLAKE_PASSWORD: undefined, SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN', SNOWFLAKE_TOKEN: secret }),
    );
    expect(err.kind).toBe('bad_credentials');
    expect(err.message).not.toContain(secret);
  });

  it('with an expired OAuth token, then it is bad_credentials', async () => {
    const err = await refusal(
      envFor(emu, { SNOWFLAKE_PASSWORD: undefined, SNOWFLAKE_AUTHENTICATOR: 'OAUTH', SNOWFLAKE_TOKEN: emu.credentials.expiredOauthToken }),
    );
    expect(err.kind).toBe('bad_credentials');
    expect(err.message).not.toContain(emu.credentials.expiredOauthToken);
  });

  it('with a key the user has not registered, then it is bad_credentials', async () => {
    const path = writeSecretFile('stranger.p8', strangerKey.privateKey);
    const err = await refusal(envFor(emu, { SNOWFLAKE_PASSWORD: undefined, SNOWFLAKE_PRIVATE_KEY_PATH: path }));
    expect(err.kind).toBe('bad_credentials');
  });

  it('with a wrong key passphrase, then it is bad_credentials and the passphrase is not in the message', async () => {
    const path = writeSecretFile('rsa_key_enc2.p8', encryptedKey.privateKey);
    const secret = 'not the passphrase';
    const err = await refusal(
      envFor(emu, { SNOWFLAKE_PASSWORD: undefined, SNOWFLAKE_PRIVATE_KEY_PATH: path, SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: secret }),
    );
    expect(err.kind).toBe('bad_credentials');
    expect(err.message).not.toContain(secret);
  });

  it('with a key file that is not there, then it is a configuration problem', async () => {
    const err = await refusal(envFor(emu, { SNOWFLAKE_PASSWORD: undefined, SNOWFLAKE_PRIVATE_KEY_PATH: join(dir, 'missing.p8') }));
    expect(err.kind).toBe('configuration');
  });

  it('with a role the user does not have, then it is a configuration problem', async () => {
    const err = await refusal(envFor(emu, { SNOWFLAKE_ROLE: 'ACCOUNTADMIN' }));
    expect(err.kind).toBe('configuration');
  });
});
