/**
 * SPCS emulator: a fake Snowflake account the real, unmodified snowflake-sdk connects to
 * (accessUrl http://127.0.0.1:PORT, any account), with a stateful Snowpark Container Services
 * model on a controllable clock. See emulator/README.md.
 *
 *   const emu = await startEmulator({ speed: 0 });
 *   const conn = snowflake.createConnection(emu.connectionOptions());
 *   …; emu.clock.advance(10 * 60_000); …
 *   await emu.close();
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EmulatorClock, VirtualClock } from './clock.js';
import { type Faults, createFaults, parseFaultFlag } from './faults.js';
import { isRecord } from './json.js';
import type { EmulatorOptions, Timings } from './options.js';
import { resolveTimings } from './options.js';
import { removeStageFiles } from './spcs/stages.js';
import { wireSimulation } from './spcs/wiring.js';
import { Rng } from './random.js';
import {
  ANALYST_PAT,
  BOT_ROLE,
  BOT_USER,
  DEFAULT_OAUTH_TOKEN,
  DEFAULT_PASSWORD,
  DEFAULT_PAT,
  EXPIRED_OAUTH_TOKEN,
  defaultUsers,
  installUsers,
  seedWorld,
} from './seed.js';
import { setPlatformMonitor } from './spcs/observability.js';
import { poolState } from './spcs/pools.js';
import { Sim } from './spcs/sim.js';
import type { ComputePool, Service, SpcsState } from './spcs/state.js';
import { emptyState, key2, key3 } from './spcs/state.js';
import { parseObjectName } from './sql/names.js';
import { createRequestHandler, type RequestLogEntry } from './wire/http-server.js';
import { QueryRegistry, type SqlLogEntry } from './wire/queries.js';
import { SessionStore } from './wire/sessions.js';
import { addGrant } from './spcs/privileges.js';

export type { EmulatorOptions, FaultSpec, Timings, UserOptions } from './options.js';
export { DEFAULT_TIMINGS, FAST_TIMINGS } from './options.js';
export type { Faults } from './faults.js';
export type { EmulatorClock } from './clock.js';
export type { SqlLogEntry } from './wire/queries.js';
export type { RequestLogEntry } from './wire/http-server.js';
export type { ComputePool, Service, SpcsState } from './spcs/state.js';
export { buildJobName } from './spcs/deploy.js';

export interface EmulatorCredentials {
  account: string;
  user: string;
  password: string;
  role: string;
  /** PAT of SPCS_BOT: login with PROGRAMMATIC_ACCESS_TOKEN and ingress auth. */
  pat: string;
  oauthToken: string;
  expiredOauthToken: string;
  /** PAT of ANALYST (no ALL_ENDPOINTS_USAGE on IRIS_SVC until granted). */
  analystPat: string;
}

/** Options for snowflake.createConnection(); spread your own on top. */
export interface EmulatorConnectionOptions {
  accessUrl: string;
  account: string;
  username: string;
  password: string;
  role: string;
  database: string;
  schema: string;
  warehouse: string;
}

export interface Emulator {
  /** Base URL the driver connects to (`accessUrl`). */
  readonly url: string;
  readonly port: number;
  readonly clock: EmulatorClock;
  readonly state: SpcsState;
  readonly timings: Timings;
  readonly faults: Faults;
  readonly credentials: EmulatorCredentials;
  /** Every statement received, in order. */
  readonly sqlLog: readonly SqlLogEntry[];
  /** Every authenticated driver request (query requests, /monitoring/queries/<id>, results, …), in order. */
  readonly requestLog: readonly RequestLogEntry[];
  /** Statements the recognizer rejected as unsupported (syntax error 001003). */
  unsupportedSql(): SqlLogEntry[];
  connectionOptions(): EmulatorConnectionOptions;
  /** Base URL for REST inference on a service's public endpoint: POST `${base}/predict`. */
  ingressUrl(service: string): string;
  /** Maps an `ingress_url` host (from SHOW ENDPOINTS) to a local base URL. */
  ingressUrlForHost(host: string): string;
  /** A service by name (`NAME`, `SCHEMA.NAME` or `DB.SCHEMA.NAME`; defaults ML_DB.SERVING). */
  service(name: string): Service | undefined;
  pool(name: string): ComputePool | undefined;
  /**
   * Gives a service's spec `platformMonitor: {metricConfig: {groups}}` from now on, as
   * `ALTER SERVICE … FROM SPECIFICATION` would (null removes it). SPCS_GET_METRICS returns samples
   * only while a service has one; services made by SYSTEM$DEPLOY_MODEL start without.
   */
  setPlatformMonitor(service: string, groups: readonly string[] | null): void;
  poolState(name: string): string | undefined;
  /** Runs every event due on the clock (normally automatic). */
  sync(): void;
  close(): Promise<void>;
}

