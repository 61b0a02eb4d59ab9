import { checkInstanceBounds, minReadyFor, type ServiceInfo } from '../../snowflake/index.js';
import type { ServiceChange } from '../../domain/operation.js';
import type { Subcommand } from '../subcommand.js';
import type { ManageDeps } from './deps.js';
import { createChangeCommand, wholeNumber, type ChangeFor } from './request.js';

export const SCALE_USAGE = '/spcs scale <service> [--min N] --max N';

/** `--min N --max N` (either order); min may be left out to keep the current one. */
export function parseScaleArgs(rest: readonly string[]): ChangeFor | string {
  let min: number | undefined;
  let max: number | undefined;
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i];
    const value = wholeNumber(rest[i + 1]);
    if (flag !== '--min' && flag !== '--max') return `Unexpected ${JSON.stringify(flag)}: expected --min N and --max N.`;
    if (value === null) return `${flag} needs a whole number, e.g. ${flag} 2.`;
    if (flag === '--min') min = value;
    else max = value;
  }
  if (max === undefined) return '--max N is required (and --min N is optional).';
  const wantedMax = max;
  return (service) => scaleChange(service, min, wantedMax);
}

/**
 * The scale change for `service`: min left out keeps the current one; when the new min is below
 * the service's min_ready_instances, MIN_READY_INSTANCES goes down to it in the same ALTER (Snowflake
 * refuses MIN_READY_INSTANCES > MIN_INSTANCES), and the confirmation says so.
 */
export function scaleChange(service: ServiceInfo, min: number | undefined, max: number): ServiceChange | string {
  const bounds = { min: min ?? service.minInstances ?? 1, max };
  const problems = checkInstanceBounds(bounds);
  if (problems.length > 0) return `${problems.join('; ')} (min ${bounds.min}, max ${bounds.max}).`;
  const minReady = minReadyFor(bounds.min, service.minReadyInstances);
  return { kind: 'scale', ...bounds, ...(minReady !== undefined && { minReady }) };
}

/** `/spcs scale <service> [--min N] --max N`: ALTER SERVICE … SET MIN_INSTANCES / MAX_INSTANCES after the requester confirms. */
export function createScaleCommand(deps: ManageDeps): Subcommand {
  return createChangeCommand(deps, {
    name: 'scale',
    usage: SCALE_USAGE,
    summary: 'Set the min and max instances of a service after you confirm (current → new shown first). Managers only.',
    examples: ['/spcs scale ML_DB.SERVING.IRIS_SVC --min 1 --max 3', '/spcs scale IRIS_SVC --max 2'],
    parse: parseScaleArgs,
  });
}
