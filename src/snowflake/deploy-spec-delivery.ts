import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { QueryRunner, SessionRunner } from './client.js';
import { text } from './columns.js';
import { isSnowflakeError, SnowflakeError } from './errors.js';
import { identifierFromSnowflake, qualify, type QualifiedName } from './identifiers.js';
import { getPlatformCapabilities } from './platform-queries.js';
import { literal, sql } from './sql.js';

/**
 * How CALL SYSTEM$DEPLOY_MODEL gets its spec, as snowflake-ml-python decides it
 * (_internal/platform_capabilities.py, ops/service_ops.py): inline when the account's
 * ENABLE_INLINE_DEPLOYMENT_SPEC_FROM_CLIENT_VERSION is no higher than the client's version;
 * otherwise deploy.yml goes to a scoped temporary stage in the model's schema and the CALL names it.
 */

export const INLINE_SPEC_CAPABILITY = 'ENABLE_INLINE_DEPLOYMENT_SPEC_FROM_CLIENT_VERSION';

/**
 * The snowflake-ml-python release whose deployment spec the bot renders, compared with the
 * capability as ml-python compares its own version. A lower value only sends more accounts down the
 * stage path, which every server takes.
 */
export const SPEC_CLIENT_VERSION = '1.8.6';

export type SpecDelivery =
  | { readonly kind: 'inline' }
  /** `capability` is the account's value (null when the account does not name it). */
  | { readonly kind: 'stage'; readonly capability: string | null }
  /** Inline is off and the bot cannot upload deploy.yml: deploying would fail, so it is refused before approval. */
  | { readonly kind: 'refused'; readonly message: string };

type Capabilities = Readonly<Record<string, unknown>>;

/** Release segments of a version such as 1.8.6; null for anything ml-python's fallback treats as "very high". */
function releaseOf(value: string): number[] | null {
  const match = /^v?(\d+(?:\.\d+)*)$/i.exec(value.trim());
  return match?.[1] === undefined ? null : match[1].split('.').map(Number);
}

