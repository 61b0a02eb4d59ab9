import {
  currentIdentity,
  decideSpecDelivery,
  findService,
  identifierFromSnowflake,
  listComputePools,
  listInstanceFamilies,
  qualify,
  showGrantsToRole,
  type PlatformCapabilities,
  type QueryRunner,
  type SpecDirectory,
} from '../../snowflake/index.js';
import type { Draft, FamilyRow, PoolRow } from '../../domain/deploy-draft.js';
import type { ModelListing, RegistryCatalog } from './registry-catalog.js';
import { describeSnowflakeFailure } from './snowflake-message.js';

/**
 * The wizard's Snowflake look-ups. Each takes a draft and returns it with the data it fetched;
 * a failure becomes `notice` (shown at the top of the step), never an exception.
 */

const id = identifierFromSnowflake;

/** Runs `work`; on failure returns the draft with a notice saying what could not be done. */
async function guarded(draft: Draft, doing: string, work: () => Promise<Draft>): Promise<Draft> {
  try {
    return await work();
  } catch (err) {
    return { ...draft, notice: describeSnowflakeFailure(err, doing) };
  }
}

/** A name picked or typed that is not in the list Snowflake gave: drop it and everything after it. */
function dropUnknown(draft: Draft, what: string, value: string | undefined, list: readonly string[]): { draft: Draft; known: boolean } {
  if (value === undefined || list.includes(value)) return { draft, known: true };
  return { draft: { ...draft, notice: `${what}${value} is not in the list Snowflake returned; pick one from the list.` }, known: false };
}

/**
 * A listing from the catalog that must hold `pick` when there is one: a remembered listing
 * without it is asked for again, fresh, before the pick is called unknown.
 */
async function listingWith<T>(
  pick: string | undefined,
  names: (list: T) => readonly string[],
  load: (fresh: boolean) => Promise<T>,
): Promise<T> {
  const remembered = await load(false);
  return pick === undefined || names(remembered).includes(pick) ? remembered : load(true);
}

/**
 * Step 1: fills whichever lists the current picks need (databases; the database's schemas; the
 * schema's models and their versions; the version's functions and GPU runtime), checking each
 * pick (e.g. from the command's arguments) against what Snowflake listed.
 */
export async function loadModelLists(catalog: RegistryCatalog, start: Draft): Promise<Draft> {
  let draft = start;
  const m = () => draft.model;
  const lists = () => draft.lists;
  const same = (names: readonly string[]) => names;

  if (lists().databases === undefined) {
    draft = await guarded(draft, 'list databases', async () => ({
      ...draft,
      lists: { ...lists(), databases: [...(await listingWith(m().database, same, (fresh) => catalog.databases(fresh)))] },
    }));
  }
  const databases = lists().databases;
  if (databases === undefined) return draft; // the failure is the notice
  let check = dropUnknown(draft, 'Database ', m().database, databases);
  if (!check.known) return { ...check.draft, model: {} };
  const database = m().database;
  if (database === undefined) return draft;

  if (lists().schemas === undefined) {
    draft = await guarded(draft, `list the schemas of ${database}`, async () => ({
      ...draft,
      lists: { ...lists(), schemas: [...(await listingWith(m().schema, same, (fresh) => catalog.schemas(database, fresh)))] },
    }));
  }
  const schemas = lists().schemas;
  if (schemas === undefined) return draft;
  check = dropUnknown(draft, `Schema ${database}.`, m().schema, schemas);
  if (!check.known) return { ...check.draft, model: { database } };
  const schema = m().schema;
  if (schema === undefined) return draft;

  if (lists().models === undefined) {
    draft = await guarded(draft, `list the models in ${database}.${schema}`, async () => {
      // A typed version missing from a remembered listing also asks again: it may be new.
      const wanted = m().name === undefined ? undefined : `${m().name ?? ''}/${m().version ?? ''}`;
      const keys = (listing: readonly ModelListing[]) => listing.flatMap((x) => [`${x.name}/`, ...x.versions.map((v) => `${x.name}/${v}`)]);
      const models = await listingWith(wanted, keys, (fresh) => catalog.models(database, schema, fresh));
      return { ...draft, lists: { ...lists(), models: models.map((x) => ({ ...x, versions: [...x.versions] })) } };
    });
  }
  const models = lists().models;
  if (models === undefined) return draft;
  check = dropUnknown(
    draft,
    `Model ${database}.${schema}.`,
    m().name,
    models.map((x) => x.name),
  );
  if (!check.known) return { ...check.draft, model: { database, schema } };
  const name = m().name;
  if (name === undefined) return draft;

  check = dropUnknown(draft, `${name} version `, m().version, models.find((x) => x.name === name)?.versions ?? []);
  if (!check.known) return { ...check.draft, model: { database, schema, name } };
  const version = m().version;
  if (version === undefined || draft.versionInfo !== undefined) return draft;

  return guarded(draft, `read the functions of ${name} version ${version}`, async () => ({
    ...draft,
    versionInfo: await catalog.version({ database, schema, name, version }),
  }));
}

