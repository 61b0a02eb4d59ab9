import { createHash } from 'node:crypto';
import { qualifiedModel, qualifiedService, type DeployRequest } from '../domain/deploy-request.js';
import { createComputePoolStatement } from './compute-pool-queries.js';
import { deployCallStatement } from './deploy-queries.js';
import { renderDeploymentSpec, type DeploymentPlanInput } from './deployment-spec.js';
import { parseIdentifier, requireQualifiedName } from './identifiers.js';
import { dropServiceStatement } from './service-queries.js';
import type { Sql } from './sql.js';

/**
 * What an approved deployment sends, rendered from its request alone: CREATE COMPUTE POOL (a new
 * pool), DROP SERVICE IF EXISTS (drop and recreate), then CALL SYSTEM$DEPLOY_MODEL with the spec.
 * The approval binds to deployPlanHash over these texts, and the worker sends exactly these.
 */

/** The plan Snowflake gets, built from the approved request (never from anything else). */
export function toDeploymentPlan(r: DeployRequest): DeploymentPlanInput {
  return {
    model: qualifiedModel(r),
    version: r.model.version,
    service: qualifiedService(r),
    computePool: r.pool.name,
    ingressEnabled: true,
    maxInstances: r.maxInstances,
    ...(r.gpuRequests !== null ? { gpu: r.gpuRequests } : {}),
    ...(r.numWorkers !== 'auto' ? { numWorkers: r.numWorkers } : {}),
  };
}

export interface DeployStatements {
  /** CREATE COMPUTE POOL IF NOT EXISTS, for a new pool. */
  readonly createPool: Sql | null;
  /** DROP SERVICE IF EXISTS, to drop and recreate. */
  readonly dropService: Sql | null;
  /** deploy.yml: what the CALL deploys, inline or from the stage. */
  readonly spec: string;
  /** The CALL with the spec inline, as the summary shows it; the stage path replaces the bind where the account takes no inline spec. */
  readonly call: Sql;
}

/** Throws RangeError when the stored request no longer renders (a name or value the renderer refuses). */
export function planDeployStatements(r: DeployRequest): DeployStatements {
  let createPool: Sql | null = null;
  if (r.pool.kind === 'create') {
    const name = parseIdentifier(r.pool.name, 'Compute pool', { allowQuoted: true });
    const family = parseIdentifier(r.pool.instanceFamily, 'Instance family');
    if (!name.ok) throw new RangeError(name.message);
    if (!family.ok) throw new RangeError(family.message);
    createPool = createComputePoolStatement({
      name: name.value,
      instanceFamily: family.value,
      minNodes: r.pool.minNodes,
      maxNodes: r.pool.maxNodes,
      autoResume: r.pool.autoResume,
    });
  }
  const dropService =
    r.existingService === 'drop_and_recreate'
      ? dropServiceStatement(requireQualifiedName(qualifiedService(r), 'Service', 3), { ifExists: true })
      : null;
  const spec = renderDeploymentSpec(toDeploymentPlan(r));
  return { createPool, dropService, spec, call: deployCallStatement(spec) };
}

/**
 * The hash an approval of a deployment is bound to: the statement texts and the spec the CALL
 * carries. Not covered, because they are made at execution and carry nothing a person approves:
 * the scoped temporary stage's random name in `CALL SYSTEM$DEPLOY_MODEL('@<stage>/deploy.yml')`
 * (the same deploy.yml reaches the same CALL either way), and the QUERY_TAG session parameter,
 * which only names the deployment id the record already is.
 */
export function deployPlanHash(statements: DeployStatements): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        createPool: statements.createPool?.text ?? null,
        dropService: statements.dropService?.text ?? null,
        call: statements.call.text,
        spec: statements.spec,
      }),
    )
    .digest('hex');
}
