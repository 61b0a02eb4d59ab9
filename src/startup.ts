import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { z } from 'zod';
import { connectRedis, describeRedisTarget } from './redis.js';
import { slackErrorCode } from './slack-errors.js';

/**
 * What every entry point does before it starts work: read `.env`, then check once that Redis and
 * Slack answer, so a wrong setting ends the start within seconds with one line that names the
 * setting and what to do, instead of retries that never say what they retry.
 */

/** Exit code of an entry point that cannot start because of a setting or an unreachable dependency. */
export const EXIT_CANNOT_START = 2;

/**
 * Reads `.env` from the working directory when there is one. Variables already in the environment
 * win (process.loadEnvFile never overwrites them). Returns the file read, or undefined.
 */
export function loadDotEnv(cwd: string = process.cwd()): string | undefined {
  const file = resolve(cwd, '.env');
  if (!existsSync(file)) return undefined;
  process.loadEnvFile(file);
  return file;
}

/** The URL without its user name or password, so it can be printed. */
export function printableUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

/** Why a connection failed, in the system's words (`connect ECONNREFUSED 127.0.0.1:6390`), never a secret. */
function reasonOf(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  const message = cause?.message ?? (err instanceof Error ? err.message : String(err));
  return message.replace(/\s+/g, ' ').trim();
}

const REDIS_HINT = 'start it (`redis-server`, or `docker compose up -d redis`) or set REDIS_URL';
const AUTH_HINT = 'check the user and password in REDIS_URL (user:password@ before the hosts)';
const SENTINEL_AUTH_HINT = 'check sentinelPassword (and sentinelUsername) in REDIS_URL';
// Redis's own refusals of credentials; its words carry no password.
const AUTH_REFUSED = /WRONGPASS|NOAUTH|NOPERM|invalid password|AUTH <password> called without|invalid username-password/i;

/**
 * One connection attempt to Redis with a PING, no retries. Returns undefined when it answers, or
 * the line to print: `Redis is not reachable at … (REDIS_URL): …; start it …`, or `Redis at …
 * refused the credentials …` when it answered but not to our password.
 */
export async function redisProblem(url: string, timeoutMs = 3_000): Promise<string | undefined> {
  const redis = connectRedis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    // Sentinel has its own retries (forever by default); one round over the Sentinels is the check.
    sentinelRetryStrategy: () => null,
    connectTimeout: timeoutMs,
    connectionName: 'startup-check',
  });
  // The socket's error (ECONNREFUSED, ENOTFOUND, WRONGPASS) says more than the rejected connect ("Connection is closed").
  let socketError: unknown;
  redis.on('error', (err: unknown) => (socketError ??= err));
  redis.on('node error', (err: unknown) => (socketError ??= err));
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (err) {
    // ioredis's SentinelConnector rejects with what the Sentinels answered last; that names them.
    const bySentinels = reasonOf(err).startsWith('All sentinels are unreachable');
    const reason = reasonOf(bySentinels ? err : (socketError ?? err));
    const where = `${describeRedisTarget(url)} (REDIS_URL)`;
    if (AUTH_REFUSED.test(reason)) {
      return `${bySentinels ? 'The Sentinels at' : 'Redis at'} ${where} refused the credentials: ${reason}; ${bySentinels ? SENTINEL_AUTH_HINT : AUTH_HINT}`;
    }
    return `Redis is not reachable at ${where}: ${reason}; ${REDIS_HINT}`;
  } finally {
    redis.disconnect();
  }
}

/** Slack's refusals of a token, each with what the person should do about it. */
const TOKEN_ERRORS: Readonly<Record<string, string>> = {
  invalid_auth: 'is not a valid token',
  not_authed: 'is missing',
  account_inactive: 'belongs to a deactivated app or workspace',
  token_revoked: 'was revoked',
  token_expired: 'has expired',
  not_allowed_token_type: 'is the wrong kind of token',
};

const HttpError = z.object({ code: z.literal(ErrorCode.HTTPError), statusCode: z.number() });
const RequestError = z.object({ code: z.literal(ErrorCode.RequestError), original: z.instanceof(Error) });

export interface SlackCallContext {
  /** The Web API method, e.g. `auth.test`. */
  readonly method: string;
  readonly apiUrl: string;
  /** The setting that holds the token the call used, e.g. SLACK_BOT_TOKEN. */
  readonly tokenSetting: string;
}

/**
 * One line saying what failed against which host and what to do; never raw JSON, never the token.
 * Undefined when `err` is not a Web API error.
 * E.g. `Slack auth.test against https://slack.com/api/ failed: fetch failed (getaddrinfo ENOTFOUND
 * slack.com) — check the network or SLACK_API_URL`.
 */
export function describeSlackFailure(err: unknown, { method, apiUrl, tokenSetting }: SlackCallContext): string | undefined {
  const where = `Slack ${method} against ${printableUrl(apiUrl)}/`;
  const code = slackErrorCode(err);
  if (code !== '') {
    const meaning = TOKEN_ERRORS[code];
    if (meaning !== undefined) {
      return `Slack refused ${tokenSetting} (${code}): it ${meaning}; copy the token again from your Slack app's settings (${tokenSetting === 'SLACK_APP_TOKEN' ? 'Basic Information → App-Level Tokens' : 'OAuth & Permissions → Bot User OAuth Token'}) and restart`;
    }
    return `${where} failed: Slack answered ${code}`;
  }
  const http = HttpError.safeParse(err);
  if (http.success) return `${where} failed: HTTP ${http.data.statusCode} — check SLACK_API_URL, or try again if Slack is having an outage`;
  const request = RequestError.safeParse(err);
  if (request.success) {
    const original = request.data.original;
    const cause = original.cause instanceof Error ? ` (${reasonOf(original)})` : '';
    return `${where} failed: ${original.message}${cause} — check the network or SLACK_API_URL`;
  }
  return undefined;
}

/** auth.test with the bot token, once and without retries: undefined when Slack accepts it, else the line to print. */
export async function slackProblem(
  slack: { readonly botToken: string; readonly apiUrl: string },
  timeoutMs = 10_000,
): Promise<string | undefined> {
  const client = new WebClient(slack.botToken, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    timeout: timeoutMs,
    // The failure is reported once, by the caller; the client's own warnings would only repeat it.
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
      setLevel: () => undefined,
      getLevel: () => LogLevel.ERROR,
      setName: () => undefined,
    },
  });
  try {
    await client.auth.test();
    return undefined;
  } catch (err) {
    const context = { method: 'auth.test', apiUrl: slack.apiUrl, tokenSetting: 'SLACK_BOT_TOKEN' };
    return describeSlackFailure(err, context) ?? `Slack auth.test against ${printableUrl(slack.apiUrl)}/ failed: ${reasonOf(err)}`;
  }
}
