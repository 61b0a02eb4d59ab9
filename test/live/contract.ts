/**
 * The live contract checks: the bot's own statements and row schemas (src/snowflake) run against an
 * account, with every row our schemas reject reported with its values instead of the bot's one
 * "unexpected result" error. Read-only unless `deploy` is given; a deployed service is always dropped.
 *
 * `npm run test:live` (test/live/main.ts) runs them against a real account;
 * test/live/live-contract.test.ts runs them against the emulator.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { callInferenceEndpoint, ingressBaseUrl } from '../../src/flows/access/rest-call.js';
import { exampleInput, parseSampleInput, restPath } from '../../src/flows/access/sample-input.js';
import type { QueryRunner, SnowflakeClient } from '../../src/snowflake/client.js';
import { findComputePool, listComputePools, listInstanceFamilies } from '../../src/snowflake/compute-pool-queries.js';
import { deployModel, deployStatus } from '../../src/snowflake/deploy-queries.js';
import { createPlatformCapabilities, decideSpecDelivery } from '../../src/snowflake/deploy-spec-delivery.js';
import { isSnowflakeError } from '../../src/snowflake/errors.js';
import { identifierFromSnowflake, requireQualifiedName, type QualifiedName } from '../../src/snowflake/identifiers.js';
import { getPlatformCapabilities, getServiceStatusJson } from '../../src/snowflake/platform-queries.js';
import { describeModelVersion, listDatabases } from '../../src/snowflake/registry-queries.js';
import { currentIdentity } from '../../src/snowflake/access-queries.js';
import {
  describeService,
  dropService,
  findService,
  getInferenceEndpoint,
  listServiceContainers,
  listServiceEndpoints,
  listServiceInstances,
  listServices,
  inferenceEndpointOf,
  type ServiceInfo,
} from '../../src/snowflake/service-queries.js';
import type { Sql } from '../../src/snowflake/sql.js';
import type { DeployRequest } from './config.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** A row one of our schemas refused: which statement, which row, why, and the row itself. */
export interface RowRejection {
  readonly statement: string;
  readonly row: number;
  readonly issues: readonly string[];
  /** The row as JSON (long texts shortened). */
  readonly values: string;
}

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly rejections: readonly RowRejection[];
}

export interface LiveOptions {
  readonly client: SnowflakeClient;
  readonly service?: QualifiedName | undefined;
  /** Where SHOW SERVICES looks; default the service's schema, else every database. */
  readonly schema?: QualifiedName | undefined;
  readonly deploy?: DeployRequest | undefined;
  /** How long the deploy may take, in all. */
  readonly timeoutMs: number;
  /** Between status rounds while a deploy runs (snowflake-ml-python polls every 2 s). */
  readonly pollMs?: number;
  /** The login's PAT, if it logs in with one: the only credential the ingress endpoint takes. */
  readonly pat?: string | undefined;
  /** SPCS_INGRESS_URL_OVERRIDE, for the emulator's plain-http ingress. */
  readonly ingressUrlOverride?: string | undefined;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called with each result as it is known, so a long run shows progress. */
  readonly onResult?: (result: CheckResult) => void;
  /** Name of the service --deploy creates; random by default so two runs never collide. */
  readonly deployServiceName?: string;
}

const AnyRow = z.record(z.string(), z.unknown());
const MAX_VALUE_CHARS = 160;
const MAX_LISTED = 6;

function shortJson(values: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(values, (_key, value: unknown) => {
    if (typeof value === 'string' && value.length > MAX_VALUE_CHARS) return `${value.slice(0, MAX_VALUE_CHARS)}… (${value.length} chars)`;
    if (typeof value === 'bigint') return value.toString();
    return value;
  });
}

/**
 * A QueryRunner over the bot's client that applies the bot's row schema itself, one row at a time:
 * rows that parse are returned, rows that do not are recorded with their values.
 */
class RowChecker implements QueryRunner {
  readonly rejections: RowRejection[] = [];
  constructor(private readonly client: SnowflakeClient) {}

