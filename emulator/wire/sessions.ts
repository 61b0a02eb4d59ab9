/**
 * Login (password, key-pair JWT, PAT, OAuth), session tokens and master-token renewal.
 * Failure codes: 390100 bad password, 390144 bad JWT, 394400 bad PAT, 390303 bad OAuth token,
 * 390318 expired OAuth token, 390189 role not granted, 390422 IP blocked by network policy.
 */
import { newToken } from '../random.js';
import { isRecord } from '../json.js';
import type { SessionContext } from '../session-context.js';
import type { Sim } from '../spcs/sim.js';
import type { User } from '../spcs/state.js';
import { key2 } from '../spcs/state.js';
import { effectivePolicy, networkPolicyAllows, patAllowed } from '../spcs/network.js';
import { verifyJwt } from './jwt.js';

export interface Session {
  id: number;
  token: string;
  masterToken: string;
  ctx: SessionContext;
  createdAt: number;
}

export interface LoginFailure {
  code: string;
  message: string;
}

export type LoginResult = { ok: true; session: Session } | { ok: false; failure: LoginFailure };

export interface LoginRequest {
  body: Record<string, unknown>;
  query: URLSearchParams;
  clientIp: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Identifiers in connect strings follow SQL rules: unquoted → upper case. */
function connectIdent(v: string | null): string | null {
  if (v === null || v === '') return null;
  if (v.startsWith('"') && v.endsWith('"') && v.length > 1) return v.slice(1, -1).replace(/""/g, '"');
  return v.toUpperCase();
}

const BAD_PASSWORD: LoginFailure = { code: '390100', message: 'Incorrect username or password was specified.' };

export class SessionStore {
  private readonly byToken = new Map<string, Session>();
  private readonly byMaster = new Map<string, Session>();
  /** Tokens that have been invalidated by expiry/renewal (answer 390112, not 390111). */
  private readonly expiredTokens = new Set<string>();
  private nextId = 1_000_001;

  constructor(
    private readonly sim: Sim,
    private readonly enforceNetworkPolicies: boolean,
  ) {}

