import { z } from 'zod';
import { GpuSpec, ModelFunctionSummary, PoolChoice } from './deploy-request.js';

/**
 * The deploy wizard's state: the answers so far and the lists fetched for them. The wizard's views
 * are pure functions of it; src/store/draft-store.ts keeps it in Redis between steps (Slack's
 * private_metadata holds only the draft id).
 *
 * Names are stored as Snowflake resolved them (SHOW output, or a typed name after case folding);
 * they become SQL text only when the DeployRequest is built.
 */

export const WIZARD_STEPS = ['model', 'location', 'pool', 'instances', 'workers', 'existing', 'review'] as const;
export const WizardStep = z.enum(WIZARD_STEPS);
export type WizardStep = z.infer<typeof WizardStep>;

/** One row of the compute pool table, as SHOW COMPUTE POOLS and the instance families describe it. */
export const PoolRow = z.object({
  name: z.string(),
  instanceFamily: z.string(),
  gpu: GpuSpec.nullable(),
  minNodes: z.number(),
  maxNodes: z.number(),
  activeNodes: z.number().nullable(),
  state: z.string(),
  services: z.number().nullable(),
  autoResume: z.boolean().nullable(),
  /**
   * Whether the bot's role holds USAGE (or OWNERSHIP) on the pool, from SHOW GRANTS TO ROLE; null
   * when that cannot be told (the grants could not be read, or the role inherits other roles).
   */
  usable: z.boolean().nullable(),
});
export type PoolRow = z.infer<typeof PoolRow>;

export const FamilyRow = z.object({ name: z.string(), gpu: GpuSpec.nullable(), vcpu: z.number().nullable() });
export type FamilyRow = z.infer<typeof FamilyRow>;

export const ExistingServiceInfo = z.object({
  status: z.string(),
  computePool: z.string(),
  currentInstances: z.number().nullable(),
  minInstances: z.number().nullable(),
  maxInstances: z.number().nullable(),
});
export type ExistingServiceInfo = z.infer<typeof ExistingServiceInfo>;

const name = z.string().min(1).max(255);

export const Draft = z.object({
  id: z.string(),
  userId: z.string(),
  teamId: z.string(),
  /** Where /spcs deploy was run: the summary with Approve / Reject goes there. */
  channelId: z.string(),
  createdAtMs: z.number(),
  step: WizardStep,
  /** Bumped on every change of step; a late Snowflake answer for an older revision is dropped. */
  rev: z.number().int(),
  /** A problem to show at the top of the current step (a Snowflake error, a hint). */
  notice: z.string().optional(),
  model: z.object({ database: name.optional(), schema: name.optional(), name: name.optional(), version: name.optional() }),
  /** Lists fetched from Snowflake, kept so external_select options answer well within 3 s. */
  lists: z.object({
    databases: z.array(z.string()).optional(),
    schemas: z.array(z.string()).optional(),
    models: z.array(z.object({ name: z.string(), versions: z.array(z.string()), defaultVersion: z.string().nullable() })).optional(),
    pools: z.array(PoolRow).optional(),
    families: z.array(FamilyRow).optional(),
  }),
  versionInfo: z.object({ functions: z.array(ModelFunctionSummary), hasGpuRuntime: z.boolean() }).optional(),
  service: z.object({ database: name.optional(), schema: name.optional(), name: name.optional() }),
  /** Set on step 2 when the chosen name was taken and the person chose to rename. */
  serviceNameHint: z.string().optional(),
  poolMode: z.enum(['existing', 'create']),
  pool: PoolChoice.optional(),
  maxInstances: z.number().int().optional(),
  numWorkers: z.union([z.number().int(), z.literal('auto')]).optional(),
  /** undefined: not checked yet; null: no service of that name. */
  existing: ExistingServiceInfo.nullable().optional(),
  existingService: z.enum(['none', 'drop_and_recreate']).optional(),
  /** How the spec would reach SYSTEM$DEPLOY_MODEL, checked on the way to the review; `refused` blocks it. */
  specDelivery: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('inline') }),
      z.object({ kind: z.literal('stage'), capability: z.string().nullable() }),
      z.object({ kind: z.literal('refused'), message: z.string() }),
    ])
    .optional(),
});
export type Draft = z.infer<typeof Draft>;
