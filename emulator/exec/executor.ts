/**
 * Dispatches a recognised statement to its handler. Everything a handler throws is a
 * SqlError (or a bug); CALL SYSTEM$DEPLOY_MODEL returns a pending outcome that settles when
 * the deployment does.
 */
import { SqlError } from '../errors.js';
import { startDeploy } from '../spcs/deploy.js';
import type { Statement } from '../sql/ast.js';
import { type Exec, type ExecOutcome, type Settled } from './context.js';
import { alterComputePool, createComputePool, describeComputePool, showComputePools, showInstanceFamilies } from './pools.js';
import { showDatabases, showFunctions, showModels, showSchemas, showVersions } from './registry.js';
import { alterAccountNetworkPolicy, alterNetworkRule, alterUserNetworkPolicy, createNetworkPolicy, createNetworkRule, describeNetworkPolicy, describeNetworkRule, grantServiceRole, showGrantsToRole, showParameters, use } from './security.js';
import { executeSelect } from './select.js';
import {
  alterService,
  describeService,
  dropService,
  getServiceLogs,
  showEndpoints,
  showServiceContainers,
  showServiceInstances,
  showServices,
} from './services.js';

function deploy(x: Exec, spec: string): ExecOutcome {
  const dep = startDeploy(x.sim, x.ctx, x.queryId, spec, x.now);
  const poll = (): Settled | null => {
    x.sim.sync();
    if (dep.phase === 'SUCCEEDED') return { ok: true, result: { columns: [{ name: 'SYSTEM$DEPLOY_MODEL', type: 'text' }], rows: [[dep.message ?? '']] } };
    if (dep.phase === 'FAILED') return { ok: false, error: dep.error ?? new SqlError('100357', 'P0000', 'Deployment failed', 'EXECUTION') };
    return null;
  };
  return { kind: 'pending', poll };
}

export function execute(x: Exec, s: Statement): ExecOutcome {
  switch (s.kind) {
    case 'showDatabases':
      return showDatabases(x, s);
    case 'showSchemas':
      return showSchemas(x, s);
    case 'showModels':
      return showModels(x, s);
    case 'showVersions':
      return showVersions(x, s);
    case 'showFunctions':
      return showFunctions(x, s);
    case 'showComputePools':
      return showComputePools(x, s);
    case 'describeComputePool':
      return describeComputePool(x, s);
    case 'showInstanceFamilies':
      return showInstanceFamilies(x, s);
    case 'createComputePool':
      return createComputePool(x, s);
    case 'alterComputePool':
      return alterComputePool(x, s);
    case 'showServices':
      return showServices(x, s);
    case 'showServiceContainers':
      return showServiceContainers(x, s);
    case 'showServiceInstances':
      return showServiceInstances(x, s);
    case 'showEndpoints':
      return showEndpoints(x, s);
    case 'describeService':
      return describeService(x, s);
    case 'deployModel':
      return deploy(x, s.spec);
    case 'alterService':
      return alterService(x, s);
    case 'dropService':
      return dropService(x, s);
    case 'getServiceLogs':
      return getServiceLogs(x, s);
    case 'select':
      return executeSelect(x, s);
    case 'showParameters':
      return showParameters(x, s);
    case 'grantServiceRole':
      return grantServiceRole(x, s);
    case 'createNetworkRule':
      return createNetworkRule(x, s);
    case 'createNetworkPolicy':
      return createNetworkPolicy(x, s);
    case 'alterUserNetworkPolicy':
      return alterUserNetworkPolicy(x, s);
    case 'alterAccountNetworkPolicy':
      return alterAccountNetworkPolicy(x, s);
    case 'alterNetworkRule':
      return alterNetworkRule(x, s);
    case 'describeNetworkPolicy':
      return describeNetworkPolicy(x, s);
    case 'describeNetworkRule':
      return describeNetworkRule(x, s);
    case 'showGrantsToRole':
      return showGrantsToRole(x, s);
    case 'use':
      return use(x, s);
  }
}
