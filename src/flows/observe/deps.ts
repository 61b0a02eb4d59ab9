import type { Logger } from '../../logger.js';
import type { QueryRunner } from '../../snowflake/index.js';

/** What the read-only observe commands need; app.ts builds it. */
export interface ObserveDeps {
  /** Read-only statements only: SHOW …, DESCRIBE, SYSTEM$GET_SERVICE_LOGS, SPCS_GET_LOGS/METRICS. */
  readonly snowflake: QueryRunner;
  readonly logger: Logger;
  readonly now: () => number;
}
