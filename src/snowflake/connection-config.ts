import { inspect } from 'node:util';
import { z } from 'zod';

/**
 * Snowflake settings from the environment. The variable names are a contract shared with deployments
 * and tests; never rename one.
 *
 * Two sources, never mixed:
 * - SNOWFLAKE_CONNECTION_NAME: a section of $SNOWFLAKE_HOME/connections.toml (default ~/.snowflake),
 *   read by the driver itself as Snowflake's tools do. No other SNOWFLAKE_* connection variable may be
 *   set then, because the driver cannot merge them into the file's settings.
 * - Otherwise SNOWFLAKE_ACCOUNT (+ SNOWFLAKE_USER) and exactly one credential:
 *   password (SNOWFLAKE_PASSWORD), key pair (SNOWFLAKE_PRIVATE_KEY_PATH [+ SNOWFLAKE_PRIVATE_KEY_PASSPHRASE]),
 *   or a token (SNOWFLAKE_TOKEN with SNOWFLAKE_AUTHENTICATOR=PROGRAMMATIC_ACCESS_TOKEN or OAUTH).
 *   SNOWFLAKE_AUTHENTICATOR may be left out for password and key pair.
 */

/** A secret string that prints as [redacted] in logs, JSON and util.inspect; `reveal()` to use it. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}

const blankToUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalText = z.preprocess(blankToUndefined, z.string().optional());

/** The raw variables. Plain optional strings, so an app-level env schema can `.extend()` with `.shape`. */
export const SnowflakeEnvVars = z.object({
  SNOWFLAKE_ACCOUNT: optionalText,
  SNOWFLAKE_USER: optionalText,
  SNOWFLAKE_ROLE: optionalText,
  SNOWFLAKE_WAREHOUSE: optionalText,
  SNOWFLAKE_ACCESS_URL: optionalText,
  SNOWFLAKE_CONNECTION_NAME: optionalText,
  SNOWFLAKE_AUTHENTICATOR: optionalText,
  SNOWFLAKE_PASSWORD: optionalText,
  SNOWFLAKE_PRIVATE_KEY_PATH: optionalText,
  SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: optionalText,
  SNOWFLAKE_TOKEN: optionalText,
});
export type SnowflakeEnvVars = z.infer<typeof SnowflakeEnvVars>;
type VarName = keyof SnowflakeEnvVars;

export const AUTHENTICATORS = ['SNOWFLAKE', 'SNOWFLAKE_JWT', 'PROGRAMMATIC_ACCESS_TOKEN', 'OAUTH'] as const;
export type Authenticator = (typeof AUTHENTICATORS)[number];

export type SnowflakeAuth =
  | { readonly method: 'password'; readonly password: Secret }
  | { readonly method: 'key_pair'; readonly privateKeyPath: string; readonly passphrase: Secret | undefined }
  | { readonly method: 'pat'; readonly token: Secret }
  | { readonly method: 'oauth'; readonly token: Secret };

export type SnowflakeConfig =
  | { readonly source: 'connections_toml'; readonly connectionName: string }
  | {
      readonly source: 'env';
      readonly account: string;
      readonly user: string | undefined;
      readonly role: string | undefined;
      readonly warehouse: string | undefined;
      /** Full base URL (PrivateLink, the emulator); without it the driver derives it from the account. */
      readonly accessUrl: string | undefined;
      readonly auth: SnowflakeAuth;
    };

