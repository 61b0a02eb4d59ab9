/**
 * `/spcs deploy`: a modal wizard over the seed's steps (model, service location, compute pool, max
 * instances, workers, existing service, review) whose last submit hands a DeployRequest to the
 * approval gate. Nothing here changes Snowflake; it only reads (SHOW …).
 */
export { createDeployCommand, DEPLOY_USAGE, parseDeployArgs } from './command.js';
export { registerDeployWizard } from './wizard.js';
export type { DeployWizardDeps } from './deps.js';
