import { scrubSecrets } from '../../logger.js';
import type { SampleValue } from './sample-input.js';

/**
 * The one REST request of "Test the endpoint": POST `<ingress>/<method>` with
 * `Authorization: Snowflake Token="<PAT>"` and `{"data": [[0, …features]]}` (reference §4).
 *
 * The PAT lives only in this call's arguments: it is not logged, stored or returned, and it is
 * scrubbed from the response text in case a proxy echoes it back.
 */

/** Where `{host}` is replaced by the ingress host in SPCS_INGRESS_URL_OVERRIDE. */
const INGRESS_HOST_PLACEHOLDER = '{host}';

/**
 * The base URL for an ingress host from SHOW ENDPOINTS: `https://<host>`, or the configured
 * override template (tests and the demo point it at the emulator's plain-http ingress).
 */
export function ingressBaseUrl(host: string, overrideTemplate: string | undefined): string {
  return overrideTemplate === undefined ? `https://${host}` : overrideTemplate.replaceAll(INGRESS_HOST_PLACEHOLDER, host);
}

/** A PAT's shape, checked before it goes into a header; the message never repeats the value. */
export function checkPatShape(pat: string | undefined): string | null {
  if (pat === undefined || pat.trim() === '')
    return 'Token: required, a programmatic access token (Snowsight → User Menu → Preferences → Programmatic Access Tokens).';
  // It goes inside Token="…" in a header: quotes, spaces and control characters cannot be part of a real token.
  if (!/^[\x21-\x7e]+$/.test(pat.trim()) || pat.includes('"'))
    return 'Token: that does not look like a programmatic access token (it has spaces, quotes or non-ASCII characters). Paste the token only.';
  if (pat.length > 8192) return 'Token: too long to be a programmatic access token.';
  return null;
}

export type RestCallOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly statusText: string; readonly body: string; readonly isJson: boolean }
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  | { readonly kind: 'unreachable'; readonly reason: string };

export interface RestCallRequest {
  /** Full URL: base + `/` + method path. */
  readonly url: string;
  readonly pat: string;
  readonly values: readonly SampleValue[];
  readonly timeoutMs: number;
}

/** The request body for one row (index 0), as the snowflake-ml-python tests send it. */
export const requestBody = (values: readonly SampleValue[]): { data: [[0, ...SampleValue[]]] } => ({ data: [[0, ...values]] });

/** Pretty JSON when the body is JSON, else the text; PAT and token-looking strings removed. */
function readable(text: string, pat: string): { body: string; isJson: boolean } {
  const clean = (s: string) => scrubSecrets(pat === '' ? s : s.split(pat).join('[redacted]'));
  try {
    const parsed: unknown = JSON.parse(text);
    return { body: clean(JSON.stringify(parsed, null, 2)), isJson: true };
  } catch {
    return { body: clean(text), isJson: false };
  }
}

export async function callInferenceEndpoint(request: RestCallRequest, fetchFn: typeof fetch = fetch): Promise<RestCallOutcome> {
  try {
    const res = await fetchFn(request.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Snowflake Token="${request.pat.trim()}"` },
      body: JSON.stringify(requestBody(request.values)),
      signal: AbortSignal.timeout(request.timeoutMs),
      redirect: 'error', // a redirect would carry the token somewhere the person did not choose
    });
    const text = await res.text();
    return { kind: 'response', status: res.status, statusText: res.statusText, ...readable(text, request.pat.trim()) };
  } catch (err) {
    if (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError'))
      return { kind: 'timeout', timeoutMs: request.timeoutMs };
    return { kind: 'unreachable', reason: describeFetchError(err) };
  }
}

/** undici says "fetch failed" and hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, a TLS error). */
function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return 'the request failed';
  const cause: unknown = err.cause;
  const code = cause instanceof Error ? (Reflect.get(cause, 'code') ?? cause.message) : undefined;
  return typeof code === 'string' && code !== '' ? `${err.message} (${code})` : err.message;
}
