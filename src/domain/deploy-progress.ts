/**
 * How the status tracker reads what Snowflake reports about a deployment in flight: the service
 * (and build job) status from SHOW SERVICES, and the deploy query's own status. Pure, so the rules
 * are in one place (the lifecycle in deployment-lifecycle.ts applies them).
 *
 * Sources: service statuses PENDING, RUNNING, FAILED, DONE, SUSPENDING, SUSPENDED, DELETING,
 * DELETED, INTERNAL_ERROR (docs: SHOW SERVICES / DESCRIBE SERVICE status column, BCR 2024_04
 * bcr-1596; snowflake-ml-python sql/service.py ServiceStatus); a job service also ends CANCELLED
 * (snowflake-cli _plugins/spcs/services/manager.py stops at DONE, FAILED or CANCELLED), passing
 * through CANCELLING; a service being resumed or upgraded reports RESUMING or UPGRADING.
 */

export type ServiceStatusClass =
  /** Serving: the deployment has reached its goal. */
  | 'running'
  /** On its way: PENDING, RESUMING, UPGRADING. */
  | 'starting'
  /** A job that finished (the build job's DONE). */
  | 'done'
  | 'failed'
  /** Being cancelled: not final yet, but it will not run. */
  | 'cancelling'
  /** Final: cancelled. */
  | 'cancelled'
  | 'suspended'
  | 'deleted'
  /** A status this bot does not know: neither final nor progress; the deploy query decides. */
  | 'unknown';

const CLASSES: Readonly<Record<string, ServiceStatusClass>> = {
  RUNNING: 'running',
  PENDING: 'starting',
  RESUMING: 'starting',
  UPGRADING: 'starting',
  DONE: 'done',
  FAILED: 'failed',
  INTERNAL_ERROR: 'failed',
  CANCELLING: 'cancelling',
  CANCELLED: 'cancelled',
  SUSPENDING: 'suspended',
  SUSPENDED: 'suspended',
  DELETING: 'deleted',
  DELETED: 'deleted',
};

export function classifyServiceStatus(status: string): ServiceStatusClass {
  return CLASSES[status.toUpperCase()] ?? 'unknown';
}

/** The deploy query's status, as far as the verdict needs it. */
export type DeployQueryState = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'unknown';

export interface DeployObservation {
  /** SHOW SERVICES status of the service, undefined while it does not exist. */
  readonly service: string | undefined;
  /** SHOW SERVICES status of the MODEL_BUILD_ job, undefined when there is none (or no longer). */
  readonly buildJob: string | undefined;
  /** The deploy query's state; undefined when it could not be read this round. */
  readonly query: DeployQueryState | undefined;
}

/**
 * What ends a deployment this round, if anything. Snowflake's own verdict comes first: the deploy
 * query is asked every round (as snowflake-ml-python checks the async query on every poll), and a
 * failed or cancelled query ends the deployment whatever the rows still show. A cancelled build
 * job or service ends it cancelled; a failed one ends it failed.
 */
export function deployEnding(o: DeployObservation): 'failed' | 'cancelled' | undefined {
  if (o.query === 'cancelled') return 'cancelled';
  if (o.query === 'failed') return 'failed';
  const build = o.buildJob === undefined ? undefined : classifyServiceStatus(o.buildJob);
  const service = o.service === undefined ? undefined : classifyServiceStatus(o.service);
  if (build === 'cancelled' || service === 'cancelled') return 'cancelled';
  if (build === 'failed' || service === 'failed') return 'failed';
  return undefined;
}
