/**
 * The HTTP front door. Routes the Snowflake REST endpoints the Node driver uses, the ingress
 * of running services (`/ingress/<host>/…` or a `*.snowflakecomputing.app` Host header), and a
 * small admin API under `/__emulator/`. Request bodies may be gzipped (detected by magic bytes).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { SqlError, statementNotFound } from '../errors.js';
import type { Exec } from '../exec/context.js';
import { execute } from '../exec/executor.js';
import { newQueryId } from '../random.js';
import { isRecord } from '../json.js';
import type { Sim } from '../spcs/sim.js';
import type { BindValue } from '../sql/cursor.js';
import type { Statement } from '../sql/ast.js';
import { recognize } from '../sql/recognize.js';
import { handleIngress } from './ingress.js';
import type { QueryRecord, QueryRegistry, SqlLogEntry } from './queries.js';
import { SESSION_PARAMETERS, type WireBody, failure, inProgressBody, ok, resultBody, sqlErrorBody, uploadBody } from './responses.js';
import type { Session, SessionStore } from './sessions.js';

export interface AdminResponse {
  status: number;
  body: unknown;
}

/** One HTTP request the driver sent (for tests: which endpoint, in what order; `sqlText` for query requests). */
export interface RequestLogEntry {
  method: string;
  path: string;
  sqlText: string | null;
}

export interface WireDeps {
  /** Every driver request (not the ingress or admin ones), in arrival order. */
  requests: RequestLogEntry[];
  sim: Sim;
  sessions: SessionStore;
  queries: QueryRegistry;
  enforceNetworkPolicies: boolean;
  log: (line: string) => void;
  admin: (method: string, path: string, body: unknown) => AdminResponse;
}

type Json = Record<string, unknown>;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decode(buf: Buffer): Buffer {
  // The driver gzips asynchronously and may or may not set Content-Encoding: trust the bytes.
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return gunzipSync(buf);
  return buf;
}

function parseJson(buf: Buffer): Json {
  if (buf.length === 0) return {};
  const v: unknown = JSON.parse(buf.toString('utf8'));
  return isRecord(v) ? v : {};
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function authToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Snowflake Token="([^"]*)"$/.exec(h.trim());
  return m?.[1];
}

function clientIp(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '127.0.0.1';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip === '::1' ? '127.0.0.1' : ip;
}

function parseBindings(raw: unknown): Record<string, BindValue> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object') throw new SqlError('002049', '42601', 'SQL compilation error:\ninvalid bindings');
  const out: Record<string, BindValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!isRecord(v)) throw new SqlError('002049', '42601', `SQL compilation error:\ninvalid binding ${k}`);
    const b = v;
    const value = b['value'];
    if (Array.isArray(value))
      throw new SqlError('002049', '42601', 'SQL compilation error:\nArray binds are not supported for this statement.');
    out[k] = { type: String(b['type'] ?? 'TEXT'), value: value === null || value === undefined ? null : String(value) };
  }
  return out;
}