function atLeast(version: readonly number[], floor: readonly number[]): boolean {
  for (let i = 0; i < Math.max(version.length, floor.length); i++) {
    const a = version[i] ?? 0;
    const b = floor[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** The account's capability value as text, or null when it is missing. */
export function inlineSpecCapability(capabilities: Capabilities): string | null {
  const value = capabilities[INLINE_SPEC_CAPABILITY];
  return value === undefined || value === null ? null : String(value);
}

/** Missing or unreadable means off, as ml-python's 999.999.999 fallback makes it. */
export function inlineSpecAllowed(capabilities: Capabilities, clientVersion = SPEC_CLIENT_VERSION): boolean {
  const value = inlineSpecCapability(capabilities);
  const floor = value === null ? null : releaseOf(value);
  const client = releaseOf(clientVersion);
  return floor !== null && client !== null && atLeast(client, floor);
}

/** SYSTEM$ML_PLATFORM_CAPABILITIES, read once and remembered for the life of the connection settings. */
export interface PlatformCapabilities {
  read(): Promise<Capabilities>;
}

/**
 * Remembers the first answer. A server that rejects the function (older than 9.2) counts as having no
 * capabilities, as in ml-python; a transient failure is not remembered, so the next call asks again.
 */
export function createPlatformCapabilities(db: QueryRunner): PlatformCapabilities {
  let cached: Promise<Capabilities> | undefined;
  return {
    read() {
      cached ??= getPlatformCapabilities(db).catch((err: unknown) => {
        const passOn = !isSnowflakeError(err) || ['transient', 'session_expired', 'bad_credentials', 'configuration'].includes(err.kind);
        if (!passOn) return {};
        cached = undefined;
        throw err;
      });
      return cached;
    },
  };
}

/** Where deploy.yml is written before the PUT; tests point it elsewhere. */
export type SpecDirectory = () => string;
export const defaultSpecDirectory: SpecDirectory = () => tmpdir();

/** What PUT can take as a path in its quoted file:// URL without surprises. */
const SAFE_PATH = /^[A-Za-z0-9_./-]+$/;

/** Null when deploy.yml can be written for upload, else why not. */
export async function probeSpecDirectory(dir: SpecDirectory): Promise<string | null> {
  const base = dir();
  try {
    const made = await mkdtemp(join(base, 'spcs-chatops-'));
    await rm(made, { recursive: true, force: true });
    return SAFE_PATH.test(made)
      ? null
      : `its temporary directory ${JSON.stringify(base)} has characters a PUT file:// path cannot carry safely`;
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'error';
    return `it cannot write deploy.yml to its temporary directory ${JSON.stringify(base)} (${code})`;
  }
}

/** Decides, before approval, how the spec will travel, or why it cannot. */
export async function decideSpecDelivery(
  capabilities: PlatformCapabilities,
  dir: SpecDirectory = defaultSpecDirectory,
): Promise<SpecDelivery> {
  const features = await capabilities.read();
  if (inlineSpecAllowed(features)) return { kind: 'inline' };
  const capability = inlineSpecCapability(features);
  const problem = await probeSpecDirectory(dir);
  if (problem === null) return { kind: 'stage', capability };
  const said = capability === null ? 'does not list it' : `says ${capability}`;
  return {
    kind: 'refused',
    message:
      `This account does not take the deployment spec inline: SYSTEM$ML_PLATFORM_CAPABILITIES ${said} for ${INLINE_SPEC_CAPABILITY}, ` +
      `and the bot renders specs as snowflake-ml-python ${SPEC_CLIENT_VERSION}. The spec would have to go through a stage, but ${problem}. ` +
      'Give the bot a writable temporary directory (TMPDIR), then request the deployment again.',
  };
}

/** The file name ml-python uploads and names in the CALL (ModelDeploymentSpec.DEPLOY_SPEC_FILE_REL_PATH). */
export const DEPLOY_SPEC_FILE = 'deploy.yml';

const PutRow = z.object({ status: text }).loose();

/**
 * CREATE SCOPED TEMPORARY STAGE in `schema` and PUT deploy.yml into it, on `session` (the stage lives
 * only as long as that session). Returns the stage path for SYSTEM$DEPLOY_MODEL.
 */
export async function stageDeploymentSpec(
  session: SessionRunner,
  schema: QualifiedName,
  yaml: string,
  dir: SpecDirectory = defaultSpecDirectory,
): Promise<string> {
  const stage = qualify(schema, identifierFromSnowflake(`SPCS_CHATOPS_SPEC_${randomBytes(6).toString('hex').toUpperCase()}`));
  await session.query(sql`CREATE SCOPED TEMPORARY STAGE ${stage}`.requires(`CREATE STAGE ON SCHEMA ${schema.sql}`), z.unknown());
  const local = await mkdtemp(join(dir(), 'spcs-chatops-'));
  try {
    const file = join(local, DEPLOY_SPEC_FILE);
    if (!SAFE_PATH.test(file))
      throw new SnowflakeError({ kind: 'configuration' }, 'The temporary directory has characters a PUT file:// path cannot carry safely');
    await writeFile(file, yaml, { mode: 0o600 });
    const rows = await session.query(sql`PUT ${literal(`file://${file}`)} @${stage} AUTO_COMPRESS = FALSE OVERWRITE = TRUE`, PutRow);
    const status = rows[0]?.status;
    if (status !== 'UPLOADED')
      throw new SnowflakeError({ kind: 'unexpected_result' }, `PUT of ${DEPLOY_SPEC_FILE} ended with status ${status ?? '(none)'}`);
  } finally {
    await rm(local, { recursive: true, force: true });
  }
  return `@${stage.sql}/${DEPLOY_SPEC_FILE}`;
}
