import type { Subcommand } from '../subcommand.js';
import type { ManageDeps } from './deps.js';
import { createChangeCommand } from './request.js';

export const RESUME_USAGE = '/spcs resume <service>';

/** `/spcs resume <service>`: ALTER SERVICE … RESUME after the requester confirms. */
export function createResumeCommand(deps: ManageDeps): Subcommand {
  return createChangeCommand(deps, {
    name: 'resume',
    usage: RESUME_USAGE,
    summary: 'Resume a service (its instances start again) after you confirm. Managers only.',
    examples: ['/spcs resume ML_DB.SERVING.IRIS_SVC', '/spcs resume IRIS_SVC'],
    parse: (rest) => (rest.length > 0 ? 'Too many words: expected one service.' : () => ({ kind: 'resume' })),
  });
}
