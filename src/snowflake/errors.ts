/**
 * Maps what the snowflake-sdk driver throws to a small union the flows can act on.
 *
 * The driver reports a server-side failure as `OperationFailedError` with the body's `code` as a
 * string ('002003'), `sqlState` and `message`; its own failures carry numeric codes (401001).
 * Everything is normalised to a string code here.
 */

export type SnowflakeFailure =
  /** 002003 / 002043: the object does not exist, or this role cannot see it. */
  | { readonly kind: 'not_found'; readonly objectKind?: string; readonly objectName?: string }
  /** 003001: the role lacks a privilege. `privilege` says which grant to ask for, when known. */
  | {
      readonly kind: 'insufficient_privileges';
      readonly objectKind?: string;
      readonly objectName?: string;
      readonly privilege?: string;
    }
  /** 002002: CREATE of something that is already there. */
  | { readonly kind: 'already_exists'; readonly objectName?: string }
  /** Login refused: wrong password, key, PAT or OAuth token (390100, 394400, 390144, 390318, 401004...). */
  | { readonly kind: 'bad_credentials' }
  /** 390112 and friends: the session is gone. The driver renews once; this is what remains after. */
  | { readonly kind: 'session_expired' }
  /** 001003: the statement did not parse. A bug on our side, never a person's typo. */
  | { readonly kind: 'syntax' }
  /** Network errors, non-200 answers, pool timeouts. Retried only for statements safe to repeat. */
  | { readonly kind: 'transient' }
  /** The connection settings cannot work (no account, unreadable connections.toml, bad key file). */
  | { readonly kind: 'configuration' }
  /** Snowflake answered, but the rows did not have the columns or types we expect. */
  | { readonly kind: 'unexpected_result' }
  | { readonly kind: 'unknown' };

export type SnowflakeFailureKind = SnowflakeFailure['kind'];

/** The one error type the Snowflake layer throws. Its message never contains a secret. */
export class SnowflakeError extends Error {
  override readonly name = 'SnowflakeError';
  readonly failure: SnowflakeFailure;
  /** Snowflake's or the driver's code, as a string ('002003', '401001'). */
  readonly code: string | undefined;
  readonly sqlState: string | undefined;
  readonly queryId: string | undefined;

  constructor(
    failure: SnowflakeFailure,
    message: string,
    details: { code?: string | undefined; sqlState?: string | undefined; queryId?: string | undefined } = {},
  ) {
    super(message);
    this.failure = failure;
    this.code = details.code;
    this.sqlState = details.sqlState;
    this.queryId = details.queryId;
  }

  get kind(): SnowflakeFailureKind {
    return this.failure.kind;
  }
}

export function isSnowflakeError(err: unknown): err is SnowflakeError {
  return err instanceof SnowflakeError;
}

const NOT_FOUND = new Set(['002003', '002043']);
const PRIVILEGES = new Set(['003001', '003011']);
const BAD_CREDENTIALS = new Set([
  '390100', // incorrect username or password
  '390101', // user not found
  '390102', // user locked / disabled
  '390144', // JWT invalid
  '390303', // invalid OAuth access token
  '390318', // OAuth access token expired
  '394400', // programmatic access token invalid
  '390422', // login from an IP the user's network policy does not allow
  '401004', // driver: 401 carrying 390104 (invalid token)
  '404026', // driver: invalid private key
  '404028', // driver: invalid private key passphrase
]);
const SESSION_EXPIRED = new Set([
  '390112', // session expired
  '390111', // session no longer exists
  '390114', // master token expired
  '405503', // driver: connection already terminated
  '407002', // driver: connection not established / disconnected
]);
const SYNTAX = new Set(['001003']);
const ALREADY_EXISTS = new Set(['002002']);
const TRANSIENT = new Set([
  '401001', // driver: could not connect
  '401002', // driver: non-200 answer after its own retries
  '401003', // driver: answer was not JSON (a proxy error page)
  '402001',
  '402002',
]);
const NODE_TRANSIENT = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'ENETUNREACH']);

/** Fields read off whatever the driver threw; everything optional because it is untyped JSON. */
interface RawDriverError {
  readonly name: string | undefined;
  readonly message: string;
  readonly code: string | undefined;
  readonly sqlState: string | undefined;
  readonly queryId: string | undefined;
  readonly httpStatus: number | undefined;
}

