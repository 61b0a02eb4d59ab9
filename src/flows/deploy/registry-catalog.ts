import {
  identifierFromSnowflake as id,
  describeModelVersion,
  listDatabases,
  listModels,
  listSchemas,
  qualify,
  type QueryRunner,
} from '../../snowflake/index.js';
import type { Draft } from '../../domain/deploy-draft.js';

/**
 * What the deploy wizard's first step lists from the Model Registry, remembered for a short while
 * in this process. A team opening the wizard together asks Snowflake once (concurrent look-ups of
 * the same thing share one query) instead of six statements per person, and the modal is filled
 * without a Snowflake round trip. A listing is at most `maxAgeMs` old; a pick missing from a
 * remembered listing is looked up again (`fresh`), so a model registered a moment ago is found.
 * Failures are not remembered. The bot has one Snowflake role, so the keys need no role.
 */

export type ModelListing = NonNullable<Draft['lists']['models']>[number];
export type VersionDetails = NonNullable<Draft['versionInfo']>;

export interface RegistryCatalog {
  databases(fresh?: boolean): Promise<readonly string[]>;
  schemas(database: string, fresh?: boolean): Promise<readonly string[]>;
  models(database: string, schema: string, fresh?: boolean): Promise<readonly ModelListing[]>;
  version(model: { database: string; schema: string; name: string; version: string }, fresh?: boolean): Promise<VersionDetails>;
}

export interface CatalogOptions {
  /** How long a listing is reused. 0 turns remembering off (every call asks Snowflake). */
  readonly maxAgeMs: number;
  readonly now: () => number;
  /** Listings kept per kind; the oldest go first. */
  readonly maxEntries?: number;
}

/** One kind of listing: single flight per key, reused while young, forgotten on failure. */
function memo<T>(options: CatalogOptions) {
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  const limit = options.maxEntries ?? 500;
  return (key: string, fresh: boolean, load: () => Promise<T>): Promise<T> => {
    const hit = entries.get(key);
    if (!fresh && hit !== undefined && options.now() - hit.at < options.maxAgeMs) return hit.value;
    const value = load();
    entries.delete(key); // re-inserted last: Map order is age order
    entries.set(key, { at: options.now(), value });
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    for (const oldest of entries.keys()) {
      if (entries.size <= limit) break;
      entries.delete(oldest);
    }
    return value;
  };
}

export function createRegistryCatalog(db: QueryRunner, options: CatalogOptions): RegistryCatalog {
  const databases = memo<readonly string[]>(options);
  const schemas = memo<readonly string[]>(options);
  const models = memo<readonly ModelListing[]>(options);
  const versions = memo<VersionDetails>(options);
  return {
    databases: (fresh = false) => databases('', fresh, async () => (await listDatabases(db)).map((d) => d.name)),
    schemas: (database, fresh = false) =>
      schemas(database, fresh, async () =>
        (await listSchemas(db, id(database))).map((s) => s.name).filter((s) => s !== 'INFORMATION_SCHEMA'),
      ),
    models: (database, schema, fresh = false) =>
      models(`${database}.${schema}`, fresh, async () =>
        (await listModels(db, qualify(id(database), id(schema)))).map((x) => ({
          name: x.name,
          versions: [...x.versions],
          defaultVersion: x.defaultVersionName,
        })),
      ),
    version: (m, fresh = false) =>
      versions(`${m.database}.${m.schema}.${m.name}.${m.version}`, fresh, async () => {
        const model = qualify(id(m.database), id(m.schema), id(m.name));
        const { version, functions } = await describeModelVersion(db, model, id(m.version));
        return {
          hasGpuRuntime: version.hasGpuRuntime,
          functions: functions
            .filter((f) => !f.isTableFunction)
            .map((f) => ({
              name: f.name,
              inputs: f.inputs.map((i) => ({ name: i.name, type: i.type })),
              outputs: f.outputs.map((o) => ({ name: o.name, type: o.type })),
            })),
        };
      }),
  };
}
