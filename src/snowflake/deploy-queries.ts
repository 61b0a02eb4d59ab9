import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AsyncRunner, QueryRunner, QueryState } from './client.js';
import { text } from './columns.js';
import { defaultSpecDirectory, stageDeploymentSpec, type SpecDelivery, type SpecDirectory } from './deploy-spec-delivery.js';
import { renderDeploymentSpec, type DeploymentPlanInput } from './deployment-spec.js';
import { isSnowflakeError, withPrivilegeHint } from './errors.js';
import { identifierFromSnowflake, qualify, requireQualifiedName, type QualifiedName } from './identifiers.js';
import { bind, sql, type Sql } from './sql.js';

/**
 * Deploying a model version to SPCS the way snowflake-ml-python's create_service does: one
 * asynchronous CALL SYSTEM$DEPLOY_MODEL with the YAML spec (bound, not spliced), then polling by
 * query id. Snowflake builds the image in a job service named from the query id.
 */

export interface DeployStarted {
  readonly queryId: string;
  /** DB.SCHEMA.MODEL_BUILD_xxxxxxxx, in the service's schema. */
  readonly buildJob: QualifiedName;
}

/**
 * The image build job's name for a deploy query id: "MODEL_BUILD_" + the first 8 hex digits of
 * md5(decimal string of the id read as one hex number), upper-cased (ops/deployment_step.py).
 */
export function buildJobName(queryId: string): string {
  const hex = queryId.replaceAll('-', '');
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new RangeError('buildJobName: expected a query id of hex digits and dashes');
  const decimal = BigInt(`0x${hex}`).toString();
  return `MODEL_BUILD_${createHash('md5').update(decimal).digest('hex').slice(0, 8).toUpperCase()}`;
}

/** What a deploy needs, by the object Snowflake names when it refuses one. */
const DEPLOY_GRANTS = {
  model: 'USAGE ON MODEL {name}',
  'compute pool': 'USAGE ON COMPUTE POOL {name}',
  schema: 'CREATE SERVICE ON SCHEMA {name}',
  account: 'BIND SERVICE ENDPOINT ON ACCOUNT',
} as const;

export interface DeployOptions {
  /** How the spec travels (decideSpecDelivery); a `refused` delivery sends nothing. */
  readonly delivery: Exclude<SpecDelivery, { kind: 'refused' }>;
  readonly specDirectory?: SpecDirectory;
  /**
   * QUERY_TAG of the CALL (see deployTag): a worker that died before it learned the query id finds
   * the query again in the query history instead of sending a second CALL.
   */
  readonly queryTag?: string;
  /** deploy.yml as planDeployStatements rendered it for the approved hash (default: rendered from `plan`, the same text). */
  readonly spec?: string;
}

/** CALL SYSTEM$DEPLOY_MODEL with the spec (or the staged file's path) bound, not spliced. */
export function deployCallStatement(spec: string): Sql {
  return sql`CALL SYSTEM$DEPLOY_MODEL(${bind(spec)})`.requires(DEPLOY_GRANTS);
}

/** The QUERY_TAG a deployment's CALL carries: the bot's name and the deployment's id. */
export function deployTag(deploymentId: string): string {
  return `spcs-chatops:deploy:${deploymentId}`;
}

/**
 * Submits CALL SYSTEM$DEPLOY_MODEL with asyncExec and returns as soon as Snowflake accepts it: the
 * YAML as a bind, or, where the account takes no inline spec, the path of deploy.yml PUT on a scoped
 * temporary stage in the model's schema, all on one session. Never retried: a second call would
 * start a second build.
 */
