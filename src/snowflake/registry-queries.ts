import { z } from 'zod';
import type { QueryRunner } from './client.js';
import { boolean, jsonStringArray, nullableText, optionalText, text, timestamp, yamlDocument } from './columns.js';
import { SnowflakeError } from './errors.js';
import type { Identifier, QualifiedName } from './identifiers.js';
import { sql } from './sql.js';

/** Databases, schemas and the Model Registry: what a person can pick in the deploy wizard. */

const DatabaseRow = z.object({
  name: text,
  owner: nullableText,
  comment: nullableText,
  kind: nullableText,
  created_on: timestamp,
});
export interface DatabaseInfo {
  readonly name: string;
  readonly owner: string | null;
  readonly comment: string | null;
  readonly kind: string | null;
  readonly createdOn: Date | null;
}

export async function listDatabases(db: QueryRunner): Promise<DatabaseInfo[]> {
  const rows = await db.query(sql`SHOW DATABASES`.repeatable(), DatabaseRow);
  return rows.map((r) => ({ name: r.name, owner: r.owner, comment: r.comment, kind: r.kind, createdOn: r.created_on }));
}

const SchemaRow = z.object({
  name: text,
  database_name: text,
  owner: nullableText,
  comment: nullableText,
  created_on: timestamp,
});
export interface SchemaInfo {
  readonly name: string;
  readonly databaseName: string;
  readonly owner: string | null;
  readonly comment: string | null;
  readonly createdOn: Date | null;
}

export async function listSchemas(db: QueryRunner, database: Identifier): Promise<SchemaInfo[]> {
  const rows = await db.query(
    sql`SHOW SCHEMAS IN DATABASE ${database}`.repeatable().requires(`USAGE ON DATABASE ${database.sql}`),
    SchemaRow,
  );
  return rows.map((r) => ({
    name: r.name,
    databaseName: r.database_name,
    owner: r.owner,
    comment: r.comment,
    createdOn: r.created_on,
  }));
}

const ModelRow = z.object({
  name: text,
  database_name: text,
  schema_name: text,
  comment: nullableText,
  owner: nullableText,
  default_version_name: optionalText,
  versions: jsonStringArray,
  created_on: timestamp,
});
export interface ModelInfo {
  readonly name: string;
  readonly databaseName: string;
  readonly schemaName: string;
  readonly comment: string | null;
  readonly owner: string | null;
  readonly defaultVersionName: string | null;
  readonly versions: readonly string[];
  readonly createdOn: Date | null;
}

/** Models in a schema (`schema` is DB.SCHEMA). */
export async function listModels(db: QueryRunner, schema: QualifiedName): Promise<ModelInfo[]> {
  const rows = await db.query(sql`SHOW MODELS IN SCHEMA ${schema}`.repeatable().requires(`USAGE ON SCHEMA ${schema.sql}`), ModelRow);
  return rows.map((r) => ({
    name: r.name,
    databaseName: r.database_name,
    schemaName: r.schema_name,
    comment: r.comment,
    owner: r.owner,
    defaultVersionName: r.default_version_name,
    versions: r.versions,
    createdOn: r.created_on,
  }));
}

/** One input or output of a model method, from the model spec. */
export interface SignatureFeature {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean | null;
}
export interface MethodSignature {
  readonly inputs: readonly SignatureFeature[];
  readonly outputs: readonly SignatureFeature[];
}

const Feature = z.object({
  name: z.union([z.string(), z.number().transform(String)]),
  type: z.string().optional(),
  nullable: z.boolean().optional(),
});
const ModelSpec = z
  .object({
    signatures: z
      .record(z.string(), z.object({ inputs: z.array(Feature).optional(), outputs: z.array(Feature).optional() }).loose())
      .optional()
      .catch(undefined),
    runtimes: z.record(z.string(), z.unknown()).optional().catch(undefined),
  })
  .loose();

function toFeature(f: z.infer<typeof Feature>): SignatureFeature {
  return { name: f.name, type: f.type ?? 'UNKNOWN', nullable: f.nullable ?? null };
}

const VersionRow = z.object({
  name: text,
  aliases: jsonStringArray,
  database_name: text,
  schema_name: text,
  model_name: text,
  is_default_version: boolean,
  functions: jsonStringArray,
  comment: nullableText,
  runnable_in: jsonStringArray,
  inference_services: jsonStringArray,
  model_spec: yamlDocument,
  created_on: timestamp,
});

export interface ModelVersionInfo {
  readonly name: string;
  readonly modelName: string;
  readonly databaseName: string;
  readonly schemaName: string;
  readonly aliases: readonly string[];
  readonly isDefault: boolean;
  readonly functions: readonly string[];
  readonly comment: string | null;
  /** e.g. ["WAREHOUSE", "SNOWPARK_CONTAINER_SERVICES"]. */
  readonly runnableIn: readonly string[];
  readonly inferenceServices: readonly string[];
  /** True when the model was logged with a GPU runtime (model_spec.runtimes.gpu); required for GPU requests. */
  readonly hasGpuRuntime: boolean;
  /** Method name → signature, from model_spec. Empty if the server did not include model_spec. */
  readonly signatures: Readonly<Record<string, MethodSignature>>;
  readonly createdOn: Date | null;
}

