import type { Subcommand } from '../subcommand.js';
import type { ManageDeps } from './deps.js';
import { createChangeCommand } from './request.js';

export const DROP_USAGE = '/spcs drop <service>';

/** `/spcs drop <service>`: DROP SERVICE, only after approvers approve (SPCS_APPROVERS, SPCS_REQUIRED_APPROVALS). */
export function createDropCommand(deps: ManageDeps): Subcommand {
  return createChangeCommand(deps, {
    name: 'drop',
    usage: DROP_USAGE,
    summary: 'Drop a service. Posts an approval request; it runs once approvers approve. Managers only.',
    examples: ['/spcs drop ML_DB.SERVING.IRIS_SVC'],
    parse: (rest) => (rest.length > 0 ? 'Too many words: expected one service.' : () => ({ kind: 'drop' })),
  });
}
