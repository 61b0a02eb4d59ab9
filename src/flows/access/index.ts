/**
 * `/spcs access <service>`: the seed's "REST API Access Setup" as one guided modal. Reads freely;
 * the two changes (network rule + policy on a user, the ALL_ENDPOINTS_USAGE service role grant)
 * run only after a manager confirms the exact statements, and are audited. The REST test's PAT is
 * used for one request and kept nowhere.
 */
export { ACCESS_USAGE, createAccessCommand } from './command.js';
export { registerAccess } from './flow.js';
export type { AccessDeps } from './deps.js';