function toVersion(r: z.infer<typeof VersionRow>): ModelVersionInfo {
  const spec = ModelSpec.safeParse(r.model_spec);
  const signatures: Record<string, MethodSignature> = {};
  let hasGpuRuntime = false;
  if (spec.success) {
    for (const [method, sig] of Object.entries(spec.data.signatures ?? {})) {
      signatures[method] = { inputs: (sig.inputs ?? []).map(toFeature), outputs: (sig.outputs ?? []).map(toFeature) };
    }
    const gpu = spec.data.runtimes?.['gpu'];
    hasGpuRuntime = gpu !== undefined && gpu !== null;
  }
  return {
    name: r.name,
    modelName: r.model_name,
    databaseName: r.database_name,
    schemaName: r.schema_name,
    aliases: r.aliases,
    isDefault: r.is_default_version,
    functions: r.functions,
    comment: r.comment,
    runnableIn: r.runnable_in,
    inferenceServices: r.inference_services,
    hasGpuRuntime,
    signatures,
    createdOn: r.created_on,
  };
}

/** Versions of a model (`model` is DB.SCHEMA.MODEL), with model_spec details. */
export async function listModelVersions(db: QueryRunner, model: QualifiedName): Promise<ModelVersionInfo[]> {
  const rows = await db.query(
    sql`SHOW VERSIONS IN MODEL ${model}`
      .repeatable()
      .withParameters({ SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL: true })
      .requires(`USAGE ON MODEL ${model.sql}`),
    VersionRow,
  );
  return rows.map(toVersion);
}

const FunctionRow = z.object({
  name: text,
  arguments: nullableText,
  return_type: nullableText,
});

export interface ModelFunction {
  readonly name: string;
  readonly returnType: string | null;
  /** A TABLE return type: these methods cannot back an online service. */
  readonly isTableFunction: boolean;
  readonly inputs: readonly SignatureFeature[];
  readonly outputs: readonly SignatureFeature[];
  /** Where the inputs came from: the model spec (names, types, nullability) or SHOW FUNCTIONS' arguments. */
  readonly signatureSource: 'model_spec' | 'arguments';
}

/**
 * Parses SHOW FUNCTIONS' `arguments`, e.g. `PREDICT(SEPAL_LENGTH FLOAT, "petal width" NUMBER(38,0)) RETURN OBJECT`.
 * Commas inside parentheses (NUMBER(38,0)) and quoted names are respected.
 */
export function parseFunctionArguments(argumentsText: string): SignatureFeature[] {
  const open = argumentsText.indexOf('(');
  if (open < 0) return [];
  let depth = 0;
  let inQuotes = false;
  let close = -1;
  for (let i = open; i < argumentsText.length; i++) {
    const ch = argumentsText.charAt(i);
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && ch === '(') depth++;
    else if (!inQuotes && ch === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  const inner = argumentsText.slice(open + 1, close < 0 ? undefined : close).trim();
  if (inner === '') return [];
  const parts: string[] = [];
  let current = '';
  depth = 0;
  inQuotes = false;
  for (const ch of inner) {
    if (ch === '"') inQuotes = !inQuotes;
    if (!inQuotes && ch === '(') depth++;
    if (!inQuotes && ch === ')') depth--;
    if (!inQuotes && depth === 0 && ch === ',') {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  parts.push(current.trim());
  return parts
    .filter((p) => p !== '')
    .map((part) => {
      const quoted = /^"((?:[^"]|"")*)"\s+(.+)$/.exec(part);
      if (quoted?.[1] !== undefined && quoted[2] !== undefined) {
        return { name: quoted[1].replaceAll('""', '"'), type: quoted[2].trim(), nullable: null };
      }
      const space = part.search(/\s/);
      return space < 0
        ? { name: '', type: part, nullable: null }
        : { name: part.slice(0, space), type: part.slice(space + 1).trim(), nullable: null };
    });
}

/**
 * Methods of one model version with their input signatures: names and types from the model spec when
 * Snowflake provides it, otherwise parsed from SHOW FUNCTIONS' `arguments`. Throws not_found if the
 * version does not exist.
 */
export async function listVersionFunctions(db: QueryRunner, model: QualifiedName, version: Identifier): Promise<ModelFunction[]> {
  return (await describeModelVersion(db, model, version)).functions;
}

/** One model version: its SHOW VERSIONS row and its functions (as listVersionFunctions), from two statements. */
export async function describeModelVersion(
  db: QueryRunner,
  model: QualifiedName,
  version: Identifier,
): Promise<{ version: ModelVersionInfo; functions: ModelFunction[] }> {
  const [functions, versions] = await Promise.all([
    db.query(sql`SHOW FUNCTIONS IN MODEL ${model} VERSION ${version}`.repeatable().requires(`USAGE ON MODEL ${model.sql}`), FunctionRow),
    listModelVersions(db, model),
  ]);
  const info = versions.find((v) => v.name === version.name);
  if (info === undefined) {
    throw new SnowflakeError(
      { kind: 'not_found', objectKind: 'model version', objectName: `${model.sql} VERSION ${version.sql}` },
      `Model ${model.sql} has no version ${version.sql}`,
    );
  }
  const specByUpper = new Map(Object.entries(info.signatures).map(([name, sig]) => [name.toUpperCase(), sig]));
  const described = functions.map((f): ModelFunction => {
    const sig = specByUpper.get(f.name.toUpperCase());
    const returnType = f.return_type;
    const base = { name: f.name, returnType, isTableFunction: returnType !== null && /\bTABLE\b/i.test(returnType) };
    return sig !== undefined
      ? { ...base, inputs: sig.inputs, outputs: sig.outputs, signatureSource: 'model_spec' as const }
      : { ...base, inputs: parseFunctionArguments(f.arguments ?? ''), outputs: [], signatureSource: 'arguments' as const };
  });
  return { version: info, functions: described };
}
