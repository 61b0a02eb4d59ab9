import { describeFailure, type EphemeralMessage } from '../../blocks/kit.js';
import { buildServiceStatus } from '../../blocks/observe-status.js';
import { getInferenceEndpoint, isSnowflakeError, listServiceContainers } from '../../snowflake/index.js';
import type { Subcommand } from '../subcommand.js';
import type { ObserveDeps } from './deps.js';
import { createServiceCommand, withService, type ServiceArg } from '../shared/service-ref.js';
import { containerModel, endpointModel, serviceModel } from './view-models.js';

export const STATUS_USAGE = '/spcs status <service>';
const EXAMPLE = '/spcs status ML_DB.SERVING.IRIS_SVC';

export function showStatus(deps: ObserveDeps, arg: ServiceArg): Promise<EphemeralMessage> {
  return withService(deps.snowflake, arg, async ({ service, name }) => {
    const [containers, endpoint] = await Promise.all([
      listServiceContainers(deps.snowflake, name).catch((err: unknown) => {
        // No MONITOR on the service: show what SHOW SERVICES gave, and name the missing grant.
        if (isSnowflakeError(err) && err.kind === 'insufficient_privileges')
          return { unavailable: describeFailure(err.failure, 'read the containers') };
        throw err;
      }),
      getInferenceEndpoint(deps.snowflake, name).catch(() => null),
    ]);
    return buildServiceStatus({
      service: serviceModel(service),
      qualifiedName: name.sql,
      endpoint: endpointModel(endpoint),
      containers: 'unavailable' in containers ? containers : containers.map(containerModel),
    });
  });
}

/** `/spcs status <service>`: status, instances, pool, endpoint and containers, with Logs/Metrics/Diagnose. */
export function createStatusCommand(deps: ObserveDeps): Subcommand {
  return createServiceCommand(
    deps,
    {
      name: 'status',
      usage: STATUS_USAGE,
      summary: 'Show one service: status, instances, pool, endpoint and each container, with Logs / Metrics / Diagnose.',
      examples: [EXAMPLE, '/spcs status IRIS_SVC'],
      doing: 'read the service status',
    },
    (service) => showStatus(deps, service),
  );
}
