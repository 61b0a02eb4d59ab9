/**
 * Databases, schemas and the Model Registry: SHOW DATABASES / SCHEMAS / MODELS / VERSIONS /
 * FUNCTIONS (contract rows 1–5).
 */
import { stringify as stringifyYaml } from 'yaml';
import { doesNotExist, noCurrentContainer } from '../errors.js';
import { currentSchema, paramIsTrue, resolveObjectName, resolveSchemaName } from '../session-context.js';
import { requireDatabase, requireModel, requireSchema, canUseSchema } from '../spcs/lookup.js';
import { canSee } from '../spcs/privileges.js';
import type { Model, ModelMethod, ModelVersion } from '../spcs/state.js';
import { displayName, key2, key3 } from '../spcs/state.js';
import { type Exec, type ExecOutcome, done } from './context.js';
import { type Cell, type Column, fixed, flag, likeToRegExp, text, tsLtz } from './result.js';
import type { Statement } from '../sql/ast.js';

type Stmt<K extends Statement['kind']> = Extract<Statement, { kind: K }>;

function likeFilter(like: string | undefined): (name: string) => boolean {
  if (like === undefined) return () => true;
  const re = likeToRegExp(like, true);
  return (name) => re.test(name);
}

export function showDatabases(x: Exec, s: Stmt<'showDatabases'>): ExecOutcome {
  const st = x.sim.state;
  const match = likeFilter(s.like);
  const rows: Cell[][] = [...st.databases.values()]
    .filter((d) => canSee(st, x.ctx.role, 'DATABASE', d.name) && match(d.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => [
      d.createdOn,
      d.name,
      'N',
      d.name === x.session.database ? 'Y' : 'N',
      d.kind === 'APPLICATION' ? 'SNOWFLAKE' : '',
      d.owner,
      d.comment ?? '',
      '',
      d.kind === 'APPLICATION' ? '0' : '1',
      d.kind,
      null,
      d.owner ? 'ROLE' : null,
    ]);
  const columns: Column[] = [
    tsLtz('created_on'),
    text('name'),
    text('is_default'),
    text('is_current'),
    text('origin'),
    text('owner'),
    text('comment'),
    text('options'),
    text('retention_time'),
    text('kind'),
    text('budget'),
    text('owner_role_type'),
  ];
  return done({ columns, rows });
}

export function showSchemas(x: Exec, s: Stmt<'showSchemas'>): ExecOutcome {
  const st = x.sim.state;
  let db = x.ctx.database;
  if (s.database) db = s.database.parts[0]?.value ?? null;
  if (!db) throw noCurrentContainer('SHOW SCHEMAS', 'database');
  requireDatabase(x.sim, x.ctx.role, db);
  const match = likeFilter(s.like);
  const database = st.databases.get(db);
  const rows: Cell[][] = [];
  const info: Cell[] = [
    database?.createdOn ?? x.now,
    'INFORMATION_SCHEMA',
    'N',
    'N',
    db,
    '',
    'Views describing the contents of schemas in this database',
    '',
    '1',
    null,
    null,
  ];
  if (match('INFORMATION_SCHEMA')) rows.push(info);
  for (const sc of st.schemas.values()) {
    if (sc.database !== db || !match(sc.name)) continue;
    if (!(x.ctx.role === 'ACCOUNTADMIN' || canSee(st, x.ctx.role, 'SCHEMA', key2(db, sc.name)))) continue;
    rows.push([
      sc.createdOn,
      sc.name,
      'N',
      db === x.session.database && sc.name === x.session.schema ? 'Y' : 'N',
      db,
      sc.owner,
      sc.comment ?? '',
      '',
      '1',
      sc.owner ? 'ROLE' : null,
      null,
    ]);
  }
  rows.sort((a, b) => String(a[1]).localeCompare(String(b[1])));
  const columns: Column[] = [
    tsLtz('created_on'),
    text('name'),
    text('is_default'),
    text('is_current'),
    text('database_name'),
    text('owner'),
    text('comment'),
    text('options'),
    text('retention_time'),
    text('owner_role_type'),
    text('budget'),
  ];
  return done({ columns, rows });
}

function systemAliases(model: Model, v: ModelVersion): string[] {
  const versions = [...model.versions.values()].sort((a, b) => a.createdOn - b.createdOn);
  const out: string[] = [];
  if (model.defaultVersion === v.name) out.push('DEFAULT');
  if (versions[0]?.name === v.name) out.push('FIRST');
  if (versions[versions.length - 1]?.name === v.name) out.push('LAST');
  return [...out, ...v.aliases];
}

export function showModels(x: Exec, s: Stmt<'showModels'>): ExecOutcome {
  const st = x.sim.state;
  const [db, schema] = s.schema
    ? resolveSchemaName(
        s.schema.parts.map((p) => p.value),
        x.ctx,
        'SHOW MODELS',
      )
    : currentSchema(x.ctx, 'SHOW MODELS');
  requireSchema(x.sim, x.ctx.role, db, schema);
  const match = likeFilter(s.like);
  const rows: Cell[][] = [...st.models.values()]
    .filter((m) => m.database === db && m.schema === schema && match(m.name) && canSee(st, x.ctx.role, 'MODEL', key3(db, schema, m.name)))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => [
      m.createdOn,
      m.name,
      'USER_MODEL',
      m.database,
      m.schema,
      m.comment ?? '',
      m.owner,
      m.defaultVersion,
      JSON.stringify([...m.versions.keys()]),
      JSON.stringify(Object.fromEntries([...m.versions.values()].flatMap((v) => systemAliases(m, v).map((a) => [a, v.name])))),
      'ROLE',
    ]);
  const columns: Column[] = [
    tsLtz('created_on'),
    text('name'),
    text('model_type'),
    text('database_name'),
    text('schema_name'),
    text('comment'),
    text('owner'),
    text('default_version_name'),
    text('versions'),
    text('aliases'),
    text('owner_role_type'),
  ];
  return done({ columns, rows });
}

