import { checkAutoSuspendSeconds } from '../../snowflake/index.js';
import type { Subcommand } from '../subcommand.js';
import type { ManageDeps } from './deps.js';
import { createChangeCommand, wholeNumber } from './request.js';

export const AUTOSUSPEND_USAGE = '/spcs autosuspend <service> <seconds>';

/** `/spcs autosuspend <service> <seconds>`: ALTER SERVICE … SET AUTO_SUSPEND_SECS (0 = off) after the requester confirms. */
export function createAutoSuspendCommand(deps: ManageDeps): Subcommand {
  return createChangeCommand(deps, {
    name: 'autosuspend',
    usage: AUTOSUSPEND_USAGE,
    summary:
      "Set after how many idle seconds a service suspends itself: 0 turns it off, otherwise at least 300 (Snowflake's minimum); after you confirm. Managers only.",
    examples: ['/spcs autosuspend ML_DB.SERVING.IRIS_SVC 3600', '/spcs autosuspend IRIS_SVC 0'],
    parse: (rest) => {
      const [secondsText, ...extra] = rest;
      if (extra.length > 0) return 'Too many words: expected a service and a number of seconds.';
      const seconds = wholeNumber(secondsText);
      if (seconds === null) return 'Seconds: a whole number, 0 or more (0 turns auto-suspend off).';
      const problem = checkAutoSuspendSeconds(seconds);
      return problem !== null ? `${problem}.` : () => ({ kind: 'autosuspend', seconds });
    },
  });
}