function readRaw(err: unknown): RawDriverError {
  const obj = typeof err === 'object' && err !== null ? err : {};
  const get = (key: string): unknown => (key in obj ? Reflect.get(obj, key) : undefined);
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
  const data = get('data');
  const response = get('response');
  const fromData = (key: string): unknown =>
    typeof data === 'object' && data !== null && key in data ? Reflect.get(data, key) : undefined;
  const status = typeof response === 'object' && response !== null && 'status' in response ? Reflect.get(response, 'status') : undefined;
  return {
    name: str(get('name')),
    message: err instanceof Error ? err.message : typeof err === 'string' ? err : String(str(get('message')) ?? err),
    code: str(get('code')),
    sqlState: str(get('sqlState')) ?? str(fromData('sqlState')),
    queryId: str(fromData('queryId')) ?? str(get('queryId')),
    httpStatus: typeof status === 'number' ? status : undefined,
  };
}

// "Insufficient privileges to operate on compute pool 'POOL_A'" / "... on service 'DB.S.SVC'"
const OPERATE_ON = /privileges? to operate on (?:the )?([a-z][a-z ]*?)\s+'((?:[^']|'')*)'/i;
// "Service 'NOPE' does not exist or not authorized."
const DOES_NOT_EXIST = /([A-Za-z][A-Za-z ]*?)\s+'((?:[^']|'')*)'\s+does not exist/;
// Rare, but when Snowflake names the privilege we pass it on: "requires OPERATE privilege", "missing USAGE privilege".
const NAMED_PRIVILEGE = /\b(?:requires?|missing|needs?)\s+(?:the\s+)?([A-Z][A-Z_ ]*?)\s+privilege/;

/** Pulls object kind/name (and privilege, when named) out of a Snowflake message. */
export function parseObjectFromMessage(message: string): {
  objectKind?: string;
  objectName?: string;
  privilege?: string;
} {
  const out: { objectKind?: string; objectName?: string; privilege?: string } = {};
  const match = OPERATE_ON.exec(message) ?? DOES_NOT_EXIST.exec(message);
  if (match?.[1] !== undefined && match[2] !== undefined) {
    out.objectKind = match[1].trim().toLowerCase();
    out.objectName = match[2].replaceAll("''", "'");
  }
  const privilege = NAMED_PRIVILEGE.exec(message)?.[1];
  if (privilege !== undefined) out.privilege = privilege.trim();
  return out;
}

// Login messages, for errors that lost their code: the driver's pool wraps a failed login as
// `new Error(err.message)`, keeping only the text.
const LOGIN_MESSAGES: ReadonlyArray<readonly [RegExp, 'bad_credentials' | 'session_expired' | 'transient' | 'configuration']> = [
  [/ENOENT|EACCES|no such file or directory|permission denied/i, 'configuration'],
  [/incorrect username or password/i, 'bad_credentials'],
  [/programmatic access token is invalid/i, 'bad_credentials'],
  [/jwt token is invalid/i, 'bad_credentials'],
  [/oauth access token (?:is )?(?:invalid|expired)|invalid oauth access token/i, 'bad_credentials'],
  [/user .* (?:is locked|does not exist|is disabled)/i, 'bad_credentials'],
  [/private key|passphrase|bad decrypt/i, 'bad_credentials'],
  // A wrong passphrase passes OpenSSL's padding check about 1 time in 250; the garbage then fails
  // to decode as a key (seen with Node 20's crypto.createPrivateKey).
  [/DECODER routines::unsupported/, 'bad_credentials'],
  [/is not allowed to access snowflake/i, 'bad_credentials'],
  [/specified in the connect string is not granted/i, 'configuration'],
  [/session (?:has )?expired|session no longer exists/i, 'session_expired'],
  [
    /network error|could not connect|request to snowflake failed|socket hang up|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ResourceRequest timed out/i,
    'transient',
  ],
  [/connection options must be specified|connection configuration with name|connections\.toml|account must be specified/i, 'configuration'],
];

