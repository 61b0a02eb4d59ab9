/**
 * The SPCS/registry state model: plain data, no behaviour. The engines in this folder
 * (pools.ts, services.ts, deploy.ts) mutate it on the virtual clock; the SQL handlers read it.
 */
import type { InstanceFamily } from './families.js';

export type PoolState = 'STARTING' | 'IDLE' | 'ACTIVE' | 'SUSPENDED' | 'STOPPING' | 'RESIZING';
export type ServiceStatus =
  | 'PENDING'
  | 'RUNNING'
  | 'FAILED'
  | 'DONE'
  | 'SUSPENDING'
  | 'SUSPENDED'
  | 'DELETING'
  | 'DELETED'
  | 'INTERNAL_ERROR'
  // Also reported by SHOW SERVICES: a job or deploy being cancelled, and the moves of a running service.
  | 'CANCELLING'
  | 'CANCELLED'
  | 'RESUMING'
  | 'UPGRADING';
export type InstanceStatus = 'PENDING' | 'READY' | 'FAILED' | 'TERMINATING' | 'SUCCEEDED';
export type ContainerStatus = 'PENDING' | 'READY' | 'DONE' | 'FAILED' | 'UNKNOWN';

export interface Database {
  name: string;
  createdOn: number;
  owner: string;
  comment: string | null;
  kind: 'STANDARD' | 'APPLICATION';
}

export interface Schema {
  database: string;
  name: string;
  createdOn: number;
  owner: string;
  comment: string | null;
}

export interface SignatureField {
  name: string;
  /** Model-signature data type (FLOAT, DOUBLE, STRING, INT64, BOOL). */
  type: string;
  nullable: boolean;
}

export interface ModelMethod {
  /** SQL function name, upper case (PREDICT_PROBA). The REST path is lower case with dashes. */
  name: string;
  inputs: SignatureField[];
  outputs: SignatureField[];
  isTableFunction: boolean;
}

/** Which canned inference behaviour the emulated model server uses. */
export type ModelBehavior = 'iris' | 'sentiment' | 'echo';

export interface ModelVersion {
  name: string;
  createdOn: number;
  comment: string | null;
  aliases: string[];
  methods: ModelMethod[];
  /** `runtimes.gpu` exists only for models logged with a cuda_version. */
  gpuRuntime: { cudaVersion: string } | null;
  modelType: string;
  sizeBytes: number;
  metadata: Record<string, unknown>;
  userData: Record<string, unknown>;
  behavior: ModelBehavior;
  /** Memory the loaded model needs per worker, GiB (drives metrics). */
  workingSetGib: number;
}

export interface Model {
  database: string;
  schema: string;
  name: string;
  createdOn: number;
  comment: string | null;
  owner: string;
  defaultVersion: string;
  versions: Map<string, ModelVersion>;
}

export interface PoolNode {
  id: number;
  /** null while the node is still being provisioned. */
  readyAt: number | null;
}

export interface ComputePool {
  name: string;
  family: InstanceFamily;
  minNodes: number;
  maxNodes: number;
  autoResume: boolean;
  autoSuspendSecs: number;
  comment: string | null;
  owner: string;
  createdOn: number;
  resumedOn: number | null;
  updatedOn: number;
  /** User-requested suspension (ALTER … SUSPEND, or auto-suspend). */
  suspended: boolean;
  /** Suspension requested, waiting for jobs to finish. */
  stopping: boolean;
  nodes: PoolNode[];
  nextNodeId: number;
  /** Bumped on suspend/resume; events carry it to detect that they are stale. */
  generation: number;
  idleSince: number | null;
}

export interface ResourceRequest {
  cpu: number;
  memoryGib: number;
  gpu: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  requests: ResourceRequest;
  /** Memory limit the platform enforces (OOM kill threshold), GiB. */
  memoryLimitGib: number;
}

export interface LogLine {
  at: number;
  text: string;
}

export interface ContainerRun {
  startedAt: number;
  endedAt: number | null;
  lines: LogLine[];
  /** Ended by an OOM kill. */
  oomKilled: boolean;
  /** Time the memory ramp of an OOM-doomed run hits the limit. */
  oomAt: number | null;
}

export interface Container {
  name: string;
  image: string;
  digest: string;
  status: ContainerStatus;
  message: string;
  restartCount: number;
  startTime: number | null;
  lastExitCode: number | null;
  runs: ContainerRun[];
  /** CONTAINER.STATUS_CHANGE platform events, oldest first (<svc>!SPCS_GET_EVENTS). */
  events: ContainerEvent[];
}

/**
 * A platform event of a container: RECORD:name CONTAINER.STATUS_CHANGE with VALUE:status and
 * VALUE:message (docs: developer-guide/snowpark-container-services/monitoring-services,
 * "Supported events").
 */
export interface ContainerEvent {
  at: number;
  status: ContainerStatus;
  message: string;
  severity: 'INFO' | 'ERROR';
}

/**
 * Container status messages as Snowflake documents them (monitoring-services, "Supported
 * events"); SHOW SERVICE CONTAINERS and SYSTEM$GET_SERVICE_STATUS show the same texts.
 */
