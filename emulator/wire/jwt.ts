/**
 * SNOWFLAKE_JWT verification: RS256 signature against the user's registered public key(s),
 * `iss` = ACCOUNT.USER.SHA256:<base64 sha256 of the DER SPKI key>, `sub` = ACCOUNT.USER.
 * The Node driver puts iat/exp in milliseconds (Date.now()); seconds are accepted too.
 */
import { createHash, createPublicKey, createVerify } from 'node:crypto';
import { isRecord } from '../json.js';

export function publicKeyFingerprint(pem: string): string {
  const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

function decodeSegment(seg: string): unknown {
  return JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));
}

function asMs(v: unknown): number | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  return v > 1e11 ? v : v * 1000;
}

export type JwtCheck = { ok: true } | { ok: false; reason: string };

export function verifyJwt(token: string, publicKeys: readonly string[], account: string, user: string, nowMs: number): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed token' };
  const [h, p, sig] = parts;
  if (!h || !p || !sig) return { ok: false, reason: 'malformed token' };
  let header: unknown;
  let payload: unknown;
  try {
    header = decodeSegment(h);
    payload = decodeSegment(p);
  } catch {
    return { ok: false, reason: 'malformed token' };
  }
  if (!isRecord(header) || header['alg'] !== 'RS256') {
    return { ok: false, reason: 'unsupported algorithm' };
  }
  if (!isRecord(payload)) return { ok: false, reason: 'malformed payload' };
  const claims = payload;
  const acct = account.split('.')[0]?.toUpperCase() ?? '';
  const expectedSub = `${acct}.${user.toUpperCase()}`;
  if (claims['sub'] !== expectedSub) return { ok: false, reason: `sub must be ${expectedSub}` };
  const exp = asMs(claims['exp']);
  const iat = asMs(claims['iat']);
  if (exp === null || iat === null) return { ok: false, reason: 'iat/exp missing' };
  if (exp <= nowMs) return { ok: false, reason: 'token expired' };
  if (iat > nowMs + 60_000) return { ok: false, reason: 'iat in the future' };
  if (exp - iat > 3_600_000) return { ok: false, reason: 'lifetime longer than one hour' };
  const signed = `${h}.${p}`;
  const signature = Buffer.from(sig, 'base64url');
  for (const pem of publicKeys) {
    let valid = false;
    try {
      valid = createVerify('RSA-SHA256').update(signed).verify(pem, signature);
    } catch {
      valid = false;
    }
    if (!valid) continue;
    const expectedIss = `${expectedSub}.${publicKeyFingerprint(pem)}`;
    if (claims['iss'] !== expectedIss) return { ok: false, reason: 'iss does not match the public key fingerprint' };
    return { ok: true };
  }
  return { ok: false, reason: 'signature verification failed' };
}
