import { DeployRequest } from '../../domain/deploy-request.js';
import { identifierFromSnowflake } from '../../snowflake/index.js';
import type { Draft } from '../../domain/deploy-draft.js';

/** Canonical SQL text of a resolved name, as the DeployRequest carries names. */
export const sqlName = (resolved: string) => identifierFromSnowflake(resolved).sql;

/**
 * The DeployRequest the draft describes, or null while an answer is missing. Pool names are kept
 * resolved in the draft and rendered here, like every other name.
 */
export function toDeployRequest(draft: Draft): DeployRequest | null {
  const { model: m, service: s, pool, versionInfo } = draft;
  if (m.database === undefined || m.schema === undefined || m.name === undefined || m.version === undefined) return null;
  if (s.database === undefined || s.schema === undefined || s.name === undefined) return null;
  if (pool === undefined || versionInfo === undefined || draft.maxInstances === undefined || draft.numWorkers === undefined) return null;
  const parsed = DeployRequest.safeParse({
    model: { database: sqlName(m.database), schema: sqlName(m.schema), name: sqlName(m.name), version: sqlName(m.version) },
    modelHasGpuRuntime: versionInfo.hasGpuRuntime,
    functions: versionInfo.functions,
    service: { database: sqlName(s.database), schema: sqlName(s.schema), name: sqlName(s.name) },
    pool: { ...pool, name: sqlName(pool.name) },
    maxInstances: draft.maxInstances,
    gpuRequests: pool.gpu?.perNode ?? null,
    numWorkers: draft.numWorkers,
    existingService: draft.existingService ?? 'none',
  });
  return parsed.success ? parsed.data : null;
}