export const CONTAINER_MESSAGES = {
  running: 'Running',
  waitingToStart: 'Waiting to start',
  provisioning: 'Compute pool node(s) are being provisioned',
  readinessFailing: (path: string, port: number): string => `Readiness probe is failing at path: ${path}, port: ${port}`,
  imagePullFailed: 'Failed to pull image',
  oomKilled: 'Container was OOMKilled due to resource usage',
  userError: 'User application error, check container logs',
  completed: 'Completed successfully',
} as const;

const ERROR_MESSAGES: ReadonlySet<string> = new Set([
  CONTAINER_MESSAGES.imagePullFailed,
  CONTAINER_MESSAGES.oomKilled,
  CONTAINER_MESSAGES.userError,
]);

/** Sets a container's status and message, recording a CONTAINER.STATUS_CHANGE event when either changes. */
export function setContainerStatus(c: Container, status: ContainerStatus, message: string, at: number): void {
  if (c.status === status && c.message === message && c.events.length > 0) return;
  c.status = status;
  c.message = message;
  c.events.push({ at, status, message, severity: status === 'FAILED' || ERROR_MESSAGES.has(message) ? 'ERROR' : 'INFO' });
}

export interface Instance {
  id: number;
  status: InstanceStatus;
  nodeId: number | null;
  creationTime: number;
  startTime: number | null;
  containers: Container[];
  /** Bumped when the instance is restarted/terminated so queued events can tell they are stale. */
  generation: number;
  terminated: boolean;
}

export interface Endpoint {
  name: string;
  port: number;
  protocol: 'HTTP' | 'TCP';
  isPublic: boolean;
  /** Host the endpoint will be reachable at once provisioned. */
  host: string;
  readyAt: number | null;
}

export type ServiceKind = 'inference' | 'build';

export interface ModelRef {
  database: string;
  schema: string;
  name: string;
  version: string;
}

export interface OomPlan {
  phase: 'startup' | 'running';
  afterMs: number;
  /** Restarts before the container stays FAILED; Infinity flaps forever. */
  restartLimit: number;
}

export interface Service {
  id: number;
  database: string;
  schema: string;
  name: string;
  kind: ServiceKind;
  isJob: boolean;
  computePool: string;
  owner: string;
  createdOn: number;
  updatedOn: number;
  resumedOn: number | null;
  suspendedOn: number | null;
  status: ServiceStatus;
  minInstances: number;
  maxInstances: number;
  targetInstances: number;
  minReadyInstances: number;
  autoResume: boolean;
  autoSuspendSecs: number;
  comment: string | null;
  queryWarehouse: string | null;
  externalAccessIntegrations: string[];
  containers: ContainerSpec[];
  endpoints: Endpoint[];
  specYaml: string;
  specDigest: string;
  dnsName: string;
  instances: Instance[];
  nextInstanceId: number;
  lastActivity: number;
  generation: number;
  model: ModelRef | null;
  /** Deploy query that created it (build jobs and inference services). */
  deployQueryId: string | null;
  /** When the service first reached RUNNING. */
  firstRunningAt: number | null;
  oomPlan: OomPlan | null;
  buildFailure: string | null;
  buildMs: number;
  dropped: boolean;
  numWorkers: number | null;
  ingressEnabled: boolean;
  /** `spec.platformMonitor.metricConfig.groups` and when it took effect; absent: no platform metrics. */
  platformMonitor?: { groups: string[]; since: number } | null;
  /** What SHOW SERVICES reports instead of `status` until `until` (virtual ms): RESUMING or UPGRADING (fault). */
  statusHold?: { status: 'RESUMING' | 'UPGRADING'; until: number } | undefined;
}

/** A container run plus the identity of what it ran in (kept after the service is dropped). */
export interface RunRecord {
  serviceId: number;
  database: string;
  schema: string;
  serviceName: string;
  isJob: boolean;
  computePool: string;
  family: InstanceFamily;
  instanceId: number;
  containerName: string;
  memoryLimitGib: number;
  gpus: number;
  workingSetGib: number;
  run: ContainerRun;
}

export interface EventRow {
  timestamp: number;
  recordType: 'LOG';
  resourceAttributes: Record<string, string | number>;
  recordAttributes: Record<string, string>;
  scope: Record<string, string>;
  value: string;
}

export interface NetworkRule {
  database: string;
  schema: string;
  name: string;
  mode: string;
  type: string;
  values: string[];
  comment: string | null;
  owner: string;
  createdOn: number;
}

export interface NetworkPolicy {
  name: string;
  /** Keys (see key3) of the allowed/blocked rules. */
  allowedRules: string[];
  blockedRules: string[];
  comment: string | null;
  owner: string;
  createdOn: number;
}

export interface User {
  name: string;
  password: string | null;
  defaultRole: string;
  roles: string[];
  networkPolicy: string | null;
  /** PEM public keys for SNOWFLAKE_JWT (RSA_PUBLIC_KEY / RSA_PUBLIC_KEY_2). */
  publicKeys: string[];
  /** Programmatic access tokens. */
  pats: string[];
  /** OAuth access tokens accepted for this user. */
  oauthTokens: string[];
  /** OAuth tokens that exist but have expired (login → 390318). */
  expiredOauthTokens: string[];
}