function parseEventTable(text: string): [string, string, string] {
  const parts = parseObjectName(text);
  if (parts?.length !== 3) throw new Error(`eventTable must be DB.SCHEMA.TABLE, got '${text}'`);
  return [parts[0] ?? '', parts[1] ?? '', parts[2] ?? ''];
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const account = (options.account ?? 'EMUACCT').toUpperCase();
  const organization = (options.organization ?? 'EMUORG').toUpperCase();
  const start = options.startTime ?? Date.now();
  const clock = new VirtualClock(start, options.speed ?? 1);
  const timings = resolveTimings(options.timings);
  const state = emptyState(account, organization);
  const sim = new Sim(state, clock, new Rng(options.seed ?? 42), timings);
  wireSimulation(sim);

  if (options.eventTable) {
    const [db, schema, name] = parseEventTable(options.eventTable);
    state.eventTable = { database: db, schema, name, explicit: true };
  }
  installUsers(state, options.users ?? defaultUsers(options.botUser));
  state.privateLink = options.privateLink === true;
  if (options.mlPlatformCapabilities !== undefined) state.mlPlatformCapabilities = { ...options.mlPlatformCapabilities };
  state.patNetworkPolicyEvaluation = options.patNetworkPolicyEvaluation ?? 'ENFORCED_REQUIRED';
  if (options.seedData !== false) seedWorld(sim, start, options.seedRunningService !== false, options.serviceSchemas);
  const et = state.eventTable;
  if (!state.databases.has(et.database)) {
    state.databases.set(et.database, { name: et.database, createdOn: start, owner: 'SYSADMIN', comment: null, kind: 'STANDARD' });
  }
  if (!state.schemas.has(key2(et.database, et.schema))) {
    state.schemas.set(key2(et.database, et.schema), {
      database: et.database,
      name: et.schema,
      createdOn: start,
      owner: 'SYSADMIN',
      comment: null,
    });
  }
  if (options.seedData !== false) {
    addGrant(state, { role: BOT_ROLE, privilege: 'USAGE', on: 'DATABASE', key: et.database, name: et.database, createdOn: start });
    addGrant(state, {
      role: BOT_ROLE,
      privilege: 'USAGE',
      on: 'SCHEMA',
      key: key2(et.database, et.schema),
      name: `${et.database}.${et.schema}`,
      createdOn: start,
    });
    addGrant(state, {
      role: BOT_ROLE,
      privilege: 'SELECT',
      on: 'EVENT_TABLE',
      key: key3(et.database, et.schema, et.name),
      name: `${et.database}.${et.schema}.${et.name}`,
      createdOn: start,
    });
  }
  sim.sync();

  const faults = createFaults(sim);
  for (const spec of options.faults ?? []) faults.apply(spec);

  const sessions = new SessionStore(sim, options.enforceNetworkPolicies !== false);
  const queries = new QueryRegistry(sim);
  const log = options.log ?? (() => {});
  const requests: RequestLogEntry[] = [];
  const handler = createRequestHandler({
    requests,
    sim,
    sessions,
    queries,
    enforceNetworkPolicies: options.enforceNetworkPolicies !== false,
    log,
    admin: (method, path, body) => adminRoute(method, path, body),
  });
  const server: Server = createServer(handler);
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;

  const findService = (name: string): Service | undefined => {
    const parts = parseObjectName(name);
    if (!parts) return undefined;
    const full = parts.length === 3 ? parts : parts.length === 2 ? ['ML_DB', ...parts] : ['ML_DB', 'SERVING', ...parts];
    sim.sync();
    return state.services.get(key3(full[0] ?? '', full[1] ?? '', full[2] ?? ''));
  };

  function adminRoute(method: string, path: string, body: unknown): { status: number; body: unknown } {
    const b = isRecord(body) ? body : {};
    if (method === 'GET' && path === '/health') return { status: 200, body: { ok: true } };
    if (method === 'GET' && path === '/state') {
      const now = sim.now();
      return {
        status: 200,
        body: {
          now: new Date(now).toISOString(),
          speed: clock.speed,
          pools: [...state.pools.values()].map((p) => ({
            name: p.name,
            state: poolState(sim, p),
            family: p.family.name,
            nodes: p.nodes.length,
          })),
          services: [...state.services.values()].map((s) => ({
            name: `${s.database}.${s.schema}.${s.name}`,
            status: s.status,
            isJob: s.isJob,
            pool: s.computePool,
          })),
          pendingEvents: sim.scheduler.pending().length,
        },
      };
    }
    if (method === 'POST' && path === '/clock') {
      if (typeof b['speed'] === 'number') clock.setSpeed(b['speed']);
      if (typeof b['advanceMs'] === 'number') clock.advance(b['advanceMs']);
      return { status: 200, body: { now: new Date(sim.now()).toISOString(), speed: clock.speed } };
    }
    if (method === 'POST' && path === '/faults') {
      try {
        if (typeof b['spec'] !== 'string') return { status: 400, body: { error: 'expected {"spec": "<fault as for --fault>"}' } };
        faults.apply(parseFaultFlag(b['spec']));
        return { status: 200, body: { ok: true } };
      } catch (e) {
        return { status: 400, body: { error: e instanceof Error ? e.message : String(e) } };
      }
    }
    if (method === 'POST' && path === '/platform-monitor') {
      const raw: unknown = b['groups'];
      const list: unknown[] | null = Array.isArray(raw) ? raw : null;
      const groups = list === null ? null : list.filter((g): g is string => typeof g === 'string');
      if (typeof b['service'] !== 'string' || (raw !== null && (groups === null || groups.length !== list?.length))) {
        return { status: 400, body: { error: 'expected {"service": "IRIS_SVC", "groups": ["system", "system_limits"] | null}' } };
      }
      try {
        emulator.setPlatformMonitor(b['service'], groups);
        return { status: 200, body: { ok: true } };
      } catch (e) {
        return { status: 400, body: { error: e instanceof Error ? e.message : String(e) } };
      }
    }
    if (method === 'POST' && path === '/faults/clear') {
      faults.clear();
      return { status: 200, body: { ok: true } };
    }
    if (method === 'GET' && path === '/sql-log') return { status: 200, body: queries.sqlLog };
    return { status: 404, body: { error: `unknown admin route ${method} ${path}` } };
  }

  const emulator: Emulator = {
    url,
    port,
    clock,
    state,
    timings,
    faults,
    credentials: {
      account,
      user: BOT_USER,
      password: DEFAULT_PASSWORD,
      role: BOT_ROLE,
      pat: DEFAULT_PAT,
      oauthToken: DEFAULT_OAUTH_TOKEN,
      expiredOauthToken: EXPIRED_OAUTH_TOKEN,
      analystPat: ANALYST_PAT,
    },
    sqlLog: queries.sqlLog,
    requestLog: requests,
    unsupportedSql: () => queries.sqlLog.filter((e) => e.unsupported),
    connectionOptions: () => ({
      accessUrl: url,
      account,
      username: BOT_USER,
      password: DEFAULT_PASSWORD,
      role: BOT_ROLE,
      database: 'ML_DB',
      schema: 'SERVING',
      warehouse: 'COMPUTE_WH',
    }),
    ingressUrl(name) {
      const svc = findService(name);
      const ep = svc?.endpoints.find((e) => e.name === 'inference');
      if (!svc || !ep) throw new Error(`no service with an inference endpoint named ${name}`);
      return `${url}/ingress/${ep.host}`;
    },
    ingressUrlForHost(h) {
      return `${url}/ingress/${h.replace(/^https?:\/\//, '').replace(/\/.*$/, '')}`;
    },
    service: findService,
    setPlatformMonitor(name, groups) {
      const svc = findService(name);
      if (!svc) throw new Error(`no service named ${name}`);
      setPlatformMonitor(svc, groups, sim.now());
    },
    pool(name) {
      sim.sync();
      return state.pools.get(parseObjectName(name)?.[0] ?? name);
    },
    poolState(name) {
      const p = emulator.pool(name);
      return p ? poolState(sim, p) : undefined;
    },
    sync: () => sim.sync(),
    close: () =>
      new Promise<void>((resolve) => {
        removeStageFiles(sim);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return emulator;
}