/**
 * Pool names the bot's role may use (USAGE or OWNERSHIP granted directly), or null when that cannot
 * be told: the grants are unreadable, or the role inherits other roles' grants.
 */
async function usablePools(db: QueryRunner): Promise<ReadonlySet<string> | null> {
  try {
    const { role } = await currentIdentity(db);
    if (role === null) return null;
    const grants = await showGrantsToRole(db, id(role));
    if (grants.some((g) => g.grantedOn === 'ROLE')) return null;
    const onPools = grants.filter((g) => g.grantedOn === 'COMPUTE_POOL' && (g.privilege === 'USAGE' || g.privilege === 'OWNERSHIP'));
    return new Set(onPools.map((g) => g.name));
  } catch {
    return null; // an unknown answer refuses nothing; the deployment itself would report 003001
  }
}

/**
 * Step 3: the pools with their GPUs per node (from the instance families) and whether the bot's
 * role may use them, and the families for a new pool.
 */
export function loadPools(db: QueryRunner, draft: Draft): Promise<Draft> {
  return guarded(draft, 'list the compute pools', async () => {
    const [pools, families, usable] = await Promise.all([listComputePools(db), listInstanceFamilies(db), usablePools(db)]);
    const familyRows: FamilyRow[] = families.map((f) => ({ name: f.name, gpu: f.gpu, vcpu: f.vcpu }));
    const gpuOf = new Map(familyRows.map((f) => [f.name.toUpperCase(), f.gpu]));
    const poolRows: PoolRow[] = pools.map((p) => ({
      name: p.name,
      instanceFamily: p.instanceFamily,
      gpu: gpuOf.get(p.instanceFamily.toUpperCase()) ?? null,
      minNodes: p.minNodes,
      maxNodes: p.maxNodes,
      activeNodes: p.activeNodes,
      state: p.state,
      services: p.numServices,
      autoResume: p.autoResume,
      usable: usable === null ? null : usable.has(p.name),
    }));
    return { ...draft, lists: { ...draft.lists, pools: poolRows, families: familyRows } };
  });
}

/** Step 6: is there a service of that name already (SHOW SERVICES IN SCHEMA … STARTS WITH)? */
export function checkExistingService(db: QueryRunner, draft: Draft): Promise<Draft> {
  const s = draft.service;
  if (s.database === undefined || s.schema === undefined || s.name === undefined) return Promise.resolve(draft);
  const { database, schema, name } = s;
  return guarded(draft, `check whether ${database}.${schema}.${name} exists`, async () => {
    const found = await findService(db, qualify(id(database), id(schema), id(name)));
    const existing =
      found === null
        ? null
        : {
            status: found.status,
            computePool: found.computePool,
            currentInstances: found.currentInstances,
            minInstances: found.minInstances,
            maxInstances: found.maxInstances,
          };
    return { ...draft, existing };
  });
}

/**
 * Before the review: whether the spec can reach SYSTEM$DEPLOY_MODEL (inline, or PUT on a stage),
 * so that a deployment that could only fail is refused here and never goes to approval.
 */
export function checkSpecDelivery(capabilities: PlatformCapabilities, dir: SpecDirectory | undefined, draft: Draft): Promise<Draft> {
  const { specDelivery: _old, ...rest } = draft;
  return guarded(rest, 'read SYSTEM$ML_PLATFORM_CAPABILITIES', async () => ({
    ...rest,
    specDelivery: await decideSpecDelivery(capabilities, dir),
  }));
}
