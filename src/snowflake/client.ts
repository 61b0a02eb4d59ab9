import type { z } from 'zod';
import type { Logger } from 'pino';
import { describeConfig, isPrivateLinkConfig, secretsOf, type SnowflakeConfig } from './connection-config.js';
import {
  checkConnectionOptions,
  connectionsTomlTarget,
  configureDriver,
  createDriverPool,
  executeStatement,
  fetchQueryStatus,
  fetchResultRows,
  submitAsync,
  toDriverOptions,
  type DriverConnection,
} from './driver.js';
import { isRetryable, SnowflakeError, toSnowflakeError } from './errors.js';
import { parseRows, type RawRow } from './rows.js';
import type { Sql } from './sql.js';

/** Where an async query stands. `failed` carries the query's own error, mapped. */
export type QueryState =
  | { readonly state: 'running'; readonly status: string }
  | { readonly state: 'succeeded'; readonly status: string }
  | { readonly state: 'failed'; readonly status: string; readonly error: SnowflakeError }
  /** Cancelled (SYSTEM$CANCEL_QUERY, an abort, or error 000604 "SQL execution canceled"): final. */
  | { readonly state: 'cancelled'; readonly status: string; readonly error: SnowflakeError }
  /** Snowflake has no record of the id (yet): NO_QUERY_DATA / NO_DATA. */
  | { readonly state: 'unknown'; readonly status: string };

export type PingResult = { readonly ok: true; readonly latencyMs: number } | { readonly ok: false; readonly error: SnowflakeError };

/** The whole of what the rest of the bot may do with Snowflake. Every method throws SnowflakeError only. */
export interface SnowflakeClient {
  /** Runs a statement and parses each row, keyed by lower-cased column name, through `row`. */
  query<T>(statement: Sql, row: z.ZodType<T>): Promise<T[]>;
  /** Submits with asyncExec and returns the query id once Snowflake has accepted it. */
  executeAsync(statement: Sql): Promise<string>;
  queryStatus(queryId: string): Promise<QueryState>;
  /** Rows of a finished async query; waits (polling) while it is still running. */
  queryResult<T>(queryId: string, row: z.ZodType<T>, options?: { readonly timeoutMs?: number }): Promise<T[]>;
  /**
   * Runs `work` on one session, for statements that must share it (a temporary stage, the PUT into
   * it and the CALL that reads it). Nothing in it is retried; the session is checked by a heartbeat first.
   */
  inSession<T>(work: (session: SessionRunner) => Promise<T>): Promise<T>;
  /** For /readyz: borrows a connection (logging in if needed) and sends a heartbeat. Never throws. */
  ping(): Promise<PingResult>;
  close(): Promise<void>;
  /** The connection goes over PrivateLink: endpoints are given by their privatelink_ingress_url. */
  readonly privateLink?: boolean;
}

/** Statements on one pinned session (see inSession). */
export type SessionRunner = Pick<SnowflakeClient, 'query' | 'executeAsync'>;

/** The narrow slices the typed operations depend on, so tests can pass a fake. */
export type QueryRunner = Pick<SnowflakeClient, 'query' | 'privateLink'>;
export type AsyncRunner = Pick<SnowflakeClient, 'query' | 'executeAsync' | 'queryStatus' | 'queryResult' | 'inSession'>;

export interface ClientOptions {
  /** Receives the driver's own log lines and our retry warnings. Without it, the driver is silent. */
  readonly logger?: Logger;
  readonly driverLogLevel?: 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE' | 'OFF';
  /**
   * Honour HTTP(S)_PROXY from the environment. Default: yes, except for a loopback SNOWFLAKE_ACCESS_URL
   * (the emulator), where a corporate proxy would only get in the way.
   */
  readonly useEnvProxy?: boolean;
  readonly maxConnections?: number;
  /** How long a caller waits for a free connection (including a login) before a transient error. */
  readonly acquireTimeoutMs?: number;
  /** Attempts for statements marked safe to repeat; 1 disables retries. */
  readonly retryAttempts?: number;
  readonly retryBaseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Poll interval for queryResult while a query runs. */
  readonly resultPollMs?: number;
  /** How long close() waits for borrowed connections and logins in flight. */
  readonly closeTimeoutMs?: number;
}

