/**
 * Shim: the names this module used to define, for modules not yet moved to ./kit.js and
 * ./observe-common.js (src/blocks/manage.ts and the manage, observe and shared flows). New code
 * imports from those two. Remove once nothing imports this file.
 */
export {
  context,
  describeFailure,
  header,
  MAX_MESSAGE_BLOCKS,
  MAX_SECTION_TEXT,
  message,
  notice,
  plural,
  section,
  tailCodeBlock,
  usageError,
  type EphemeralMessage as ObserveMessage,
} from './kit.js';
export { formatAutoSuspend, serviceAmbiguous, serviceNotFound, statusMarker } from './observe-common.js';
