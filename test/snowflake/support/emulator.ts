import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../emulator/index.js';
import { createSnowflakeClient, type ClientOptions, type SnowflakeClient } from '../../../src/snowflake/client.js';
import { parseSnowflakeEnv } from '../../../src/snowflake/connection-config.js';

export type { Emulator } from '../../../emulator/index.js';

/** An emulator with a frozen clock: tests move time with `emu.clock.advance(ms)`. */
export function startFrozenEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ speed: 0, ...options });
}

/** The bot's environment for the emulator, password login unless overridden. */
export function envFor(emu: Emulator, overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    SNOWFLAKE_ACCOUNT: emu.credentials.account,
    SNOWFLAKE_USER: emu.credentials.user,
    SNOWFLAKE_PASSWORD: emu.credentials.password,
    SNOWFLAKE_ROLE: emu.credentials.role,
    SNOWFLAKE_WAREHOUSE: 'COMPUTE_WH',
    SNOWFLAKE_ACCESS_URL: emu.url,
    ...overrides,
  };
}

/**
 * Writes `<home>/connections.toml` (mode 0600, as the driver demands) with `[other]` (an unrelated
 * account) and `[emulator]`, a password login as the bot over plain http.
 */
export function writeConnectionsToml(home: string, emu: Emulator, other = 'other'): string {
  const url = new URL(emu.url);
  const file = join(home, 'connections.toml');
  writeFileSync(
    file,
    [
      `[${other}]`,
      'account = "NOPE"',
      '',
      '[emulator]',
      `account = "${emu.credentials.account}"`,
      `user = "${emu.credentials.user}"`,
      `password = "${emu.credentials.password}"`,
      `role = "${emu.credentials.role}"`,
      `host = "${url.hostname}"`,
      `port = ${url.port}`,
      'protocol = "http"',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  chmodSync(file, 0o600);
  return file;
}

/** A client built exactly the way the app builds one: environment → parseSnowflakeEnv → createSnowflakeClient. */
export function clientFor(env: Record<string, string | undefined>, options: ClientOptions = {}): SnowflakeClient {
  const parsed = parseSnowflakeEnv(env);
  if (!parsed.ok) throw new Error(`test env is invalid: ${parsed.problems.join('; ')}`);
  return createSnowflakeClient(parsed.config, { resultPollMs: 20, retryBaseDelayMs: 10, ...options });
}

/**
 * One frozen emulator and one client for the whole file. After the file, the emulator must have
 * seen no SQL outside the contract except `expectedUnsupported` (null: not checked).
 */
export function useEmulatorClient(
  ready: (emu: Emulator, db: SnowflakeClient) => Promise<void> | void,
  expectedUnsupported: readonly string[] | null = [],
): void {
  let emu: Emulator | undefined;
  let db: SnowflakeClient | undefined;
  beforeAll(async () => {
    emu = await startFrozenEmulator();
    db = clientFor(envFor(emu));
    await ready(emu, db);
  });
  afterAll(async () => {
    await db?.close();
    if (expectedUnsupported !== null) expect(emu?.unsupportedSql().map((e) => e.sqlText)).toEqual(expectedUnsupported);
    await emu?.close();
  });
}
