import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What a person asked to deploy, as the confirmation summary shows it and approvers approve it.
 * Names are canonical Snowflake SQL text (as src/snowflake/identifiers.ts renders them, e.g.
 * `ML_DB` or `"my db"`), validated by the wizard before this object exists.
 */

const SqlName = z.string().min(1).max(800);

export const GpuSpec = z.object({
  /** e.g. A10G, A100, T4 */
  type: z.string(),
  perNode: z.number().int().positive(),
  memoryGib: z.number().nullable(),
});
export type GpuSpec = z.infer<typeof GpuSpec>;

export const PoolChoice = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('existing'),
    name: SqlName,
    instanceFamily: z.string(),
    gpu: GpuSpec.nullable(),
    /** State when the summary was built; SUSPENDED means a slower first start. */
    state: z.string(),
  }),
  z.object({
    kind: z.literal('create'),
    name: SqlName,
    instanceFamily: z.string(),
    gpu: GpuSpec.nullable(),
    minNodes: z.number().int().min(1),
    maxNodes: z.number().int().min(1),
    autoResume: z.boolean(),
  }),
]);
export type PoolChoice = z.infer<typeof PoolChoice>;

export const ModelFunctionSummary = z.object({
  /** SQL name, e.g. PREDICT */
  name: z.string(),
  inputs: z.array(z.object({ name: z.string(), type: z.string() })),
  outputs: z.array(z.object({ name: z.string(), type: z.string() })),
});
export type ModelFunctionSummary = z.infer<typeof ModelFunctionSummary>;

export const DeployRequest = z.object({
  model: z.object({ database: SqlName, schema: SqlName, name: SqlName, version: SqlName }),
  modelHasGpuRuntime: z.boolean(),
  functions: z.array(ModelFunctionSummary),
  service: z.object({ database: SqlName, schema: SqlName, name: SqlName }),
  pool: PoolChoice,
  maxInstances: z.number().int().min(1).max(100),
  /** Set from the GPU pool's GPUs per node; null on a CPU pool. */
  gpuRequests: z.number().int().positive().nullable(),
  /** A GPU pool always has a number (1..gpuRequests); a CPU pool may leave it to Snowflake. */
  numWorkers: z.union([z.number().int().positive(), z.literal('auto')]),
  /** What to do about a service of the same name that exists now. */
  existingService: z.enum(['none', 'drop_and_recreate']),
});
export type DeployRequest = z.infer<typeof DeployRequest>;

export const qualifiedModel = (r: DeployRequest) => `${r.model.database}.${r.model.schema}.${r.model.name}`;
export const qualifiedService = (r: DeployRequest) => `${r.service.database}.${r.service.schema}.${r.service.name}`;

/** Stable JSON: keys sorted, so the same request always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The hash of the request itself, which approvals were bound to before they covered the statements
 * (src/snowflake/deploy-plan.ts deployPlanHash). Kept so that a deployment approved before that
 * upgrade still runs: its statements are rendered from this very request.
 */
export function requestHash(request: DeployRequest): string {
  return createHash('sha256')
    .update(canonicalJson(DeployRequest.parse(request)))
    .digest('hex');
}