export type GrantObjectType =
  | 'ACCOUNT'
  | 'DATABASE'
  | 'SCHEMA'
  | 'COMPUTE_POOL'
  | 'MODEL'
  | 'SERVICE'
  | 'NETWORK_RULE'
  | 'NETWORK_POLICY'
  | 'USER'
  | 'EVENT_TABLE'
  | 'SERVICE_ROLE'
  | 'WAREHOUSE'
  | 'ROLE';

export interface Grant {
  role: string;
  privilege: string;
  on: GrantObjectType;
  /** Object key (key3 for schema objects, name otherwise; '' for ACCOUNT). */
  key: string;
  /** Display name as SHOW GRANTS prints it. */
  name: string;
  grantOption: boolean;
  grantedBy: string;
  createdOn: number;
}

export interface Deny {
  role: string | null;
  privilege: string;
  on: GrantObjectType;
  key: string | null;
}

export interface SpcsState {
  account: string;
  organization: string;
  databases: Map<string, Database>;
  /** key2(db, schema) → Schema */
  schemas: Map<string, Schema>;
  /** key3 → Model */
  models: Map<string, Model>;
  pools: Map<string, ComputePool>;
  /** key3 → Service */
  services: Map<string, Service>;
  eventTable: { database: string; schema: string; name: string; explicit: boolean };
  /** Every container run ever started; logs and metrics (live and event table) are views over it. */
  runs: RunRecord[];
  networkRules: Map<string, NetworkRule>;
  networkPolicies: Map<string, NetworkPolicy>;
  /** The account-level network policy (ALTER ACCOUNT SET NETWORK_POLICY); users without their own follow it. */
  accountNetworkPolicy: string | null;
  /** Business Critical with private connectivity: SHOW ENDPOINTS adds `privatelink_ingress_url`. */
  privateLink: boolean;
  /** The PAT rule: whether a token's user must be subject to a network policy (default: required). */
  patNetworkPolicyEvaluation: 'ENFORCED_REQUIRED' | 'ENFORCED_NOT_REQUIRED';
  users: Map<string, User>;
  roles: Set<string>;
  grants: Grant[];
  denies: Deny[];
  /** Model versions whose inference image was already built (key3 + version). */
  builtImages: Set<string>;
  nextServiceId: number;
  warehouses: Set<string>;
  /** key3 → Stage (CREATE [SCOPED] TEMPORARY STAGE); files live on disk, see stages.ts. */
  stages: Map<string, Stage>;
  /** What SELECT SYSTEM$ML_PLATFORM_CAPABILITIES() returns, as a JSON object. */
  mlPlatformCapabilities: Record<string, unknown>;
}

/** A stage the driver PUTs into: LOCAL_FS, the driver's own test stage type, in `dir`. */
export interface Stage {
  database: string;
  schema: string;
  name: string;
  /** A temporary stage belongs to the session that made it and is invisible to others. */
  sessionId: number | null;
  dir: string;
  createdOn: number;
}

const SEP = '\u0001';

export function key2(a: string, b: string): string {
  return `${a}${SEP}${b}`;
}

export function key3(a: string, b: string, c: string): string {
  return `${a}${SEP}${b}${SEP}${c}`;
}

/** Renders one identifier the way Snowflake prints it: bare when it is a plain upper-case name. */
export function quoteIdent(name: string): string {
  return /^[A-Z_][A-Z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function displayName(...parts: string[]): string {
  return parts.map(quoteIdent).join('.');
}

/** The emulator's answer by default: inline specs from client 1.8.6 on (see SQL-CONTRACT.md). */
export const DEFAULT_ML_PLATFORM_CAPABILITIES: Readonly<Record<string, unknown>> = {
  ENABLE_INLINE_DEPLOYMENT_SPEC_FROM_CLIENT_VERSION: '1.8.6',
  SPCS_MODEL_ENABLE_EMBEDDED_SERVICE_FUNCTIONS: true,
};

export function emptyState(account: string, organization: string): SpcsState {
  return {
    account,
    organization,
    databases: new Map(),
    schemas: new Map(),
    models: new Map(),
    pools: new Map(),
    services: new Map(),
    eventTable: { database: 'SNOWFLAKE', schema: 'TELEMETRY', name: 'EVENTS', explicit: false },
    runs: [],
    networkRules: new Map(),
    networkPolicies: new Map(),
    accountNetworkPolicy: null,
    privateLink: false,
    patNetworkPolicyEvaluation: 'ENFORCED_REQUIRED',
    users: new Map(),
    roles: new Set(['ACCOUNTADMIN', 'SECURITYADMIN', 'SYSADMIN', 'USERADMIN', 'PUBLIC']),
    grants: [],
    denies: [],
    builtImages: new Set(),
    nextServiceId: 1,
    warehouses: new Set(),
    stages: new Map(),
    mlPlatformCapabilities: { ...DEFAULT_ML_PLATFORM_CAPABILITIES },
  };
}