  async query<T>(statement: Sql, row: z.ZodType<T>): Promise<T[]> {
    const raw = await this.client.query(statement, AnyRow);
    const words = statement.text.trim().split(/\s+/).slice(0, 6).join(' ');
    const out: T[] = [];
    raw.forEach((values, index) => {
      const parsed = row.safeParse(values);
      if (parsed.success) out.push(parsed.data);
      else {
        this.rejections.push({
          statement: words,
          row: index + 1,
          issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`),
          values: shortJson(values),
        });
      }
    });
    return out;
  }
}

function listed(items: readonly string[]): string {
  if (items.length === 0) return 'none';
  const head = items.slice(0, MAX_LISTED).join(', ');
  return items.length > MAX_LISTED ? `${head}, … (${items.length} in all)` : head;
}

function describeError(err: unknown): string {
  if (isSnowflakeError(err)) return `${err.kind}${err.code === undefined ? '' : ` ${err.code}`}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

type Outcome = { readonly detail: string; readonly status?: CheckStatus };

export async function runLiveContract(o: LiveOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const emit = (result: CheckResult): CheckResult => {
    results.push(result);
    o.onResult?.(result);
    return result;
  };
  const skip = (name: string, detail: string) => emit({ name, status: 'skip', detail, rejections: [] });

  /** Runs one check; any row our schemas reject fails it. `onError` says how a refused statement counts. */
  async function check(name: string, work: (db: RowChecker) => Promise<Outcome>, onError: CheckStatus = 'fail'): Promise<CheckResult> {
    const db = new RowChecker(o.client);
    let outcome: Outcome;
    try {
      outcome = await work(db);
    } catch (err) {
      outcome = { status: onError, detail: describeError(err) };
    }
    const rejected = db.rejections.length;
    const status = rejected > 0 ? 'fail' : (outcome.status ?? 'pass');
    const detail = rejected > 0 ? `${outcome.detail}; ${rejected} rejected by our schema` : outcome.detail;
    return emit({ name, status, detail, rejections: db.rejections });
  }

  const ping = await o.client.ping();
  if (!ping.ok) {
    emit({ name: 'login', status: 'fail', detail: describeError(ping.error), rejections: [] });
    return results;
  }
  await check('login', async (db) => {
    const me = await currentIdentity(db);
    return { detail: `${me.user}${me.role === null ? '' : ` with role ${me.role}`} (${ping.latencyMs} ms)` };
  });

  await check('SHOW COMPUTE POOLS', async (db) => {
    const pools = await listComputePools(db);
    return counted(
      db,
      pools.map((p) => `${p.name} ${p.state} ${p.instanceFamily}`),
    );
  });

  await check('SHOW COMPUTE POOL INSTANCE FAMILIES', async (db) => {
    const families = await listInstanceFamilies(db);
    return counted(
      db,
      families.map((f) => (f.gpu === null ? f.name : `${f.name} (${f.gpu.perNode}x ${f.gpu.type})`)),
    );
  });

  const servicesScope = o.schema ?? o.service?.container;
  await check(`SHOW SERVICES${servicesScope === undefined ? ' (every database)' : ` IN SCHEMA ${servicesScope.sql}`}`, async (db) => {
    if (servicesScope !== undefined) return counted(db, (await listServices(db, { schema: servicesScope })).map(serviceLine));
    const services: ServiceInfo[] = [];
    const refused: string[] = [];
    for (const database of await listDatabases(db)) {
      try {
        services.push(...(await listServices(db, { database: identifierFromSnowflake(database.name) })));
      } catch (err) {
        if (!isSnowflakeError(err) || (err.kind !== 'not_found' && err.kind !== 'insufficient_privileges')) throw err;
        refused.push(database.name);
      }
    }
    const outcome = counted(db, services.map(serviceLine));
    return refused.length === 0 ? outcome : { ...outcome, detail: `${outcome.detail}; not readable: ${listed(refused)}` };
  });

  await check('SYSTEM$ML_PLATFORM_CAPABILITIES', async (db) => {
    const features = await getPlatformCapabilities(db);
    const entries = Object.entries(features).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return { detail: `${entries.length} capabilities: ${listed(entries)}`, status: entries.length === 0 ? 'warn' : 'pass' };
  });

  if (o.service === undefined) skip('service checks', 'no --service given');
  else await serviceChecks(o.service);

  if (o.deploy === undefined) skip('deploy', 'no --deploy given (the only check that creates anything)');
  else await deployCheck(o.deploy);

  return results;

  /** Zero rows prove nothing about the columns, so they only warn. */
  function counted(db: RowChecker, items: readonly string[]): Outcome {
    const rows = items.length + db.rejections.length;
    if (rows === 0) return { status: 'warn', detail: '0 rows: no columns to check' };
    return { detail: `${rows} row${rows === 1 ? '' : 's'}: ${listed(items)}` };
  }

  async function serviceChecks(service: QualifiedName): Promise<void> {
    const found = await check(`SHOW SERVICES … STARTS WITH ${service.name.sql}`, async (db) => {
      const info = await findService(db, service);
      return info === null
        ? { status: 'fail', detail: `${service.sql} not found (or this role cannot see it)` }
        : { detail: serviceLine(info) };
    });
    if (found.status === 'fail' && found.rejections.length === 0) return;
    await check(`DESCRIBE SERVICE ${service.sql}`, async (db) => {
      const d = await describeService(db, service);
      return d === null ? { status: 'fail', detail: 'not found' } : { detail: `${d.status}, spec ${d.spec?.length ?? 0} chars` };
    });
    await check(`SHOW SERVICE CONTAINERS IN SERVICE ${service.sql}`, async (db) => {
      const containers = await listServiceContainers(db, service);
      return counted(
        db,
        containers.map(
          (c) => `${c.instanceId ?? '-'}/${c.containerName ?? '-'} ${c.status ?? '-'}${c.message === null ? '' : ` (${c.message})`}`,
        ),
      );
    });
    await check(`SHOW SERVICE INSTANCES IN SERVICE ${service.sql}`, async (db) => {
      return counted(
        db,
        (await listServiceInstances(db, service)).map((i) => `${i.instanceId} ${i.status}`),
      );
    });
    await check(`SHOW ENDPOINTS IN SERVICE ${service.sql}`, async (db) => {
      const endpoints = await listServiceEndpoints(db, service);
      const inference = inferenceEndpointOf(endpoints);
      const outcome = counted(
        db,
        endpoints.map((e) => `${e.name}:${e.port ?? '-'}${e.isPublic ? ' public' : ''}`),
      );
      return {
        ...outcome,
        detail: `${outcome.detail}; inference endpoint ${inference.state === 'ready' ? inference.host : inference.state}`,
      };
    });
    // Deprecated by Snowflake; the bot reads SHOW SERVICE CONTAINERS instead, so a refusal only warns.
    await check(
      `SYSTEM$GET_SERVICE_STATUS (deprecated) ${service.sql}`,
      async (db) => {
        const containers = await getServiceStatusJson(db, service);
        return { detail: listed(containers.map((c) => `${c.instanceId}/${c.containerName} ${c.status}`)) };
      },
      'warn',
    );
  }

  async function deployCheck(request: DeployRequest): Promise<void> {
    const model = requireQualifiedName(request.model, 'Model', 3);
    const version = requireQualifiedName(request.version, 'Version', 1).name;
    const pool = requireQualifiedName(request.pool, 'Compute pool', 1).name;
    const schema = o.schema ?? model.container;
    const name = o.deployServiceName ?? `SPCS_CHATOPS_LIVE_${randomBytes(4).toString('hex').toUpperCase()}`;
    const service = requireQualifiedName(`${schema.sql}.${name}`, 'Service name', 3);
    let method: { name: string; inputs: { name: string; type: string }[] } | undefined;

    const ready = await check(`deploy: ${model.sql} VERSION ${version.sql} and pool ${pool.sql}`, async (db) => {
      const described = await describeModelVersion(db, model, version);
      const online = described.functions.find((f) => !f.isTableFunction);
      method = online === undefined ? undefined : { name: online.name, inputs: online.inputs.map((i) => ({ name: i.name, type: i.type })) };
      const found = await findComputePool(db, pool);
      if (found === null) return { status: 'fail', detail: `compute pool ${pool.sql} not found (or not visible)` };
      if ((await findService(db, service)) !== null) return { status: 'fail', detail: `${service.sql} already exists` };
      // Docs call SHOW FUNCTIONS' `arguments` JSON; the bot parses a signature text when model_spec has none.
      const unread = described.functions.filter((f) => f.signatureSource === 'arguments' && f.inputs.length === 0);
      const functions = listed(described.functions.map((f) => `${f.name} (${f.inputs.length} inputs from ${f.signatureSource})`));
      return {
        ...(unread.length > 0 ? { status: 'warn' as const } : {}),
        detail: `functions ${functions}${unread.length > 0 ? `; no inputs read for ${listed(unread.map((f) => f.name))}` : ''}; pool ${found.state} ${found.instanceFamily}`,
      };
    });
    if (ready.status === 'fail') return;

    const deadline = now() + o.timeoutMs;
    let queryId: string | undefined;
    let buildJob: QualifiedName | undefined;
    try {
      const started = await check(`deploy: CALL SYSTEM$DEPLOY_MODEL → ${service.sql}`, async () => {
        const delivery = await decideSpecDelivery(createPlatformCapabilities(o.client));
        if (delivery.kind === 'refused') throw new Error(delivery.message);
        const s = await deployModel(
          o.client,
          {
            model: model.sql,
            version: version.sql,
            service: service.sql,
            computePool: pool.sql,
            ingressEnabled: true,
            minInstances: 1,
            maxInstances: 1,
          },
          { delivery },
        );
        queryId = s.queryId;
        buildJob = s.buildJob;
        return { detail: `query ${s.queryId}, build job ${s.buildJob.sql}` };
      });
      if (started.status === 'fail' || queryId === undefined || buildJob === undefined) return;
      const id = queryId;
      const job = buildJob;

      // As snowflake-ml-python: every round looks at the build job's containers and the deploy query.
      const waited = await check(`deploy: wait for ${service.sql} to run`, async (db) => {
        let rounds = 0;
        for (;;) {
          rounds++;
          await listServiceContainers(db, job).catch((err: unknown) => {
            if (!isSnowflakeError(err) || err.kind !== 'not_found') throw err;
          });
          const state = await deployStatus(o.client, id);
          if (state.state === 'failed') return { status: 'fail', detail: `deploy query ${state.status}: ${describeError(state.error)}` };
          if (state.state === 'succeeded') {
            const info = await findService(db, service);
            return info?.status === 'RUNNING'
              ? { detail: `RUNNING after ${rounds} rounds` }
              : { status: 'fail', detail: `deploy query succeeded but the service is ${info?.status ?? 'missing'}` };
          }
          if (now() >= deadline) return { status: 'fail', detail: `still ${state.status} after ${Math.round(o.timeoutMs / 1000)} s` };
          await sleep(o.pollMs ?? 5_000);
        }
      });
      if (waited.status === 'fail') return;

      let host: string | undefined;
      await check(`deploy: endpoint of ${service.sql}`, async (db) => {
        for (;;) {
          const endpoint = await getInferenceEndpoint(db, service);
          if (endpoint.state === 'ready') {
            host = endpoint.host;
            return { detail: endpoint.host };
          }
          if (endpoint.state === 'absent') return { status: 'fail', detail: 'no public inference endpoint' };
          if (now() >= deadline) return { status: 'fail', detail: `still provisioning: ${endpoint.message ?? ''}` };
          await sleep(o.pollMs ?? 5_000);
        }
      });
      if (host === undefined) return;
      if (o.pat === undefined)
        skip(`deploy: call ${service.sql}`, 'calling the endpoint needs a PAT login (SNOWFLAKE_AUTHENTICATOR=PROGRAMMATIC_ACCESS_TOKEN)');
      else if (method === undefined) skip(`deploy: call ${service.sql}`, 'the version has no method an online service can serve');
      else await callOnce(host, o.pat, method);
    } finally {
      // Always, whatever happened above; a deploy still building may yet create the service.
      await check(`deploy: DROP SERVICE IF EXISTS ${service.sql}`, async () => {
        const status = await dropService(o.client, service, { ifExists: true });
        const stillRunning = queryId !== undefined && (await deployStatus(o.client, queryId)).state === 'running';
        return stillRunning
          ? { status: 'warn', detail: `${status}; deploy query ${queryId ?? ''} still runs and may create the service later: drop it then` }
          : { detail: status };
      });
    }
  }

  async function callOnce(host: string, pat: string, method: { name: string; inputs: { name: string; type: string }[] }): Promise<void> {
    const name = `deploy: POST /${restPath(method.name)}`;
    const sample = parseSampleInput(exampleInput(method), method);
    if (!sample.ok) {
      skip(name, `no sample input for ${method.name}: ${sample.message}`);
      return;
    }
    const url = `${ingressBaseUrl(host, o.ingressUrlOverride)}/${restPath(method.name)}`;
    const outcome = await callInferenceEndpoint({ url, pat, values: sample.values, timeoutMs: 60_000 });
    const detail =
      outcome.kind === 'response'
        ? `HTTP ${outcome.status}: ${outcome.body.replace(/\s+/g, ' ').slice(0, MAX_VALUE_CHARS)}`
        : outcome.kind === 'timeout'
          ? `no answer within ${outcome.timeoutMs / 1000} s`
          : outcome.reason;
    emit({ name, status: outcome.kind === 'response' && outcome.status === 200 ? 'pass' : 'fail', detail, rejections: [] });
  }
}

function serviceLine(s: ServiceInfo): string {
  return `${s.databaseName}.${s.schemaName}.${s.name} ${s.status}${s.isJob ? ' (job)' : ''}`;
}

/** The report as lines: one per check, then each rejected row with its issues and values. */
export function formatResults(results: readonly CheckResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.status.toUpperCase().padEnd(4)}  ${r.name}: ${r.detail.replace(/\s*\n\s*/g, ' ')}`);
    for (const x of r.rejections) {
      lines.push(`      row ${x.row} of ${x.statement}: ${x.issues.join('; ')}`, `      row: ${x.values}`);
    }
  }
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  lines.push(`${count('pass')} passed, ${count('fail')} failed, ${count('warn')} warnings, ${count('skip')} skipped`);
  return lines;
}
