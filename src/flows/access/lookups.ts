import { describeFailure } from '../../blocks/kit.js';
import {
  currentIdentity,
  getAccountNetworkPolicy,
  getInferenceEndpoint,
  getUserNetworkPolicy,
  identifierFromSnowflake,
  isSnowflakeError,
  listDatabases,
  listModels,
  listModelVersions,
  listSchemas,
  listVersionFunctions,
  qualify,
  type QualifiedName,
  type QueryRunner,
} from '../../snowflake/index.js';
import { fqOf } from '../../domain/access-change-plan.js';
import type { AccessEndpoint, AccessMethod, AccessSession, Fq } from '../../store/access-session-store.js';

/**
 * The Snowflake reads behind the overview. Each one that fails leaves its part "unknown" and adds
 * a sentence to the notice; the rest of the overview still shows.
 */

const id = identifierFromSnowflake;

/** Runs `work`; a failure becomes a sentence in `notes` and `undefined`. */
async function attempt<T>(notes: string[], doing: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    notes.push(describeFailure(isSnowflakeError(err) ? err.failure : null, doing));
    return undefined;
  }
}

/** A listing the bot's role may not be allowed to see counts as empty while searching. */
async function orEmpty<T>(work: Promise<T[]>): Promise<T[]> {
  try {
    return await work;
  } catch (err) {
    if (isSnowflakeError(err) && (err.kind === 'not_found' || err.kind === 'insufficient_privileges')) return [];
    throw err;
  }
}

const normalized = (name: string) => name.replaceAll('"', '').toUpperCase();

/**
 * Which model version serves the service: SHOW VERSIONS lists each version's `inference_services`.
 * There is no reverse look-up, so the registry is searched, the service's own database first
 * (where snowflake-ml-python users usually keep both).
 */
async function findServedModel(db: QueryRunner, service: Fq): Promise<{ model: QualifiedName; version: string } | null> {
  const target = normalized(`${service.database}.${service.schema}.${service.name}`);
  const databases = (await listDatabases(db)).map((d) => d.name).filter((d) => d !== service.database);
  for (const database of [service.database, ...databases]) {
    const schemas = (await orEmpty(listSchemas(db, id(database)))).filter((s) => s.name !== 'INFORMATION_SCHEMA');
    const models = (await Promise.all(schemas.map((s) => orEmpty(listModels(db, qualify(id(database), id(s.name))))))).flat();
    for (const m of models) {
      const model = qualify(id(m.databaseName), id(m.schemaName), id(m.name));
      const version = (await orEmpty(listModelVersions(db, model))).find((v) => v.inferenceServices.some((s) => normalized(s) === target));
      if (version !== undefined) return { model, version: version.name };
    }
  }
  return null;
}

async function loadMethods(db: QueryRunner, service: Fq): Promise<{ model: AccessSession['model']; methods: AccessMethod[] }> {
  const served = await findServedModel(db, service);
  if (served === null) return { model: null, methods: [] };
  const functions = await listVersionFunctions(db, served.model, id(served.version));
  return {
    model: { fq: served.model.sql, version: served.version },
    // Table functions cannot back an online service; they have no REST route.
    methods: functions
      .filter((f) => !f.isTableFunction)
      .map((f) => ({ name: f.name, inputs: f.inputs.map((i) => ({ name: i.name, type: i.type })) })),
  };
}

async function loadEndpoint(db: QueryRunner, service: Fq): Promise<AccessEndpoint> {
  const endpoint = await getInferenceEndpoint(db, fqOf(service));
  return endpoint.state === 'ready'
    ? { state: 'ready', host: endpoint.host }
    : endpoint.state === 'provisioning'
      ? { state: 'provisioning', message: endpoint.message }
      : { state: 'absent' };
}

/** Everything the overview shows, read fresh; `first` also reads who the bot is and the model's methods. */
export async function loadOverview(db: QueryRunner, session: AccessSession, first: boolean): Promise<AccessSession> {
  const notes: string[] = [];
  const [identity, endpoint, methods, accountPolicy] = await Promise.all([
    first ? attempt(notes, "read the bot's Snowflake user", () => currentIdentity(db)) : Promise.resolve(undefined),
    attempt(notes, "read the service's endpoints", () => loadEndpoint(db, session.service)),
    first
      ? attempt(notes, 'find the model version this service serves', () => loadMethods(db, session.service))
      : Promise.resolve(undefined),
    attempt(notes, 'read the account-level network policy', () => getAccountNetworkPolicy(db)),
  ]);
  let next: AccessSession = { ...session, accountPolicy, ...(endpoint !== undefined && { endpoint }) };
  // The bot's own user is never the default: a policy on it filters the bot's own logins.
  if (identity !== undefined && identity.user !== '') next = { ...next, botUser: identity.user, botRole: identity.role };
  if (methods !== undefined) next = { ...next, model: methods.model, methods: methods.methods };
  if (next.snowflakeUser !== '') {
    const user = next.snowflakeUser;
    const policy = await attempt(notes, `read the network policy of user ${user}`, () => getUserNetworkPolicy(db, id(user)));
    next = { ...next, networkPolicy: policy };
  }
  const { notice: _old, ...rest } = next;
  return notes.length === 0 ? rest : { ...rest, notice: notes.join('\n') };
}
