/**
 * Emulator options and their defaults. All durations are virtual milliseconds (they scale
 * with the clock speed) unless the name says "real".
 */

/** A `[min, max]` range; each occurrence draws a value from the seeded PRNG. */
export type MsRange = readonly [number, number];

export interface Timings {
  /** Compute pool nodes provisioning after create/resume/scale-out. @defaultValue 60–180 s */
  nodeStartMs: MsRange;
  /** STOPPING → SUSPENDED for a pool. @defaultValue 5–15 s */
  poolStopMs: MsRange;
  /** Build job scheduled → `model-build` container running (image pull). @defaultValue 10–30 s */
  buildStartMs: MsRange;
  /** `model-build` running → DONE. @defaultValue 3–8 min */
  buildMs: MsRange;
  /** Inference instance scheduled → containers READY on first start. @defaultValue 1–3 min */
  serviceStartMs: MsRange;
  /** Same, on resume or restart (image cached). @defaultValue 20–60 s */
  resumeStartMs: MsRange;
  /** SUSPENDING → SUSPENDED. @defaultValue 5–15 s */
  suspendMs: MsRange;
  /** Service first RUNNING → public endpoint provisioned. @defaultValue 30–120 s */
  endpointMs: MsRange;
  /** Container READY → OOM kill, for the `running` OOM fault. @defaultValue 30–90 s */
  oomAfterMs: MsRange;
  /** First restart back-off after a crash; doubles per restart, capped at 5 min. @defaultValue 10 s */
  restartBackoffMs: number;
  /** How long a finished MODEL_BUILD job stays visible before the platform drops it. @defaultValue 1 h */
  buildJobRetentionMs: number;
  /** Real ms a sync query-request is held before answering 333333. @defaultValue 300 */
  queryHoldRealMs: number;
  /** Real ms a GET /queries/<id>/result is held while the query runs. @defaultValue 1000 */
  resultHoldRealMs: number;
}

export const DEFAULT_TIMINGS: Timings = {
  nodeStartMs: [60_000, 180_000],
  poolStopMs: [5_000, 15_000],
  buildStartMs: [10_000, 30_000],
  buildMs: [180_000, 480_000],
  serviceStartMs: [60_000, 180_000],
  resumeStartMs: [20_000, 60_000],
  suspendMs: [5_000, 15_000],
  endpointMs: [30_000, 120_000],
  oomAfterMs: [30_000, 90_000],
  restartBackoffMs: 10_000,
  buildJobRetentionMs: 3_600_000,
  queryHoldRealMs: 300,
  resultHoldRealMs: 1_000,
};

/** Seconds instead of minutes: handy with `speed: 1` for manual bot testing. */
export const FAST_TIMINGS: Timings = {
  nodeStartMs: [1_000, 3_000],
  poolStopMs: [500, 1_000],
  buildStartMs: [500, 1_000],
  buildMs: [3_000, 8_000],
  serviceStartMs: [1_000, 3_000],
  resumeStartMs: [500, 1_500],
  suspendMs: [500, 1_000],
  endpointMs: [1_000, 2_000],
  oomAfterMs: [2_000, 4_000],
  restartBackoffMs: 1_000,
  buildJobRetentionMs: 600_000,
  queryHoldRealMs: 300,
  resultHoldRealMs: 1_000,
};

export interface UserOptions {
  name: string;
  /** null disables password login. */
  password?: string | null;
  defaultRole?: string;
  roles?: string[];
  /** PEM public key(s) registered for key-pair auth. */
  publicKeyPem?: string | string[];
  pats?: string[];
  oauthTokens?: string[];
  expiredOauthTokens?: string[];
}

/** Object types a privilege can be on, as the fault API and grants spell them. */
export type PrivilegeObjectType =
  | 'ACCOUNT'
  | 'DATABASE'
  | 'SCHEMA'
  | 'COMPUTE POOL'
  | 'MODEL'
  | 'SERVICE'
  | 'NETWORK POLICY'
  | 'USER'
  | 'EVENT TABLE';

/** Faults that can be armed at startup (CLI `--fault`) or any time through `emulator.faults`. */
export type FaultSpec =
  | { kind: 'imageBuildFailure'; model?: string; message?: string; count?: number }
  | { kind: 'oomKill'; service?: string; phase?: 'startup' | 'running'; afterMs?: number; restartLimit?: number; count?: number }
  | { kind: 'noFreeNode'; pool: string }
  | { kind: 'missingPrivilege'; privilege: string; on: PrivilegeObjectType; name?: string; role?: string }
  | { kind: 'http503'; count?: number }
  | { kind: 'sessionExpiry'; count?: number }
  | { kind: 'slowQuery'; count?: number; ms?: number };

export interface EmulatorOptions {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** Account locator used in messages and ingress hosts. @defaultValue 'EMUACCT' */
  account?: string;
  /** @defaultValue 'EMUORG' */
  organization?: string;
  /** Virtual ms per real ms; 0 freezes the clock. @defaultValue 1 */
  speed?: number;
  /** Virtual start time, epoch ms. @defaultValue Date.now() */
  startTime?: number;
  /** PRNG seed for timings, hosts and metrics. @defaultValue 42 */
  seed?: number;
  timings?: Partial<Timings>;
  /** Seed databases, models, pools, users (see seed.ts). @defaultValue true */
  seedData?: boolean;
  /** Also seed a RUNNING service ML_DB.SERVING.IRIS_SVC. @defaultValue true */
  seedRunningService?: boolean;
  /** More schemas in ML_DB the bot's role may create services in, granted as SERVING is (USAGE, CREATE SERVICE, CREATE STAGE). */
  serviceSchemas?: readonly string[];
  /** Replaces the seeded users entirely. */
  users?: UserOptions[];
  /** Extra settings merged into the default bot user SPCS_BOT (e.g. publicKeyPem). */
  botUser?: Partial<UserOptions>;
  /** Account event table, `DB.SCHEMA.TABLE`. @defaultValue SNOWFLAKE.TELEMETRY.EVENTS */
  eventTable?: string;
  /** Faults armed at startup. */
  faults?: FaultSpec[];
  /** Reject logins/ingress from IPs a user's network policy does not allow. @defaultValue true */
  enforceNetworkPolicies?: boolean;
  /**
   * The PAT rule: ENFORCED_REQUIRED (Snowflake's default) refuses a PAT whose user is subject to no
   * network policy; ENFORCED_NOT_REQUIRED is an authentication policy that lifts it. @defaultValue 'ENFORCED_REQUIRED'
   */
  patNetworkPolicyEvaluation?: 'ENFORCED_REQUIRED' | 'ENFORCED_NOT_REQUIRED';
  /** A Business Critical account with private connectivity: SHOW ENDPOINTS has `privatelink_ingress_url`. @defaultValue false */
  privateLink?: boolean;
  /**
   * What SELECT SYSTEM$ML_PLATFORM_CAPABILITIES() returns. Without ENABLE_INLINE_DEPLOYMENT_SPEC_FROM_CLIENT_VERSION
   * the account takes a deployment spec only as a staged file. @defaultValue inline from client 1.8.6
   */
  mlPlatformCapabilities?: Record<string, unknown>;
  /** Request log sink (one line per request; never contains tokens). */
  log?: (line: string) => void;
}

export function resolveTimings(partial: Partial<Timings> | undefined): Timings {
  return { ...DEFAULT_TIMINGS, ...(partial ?? {}) };
}