export type SnowflakeEnvResult =
  | { readonly ok: true; readonly config: SnowflakeConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

const ACCOUNT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
const CONNECTION_NAME = /^[A-Za-z0-9_.-]{1,255}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const ENV_CONNECTION_VARS: readonly VarName[] = [
  'SNOWFLAKE_ACCOUNT',
  'SNOWFLAKE_USER',
  'SNOWFLAKE_ROLE',
  'SNOWFLAKE_WAREHOUSE',
  'SNOWFLAKE_ACCESS_URL',
  'SNOWFLAKE_AUTHENTICATOR',
  'SNOWFLAKE_PASSWORD',
  'SNOWFLAKE_PRIVATE_KEY_PATH',
  'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE',
  'SNOWFLAKE_TOKEN',
];
const CREDENTIAL_VARS = ['SNOWFLAKE_PASSWORD', 'SNOWFLAKE_PRIVATE_KEY_PATH', 'SNOWFLAKE_TOKEN'] as const;
const CREDENTIAL_FOR: Record<Authenticator, (typeof CREDENTIAL_VARS)[number]> = {
  SNOWFLAKE: 'SNOWFLAKE_PASSWORD',
  SNOWFLAKE_JWT: 'SNOWFLAKE_PRIVATE_KEY_PATH',
  PROGRAMMATIC_ACCESS_TOKEN: 'SNOWFLAKE_TOKEN',
  OAUTH: 'SNOWFLAKE_TOKEN',
};

function isAuthenticator(value: string): value is Authenticator {
  return (AUTHENTICATORS as readonly string[]).includes(value);
}

/** Checks the variables; every problem names the variable and never includes its value. */
function buildConfig(raw: SnowflakeEnvVars): { config?: SnowflakeConfig; problems: string[] } {
  const problems: string[] = [];
  const set = (name: VarName): boolean => raw[name] !== undefined;

  if (raw.SNOWFLAKE_CONNECTION_NAME !== undefined) {
    const name = raw.SNOWFLAKE_CONNECTION_NAME.trim();
    if (!CONNECTION_NAME.test(name)) {
      problems.push('SNOWFLAKE_CONNECTION_NAME: expected a connections.toml section name (letters, digits, _, - or .)');
    }
    for (const other of ENV_CONNECTION_VARS.filter(set)) {
      problems.push(`${other}: not used with SNOWFLAKE_CONNECTION_NAME (settings come from connections.toml); unset one of them`);
    }
    return problems.length > 0 ? { problems } : { config: { source: 'connections_toml', connectionName: name }, problems };
  }

  const account = raw.SNOWFLAKE_ACCOUNT?.trim();
  if (account === undefined) {
    problems.push('SNOWFLAKE_ACCOUNT: required (e.g. myorg-myaccount), or set SNOWFLAKE_CONNECTION_NAME');
  } else if (!ACCOUNT.test(account)) {
    problems.push('SNOWFLAKE_ACCOUNT: expected an account identifier such as myorg-myaccount (letters, digits, -, _ or .)');
  }

  for (const name of ['SNOWFLAKE_USER', 'SNOWFLAKE_ROLE', 'SNOWFLAKE_WAREHOUSE'] as const) {
    const value = raw[name];
    if (value !== undefined && (CONTROL.test(value) || value.trim().length > 255)) {
      problems.push(`${name}: expected a name of at most 255 characters without control characters`);
    }
  }

  let accessUrl: string | undefined;
  if (raw.SNOWFLAKE_ACCESS_URL !== undefined) {
    const parsed = URL.canParse(raw.SNOWFLAKE_ACCESS_URL.trim()) ? new URL(raw.SNOWFLAKE_ACCESS_URL.trim()) : undefined;
    if (parsed === undefined || !['http:', 'https:'].includes(parsed.protocol) || parsed.username !== '' || parsed.password !== '') {
      problems.push(
        'SNOWFLAKE_ACCESS_URL: expected an http(s) base URL such as https://myorg-myaccount.privatelink.snowflakecomputing.com',
      );
    } else {
      accessUrl = parsed.origin;
    }
  }

  let authenticator: Authenticator | undefined;
  if (raw.SNOWFLAKE_AUTHENTICATOR !== undefined) {
    const upper = raw.SNOWFLAKE_AUTHENTICATOR.trim().toUpperCase();
    if (isAuthenticator(upper)) authenticator = upper;
    else problems.push(`SNOWFLAKE_AUTHENTICATOR: expected one of ${AUTHENTICATORS.join(', ')}`);
  }

  const credentials = CREDENTIAL_VARS.filter(set);
  if (authenticator === undefined && raw.SNOWFLAKE_AUTHENTICATOR === undefined) {
    if (credentials.length === 0) {
      problems.push(
        'SNOWFLAKE_PASSWORD, SNOWFLAKE_PRIVATE_KEY_PATH or SNOWFLAKE_TOKEN: one is required (or set SNOWFLAKE_CONNECTION_NAME)',
      );
    } else if (credentials.length > 1) {
      problems.push(`${credentials.join(', ')}: set only one credential`);
    } else if (credentials[0] === 'SNOWFLAKE_TOKEN') {
      problems.push('SNOWFLAKE_AUTHENTICATOR: required with SNOWFLAKE_TOKEN, PROGRAMMATIC_ACCESS_TOKEN or OAUTH');
    } else {
      authenticator = credentials[0] === 'SNOWFLAKE_PASSWORD' ? 'SNOWFLAKE' : 'SNOWFLAKE_JWT';
    }
  } else if (authenticator !== undefined) {
    const needed = CREDENTIAL_FOR[authenticator];
    if (!set(needed)) problems.push(`${needed}: required when SNOWFLAKE_AUTHENTICATOR=${authenticator}`);
    for (const other of credentials.filter((c) => c !== needed)) {
      problems.push(`${other}: not used when SNOWFLAKE_AUTHENTICATOR=${authenticator}; unset it`);
    }
  }

  if (set('SNOWFLAKE_PRIVATE_KEY_PASSPHRASE') && authenticator !== 'SNOWFLAKE_JWT') {
    problems.push('SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: only used with SNOWFLAKE_PRIVATE_KEY_PATH; unset it');
  }
  // OAuth tokens name the user themselves; every other method logs in as a named user.
  const user = raw.SNOWFLAKE_USER?.trim();
  if (user === undefined && authenticator !== undefined && authenticator !== 'OAUTH') {
    problems.push(`SNOWFLAKE_USER: required when SNOWFLAKE_AUTHENTICATOR=${authenticator}`);
  }

  if (problems.length > 0 || account === undefined || authenticator === undefined) return { problems };

  const auth = authFor(authenticator, raw);
  if (auth === undefined) return { problems: ['SNOWFLAKE_AUTHENTICATOR: credential missing'] };
  return {
    problems,
    config: {
      source: 'env',
      account,
      user,
      role: raw.SNOWFLAKE_ROLE?.trim(),
      warehouse: raw.SNOWFLAKE_WAREHOUSE?.trim(),
      accessUrl,
      auth,
    },
  };
}

function authFor(authenticator: Authenticator, raw: SnowflakeEnvVars): SnowflakeAuth | undefined {
  switch (authenticator) {
    case 'SNOWFLAKE':
      return raw.SNOWFLAKE_PASSWORD === undefined ? undefined : { method: 'password', password: new Secret(raw.SNOWFLAKE_PASSWORD) };
    case 'SNOWFLAKE_JWT': {
      const path = raw.SNOWFLAKE_PRIVATE_KEY_PATH?.trim();
      const pass = raw.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE;
      return path === undefined
        ? undefined
        : { method: 'key_pair', privateKeyPath: path, passphrase: pass === undefined ? undefined : new Secret(pass) };
    }
    case 'PROGRAMMATIC_ACCESS_TOKEN':
      return raw.SNOWFLAKE_TOKEN === undefined ? undefined : { method: 'pat', token: new Secret(raw.SNOWFLAKE_TOKEN.trim()) };
    case 'OAUTH':
      return raw.SNOWFLAKE_TOKEN === undefined ? undefined : { method: 'oauth', token: new Secret(raw.SNOWFLAKE_TOKEN.trim()) };
  }
}

/**
 * The variables as one zod schema whose output is a SnowflakeConfig, for composing into the app's
 * config. Issues carry the variable name as their path.
 */
export const SnowflakeEnvSchema = SnowflakeEnvVars.transform((raw, ctx): SnowflakeConfig => {
  const { config, problems } = buildConfig(raw);
  for (const problem of problems) {
    const variable = problem.slice(0, problem.indexOf(':'));
    ctx.issues.push({ code: 'custom', message: problem.slice(problem.indexOf(':') + 1).trim(), path: [variable], input: undefined });
  }
  return config ?? z.NEVER;
});

/**
 * Parses the environment. On failure returns one line per problem, naming the variable and what it
 * expects, e.g. "SNOWFLAKE_TOKEN: required when SNOWFLAKE_AUTHENTICATOR=OAUTH". Values are never echoed.
 */
export function parseSnowflakeEnv(env: Readonly<Record<string, string | undefined>>): SnowflakeEnvResult {
  const raw = SnowflakeEnvVars.safeParse(env);
  if (!raw.success) {
    // Only non-string values can fail here; name the variable, not the value.
    return { ok: false, problems: raw.error.issues.map((i) => `${String(i.path[0])}: expected text`) };
  }
  const { config, problems } = buildConfig(raw.data);
  return config !== undefined && problems.length === 0 ? { ok: true, config } : { ok: false, problems };
}

/** Every secret value in a config, so error messages can be scrubbed of them. */
export function secretsOf(config: SnowflakeConfig): string[] {
  if (config.source !== 'env') return [];
  const auth = config.auth;
  switch (auth.method) {
    case 'password':
      return [auth.password.reveal()];
    case 'key_pair':
      return auth.passphrase === undefined ? [] : [auth.passphrase.reveal()];
    case 'pat':
    case 'oauth':
      return [auth.token.reveal()];
  }
}

/**
 * Whether the connection goes over PrivateLink, decided as snowflake-ml-python does
 * (model_ops.py `_is_privatelink_connection`): the host contains `privatelink.snowflake`. The host
 * is SNOWFLAKE_ACCESS_URL's, else `<account>.snowflakecomputing.com` as the driver builds it (an
 * account such as `xy12345.us-east-1.privatelink`). For a connections.toml connection, `toml` is
 * the section's `host` and `account` (connectionsTomlTarget in driver.ts), judged the same way;
 * without it such a connection counts as public.
 */
export function isPrivateLinkConfig(
  config: SnowflakeConfig,
  toml?: { readonly host: string | null; readonly account: string | null },
): boolean {
  if (config.source !== 'env') {
    if (toml === undefined) return false;
    return isPrivateLinkHost(toml.host ?? (toml.account === null ? '' : `${toml.account}.snowflakecomputing.com`));
  }
  return isPrivateLinkHost(
    config.accessUrl === undefined ? `${config.account}.snowflakecomputing.com` : new URL(config.accessUrl).hostname,
  );
}

function isPrivateLinkHost(host: string): boolean {
  return host.toLowerCase().includes(PRIVATELINK_HOST_MARK);
}

/** What snowflake-ml-python looks for in a connection host and in `privatelink_ingress_url`. */
export const PRIVATELINK_HOST_MARK = 'privatelink.snowflake';

/** A one-line description safe for logs: where the connection comes from and how it logs in. */
export function describeConfig(config: SnowflakeConfig): string {
  if (config.source === 'connections_toml') return `connections.toml [${config.connectionName}]`;
  const where = config.accessUrl ?? `${config.account}.snowflakecomputing.com`;
  return `${config.user ?? '(token user)'}@${where} via ${config.auth.method}${config.role === undefined ? '' : ` as ${config.role}`}`;
}