const RUNNING = new Set(['RUNNING', 'QUEUED', 'RESUMING_WAREHOUSE', 'QUEUED_REPARING_WAREHOUSE', 'QUEUED_REPAIRING_WAREHOUSE', 'BLOCKED']);
const FAILED = new Set(['FAILED_WITH_ERROR', 'ABORTED', 'ABORTING', 'FAILED_WITH_INCIDENT', 'DISCONNECTED']);
/** An aborted query, or one that failed with 000604 (SQL execution canceled), was cancelled rather than failed. */
const ABORTED = new Set(['ABORTED', 'ABORTING']);
const CANCELED_CODE = '000604';
const QUERY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isLoopback(url: string | undefined): boolean {
  if (url === undefined) return false;
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

function firstWords(statement: Sql): string {
  return statement.text.trim().split(/\s+/).slice(0, 3).join(' ');
}

/**
 * What the client needs from a pool of connections. The driver implements it (createSnowflakeClient);
 * tests can implement it to drive failure paths the real driver never surfaces.
 */
export interface ConnectionPort<C> {
  /** A pooled connection; with `checked`, one whose session has just answered a heartbeat. */
  acquire(checked: boolean): Promise<C>;
  release(conn: C): Promise<void>;
  /** Drops a connection whose session is unusable instead of returning it to the pool. */
  destroy(conn: C): Promise<void>;
  close(): Promise<void>;
  execute(conn: C, statement: Sql): Promise<{ rows: RawRow[] }>;
  submit(conn: C, statement: Sql): Promise<string>;
  status(conn: C, queryId: string): Promise<string>;
  fetch(conn: C, queryId: string): Promise<RawRow[]>;
}

/**
 * Creates the pooled client. Nothing connects until the first call; `ping()` is the way to check
 * the settings at startup. Throws SnowflakeError('configuration') right away if connections.toml
 * cannot be loaded.
 */
export function createSnowflakeClient(config: SnowflakeConfig, options: ClientOptions = {}): SnowflakeClient {
  const secrets = secretsOf(config);
  const log = options.logger?.child({ component: 'snowflake' });
  const accessUrl = config.source === 'env' ? config.accessUrl : undefined;
  configureDriver({
    logLevel: options.driverLogLevel ?? 'ERROR',
    logger:
      log === undefined
        ? undefined
        : {
            error: (m) => log.error(m),
            warn: (m) => log.warn(m),
            info: (m) => log.debug(m),
            debug: (m) => log.debug(m),
            trace: (m) => log.trace(m),
          },
    useEnvProxy: options.useEnvProxy ?? !isLoopback(accessUrl),
  });

  const driverOptions = toDriverOptions(config);
  let privateLink = isPrivateLinkConfig(config);
  if (config.source === 'connections_toml') {
    // The driver picks the section from this variable each time it builds a connection.
    process.env.SNOWFLAKE_DEFAULT_CONNECTION_NAME = config.connectionName;
    try {
      checkConnectionOptions(undefined);
      privateLink = isPrivateLinkConfig(config, connectionsTomlTarget());
    } catch (err) {
      const detail = toSnowflakeError(err).message;
      throw new SnowflakeError(
        { kind: 'configuration' },
        `Could not load connection "${config.connectionName}" from connections.toml: ${detail}`,
      );
    }
  }

  const pool = createDriverPool(driverOptions, {
    min: 0,
    max: options.maxConnections ?? 8,
    // The heartbeat is sent per borrow by acquire(checked) below, only where it is needed.
    testOnBorrow: false,
    acquireTimeoutMillis: options.acquireTimeoutMs ?? 60_000,
  });
  log?.debug({ connection: describeConfig(config) }, 'snowflake pool created');

  const port: ConnectionPort<DriverConnection> = {
    acquire: async (checked) => {
      // A session may have died while idle. A statement that is safe to repeat finds out by failing
      // and is retried on a new connection; one that is not (CALL, CREATE, DROP, GRANT) must not
      // fail for that, so it first gets a heartbeat and, if the session is gone, a new connection.
      for (let attempt = 1; ; attempt++) {
        const conn = await pool.acquire();
        if (!checked || (await conn.isValidAsync().catch(() => false))) return conn;
        await pool.destroy(conn).catch(() => undefined);
        if (attempt >= 3) throw new SnowflakeError({ kind: 'transient' }, 'No Snowflake connection answered its heartbeat');
      }
    },
    release: (conn) => pool.release(conn),
    destroy: (conn) => pool.destroy(conn),
    close: async () => {
      // drain() and clear() also wait for logins in flight, which the driver retries for about a
      // minute when Snowflake is unreachable; shutdown must not hang on that.
      const shutdown = pool.drain().then(() => pool.clear());
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.closeTimeoutMs ?? 5_000);
        timer.unref();
      });
      await Promise.race([shutdown.catch(() => undefined), timeout]);
      clearTimeout(timer);
    },
    execute: (conn, statement) => executeStatement(conn, statement),
    submit: (conn, statement) => submitAsync(conn, statement),
    status: (conn, queryId) => fetchQueryStatus(conn, queryId),
    fetch: (conn, queryId) => fetchResultRows(conn, queryId),
  };
  return { ...createClientOn(port, { ...options, secrets }), privateLink };
}

