/**
 * Stages for PUT and SYSTEM$DEPLOY_MODEL('@stage/deploy.yml'). The driver uploads what a PUT names
 * to the location the server's answer gives; with locationType LOCAL_FS (snowflake-sdk
 * file_transfer_agent/local_util.js, its own test stage type) that is a directory here, so the real
 * driver really copies the file and the deploy really reads it back.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alreadyExists, SqlError } from '../errors.js';
import type { SessionContext } from '../session-context.js';
import { resolveObjectName } from '../session-context.js';
import { displayName, key2, key3, type Stage } from './state.js';
import { requirePrivilege, requireSchema } from './lookup.js';
import type { Sim } from './sim.js';

let root: string | null = null;
let serial = 0;

function stageRoot(): string {
  root ??= mkdtempSync(join(tmpdir(), 'spcs-emulator-stages-'));
  return root;
}

/** Removes every stage's files (emulator close). */
export function removeStageFiles(sim: Sim): void {
  for (const stage of sim.state.stages.values()) rmSync(stage.dir, { recursive: true, force: true });
  sim.state.stages.clear();
}

function visible(stage: Stage, ctx: SessionContext): boolean {
  return stage.sessionId === null || stage.sessionId === ctx.sessionId;
}

export function createStage(
  sim: Sim,
  ctx: SessionContext,
  parts: readonly string[],
  opts: { temporary: boolean; orReplace: boolean; ifNotExists: boolean },
  at: number,
): string {
  const [db, schema, name] = resolveObjectName(parts, ctx, 'CREATE STAGE');
  requireSchema(sim, ctx.role, db, schema);
  // docs create-stage, "Access control requirements": CREATE STAGE on the schema, temporary or not.
  requirePrivilege(sim, ctx.role, ['CREATE STAGE'], 'SCHEMA', key2(db, schema), 'schema', displayName(db, schema));
  const key = key3(db, schema, name);
  const existing = sim.state.stages.get(key);
  if (existing && visible(existing, ctx)) {
    if (opts.ifNotExists) return `${name} already exists, statement succeeded.`;
    if (!opts.orReplace) throw alreadyExists(name);
    rmSync(existing.dir, { recursive: true, force: true });
  }
  const dir = join(stageRoot(), `stage-${++serial}`);
  mkdirSync(dir, { recursive: true });
  sim.state.stages.set(key, { database: db, schema, name, sessionId: opts.temporary ? ctx.sessionId : null, dir, createdOn: at });
  return `Stage area ${name} successfully created.`;
}

function stageNotFound(db: string, schema: string, name: string): SqlError {
  return new SqlError(
    '002003',
    '02000',
    `SQL compilation error:\nStage '${displayName(db, schema, name)}' does not exist or not authorized.`,
  );
}

export function requireStage(sim: Sim, ctx: SessionContext, parts: readonly string[], command: string): Stage {
  const [db, schema, name] = resolveObjectName(parts, ctx, command);
  const stage = sim.state.stages.get(key3(db, schema, name));
  if (!stage || !visible(stage, ctx)) throw stageNotFound(db, schema, name);
  return stage;
}

/** `file:///abs/path` (or `file://abs`) → the local path the driver reads. */
export function localPathOf(fileUrl: string): string {
  const m = /^file:\/\/(.+)$/i.exec(fileUrl.trim());
  if (!m?.[1]) throw new SqlError('001003', '42000', `SQL compilation error:\nsyntax error: PUT needs a file:// URL, got '${fileUrl}'`);
  return m[1];
}

/** A spec argument of SYSTEM$DEPLOY_MODEL that names a staged file: `@DB.SCHEMA.STAGE/deploy.yml`. */
export function readStagedSpec(sim: Sim, ctx: SessionContext, ref: string): string {
  const m = /^@([^/]+)\/(.+)$/.exec(ref.trim());
  if (!m?.[1] || !m[2])
    throw new SqlError('100357', 'P0000', `Invalid model deployment spec location '${ref}': expected @<stage>/<file>.`, 'EXECUTION');
  const parts = m[1].split('.').map((p) => (p.startsWith('"') && p.endsWith('"') ? p.slice(1, -1).replaceAll('""', '"') : p.toUpperCase()));
  const stage = requireStage(sim, ctx, parts, 'SYSTEM$DEPLOY_MODEL');
  const file = m[2];
  if (file.includes('..') || file.startsWith('/'))
    throw new SqlError('100357', 'P0000', `Invalid model deployment spec location '${ref}'.`, 'EXECUTION');
  try {
    return readFileSync(join(stage.dir, file), 'utf8');
  } catch {
    throw new SqlError('100357', 'P0000', `Model deployment spec file '${ref}' was not found on the stage.`, 'EXECUTION');
  }
}
