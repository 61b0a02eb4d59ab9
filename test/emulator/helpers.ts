/**
 * Helpers for driving the emulator with the real snowflake-sdk driver.
 * vitest.config.ts sets SNOWFLAKE_DISABLE_PLATFORM_DETECTION / SF_TELEMETRY_DISABLE_CONNECTION_SHAPE
 * before the driver is imported.
 */
import snowflake from 'snowflake-sdk';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { configureDriver } from '../../src/snowflake/driver.js';

// The driver's own log goes nowhere (not ./snowflake.log, not a temp file left behind), as the
// bot configures it; a test sees every driver error as the rejection it asserts on.
configureDriver({ logLevel: 'ERROR', logger: undefined, useEnvProxy: false });

export { snowflake };
export type Row = Record<string, unknown>;
export type Connection = snowflake.Connection;

export interface SfError extends Error {
  code?: string | number;
  sqlState?: string;
  data?: { queryId?: string; errorCode?: string };
}

export function connect(emu: Emulator, overrides: Partial<snowflake.ConnectionOptions> = {}): Promise<snowflake.Connection> {
  const conn = snowflake.createConnection({ ...emu.connectionOptions(), ...overrides });
  return new Promise((resolve, reject) => {
    conn.connect((err, c) => (err ? reject(err) : resolve(c)));
  });
}

export function connectError(emu: Emulator, overrides: Partial<snowflake.ConnectionOptions>): Promise<SfError> {
  return connect(emu, overrides).then(
    (c) => {
      destroy(c);
      throw new Error('expected the connection to fail');
    },
    (e: SfError) => e,
  );
}

export interface RunOptions {
  binds?: snowflake.Binds;
  parameters?: Record<string, unknown>;
}

export function run(conn: snowflake.Connection, sqlText: string, opts: RunOptions = {}): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    conn.execute({
      sqlText,
      ...(opts.binds ? { binds: opts.binds } : {}),
      ...(opts.parameters ? { parameters: opts.parameters } : {}),
      complete: (err, _stmt, rows) => (err ? reject(err) : resolve((rows ?? []) as Row[])),
    });
  });
}

export function runError(conn: snowflake.Connection, sqlText: string, opts: RunOptions = {}): Promise<SfError> {
  return run(conn, sqlText, opts).then(
    () => {
      throw new Error(`expected failure: ${sqlText}`);
    },
    (e: SfError) => e,
  );
}

/** Submits with asyncExec and resolves the query id. */
export function submitAsync(conn: snowflake.Connection, sqlText: string, binds?: snowflake.Binds): Promise<string> {
  return new Promise((resolve, reject) => {
    conn.execute({
      sqlText,
      asyncExec: true,
      ...(binds ? { binds } : {}),
      complete: (err, stmt) => (err ? reject(err) : resolve(stmt.getQueryId())),
    });
  });
}

/** Rows of a finished query (getResultsFromQueryId + streamRows). */
export async function resultsOf(conn: snowflake.Connection, queryId: string): Promise<Row[]> {
  const stmt = await conn.getResultsFromQueryId({ queryId });
  return new Promise((resolve, reject) => {
    const rows: Row[] = [];
    stmt
      .streamRows()
      .on('data', (r: Row) => rows.push(r))
      .on('end', () => resolve(rows))
      .on('error', reject);
  });
}

export function destroy(conn: snowflake.Connection): Promise<void> {
  return new Promise((resolve) => {
    conn.destroy(() => resolve());
  });
}

export const MIN = 60_000;

/**
 * Advances the emulator clock in steps until `check` passes (checks run through the driver,
 * so they see exactly what a bot would). Returns the virtual ms advanced.
 */
export async function advanceUntil(
  emu: Emulator,
  check: () => Promise<boolean>,
  opts: { stepMs?: number; maxMs?: number } = {},
): Promise<number> {
  const step = opts.stepMs ?? 15_000;
  const max = opts.maxMs ?? 60 * MIN;
  for (let t = 0; t <= max; t += step) {
    if (await check()) return t;
    emu.clock.advance(step);
  }
  throw new Error(`condition not reached within ${max / MIN} virtual minutes`);
}

export function deploySpec(opts: {
  model: string;
  version: string;
  service: string;
  pool: string;
  buildPool?: string;
  gpu?: number;
  ingress?: boolean;
  minInstances?: number;
  maxInstances?: number;
  extra?: string;
}): string {
  const lines = [
    'models:',
    `- name: ${opts.model}`,
    `  version: ${opts.version}`,
    ...(opts.buildPool ? ['image_build:', `  compute_pool: ${opts.buildPool}`] : []),
    'service:',
    `  name: ${opts.service}`,
    `  compute_pool: ${opts.pool}`,
    `  ingress_enabled: ${opts.ingress ?? true}`,
    `  min_instances: ${opts.minInstances ?? 1}`,
    `  max_instances: ${opts.maxInstances ?? 1}`,
    ...(opts.gpu !== undefined ? [`  gpu: '${opts.gpu}'`] : []),
    ...(opts.extra ? [opts.extra] : []),
  ];
  return lines.join('\n');
}

/** A frozen-clock emulator and a driver connection, fresh for each test (`each`) or shared by the file (`all`). */
export function useEmulatorConnection(scope: 'all' | 'each', ready: (emu: Emulator, conn: snowflake.Connection) => void): void {
  let emu: Emulator | undefined;
  let conn: snowflake.Connection | undefined;
  (scope === 'all' ? beforeAll : beforeEach)(async () => {
    emu = await startEmulator({ speed: 0 });
    conn = await connect(emu);
    ready(emu, conn);
  });
  (scope === 'all' ? afterAll : afterEach)(async () => {
    if (conn) await destroy(conn);
    await emu?.close();
  });
}
