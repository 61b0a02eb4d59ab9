/**
 * Dispatches a recognised statement to its handler. Everything a handler throws is a
 * SqlError (or a bug); CALL SYSTEM$DEPLOY_MODEL returns a pending outcome that settles when
 * the deployment does.
 */
import { SqlError } from '../errors.js';
import { startDeploy } from '../spcs/deploy.js';
import type { Statement } from '../sql/ast.js';
import { createStage, localPathOf, readStagedSpec, requireStage } from '../spcs/stages.js';
import { type Exec, type ExecOutcome, type Settled, done } from './context.js';
import { alterComputePool, createComputePool, describeComputePool, showComputePools, showInstanceFamilies } from './pools.js';
import { showDatabases, showFunctions, showModels, showSchemas, showVersions } from './registry.js';
import {
  alterAccountNetworkPolicy,
  alterNetworkRule,
  alterUserNetworkPolicy,
  createNetworkPolicy,
  createNetworkRule,
  describeNetworkPolicy,
  describeNetworkRule,
  grantServiceRole,
  showGrantsToRole,
  showParameters,
  use,
} from './security.js';
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

/**
 * Whether the server takes the YAML itself: it lists ENABLE_INLINE_DEPLOYMENT_SPEC_FROM_CLIENT_VERSION
 * (snowflake-ml-python _internal/platform_capabilities.py). Without it only a staged file will do.
 */
function takesInlineSpec(x: Exec): boolean {
  const v = x.sim.state.mlPlatformCapabilities['ENABLE_INLINE_DEPLOYMENT_SPEC_FROM_CLIENT_VERSION'];
  return typeof v === 'string' && /^\d+(\.\d+)*$/.test(v);
}

function deploy(x: Exec, arg: string): ExecOutcome {
  let spec = arg;
  if (arg.trimStart().startsWith('@')) spec = readStagedSpec(x.sim, x.ctx, arg);
  else if (!takesInlineSpec(x)) {
    throw new SqlError(
      '100357',
      'P0000',
      `Invalid model deployment spec location '${arg.slice(0, 40).split('\n')[0] ?? ''}…': this account takes the deployment spec only as a file on a stage (@<stage>/deploy.yml).`,
      'EXECUTION',
    );
  }
  const dep = startDeploy(x.sim, x.ctx, x.queryId, spec, x.now);
  const poll = (): Settled | null => {
    x.sim.sync();
    if (dep.phase === 'SUCCEEDED')
      return { ok: true, result: { columns: [{ name: 'SYSTEM$DEPLOY_MODEL', type: 'text' }], rows: [[dep.message ?? '']] } };
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
    case 'createStage': {
      const status = createStage(
        x.sim,
        x.ctx,
        s.name.parts.map((p) => p.value),
        s,
        x.now,
      );
      return done({ columns: [{ name: 'status', type: 'text' }], rows: [[status]] });
    }
    case 'put': {
      const stage = requireStage(
        x.sim,
        x.ctx,
        s.stage.parts.map((p) => p.value),
        'PUT',
      );
      const bool = (name: string, fallback: boolean) => {
        const v = s.props.get(name);
        return v?.k === 'bool' ? v.v : fallback;
      };
      return {
        kind: 'upload',
        source: localPathOf(s.file),
        location: stage.dir,
        autoCompress: bool('AUTO_COMPRESS', true),
        overwrite: bool('OVERWRITE', false),
      };
    }
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
