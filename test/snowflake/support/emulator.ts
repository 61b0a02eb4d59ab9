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

/** A client built exactly the way the app builds one: environment → parseSnowflakeEnv → createSnowflakeClient. */
export function clientFor(
  env: Record<string, string | undefined>,
  options: ClientOptions = {},
): SnowflakeClient {
  const parsed = parseSnowflakeEnv(env);
  if (!parsed.ok) throw new Error(`test env is invalid: ${parsed.problems.join('; ')}`);
  return createSnowflakeClient(parsed.config, { resultPollMs: 20, retryBaseDelayMs: 10, ...options });
}