/** The client over any connection port: retries, error mapping, row parsing, async queries. */
export function createClientOn<C>(
  port: ConnectionPort<C>,
  options: ClientOptions & { readonly secrets?: readonly string[] } = {},
): SnowflakeClient {
  const secrets = options.secrets ?? [];
  const log = options.logger?.child({ component: 'snowflake' });
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const retryAttempts = Math.max(1, options.retryAttempts ?? 3);
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 500;
  const map = (err: unknown, statement?: Sql) => toSnowflakeError(err, { secrets, privilegeHint: statement?.privilegeHint });

  /**
   * Borrows a connection (checked by a heartbeat first when the statement may not be repeated); a
   * session-level failure destroys it instead of returning it to the pool.
   */
  async function withConnection<T>(statement: Sql | undefined, work: (conn: C) => Promise<T>): Promise<T> {
    let conn: C;
    try {
      conn = await port.acquire(statement !== undefined && !statement.safeToRepeat);
    } catch (err) {
      throw map(err, statement);
    }
    try {
      const result = await work(conn);
      await port.release(conn);
      return result;
    } catch (err) {
      const mapped = map(err, statement);
      if (mapped.kind === 'session_expired' || mapped.kind === 'bad_credentials') await port.destroy(conn).catch(() => {});
      else await port.release(conn).catch(() => {});
      throw mapped;
    }
  }

  /** Retries transient failures with exponential backoff, only for work that is safe to repeat. */
  async function withRetry<T>(what: string, safeToRepeat: boolean, statement: Sql | undefined, work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        const mapped = map(err, statement);
        if (!safeToRepeat || !isRetryable(mapped) || attempt >= retryAttempts) throw mapped;
        const delay = retryBaseDelayMs * 2 ** (attempt - 1);
        log?.warn({ kind: mapped.kind, code: mapped.code, attempt, delayMs: delay, what }, 'retrying snowflake call');
        await sleep(delay);
      }
    }
  }

  function checkQueryId(queryId: string): void {
    if (!QUERY_ID.test(queryId)) {
      throw new SnowflakeError({ kind: 'unknown' }, 'Not a Snowflake query id (expected 8-4-4-4-12 hex digits)');
    }
  }

  async function queryStatus(queryId: string): Promise<QueryState> {
    checkQueryId(queryId);
    // Reading a status is always safe to repeat.
    return withRetry('query status', true, undefined, () =>
      withConnection(undefined, async (conn) => {
        const status = await port.status(conn, queryId);
        if (RUNNING.has(status)) return { state: 'running', status };
        if (status === 'SUCCESS') return { state: 'succeeded', status };
        if (FAILED.has(status)) {
          // The status call carries no error code; the result endpoint answers with the query's own error.
          const error = await port.fetch(conn, queryId).then(
            () => new SnowflakeError({ kind: 'unknown' }, `Query ${queryId} ended with status ${status}`, { queryId }),
            (err: unknown) => map(err),
          );
          return ABORTED.has(status) || error.code === CANCELED_CODE
            ? { state: 'cancelled', status, error }
            : { state: 'failed', status, error };
        }
        return { state: 'unknown', status };
      }),
    );
  }

  return {
    async query<T>(statement: Sql, row: z.ZodType<T>): Promise<T[]> {
      log?.debug({ statement: statement.text, binds: statement.binds.length }, 'snowflake query');
      const { rows } = await withRetry(firstWords(statement), statement.safeToRepeat, statement, () =>
        withConnection(statement, (conn) => port.execute(conn, statement)),
      );
      return parseRows(rows, row, firstWords(statement));
    },

    async executeAsync(statement: Sql): Promise<string> {
      log?.debug({ statement: firstWords(statement), binds: statement.binds.length }, 'snowflake async submit');
      return withRetry(firstWords(statement), statement.safeToRepeat, statement, () =>
        withConnection(statement, (conn) => port.submit(conn, statement)),
      );
    },

    queryStatus,

    async queryResult<T>(queryId: string, row: z.ZodType<T>, opts: { readonly timeoutMs?: number } = {}): Promise<T[]> {
      const deadline = now() + (opts.timeoutMs ?? 120_000);
      for (;;) {
        const state = await queryStatus(queryId);
        if (state.state === 'failed' || state.state === 'cancelled') throw state.error;
        if (state.state === 'succeeded') break;
        if (state.state === 'unknown' && now() >= deadline) {
          throw new SnowflakeError({ kind: 'not_found' }, `Snowflake has no record of query ${queryId}`, { queryId });
        }
        if (now() >= deadline) {
          throw new SnowflakeError({ kind: 'transient' }, `Query ${queryId} is still running (${state.status})`, { queryId });
        }
        await sleep(options.resultPollMs ?? 1_000);
      }
      const rows = await withRetry('query result', true, undefined, () => withConnection(undefined, (conn) => port.fetch(conn, queryId)));
      return parseRows(rows, row, `query ${queryId}`);
    },

    async inSession<T>(work: (session: SessionRunner) => Promise<T>): Promise<T> {
      let conn: C;
      try {
        conn = await port.acquire(true);
      } catch (err) {
        throw map(err);
      }
      let broken = false;
      const guard = async <R>(statement: Sql, run: () => Promise<R>): Promise<R> => {
        try {
          return await run();
        } catch (err) {
          const mapped = map(err, statement);
          if (mapped.kind === 'session_expired' || mapped.kind === 'bad_credentials') broken = true;
          throw mapped;
        }
      };
      const session: SessionRunner = {
        query: async (statement, row) => {
          log?.debug({ statement: statement.text, binds: statement.binds.length }, 'snowflake query (pinned session)');
          const { rows } = await guard(statement, () => port.execute(conn, statement));
          return parseRows(rows, row, firstWords(statement));
        },
        executeAsync: (statement) => guard(statement, () => port.submit(conn, statement)),
      };
      try {
        return await work(session);
      } finally {
        await (broken ? port.destroy(conn) : port.release(conn)).catch(() => {});
      }
    },

    async ping(): Promise<PingResult> {
      const started = now();
      try {
        // Borrowing logs in if needed and, with testOnBorrow, sends a heartbeat.
        await withConnection(undefined, async () => undefined);
        return { ok: true, latencyMs: now() - started };
      } catch (err) {
        return { ok: false, error: map(err) };
      }
    },

    async close(): Promise<void> {
      await port.close();
    },
  };
}