function classify(raw: RawDriverError): SnowflakeFailure {
  const code = raw.code;
  if (code !== undefined) {
    if (NOT_FOUND.has(code)) {
      const { objectKind, objectName } = parseObjectFromMessage(raw.message);
      return {
        kind: 'not_found',
        ...(objectKind !== undefined ? { objectKind } : {}),
        ...(objectName !== undefined ? { objectName } : {}),
      };
    }
    if (PRIVILEGES.has(code)) return { kind: 'insufficient_privileges', ...parseObjectFromMessage(raw.message) };
    if (ALREADY_EXISTS.has(code)) {
      const objectName = /'((?:[^']|'')*)'\s+already exists/.exec(raw.message)?.[1]?.replaceAll("''", "'");
      return { kind: 'already_exists', ...(objectName !== undefined ? { objectName } : {}) };
    }
    if (BAD_CREDENTIALS.has(code)) return { kind: 'bad_credentials' };
    if (SESSION_EXPIRED.has(code)) return { kind: 'session_expired' };
    if (SYNTAX.has(code)) return { kind: 'syntax' };
    if (TRANSIENT.has(code) || NODE_TRANSIENT.has(code)) return { kind: 'transient' };
    if (/^4040\d\d$/.test(code) || code === '390189' || code === 'ENOENT' || code === 'EACCES') return { kind: 'configuration' };
  }
  if (raw.sqlState === '02000') return { kind: 'not_found', ...parseObjectFromMessage(raw.message) };
  if (raw.sqlState === '42501') return { kind: 'insufficient_privileges', ...parseObjectFromMessage(raw.message) };
  if (raw.sqlState === '42000' || raw.sqlState === '42601') return { kind: 'syntax' };
  if (raw.sqlState?.startsWith('08') === true) return { kind: 'transient' };
  if (raw.httpStatus !== undefined && (raw.httpStatus >= 500 || raw.httpStatus === 429 || raw.httpStatus === 408)) {
    return { kind: 'transient' };
  }
  if (raw.name === 'TimeoutError') return { kind: 'transient' }; // generic-pool acquire timeout
  if (code === undefined || code === '-1') {
    const byMessage = LOGIN_MESSAGES.find(([pattern]) => pattern.test(raw.message));
    if (byMessage !== undefined) return { kind: byMessage[1] };
  }
  return { kind: 'unknown' };
}

// Generic shapes of secrets, in case a driver message ever echoes one.
const SECRET_SHAPES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /(Snowflake Token=")[^"]*/gi,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
  /("?(?:PASSWORD|TOKEN|passcode|privateKeyPass|password|token)"?\s*[:=]\s*"?)[^",\s}]+/g,
];

/** Removes known secret values and secret-shaped text from a message. */
export function redact(message: string, secrets: readonly string[] = []): string {
  let out = message;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  for (const shape of SECRET_SHAPES) {
    out = out.replace(shape, (_m, prefix?: unknown) => (typeof prefix === 'string' ? `${prefix}[redacted]` : '[redacted]'));
  }
  return out;
}

export interface MapErrorOptions {
  /** Secret values this client knows (password, token, passphrase) to strip from messages. */
  readonly secrets?: readonly string[];
  /**
   * The grant a statement needs, used when Snowflake's 003001 message does not name it: one text,
   * or one per object kind with `{name}` standing for the object's name.
   */
  readonly privilegeHint?: string | Readonly<Record<string, string>> | undefined;
}

function hintFor(
  hint: MapErrorOptions['privilegeHint'],
  objectKind: string | undefined,
  objectName: string | undefined,
): string | undefined {
  if (hint === undefined || typeof hint === 'string') return hint;
  const template = objectKind === undefined ? undefined : hint[objectKind];
  if (template === undefined) return undefined;
  return objectName === undefined ? template.replaceAll(' {name}', '') : template.replaceAll('{name}', objectName);
}

/** Turns anything thrown by the driver (or by us) into a SnowflakeError. Idempotent. */
export function toSnowflakeError(err: unknown, options: MapErrorOptions = {}): SnowflakeError {
  if (err instanceof SnowflakeError) return err;
  const raw = readRaw(err);
  let failure = classify(raw);
  if (failure.kind === 'insufficient_privileges' && failure.privilege === undefined) {
    const privilege = hintFor(options.privilegeHint, failure.objectKind, failure.objectName);
    if (privilege !== undefined) failure = { ...failure, privilege };
  }
  const message = redact(raw.message, options.secrets) || `Snowflake call failed (${failure.kind})`;
  return new SnowflakeError(failure, message, { code: raw.code, sqlState: raw.sqlState, queryId: raw.queryId });
}

/** The same error with the grant it needs filled in from `hint`, when Snowflake did not name one. */
export function withPrivilegeHint(err: SnowflakeError, hint: MapErrorOptions['privilegeHint']): SnowflakeError {
  const failure = err.failure;
  if (failure.kind !== 'insufficient_privileges' || failure.privilege !== undefined) return err;
  const privilege = hintFor(hint, failure.objectKind, failure.objectName);
  if (privilege === undefined) return err;
  return new SnowflakeError({ ...failure, privilege }, err.message, { code: err.code, sqlState: err.sqlState, queryId: err.queryId });
}

/** Only these failure kinds are worth another attempt, and only for statements safe to repeat. */
export function isRetryable(err: SnowflakeError): boolean {
  return err.kind === 'transient' || err.kind === 'session_expired';
}