export function createRequestHandler(deps: WireDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { sim, sessions, queries } = deps;
  const holdQuery = (): number => sim.timings.queryHoldRealMs;
  const holdResult = (): number => sim.timings.resultHoldRealMs;

  const respondQuery = (q: QueryRecord): WireBody => {
    if (q.status === 'SUCCESS' && q.result) return resultBody(q.result, q.id, q.ctx, Date.now());
    if (q.error) return sqlErrorBody(q.error, q.id);
    return inProgressBody(q.id, false);
  };

  const authenticate = (req: IncomingMessage): Session | WireBody => {
    const r = sessions.resolve(authToken(req));
    if (r === 'expired') return failure('390112', 'Your session has expired. Please login again.');
    if (r === 'unknown') return failure('390111', 'Session no longer exists.  New login required to access the service.');
    if (sim.faults.sessionExpiryRemaining > 0) {
      sim.faults.sessionExpiryRemaining--;
      sessions.expire(r);
      return failure('390112', 'Your session has expired. Please login again.');
    }
    return r;
  };

  const queryRequest = async (session: Session, url: URL, body: Json): Promise<WireBody> => {
    const requestId = url.searchParams.get('requestId');
    const asyncExec = body['asyncExec'] === true;
    if (requestId) {
      const prev = queries.getByRequestId(requestId);
      if (prev && prev.sessionId === session.id) {
        if (asyncExec) return inProgressBody(prev.id, true);
        await queries.waitSettled(prev, holdQuery());
        return respondQuery(prev);
      }
    }
    const sqlText = typeof body['sqlText'] === 'string' ? body['sqlText'] : '';
    const rawParams = isRecord(body['parameters']) ? body['parameters'] : {};
    const stmtParams = Object.fromEntries(Object.entries(rawParams).map(([k, v]) => [k.toUpperCase(), v]));
    const queryId = newQueryId();
    const now = sim.now();
    const log: SqlLogEntry = {
      at: now,
      queryId,
      sessionId: session.id,
      sqlText,
      binds: {},
      parameters: stmtParams,
      asyncExec,
      user: session.ctx.user,
      role: session.ctx.role,
      kind: null,
      outcome: 'running',
      endedAt: null,
      errorCode: null,
      errorMessage: null,
      unsupported: false,
    };
    const q: QueryRecord = {
      id: queryId,
      requestId,
      sessionId: session.id,
      sqlText,
      asyncExec,
      startReal: Date.now(),
      endReal: null,
      status: 'RUNNING',
      result: null,
      error: null,
      poll: null,
      notBeforeReal: 0,
      ctx: { ...session.ctx },
      log,
    };
    queries.add(q);
    let statement: Statement | undefined;
    let immediate: { ok: true; result: NonNullable<QueryRecord['result']> } | { ok: false; error: SqlError } | null = null;
    try {
      const binds = parseBindings(body['bindings']);
      log.binds = binds;
      statement = recognize(sqlText, binds);
      log.kind = statement.kind;
      const ctx = { ...session.ctx, params: { ...session.ctx.params, ...stmtParams } };
      const x: Exec = { sim, session: session.ctx, ctx, queryId, now, history: () => queries.sqlLog };
      if (
        body['describeOnly'] === true &&
        statement.kind !== 'select' &&
        !statement.kind.startsWith('show') &&
        statement.kind !== 'describeService'
      ) {
        immediate = { ok: true, result: { columns: [{ name: 'status', type: 'text' }], rows: [] } };
      } else {
        const outcome = execute(x, statement);
        if (outcome.kind === 'result') {
          immediate = { ok: true, result: body['describeOnly'] === true ? { columns: outcome.result.columns, rows: [] } : outcome.result };
        } else if (outcome.kind === 'upload') {
          // The driver does the copying and builds the PUT's rows itself.
          queries.complete(q, { ok: true, result: { columns: [], rows: [] } });
          return uploadBody(queryId, outcome);
        } else {
          q.poll = outcome.poll;
        }
      }
    } catch (e) {
      if (e instanceof SqlError) {
        if (statement === undefined && ['001003', '000008', '000900'].includes(e.code)) log.unsupported = true;
        immediate = { ok: false, error: e };
      } else {
        const message = e instanceof Error ? e.message : String(e);
        deps.log(
          `internal error executing ${JSON.stringify(sqlText.slice(0, 200))}: ${e instanceof Error ? (e.stack ?? message) : message}`,
        );
        immediate = {
          ok: false,
          error: new SqlError(
            '000603',
            'XX000',
            `SQL execution internal error: Processing aborted due to error 300002:${message}`,
            'EXECUTION',
          ),
        };
      }
    }
    q.ctx = { ...session.ctx };
    const slowStatement = sim.faults.slowStatements.find((s) => s.remaining > 0 && s.text === sqlText.trim().toUpperCase());
    if (slowStatement !== undefined || sim.faults.slowQueries.remaining > 0) {
      if (slowStatement !== undefined) slowStatement.remaining--;
      else sim.faults.slowQueries.remaining--;
      q.notBeforeReal = Date.now() + (slowStatement?.ms ?? sim.faults.slowQueries.ms);
      const pendingPoll = q.poll;
      const settledNow = immediate;
      q.poll = () => settledNow ?? (pendingPoll ? pendingPoll() : null);
    } else if (immediate) {
      queries.complete(q, immediate);
    }
    if (asyncExec) {
      if (sim.faults.lateAsyncAnswers.remaining > 0) {
        sim.faults.lateAsyncAnswers.remaining--;
        await new Promise((resolve) => setTimeout(resolve, sim.faults.lateAsyncAnswers.ms));
      }
      return inProgressBody(queryId, true);
    }
    await queries.waitSettled(q, holdQuery());
    return respondQuery(q);
  };

  const loginData = (s: Session): Json => ({
    token: s.token,
    masterToken: s.masterToken,
    validityInSeconds: 3600,
    masterValidityInSeconds: 14400,
    displayUserName: s.ctx.user,
    serverVersion: '9.20.0',
    firstLogin: false,
    remMeToken: null,
    remMeValidityInSeconds: 0,
    healthCheckInterval: 45,
    newClientForUpgrade: null,
    sessionId: s.id,
    parameters: SESSION_PARAMETERS,
    sessionInfo: { databaseName: s.ctx.database, schemaName: s.ctx.schema, warehouseName: s.ctx.warehouse, roleName: s.ctx.role },
    idToken: null,
    idTokenValidityInSeconds: 0,
    responseData: null,
    mfaToken: null,
    mfaTokenValidityInSeconds: 0,
  });

  const route = async (req: IncomingMessage, url: URL, raw: Buffer): Promise<{ status: number; body: unknown }> => {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const ip = clientIp(req);
    const host = (req.headers.host ?? '').split(':')[0]?.toLowerCase() ?? '';

    if (host.endsWith('.snowflakecomputing.app') || path.startsWith('/ingress/')) {
      let ingressHost = host;
      let ingressPath = path;
      if (path.startsWith('/ingress/')) {
        const rest = path.slice('/ingress/'.length);
        const slash = rest.indexOf('/');
        ingressHost = slash === -1 ? rest : rest.slice(0, slash);
        ingressPath = slash === -1 ? '/' : rest.slice(slash);
      }
      const r = handleIngress(
        sim,
        { host: ingressHost, path: ingressPath, httpMethod: method, authorization: req.headers.authorization, body: raw, clientIp: ip },
        deps.enforceNetworkPolicies,
      );
      return r;
    }
    if (path.startsWith('/__emulator/')) {
      let body: unknown = {};
      try {
        body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        return { status: 400, body: { error: 'invalid JSON' } };
      }
      return deps.admin(method, path.slice('/__emulator'.length), body);
    }
    if (sim.faults.http503Remaining > 0 && path !== '/telemetry/send') {
      sim.faults.http503Remaining--;
      return { status: 503, body: { message: 'Service Unavailable' } };
    }
    let body: Json;
    try {
      body = parseJson(decode(raw));
    } catch {
      return { status: 200, body: failure('390101', 'Request body could not be parsed as JSON.') };
    }
    if (method === 'POST' && path === '/session/v1/login-request') {
      const r = sessions.login({ body, query: url.searchParams, clientIp: ip });
      if (!r.ok)
        return {
          status: 200,
          body: failure(r.failure.code, r.failure.message, { nextAction: 'RETRY_LOGIN', authnMethod: 'PASSWORD', signInOptions: {} }),
        };
      return { status: 200, body: ok(loginData(r.session)) };
    }
    if (method === 'POST' && path === '/session/token-request') {
      const s = sessions.renew(authToken(req), typeof body['oldSessionToken'] === 'string' ? body['oldSessionToken'] : undefined);
      if (!s) return { status: 200, body: failure('390114', 'Authentication token has expired.  The user must authenticate again.') };
      return {
        status: 200,
        body: ok({
          sessionToken: s.token,
          validityInSecondsST: 3600,
          masterToken: s.masterToken,
          validityInSecondsMT: 14400,
          sessionId: s.id,
        }),
      };
    }
    if (method === 'POST' && path === '/telemetry/send') return { status: 200, body: ok(null) };
    if (method === 'POST' && path === '/session' && url.searchParams.get('delete') === 'true') {
      const r = sessions.resolve(authToken(req));
      if (typeof r === 'object') sessions.close(r);
      return { status: 200, body: ok(null) };
    }
    deps.requests.push({ method, path, sqlText: typeof body['sqlText'] === 'string' ? body['sqlText'] : null });
    if (deps.requests.length > 100_000) deps.requests.splice(0, 50_000); // a long demo run stays bounded
    const auth = authenticate(req);
    if (!('ctx' in auth)) return { status: 200, body: auth };
    const session = auth;
    if (method === 'POST' && path === '/session/heartbeat') return { status: 200, body: ok(null) };
    if (method === 'POST' && path === '/queries/v1/query-request') return { status: 200, body: await queryRequest(session, url, body) };
    const resultMatch = /^\/queries\/([0-9a-f-]+)\/result$/.exec(path);
    if (method === 'GET' && resultMatch?.[1]) {
      const q = queries.get(resultMatch[1]);
      if (!q) return { status: 200, body: sqlErrorBody(statementNotFound(resultMatch[1]), resultMatch[1]) };
      await queries.waitSettled(q, holdResult());
      return { status: 200, body: respondQuery(q) };
    }
    const monMatch = /^\/monitoring\/queries\/([0-9a-f-]+)$/.exec(path);
    if (method === 'GET' && monMatch?.[1]) {
      const q = queries.get(monMatch[1]);
      if (!q) return { status: 200, body: ok({ queries: [] }) };
      const entry = queries.monitoringEntry(q);
      return { status: 200, body: ok({ queries: [entry], ...(q.error ? { sqlState: q.error.sqlState } : {}) }) };
    }
    const abortMatch = /^\/queries\/([0-9a-f-]+)\/abort-request$/.exec(path);
    if (method === 'POST' && (abortMatch?.[1] || path === '/queries/v1/abort-request')) {
      const q = abortMatch?.[1] ? queries.get(abortMatch[1]) : queries.getByRequestId(String(body['requestId'] ?? ''));
      if (!q || !queries.abort(q)) return { status: 200, body: failure('000605', 'Identified SQL statement is not currently executing.') };
      return { status: 200, body: ok(null) };
    }
    return { status: 404, body: { message: `No route for ${method} ${path}` } };
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    readBody(req)
      .then((raw) => route(req, url, raw))
      .then(({ status, body }) => {
        deps.log(`${req.method ?? 'GET'} ${url.pathname} -> ${status}`);
        send(res, status, body);
      })
      .catch((e: unknown) => {
        deps.log(`request failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        // A 5xx would make the driver retry for minutes; report it as a statement failure instead.
        if (!res.headersSent)
          send(res, 200, failure('000603', `SQL execution internal error: ${e instanceof Error ? e.message : String(e)}`));
      });
  };
}
