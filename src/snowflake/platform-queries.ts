import { z } from 'zod';
import type { QueryRunner } from './client.js';
import { SnowflakeError } from './errors.js';
import type { QualifiedName } from './identifiers.js';
import { bind, sql } from './sql.js';

/**
 * Account-level facts the live contract suite (test/live) reads: the ML platform capabilities and
 * the deprecated per-container status function.
 */

function jsonOf(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SnowflakeError({ kind: 'unexpected_result' }, `${what} did not return JSON`);
  }
}

const FeaturesRow = z.object({ features: z.string({ error: 'expected JSON text' }) });

/**
 * SELECT SYSTEM$ML_PLATFORM_CAPABILITIES() AS FEATURES: one row, a JSON object of capability → value
 * (snowflake-ml-python _internal/platform_capabilities.py). Older servers reject the call; the
 * Python client then assumes no capabilities, so a caller may treat a failure as `{}`.
 */
export async function getPlatformCapabilities(db: QueryRunner): Promise<Readonly<Record<string, unknown>>> {
  const rows = await db.query(sql`SELECT SYSTEM$ML_PLATFORM_CAPABILITIES() AS FEATURES`.repeatable(), FeaturesRow);
  const text = rows[0]?.features;
  if (text === undefined) return {};
  const object = z.record(z.string(), z.unknown()).safeParse(jsonOf(text, 'SYSTEM$ML_PLATFORM_CAPABILITIES'));
  if (!object.success)
    throw new SnowflakeError({ kind: 'unexpected_result' }, 'SYSTEM$ML_PLATFORM_CAPABILITIES did not return a JSON object');
  return object.data;
}

/** One container as SYSTEM$GET_SERVICE_STATUS describes it (docs: system_functions/system_get_service_status). */
const ContainerStatus = z
  .object({
    status: z.string(),
    message: z.string().nullish(),
    containerName: z.string(),
    instanceId: z.union([z.string(), z.number().transform(String)]),
    serviceName: z.string(),
    image: z.string().nullish(),
    restartCount: z.number().nullish(),
    startTime: z.string().nullish(),
  })
  .loose();
export type ContainerStatus = z.infer<typeof ContainerStatus>;

const ServiceStatusRow = z.object({ service_status: z.string({ error: 'expected JSON text' }) });

/**
 * SELECT SYSTEM$GET_SERVICE_STATUS(?): deprecated by Snowflake in favour of SHOW SERVICE CONTAINERS
 * IN SERVICE, which the bot uses; read only to compare the two. Throws unexpected_result when the
 * JSON does not have the documented shape.
 */
export async function getServiceStatusJson(db: QueryRunner, service: QualifiedName): Promise<ContainerStatus[]> {
  const rows = await db.query(
    sql`SELECT SYSTEM$GET_SERVICE_STATUS(${bind(service.sql)}) AS SERVICE_STATUS`
      .repeatable()
      .requires(`MONITOR ON SERVICE ${service.sql}`),
    ServiceStatusRow,
  );
  const text = rows[0]?.service_status;
  if (text === undefined) return [];
  const list = z.array(ContainerStatus).safeParse(jsonOf(text, 'SYSTEM$GET_SERVICE_STATUS'));
  if (!list.success) {
    const issues = list.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ');
    throw new SnowflakeError({ kind: 'unexpected_result' }, `Unexpected result from SYSTEM$GET_SERVICE_STATUS: ${issues}`);
  }
  return list.data;
}
