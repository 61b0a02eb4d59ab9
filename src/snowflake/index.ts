/**
 * The Snowflake layer's public surface. Code outside src/snowflake imports from here: typed
 * operations, the client, config, identifiers and errors. The statement builders (sql.ts), the
 * driver boundary (driver.ts) and the column parsers stay internal, so SQL text is only ever built
 * inside this folder.
 */
export type { Sql } from './sql.js';
export {
  createSnowflakeClient,
  type AsyncRunner,
  type ClientOptions,
  type PingResult,
  type QueryRunner,
  type QueryState,
  type SessionRunner,
  type SnowflakeClient,
} from './client.js';
export { statusRoundTag, withQueryTag } from './query-tag.js';
export {
  AUTHENTICATORS,
  describeConfig,
  parseSnowflakeEnv,
  Secret,
  SnowflakeEnvSchema,
  SnowflakeEnvVars,
  type Authenticator,
  type SnowflakeAuth,
  type SnowflakeConfig,
  type SnowflakeEnvResult,
} from './connection-config.js';
export {
  isRetryable,
  isSnowflakeError,
  SnowflakeError,
  toSnowflakeError,
  type SnowflakeFailure,
  type SnowflakeFailureKind,
} from './errors.js';
export {
  Identifier,
  identifierFromSnowflake,
  MAX_IDENTIFIER_LENGTH,
  parseIdentifier,
  parseQualifiedName,
  QualifiedName,
  qualify,
  requireQualifiedName,
  type ParseOptions,
  type ParseResult,
  type QualifiedParseOptions,
} from './identifiers.js';
export {
  buildDeploymentSpec,
  DeploymentPlan,
  renderDeploymentSpec,
  type DeploymentPlanInput,
  type DeploymentSpecDocument,
} from './deployment-spec.js';
export * from './registry-queries.js';
export * from './compute-pool-queries.js';
export * from './service-queries.js';
export * from './deploy-queries.js';
export * from './deploy-plan.js';
export {
  createPlatformCapabilities,
  decideSpecDelivery,
  defaultSpecDirectory,
  INLINE_SPEC_CAPABILITY,
  SPEC_CLIENT_VERSION,
  type PlatformCapabilities,
  type SpecDelivery,
  type SpecDirectory,
} from './deploy-spec-delivery.js';
export * from './observability-queries.js';
export * from './access-queries.js';
export * from './change-queries.js';
export * from './access-plan.js';