  login(req: LoginRequest): LoginResult {
    const data = isRecord(req.body['data']) ? req.body['data'] : {};
    const authenticator = (str(data['AUTHENTICATOR']) ?? 'SNOWFLAKE').toUpperCase();
    const loginName = str(data['LOGIN_NAME'])?.toUpperCase();
    const account = str(data['ACCOUNT_NAME']) ?? this.sim.state.account;
    const token = str(data['TOKEN']);
    const users = this.sim.state.users;
    let user: User | undefined;
    switch (authenticator) {
      case 'SNOWFLAKE':
      case 'USERNAME_PASSWORD_MFA': {
        user = loginName ? users.get(loginName) : undefined;
        const password = str(data['PASSWORD']);
        if (!user || user.password === null || password !== user.password) return { ok: false, failure: BAD_PASSWORD };
        break;
      }
      case 'SNOWFLAKE_JWT': {
        user = loginName ? users.get(loginName) : undefined;
        if (!user || !token) return { ok: false, failure: { code: '390144', message: 'JWT token is invalid.' } };
        const check = verifyJwt(token, user.publicKeys, account, user.name, Date.now());
        if (!check.ok) return { ok: false, failure: { code: '390144', message: `JWT token is invalid. [${check.reason}]` } };
        break;
      }
      case 'PROGRAMMATIC_ACCESS_TOKEN': {
        const t = token ?? str(data['PASSWORD']);
        user = t ? [...users.values()].find((u) => u.pats.includes(t)) : undefined;
        if (!user || (loginName !== undefined && loginName !== user.name)) {
          return { ok: false, failure: { code: '394400', message: 'Programmatic access token is invalid.' } };
        }
        if (!patAllowed(this.sim.state, user)) {
          // Emulator wording; the rule itself is from the programmatic-access-tokens docs.
          return {
            ok: false,
            failure: {
              code: '394400',
              message:
                'Programmatic access token is invalid. The user must be subject to a network policy to use a programmatic access token.',
            },
          };
        }
        break;
      }
      case 'OAUTH': {
        const expired = token ? [...users.values()].find((u) => u.expiredOauthTokens.includes(token)) : undefined;
        if (expired) return { ok: false, failure: { code: '390318', message: 'OAuth access token expired. [Token expired]' } };
        user = token ? [...users.values()].find((u) => u.oauthTokens.includes(token)) : undefined;
        if (!user || (loginName !== undefined && loginName !== user.name)) {
          return { ok: false, failure: { code: '390303', message: 'Invalid OAuth access token. [Token not recognized]' } };
        }
        break;
      }
      default:
        return { ok: false, failure: { code: '390190', message: `Authenticator ${authenticator} is not supported by the SPCS emulator.` } };
    }
    if (this.enforceNetworkPolicies && !networkPolicyAllows(this.sim.state, effectivePolicy(this.sim.state, user), req.clientIp)) {
      return {
        ok: false,
        failure: {
          code: '390422',
          message: `Incoming request with IP/Token ${req.clientIp} is not allowed to access Snowflake. Contact your account administrator.`,
        },
      };
    }
    const requestedRole = connectIdent(req.query.get('roleName'));
    const role = requestedRole ?? user.defaultRole;
    if (!user.roles.includes(role)) {
      return {
        ok: false,
        failure: {
          code: '390189',
          message: `Role '${role}' specified in the connect string is not granted to this user. Contact your local system administrator, or attempt to login with another role, e.g. PUBLIC.`,
        },
      };
    }
    const st = this.sim.state;
    const db = connectIdent(req.query.get('databaseName'));
    const database = db && st.databases.has(db) ? db : null;
    const sc = connectIdent(req.query.get('schemaName'));
    const schema = database
      ? sc
        ? st.schemas.has(key2(database, sc))
          ? sc
          : null
        : st.schemas.has(key2(database, 'PUBLIC'))
          ? 'PUBLIC'
          : null
      : null;
    const wh = connectIdent(req.query.get('warehouse'));
    const params: Record<string, unknown> = {};
    const sp = data['SESSION_PARAMETERS'];
    if (isRecord(sp)) for (const [k, v] of Object.entries(sp)) params[k.toUpperCase()] = v;
    const session: Session = {
      id: this.nextId++,
      token: newToken('ST-'),
      masterToken: newToken('MT-'),
      createdAt: Date.now(),
      ctx: {
        sessionId: 0,
        user: user.name,
        role,
        database,
        schema,
        warehouse: wh && st.warehouses.has(wh) ? wh : null,
        params,
        clientIp: req.clientIp,
      },
    };
    session.ctx.sessionId = session.id;
    this.byToken.set(session.token, session);
    this.byMaster.set(session.masterToken, session);
    return { ok: true, session };
  }

  /** Looks a session up by its token: the session, 'expired' (390112) or 'unknown' (390111). */
  resolve(token: string | undefined): Session | 'expired' | 'unknown' {
    if (!token) return 'unknown';
    const s = this.byToken.get(token);
    if (s) return s;
    return this.expiredTokens.has(token) ? 'expired' : 'unknown';
  }

  /** Invalidates the session token (the master token stays valid for renewal). */
  expire(session: Session): void {
    this.byToken.delete(session.token);
    this.expiredTokens.add(session.token);
  }

  renew(masterToken: string | undefined, oldSessionToken: string | undefined): Session | null {
    if (!masterToken) return null;
    const s = this.byMaster.get(masterToken);
    if (!s) return null;
    if (oldSessionToken && oldSessionToken !== s.token && !this.expiredTokens.has(oldSessionToken)) return null;
    this.byToken.delete(s.token);
    this.expiredTokens.add(s.token);
    s.token = newToken('ST-');
    this.byToken.set(s.token, s);
    return s;
  }

  close(session: Session): void {
    this.byToken.delete(session.token);
    this.byMaster.delete(session.masterToken);
  }

  count(): number {
    return this.byToken.size;
  }
}