/** The model-signature type as a SQL type (SHOW FUNCTIONS arguments). */
function sqlType(t: string): string {
  switch (t.toUpperCase()) {
    case 'STRING':
      return 'VARCHAR';
    case 'DOUBLE':
    case 'FLOAT':
      return 'FLOAT';
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
      return 'NUMBER';
    case 'BOOL':
      return 'BOOLEAN';
    default:
      return t.toUpperCase();
  }
}

function modelSpecYaml(v: ModelVersion): string {
  const signatures = Object.fromEntries(
    v.methods.map((m) => [
      m.name.toLowerCase(),
      {
        inputs: m.inputs.map((i) => ({ name: i.name, type: i.type, nullable: i.nullable })),
        outputs: m.outputs.map((o) => ({ name: o.name, type: o.type, nullable: o.nullable })),
      },
    ]),
  );
  const runtimes: Record<string, unknown> = {
    cpu: { imports: [], dependencies: { conda: 'runtimes/cpu/env/conda.yml', pip: 'runtimes/cpu/env/requirements.txt' } },
  };
  if (v.gpuRuntime) {
    runtimes['gpu'] = {
      imports: [],
      dependencies: { conda: 'runtimes/gpu/env/conda.yml', pip: 'runtimes/gpu/env/requirements.txt' },
      cuda_version: v.gpuRuntime.cudaVersion,
    };
  }
  return stringifyYaml({
    name: v.name,
    model_type: v.modelType,
    signatures,
    runtimes,
    min_snowpark_ml_version: '1.9.0',
    env: { python_version: '3.10', cuda_version: v.gpuRuntime?.cudaVersion ?? null },
  });
}

export function showVersions(x: Exec, s: Stmt<'showVersions'>): ExecOutcome {
  const st = x.sim.state;
  const [db, schema, name] = resolveObjectName(
    s.model.parts.map((p) => p.value),
    x.ctx,
    'SHOW VERSIONS',
  );
  const model = requireModel(x.sim, x.ctx.role, db, schema, name);
  const withSpec = paramIsTrue(x.ctx, 'SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL');
  const match = likeFilter(s.like);
  const services = [...st.services.values()];
  const rows: Cell[][] = [...model.versions.values()]
    .filter((v) => match(v.name))
    .sort((a, b) => a.createdOn - b.createdOn)
    .map((v) => {
      const inferenceServices = services
        .filter(
          (svc) =>
            svc.model &&
            svc.model.database === db &&
            svc.model.schema === schema &&
            svc.model.name === name &&
            svc.model.version === v.name,
        )
        .filter((svc) => canUseSchema(x.sim, x.ctx.role, svc.database, svc.schema) || x.ctx.role === 'ACCOUNTADMIN')
        .map((svc) => displayName(svc.database, svc.schema, svc.name));
      const row: Cell[] = [
        v.createdOn,
        v.name,
        JSON.stringify(systemAliases(model, v)),
        v.comment ?? '',
        db,
        schema,
        name,
        flag(model.defaultVersion === v.name),
        JSON.stringify(v.methods.map((m) => m.name)),
        JSON.stringify(v.metadata),
        JSON.stringify(v.userData),
        JSON.stringify({
          framework: v.modelType,
          client: 'snowflake-ml-python 1.9.0',
          task: v.behavior === 'iris' ? 'TABULAR_MULTI_CLASSIFICATION' : 'UNKNOWN',
        }),
        v.sizeBytes,
        JSON.stringify({ python_version: '3.10', cuda_version: v.gpuRuntime?.cudaVersion ?? null }),
        JSON.stringify(['WAREHOUSE', 'SNOWPARK_CONTAINER_SERVICES']),
        JSON.stringify(inferenceServices),
      ];
      if (withSpec) row.push(modelSpecYaml(v));
      return row;
    });
  const columns: Column[] = [
    tsLtz('created_on'),
    text('name'),
    text('aliases'),
    text('comment'),
    text('database_name'),
    text('schema_name'),
    text('model_name'),
    text('is_default_version'),
    text('functions'),
    text('metadata'),
    text('user_data'),
    text('model_attributes'),
    fixed('size'),
    text('environment'),
    text('runnable_in'),
    text('inference_services'),
  ];
  if (withSpec) columns.push(text('model_spec'));
  return done({ columns, rows });
}

function functionRow(m: ModelMethod): Cell[] {
  const args = m.inputs.map((i) => `${i.name} ${sqlType(i.type)}`).join(', ');
  const ret = m.isTableFunction ? `TABLE (${m.outputs.map((o) => `${o.name} ${sqlType(o.type)}`).join(', ')})` : 'OBJECT';
  return [m.name, `${m.name}(${args}) RETURN ${ret}`, ret, 'PYTHON', `Model method ${m.name.toLowerCase()}`];
}

export function showFunctions(x: Exec, s: Stmt<'showFunctions'>): ExecOutcome {
  const [db, schema, name] = resolveObjectName(
    s.model.parts.map((p) => p.value),
    x.ctx,
    'SHOW FUNCTIONS',
  );
  const model = requireModel(x.sim, x.ctx.role, db, schema, name);
  const v = model.versions.get(s.version.value);
  if (!v) throw doesNotExist('Version', `${s.version.value}' of model '${displayName(db, schema, name)}`);
  const match = likeFilter(s.like);
  const rows = v.methods.filter((m) => match(m.name)).map(functionRow);
  return done({ columns: [text('name'), text('arguments'), text('return_type'), text('language'), text('description')], rows });
}
