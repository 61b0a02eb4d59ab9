/**
 * The trust boundary with snowflake-sdk: every callback wrapped in a promise, every untyped value the
 * driver hands back read as `unknown`, and the options object built from our config. Nothing outside
 * this file touches the driver's API directly, so its assumptions are reviewable in one place.
 */
import snowflake from 'snowflake-sdk';
// The driver's own connections.toml loader (SNOWFLAKE_HOME, SNOWFLAKE_DEFAULT_CONNECTION_NAME, the
// 0600 check): what createConnection(undefined) uses, so the bot reads the very section it connects with.
import { loadConnectionConfiguration } from 'snowflake-sdk/dist/lib/configuration/connection_configuration.js';
import type { Bind, Connection, ConnectionOptions, LogLevel, SnowflakeLogger } from 'snowflake-sdk';
import type { SnowflakeConfig } from './connection-config.js';
import type { Sql } from './sql.js';

export type DriverConnection = Connection;
export type DriverPool = ReturnType<typeof snowflake.createPool>;
export type PoolOptions = NonNullable<Parameters<typeof snowflake.createPool>[1]>;

import type { RawRow } from './rows.js';

/**
 * Driver options for a config; `undefined` means "let the driver read connections.toml", which is
 * what it does when createPool gets no options.
 */
export function toDriverOptions(config: SnowflakeConfig): ConnectionOptions | undefined {
  if (config.source === 'connections_toml') return undefined;
  const auth = config.auth;
  const base: ConnectionOptions = {
    account: config.account,
    // Sessions outlive the connection so a long CALL SYSTEM$DEPLOY_MODEL survives a pool eviction or
    // a worker restart; Snowflake expires idle sessions on its own.
    serverSessionKeepAlive: true,
    ...(config.accessUrl !== undefined ? { accessUrl: config.accessUrl } : {}),
    ...(config.user !== undefined ? { username: config.user } : {}),
    ...(config.role !== undefined ? { role: config.role } : {}),
    ...(config.warehouse !== undefined ? { warehouse: config.warehouse } : {}),
  };
  switch (auth.method) {
    case 'password':
      return { ...base, authenticator: 'SNOWFLAKE', password: auth.password.reveal() };
    case 'key_pair':
      return {
        ...base,
        authenticator: 'SNOWFLAKE_JWT',
        privateKeyPath: auth.privateKeyPath,
        ...(auth.passphrase !== undefined ? { privateKeyPass: auth.passphrase.reveal() } : {}),
      };
    case 'pat':
      return { ...base, authenticator: 'PROGRAMMATIC_ACCESS_TOKEN', token: auth.token.reveal() };
    case 'oauth':
      return { ...base, authenticator: 'OAUTH', token: auth.token.reveal() };
  }
}

const SILENT: SnowflakeLogger = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

export interface DriverSettings {
  readonly logLevel: LogLevel;
  /** Where the driver's own (already secret-masked) log lines go; by default nowhere, never a file. */
  readonly logger: SnowflakeLogger | undefined;
  /** Whether HTTP(S)_PROXY / NO_PROXY from the environment apply. */
  readonly useEnvProxy: boolean;
}

/** The driver's settings are process-global; this is the one call that sets them. */
export function configureDriver(settings: DriverSettings): void {
  snowflake.configure({
    logLevel: settings.logLevel,
    // Without a custom logger the driver writes snowflake.log into the working directory.
    customLogger: settings.logger ?? SILENT,
    useEnvProxy: settings.useEnvProxy,
  });
}

export function createDriverPool(options: ConnectionOptions | undefined, poolOptions: PoolOptions): DriverPool {
  return snowflake.createPool(options, poolOptions);
}

/**
 * Builds a connection without logging in: with no options, the driver loads connections.toml right
 * here and throws if it is missing, unsafe or lacks the section, which makes for an early clear error.
 */
export function checkConnectionOptions(options: ConnectionOptions | undefined): void {
  snowflake.createConnection(options);
}

/**
 * Where the connections.toml section the driver would use points: its `host` and `account`, as
 * text or null. Throws as the driver does when the file is missing, unsafe or lacks the section.
 */
export function connectionsTomlTarget(): { readonly host: string | null; readonly account: string | null } {
  const options: unknown = loadConnectionConfiguration();
  const field = (name: string): string | null => {
    if (typeof options !== 'object' || options === null) return null;
    const value: unknown = Reflect.get(options, name);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  };
  return { host: field('host'), account: field('account') };
}

function toRows(rows: unknown): RawRow[] {
  if (!Array.isArray(rows)) return [];
  return rows.filter((r): r is RawRow => typeof r === 'object' && r !== null);
}

function binds(statement: Sql): Bind[] | undefined {
  return statement.binds.length > 0 ? [...statement.binds] : undefined;
}

/** Runs a statement and collects its rows (object mode: keyed by column name). */
export function executeStatement(conn: Connection, statement: Sql): Promise<{ rows: RawRow[]; queryId: string | undefined }> {
  const statementBinds = binds(statement);
  return new Promise((resolve, reject) => {
    conn.execute({
      sqlText: statement.text,
      rowMode: 'object',
      ...(statementBinds !== undefined ? { binds: statementBinds } : {}),
      ...(statement.parameters !== undefined ? { parameters: { ...statement.parameters } } : {}),
      complete: (err, stmt, rows) => {
        if (err) reject(err);
        else resolve({ rows: toRows(rows), queryId: stmt.getQueryId() ?? undefined });
      },
    });
  });
}

/** Submits a statement with asyncExec and resolves with its query id as soon as Snowflake accepts it. */
export function submitAsync(conn: Connection, statement: Sql): Promise<string> {
  const statementBinds = binds(statement);
  return new Promise((resolve, reject) => {
    conn.execute({
      sqlText: statement.text,
      asyncExec: true,
      ...(statementBinds !== undefined ? { binds: statementBinds } : {}),
      ...(statement.parameters !== undefined ? { parameters: { ...statement.parameters } } : {}),
      complete: (err, stmt) => {
        const queryId: unknown = err ? undefined : stmt.getQueryId();
        if (err) reject(err);
        else if (typeof queryId === 'string' && queryId !== '') resolve(queryId);
        else reject(new Error('Snowflake accepted the statement but returned no query id'));
      },
    });
  });
}

/** Fetches the rows of a finished query by id; rejects with the query's own error if it failed. */
export function fetchResultRows(conn: Connection, queryId: string): Promise<RawRow[]> {
  return new Promise((resolve, reject) => {
    conn.fetchResult({
      queryId,
      rowMode: 'object',
      complete: (err, _stmt, rows) => {
        if (err) reject(err);
        else resolve(toRows(rows));
      },
    });
  });
}

/** The raw status string for a query id (RUNNING, SUCCESS, FAILED_WITH_ERROR, NO_QUERY_DATA...). */
export function fetchQueryStatus(conn: Connection, queryId: string): Promise<string> {
  return conn.getQueryStatus(queryId);
}
