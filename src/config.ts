import { z } from 'zod';
import { SlackPrincipalId, type ApprovalPolicy } from './domain/approval-policy.js';
import { LOG_FORMATS, type LogFormat } from './logger.js';
import { parseRedisUrl, REDIS_URL_EXPECTS, type RedisTarget } from './redis.js';
import { parseSnowflakeEnv, type SnowflakeConfig } from './snowflake/connection-config.js';

/**
 * Settings come from the environment only. The variable names are a contract: outside tests and
 * deployments set them, so never rename one.
 */

const blankToUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** Optional variable: unset and empty mean the same thing. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const ROLES = ['all', 'web', 'worker'] as const;
export type Role = (typeof ROLES)[number];

const port = z.coerce
  .number({ error: 'a port number from 0 to 65535' })
  .int({ error: 'a port number from 0 to 65535' })
  .min(0, { error: 'a port number from 0 to 65535' })
  .max(65535, { error: 'a port number from 0 to 65535' });

const positiveInt = (expects: string) => z.coerce.number({ error: expects }).int({ error: expects }).positive({ error: expects });

const httpUrl = (expects: string) => z.url({ protocol: /^https?$/, error: expects });

/**
 * SPCS_INGRESS_URL_OVERRIDE: an http(s) URL template containing `{host}`. The REST test sends a PAT
 * there, so plain http is accepted only for a loopback host (the emulator), never across a network.
 */
const INGRESS_TEMPLATE_EXPECTS =
  'an https URL template containing {host} (http only for 127.0.0.1 or localhost), e.g. http://127.0.0.1:8085/ingress/{host}';
export const ingressUrlTemplate = z
  .string()
  .trim()
  .refine(
    (text) => {
      if (!text.includes('{host}')) return false;
      try {
        const url = new URL(text.replaceAll('{host}', 'h.example'));
        return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
      } catch {
        return false;
      }
    },
    { error: INGRESS_TEMPLATE_EXPECTS },
  )
  .transform((text) => text.replace(/\/+$/, ''));

/** `24h`, `30m`, `90s` (or `1d`) → milliseconds; `0s` only where `allowZero`. */
const duration = (expects: string, allowZero = false) =>
  z
    .string()
    .trim()
    .regex(/^\d+\s*[dhms]$/i, { error: expects })
    .transform((text) => {
      const unit = text.slice(-1).toLowerCase();
      const factor = unit === 'd' ? 86_400_000 : unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : 1_000;
      return Number.parseInt(text, 10) * factor;
    })
    .refine((ms) => ms > 0 || allowZero, { error: expects });

/** Comma- and/or space-separated Slack user and user-group ids. */
const principalList = z
  .string()
  .transform((text) => text.split(/[\s,]+/).filter((id) => id !== ''))
  .pipe(z.array(SlackPrincipalId, { error: 'Slack user ids (U…/W…) or user-group ids (S…), comma or space separated' }));

const booleanFlag = (expects: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: expects }))
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** REDIS_URL: one server, Sentinel or Cluster (src/redis.ts has the forms). */
const redisUrl = z.string({ error: REDIS_URL_EXPECTS }).transform((text, ctx): { url: string; target: RedisTarget } => {
  const parsed = parseRedisUrl(text);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  }
  return { url: text.trim(), target: parsed.target };
});

const RawEnv = z.object({
  SLACK_BOT_TOKEN: optional(z.string().startsWith('xoxb-', { error: 'a bot token starting with xoxb-' })),
  SLACK_SIGNING_SECRET: optional(z.string()),
  SLACK_APP_TOKEN: optional(z.string().startsWith('xapp-', { error: 'an app-level token starting with xapp-' })),
  SLACK_API_URL: optional(httpUrl('an http(s) URL of the Slack Web API, e.g. https://slack.com/api/')),
  PORT: optional(port),
  REDIS_URL: optional(redisUrl),
  REDIS_KEY_PREFIX: optional(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'letters, digits, _ or -, at most 64 characters' })),
  ROLE: optional(z.enum(ROLES, { error: `one of ${ROLES.join(', ')}` })),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS, { error: `one of ${LOG_LEVELS.join(', ')}` })),
  LOG_FORMAT: optional(z.enum(LOG_FORMATS, { error: `one of ${LOG_FORMATS.join(', ')}` })),
  SHUTDOWN_TIMEOUT_MS: optional(positiveInt('a whole number of milliseconds greater than 0')),
  SPCS_APPROVERS: optional(principalList),
  SPCS_DEPLOYERS: optional(principalList),
  SPCS_MANAGERS: optional(principalList),
  SPCS_REQUIRED_APPROVALS: optional(positiveInt('a whole number of at least 1')),
  SPCS_ALLOW_SELF_APPROVAL: optional(booleanFlag('true or false')),
  SPCS_APPROVAL_TTL: optional(duration('a duration such as 24h, 30m or 90s')),
  SPCS_POLL_INTERVAL_MS: optional(positiveInt('a whole number of milliseconds greater than 0')),
  SPCS_PHASE_TIMEOUT_MS: optional(positiveInt('a whole number of milliseconds greater than 0')),
  SPCS_INGRESS_URL_OVERRIDE: optional(ingressUrlTemplate),
  SPCS_CATALOG_MAX_AGE: optional(duration('a duration such as 60s or 5m (0s: always ask Snowflake)', true)),
});

