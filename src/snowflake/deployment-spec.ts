import { z } from 'zod';
import { stringify } from 'yaml';
import { parseQualifiedName } from './identifiers.js';

/**
 * The deployment plan a person confirmed in the wizard, and the YAML that CALL SYSTEM$DEPLOY_MODEL
 * takes. The YAML matches snowflake-ml-python's ModelDeploymentSpec field for field
 * (model_deployment_spec.py, dumped with exclude_none): cpu/memory/gpu/num_workers/max_batch_rows are
 * left out when falsy, image_repo / external_access_integrations / autocapture when unset.
 *
 * Names in a plan are SQL text (`DB.SCHEMA.NAME`, parts quoted where needed) so a plan survives a
 * trip through a job queue as JSON; they are re-validated when the spec is built.
 */

const name = (parts: 1 | 2 | 3, field: string) =>
  z.string().superRefine((value, ctx) => {
    const parsed = parseQualifiedName(value, field, { parts, allowQuoted: true });
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  });

const positiveInt = (field: string) =>
  z
    .number()
    .int({ error: `${field}: a whole number` })
    .positive({ error: `${field}: at least 1` });

export const DeploymentPlan = z
  .object({
    /** DB.SCHEMA.MODEL */
    model: name(3, 'Model'),
    /** The version name (one identifier). */
    version: name(1, 'Version'),
    /** DB.SCHEMA.SERVICE */
    service: name(3, 'Service name'),
    computePool: name(1, 'Compute pool'),
    /** Pool for the image build job; defaults to `computePool`, as in snowflake-ml-python. */
    imageBuildComputePool: name(1, 'Image build compute pool').optional(),
    /** DB.SCHEMA.REPO; unset means Snowflake's default repository. */
    imageRepo: name(3, 'Image repository').optional(),
    forceRebuild: z.boolean().default(false),
    externalAccessIntegrations: z.array(name(1, 'External access integration')).optional(),
    ingressEnabled: z.boolean().default(true),
    minInstances: z.number().int({ error: 'Min instances: a whole number' }).min(0, { error: 'Min instances: 0 or more' }).default(0),
    maxInstances: positiveInt('Max instances').default(1),
    /** e.g. "1", "0.5", "500m". */
    cpu: z
      .string()
      .regex(/^(\d+(\.\d+)?|\d+m)$/, { error: 'CPU: a number of CPUs such as 1, 0.5 or 500m' })
      .optional(),
    /** e.g. "1GiB", "512Mi"; needs a unit. */
    memory: z
      .string()
      .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)B?$/, { error: 'Memory: an amount with a unit such as 4GiB or 512Mi' })
      .optional(),
    /** GPUs per instance; an int is sent as a string. */
    gpu: z.union([positiveInt('GPUs'), z.string().regex(/^[1-9]\d*$/, { error: 'GPUs: a whole number of at least 1' })]).optional(),
    numWorkers: positiveInt('Workers').optional(),
    maxBatchRows: z.number().int().min(32, { error: 'Max batch rows: at least 32' }).optional(),
    autocapture: z.boolean().optional(),
  })
  .refine((plan) => plan.maxInstances >= plan.minInstances, {
    error: 'Max instances: must be at least min instances',
    path: ['maxInstances'],
  });
export type DeploymentPlan = z.infer<typeof DeploymentPlan>;
export type DeploymentPlanInput = z.input<typeof DeploymentPlan>;

/** The YAML document's shape, keys exactly as Snowflake reads them. */
export interface DeploymentSpecDocument {
  models: Array<{ name: string; version: string }>;
  image_build: {
    compute_pool: string;
    image_repo?: string;
    force_rebuild: boolean;
    external_access_integrations?: string[];
  };
  service: {
    name: string;
    compute_pool: string;
    ingress_enabled: boolean;
    min_instances: number;
    max_instances: number;
    cpu?: string;
    memory?: string;
    gpu?: string;
    num_workers?: number;
    max_batch_rows?: number;
    autocapture?: boolean;
  };
}

/** Canonical spec text of a validated name (e.g. `db.schema.m` → `DB.SCHEMA.M`, `"a b"` kept quoted). */
function canonical(value: string, parts: 1 | 2 | 3): string {
  const parsed = parseQualifiedName(value, 'name', { parts, allowQuoted: true });
  if (!parsed.ok) throw new RangeError(parsed.message); // unreachable after DeploymentPlan.parse
  return parsed.value.specText;
}

/** Builds the spec document from a plan (validated here, so a hand-built plan cannot slip through). */
export function buildDeploymentSpec(input: DeploymentPlanInput): DeploymentSpecDocument {
  const plan = DeploymentPlan.parse(input);
  const servicePool = canonical(plan.computePool, 1);
  const eais = plan.externalAccessIntegrations?.map((e) => canonical(e, 1));
  const gpu = plan.gpu === undefined ? undefined : String(plan.gpu);
  return {
    models: [{ name: canonical(plan.model, 3), version: canonical(plan.version, 1) }],
    image_build: {
      compute_pool: plan.imageBuildComputePool === undefined ? servicePool : canonical(plan.imageBuildComputePool, 1),
      ...(plan.imageRepo !== undefined ? { image_repo: canonical(plan.imageRepo, 3) } : {}),
      force_rebuild: plan.forceRebuild,
      ...(eais !== undefined && eais.length > 0 ? { external_access_integrations: eais } : {}),
    },
    service: {
      name: canonical(plan.service, 3),
      compute_pool: servicePool,
      ingress_enabled: plan.ingressEnabled,
      min_instances: plan.minInstances,
      max_instances: plan.maxInstances,
      ...(plan.cpu ? { cpu: plan.cpu } : {}),
      ...(plan.memory ? { memory: plan.memory } : {}),
      ...(gpu ? { gpu } : {}),
      ...(plan.numWorkers ? { num_workers: plan.numWorkers } : {}),
      ...(plan.maxBatchRows ? { max_batch_rows: plan.maxBatchRows } : {}),
      ...(plan.autocapture !== undefined ? { autocapture: plan.autocapture } : {}),
    },
  };
}

/** The YAML text for CALL SYSTEM$DEPLOY_MODEL(?). */
export function renderDeploymentSpec(input: DeploymentPlanInput): string {
  return stringify(buildDeploymentSpec(input), { lineWidth: 0 });
}
