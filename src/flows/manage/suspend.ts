import type { Subcommand } from '../subcommand.js';
import type { ManageDeps } from './deps.js';
import { createChangeCommand } from './request.js';

export const SUSPEND_USAGE = '/spcs suspend <service>';

/** `/spcs suspend <service>`: ALTER SERVICE … SUSPEND after the requester confirms. */
export function createSuspendCommand(deps: ManageDeps): Subcommand {
  return createChangeCommand(deps, {
    name: 'suspend',
    usage: SUSPEND_USAGE,
    summary: 'Suspend a service (its instances stop) after you confirm. Managers only.',
    examples: ['/spcs suspend ML_DB.SERVING.IRIS_SVC', '/spcs suspend IRIS_SVC'],
    parse: (rest) => (rest.length > 0 ? 'Too many words: expected one service.' : () => ({ kind: 'suspend' })),
  });
}