export interface SlackConfig {
  readonly botToken: string;
  /** Absent in Socket Mode, where requests arrive over the websocket and are not signed. */
  readonly signingSecret: string | undefined;
  /** Set: Socket Mode. Unset: HTTP mode. */
  readonly appToken: string | undefined;
  /** Always ends with a slash, as the WebClient expects. */
  readonly apiUrl: string;
}

export interface Config {
  readonly role: Role;
  readonly port: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** json (default) for log shippers, pretty for people. */
  readonly logFormat: LogFormat;
  readonly slack: SlackConfig;
  /** `url` as given (REDIS_URL); `target` says which of its forms it is. */
  readonly redis: { readonly url: string; readonly target: RedisTarget; readonly keyPrefix: string };
  readonly snowflake: SnowflakeConfig;
  readonly shutdownTimeoutMs: number;
  /** Who may approve a deployment, how many must, and for how long a request stays open. */
  readonly approval: ApprovalPolicy;
  /** Who may request deployments (SPCS_DEPLOYERS) and change services and pools (SPCS_MANAGERS); empty = everyone. */
  readonly permissions: { readonly deploy: readonly string[]; readonly manage: readonly string[] };
  /** How often the status tracker checks active deployments. */
  readonly pollIntervalMs: number;
  /** How long a deployment may stay in one phase before it ends timed out (30 minutes, as snowflake-ml-python waits). */
  readonly phaseTimeoutMs: number;
  /** How long the deploy wizard reuses a Model Registry listing (databases, schemas, models, a version's functions). */
  readonly catalogMaxAgeMs: number;
  /**
   * Tests and the demo only: where `/spcs access` sends its REST test instead of https://<ingress host>,
   * a template with `{host}`, e.g. http://127.0.0.1:8085/ingress/{host} for the emulator.
   */
  readonly ingressUrlOverride: string | undefined;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';
const DEFAULT_REDIS = { url: 'redis://127.0.0.1:6379', target: { kind: 'server', url: 'redis://127.0.0.1:6379' } } as const;

/**
 * Parses the environment. On failure returns one line per problem, each naming the variable and
 * what it expects. Messages are fixed strings, so a secret's value can never appear in them.
 */
export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const parsed = RawEnv.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${String(issue.path[0])}: expected ${issue.message}`);
  problems.push(...missingSettings(env));
  const snowflake = parseSnowflakeEnv(env);
  if (!snowflake.ok) problems.push(...snowflake.problems);
  const botToken = parsed.data?.SLACK_BOT_TOKEN;
  if (!parsed.success || !snowflake.ok || problems.length > 0 || botToken === undefined) return { ok: false, problems };

  const raw = parsed.data;
  const apiUrl = raw.SLACK_API_URL ?? DEFAULT_SLACK_API_URL;
  return {
    ok: true,
    config: {
      role: raw.ROLE ?? 'all',
      port: raw.PORT ?? 3000,
      logLevel: raw.LOG_LEVEL ?? 'info',
      logFormat: raw.LOG_FORMAT ?? 'json',
      slack: {
        botToken,
        signingSecret: raw.SLACK_SIGNING_SECRET,
        appToken: raw.SLACK_APP_TOKEN,
        apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
      },
      redis: { ...(raw.REDIS_URL ?? DEFAULT_REDIS), keyPrefix: raw.REDIS_KEY_PREFIX ?? 'spcs' },
      snowflake: snowflake.config,
      shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS ?? 30_000,
      approval: {
        approvers: raw.SPCS_APPROVERS ?? [],
        requiredApprovals: raw.SPCS_REQUIRED_APPROVALS ?? 1,
        allowSelfApproval: raw.SPCS_ALLOW_SELF_APPROVAL ?? false,
        ttlMs: raw.SPCS_APPROVAL_TTL ?? 24 * 3_600_000,
      },
      permissions: { deploy: raw.SPCS_DEPLOYERS ?? [], manage: raw.SPCS_MANAGERS ?? [] },
      pollIntervalMs: raw.SPCS_POLL_INTERVAL_MS ?? 10_000,
      phaseTimeoutMs: raw.SPCS_PHASE_TIMEOUT_MS ?? 30 * 60_000,
      catalogMaxAgeMs: raw.SPCS_CATALOG_MAX_AGE ?? 60_000,
      ingressUrlOverride: raw.SPCS_INGRESS_URL_OVERRIDE,
    },
  };
}

/** Requirements that depend on other settings; checked on the raw values so every problem is reported at once. */
function missingSettings(env: NodeJS.ProcessEnv): string[] {
  const isSet = (name: string) => blankToUndefined(env[name]) !== undefined;
  const problems: string[] = [];
  if (!isSet('SLACK_BOT_TOKEN')) {
    problems.push('SLACK_BOT_TOKEN: required, the bot token (xoxb-...) from OAuth & Permissions');
  }
  // Socket Mode requests are not signed; HTTP requests must be, unless this process takes none.
  const takesHttpRequests = blankToUndefined(env.ROLE) !== 'worker' && !isSet('SLACK_APP_TOKEN');
  if (takesHttpRequests && !isSet('SLACK_SIGNING_SECRET')) {
    problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (no SLACK_APP_TOKEN), the signing secret from Basic Information');
  }
  return problems;
}