export async function deployModel(
  db: Pick<AsyncRunner, 'executeAsync' | 'inSession'>,
  plan: DeploymentPlanInput,
  options: DeployOptions,
): Promise<DeployStarted> {
  const yaml = options.spec ?? renderDeploymentSpec(plan); // validates the plan
  const service = requireQualifiedName(plan.service, 'Service name', 3);
  const call = (spec: string) => {
    const statement = deployCallStatement(spec);
    return options.queryTag === undefined ? statement : statement.withParameters({ QUERY_TAG: options.queryTag });
  };
  const queryId =
    options.delivery.kind === 'inline'
      ? await db.executeAsync(call(yaml))
      : await db.inSession(async (session) => {
          const modelSchema = requireQualifiedName(plan.model, 'Model', 3).container;
          const path = await stageDeploymentSpec(session, modelSchema, yaml, options.specDirectory ?? defaultSpecDirectory);
          return session.executeAsync(call(path));
        });
  return { queryId, buildJob: qualify(service.container, identifierFromSnowflake(buildJobName(queryId))) };
}

/** Where the deploy query stands; `failed` and `cancelled` carry Snowflake's error for it. */
export async function deployStatus(db: Pick<AsyncRunner, 'queryStatus'>, queryId: string): Promise<QueryState> {
  const state = await db.queryStatus(queryId);
  return state.state === 'failed' || state.state === 'cancelled'
    ? { ...state, error: withPrivilegeHint(state.error, DEPLOY_GRANTS) }
    : state;
}

/**
 * The status of several deploy queries at once, by query id; an id whose status could not be read
 * this time is left out. snowflake-sdk has no call for many ids (Connection.getQueryStatus sends
 * one GET /monitoring/queries/<id> per id), so all are asked at the same time through the pool.
 */
export async function deployStatuses(db: Pick<AsyncRunner, 'queryStatus'>, queryIds: readonly string[]): Promise<Map<string, QueryState>> {
  const unique = [...new Set(queryIds)];
  const states = await Promise.all(unique.map((id) => deployStatus(db, id).catch(() => undefined)));
  const byId = new Map<string, QueryState>();
  unique.forEach((id, i) => {
    const state = states[i];
    if (state !== undefined) byId.set(id, state);
  });
  return byId;
}

const DeployResultRow = z.object({ system$deploy_model: text });

/** The message SYSTEM$DEPLOY_MODEL returned; waits while it runs (up to `timeoutMs`). Throws its error if it failed. */
export async function deployResult(
  db: Pick<AsyncRunner, 'queryResult'>,
  queryId: string,
  options: { readonly timeoutMs?: number } = {},
): Promise<string> {
  try {
    const rows = await db.queryResult(queryId, DeployResultRow, options);
    return rows[0]?.system$deploy_model ?? '';
  } catch (err) {
    throw isSnowflakeError(err) ? withPrivilegeHint(err, DEPLOY_GRANTS) : err;
  }
}

const HistoryRow = z.object({ query_id: text, execution_status: text });

/** A deploy query found again by its tag; `status` is Snowflake's EXECUTION_STATUS (RUNNING, SUCCESS, FAILED_WITH_ERROR…). */
export interface FoundDeployQuery {
  readonly queryId: string;
  readonly status: string;
}

/**
 * The CALL SYSTEM$DEPLOY_MODEL tagged `tag`, from the last 7 days of this user's query history
 * (INFORMATION_SCHEMA.QUERY_HISTORY_BY_USER of `database`, which needs a warehouse), newest first;
 * null when there is none. Throws when the history cannot be read.
 */
export async function findDeployQuery(db: QueryRunner, database: QualifiedName, tag: string): Promise<FoundDeployQuery | null> {
  const history = qualify(database, identifierFromSnowflake('INFORMATION_SCHEMA'), identifierFromSnowflake('QUERY_HISTORY_BY_USER'));
  const rows = await db.query(
    sql`SELECT QUERY_ID, EXECUTION_STATUS FROM TABLE(${history}(RESULT_LIMIT => 10000)) WHERE QUERY_TAG = ${bind(tag)} ORDER BY START_TIME DESC`.repeatable(),
    HistoryRow,
  );
  const first = rows[0];
  return first === undefined ? null : { queryId: first.query_id, status: first.execution_status };
}
