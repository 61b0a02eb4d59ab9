import type { Logger } from '../../logger.js';
import type { DeploymentRequester } from '../../domain/deployment.js';
import type { PlatformCapabilities, QueryRunner, SpecDirectory } from '../../snowflake/index.js';
import type { DraftRedis } from '../../store/draft-store.js';
import type { ActionGuard } from '../shared/permissions.js';
import type { RegistryCatalog } from './registry-catalog.js';

/** What the deploy wizard needs from the rest of the bot; app.ts builds it, tests may swap parts. */
export interface DeployWizardDeps {
  /** Read-only look-ups: SHOW DATABASES/SCHEMAS/MODELS/VERSIONS/FUNCTIONS/COMPUTE POOLS/SERVICES. */
  readonly snowflake: QueryRunner;
  /** The Model Registry listings of step 1, remembered briefly (see registry-catalog.ts). */
  readonly catalog: RegistryCatalog;
  /** Holds the drafts (`${keyPrefix}:draft:<id>`). */
  readonly redis: DraftRedis;
  readonly keyPrefix: string;
  readonly now: () => number;
  /** The approval gate: receives the finished request and posts the summary with Approve / Reject. */
  readonly requester: DeploymentRequester;
  /** SYSTEM$ML_PLATFORM_CAPABILITIES: before the summary, whether the spec can reach Snowflake at all. */
  readonly capabilities: PlatformCapabilities;
  readonly specDirectory?: SpecDirectory;
  /** SPCS_DEPLOYERS: refuses (and audits) people who may not request deployments. */
  readonly guard?: ActionGuard;
  readonly logger: Logger;
}
