/**
 * Public endpoint ("ingress") of running model services: `POST /<method-with-dashes>` with
 * `Authorization: Snowflake Token="<PAT>"` and `{"data": [[0, f1, f2, …]]}`, answering
 * `{"data": [[0, {"OUTPUT": value}]]}`. The token is never logged.
 */
import { effectivePolicy, networkPolicyAllows, patAllowed, privatelinkHost } from '../spcs/network.js';
import { isRecord } from '../json.js';
import { runInference, type InputRow } from '../spcs/inference.js';
import { hasPrivilege } from '../spcs/privileges.js';
import { appendLog, liveInstances, resumeService, serviceDisplay, serviceKey, touchService } from '../spcs/services.js';
import type { Sim } from '../spcs/sim.js';
import type { ModelMethod, Service, SignatureField } from '../spcs/state.js';
import { key3 } from '../spcs/state.js';

export interface IngressRequest {
  host: string;
  path: string;
  httpMethod: string;
  authorization: string | undefined;
  body: Buffer;
  clientIp: string;
}

export interface IngressResponse {
  status: number;
  body: unknown;
}

const err = (status: number, message: string): IngressResponse => ({ status, body: { code: String(status), message } });

export function findServiceByHost(sim: Sim, host: string): Service | undefined {
  const h = host.toLowerCase();
  return [...sim.state.services.values()].find((s) =>
    s.endpoints.some((e) => e.host === h || (sim.state.privateLink && privatelinkHost(e.host) === h)),
  );
}

function parseToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Snowflake Token="([^"]+)"$/.exec(header.trim());
  return m?.[1] ?? null;
}

function coerce(field: SignatureField, v: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (v === null || v === undefined) {
    return field.nullable ? { ok: true, value: null } : { ok: false, message: `Input '${field.name}' must not be null` };
  }
  switch (field.type.toUpperCase()) {
    case 'FLOAT':
    case 'DOUBLE':
      return typeof v === 'number' && Number.isFinite(v)
        ? { ok: true, value: v }
        : { ok: false, message: `Input '${field.name}' expects ${field.type}, got ${JSON.stringify(v)}` };
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
      return typeof v === 'number' && Number.isInteger(v)
        ? { ok: true, value: v }
        : { ok: false, message: `Input '${field.name}' expects ${field.type}, got ${JSON.stringify(v)}` };
    case 'BOOL':
      return typeof v === 'boolean'
        ? { ok: true, value: v }
        : { ok: false, message: `Input '${field.name}' expects BOOL, got ${JSON.stringify(v)}` };
    default:
      return typeof v === 'string'
        ? { ok: true, value: v }
        : { ok: false, message: `Input '${field.name}' expects ${field.type}, got ${JSON.stringify(v)}` };
  }
}

type Rows = { ok: true; rows: Array<{ index: unknown; row: InputRow }> } | { ok: false; message: string };

/** Accepts the flat `data` form, the wide `[idx, {col: v}]` form, dataframe_split and dataframe_records. */
function parseRows(method: ModelMethod, payload: unknown): Rows {
  if (!isRecord(payload)) return { ok: false, message: 'Request body must be a JSON object with a "data" field' };
  const p = payload;
  const inputs = method.inputs;
  const build = (values: Record<string, unknown>): { ok: true; row: InputRow } | { ok: false; message: string } => {
    const row: InputRow = {};
    for (const f of inputs) {
      const c = coerce(f, values[f.name]);
      if (!c.ok) return c;
      row[f.name] = c.value;
    }
    return { ok: true, row };
  };
  const out: Array<{ index: unknown; row: InputRow }> = [];
  if (Array.isArray(p['data'])) {
    for (const [i, r] of p['data'].entries()) {
      if (!Array.isArray(r) || r.length < 1) return { ok: false, message: `data[${i}] must be an array [index, feature, …]` };
      const [index, ...rest] = r;
      let values: Record<string, unknown>;
      const wide: unknown = rest[0];
      if (rest.length === 1 && isRecord(wide)) {
        values = wide;
        const missing = inputs.filter((f) => !(f.name in values)).map((f) => f.name);
        if (missing.length > 0) return { ok: false, message: `data[${i}] is missing input(s): ${missing.join(', ')}` };
      } else {
        if (rest.length !== inputs.length) {
          return {
            ok: false,
            message: `data[${i}] has ${rest.length} feature(s) but ${method.name.toLowerCase()} expects ${inputs.length}: ${inputs.map((f) => f.name).join(', ')}`,
          };
        }
        values = Object.fromEntries(inputs.map((f, j) => [f.name, rest[j]]));
      }
      const b = build(values);
      if (!b.ok) return { ok: false, message: `data[${i}]: ${b.message}` };
      out.push({ index, row: b.row });
    }
    return { ok: true, rows: out };
  }
  const split = p['dataframe_split'];
  if (isRecord(split)) {
    const s = split;
    const columns = s['columns'];
    const data = s['data'];
    const index = s['index'];
    if (!Array.isArray(columns) || !Array.isArray(data)) return { ok: false, message: 'dataframe_split needs "columns" and "data" arrays' };
    for (const [i, r] of data.entries()) {
      if (!Array.isArray(r) || r.length !== columns.length)
        return { ok: false, message: `dataframe_split.data[${i}] has the wrong number of values` };
      const b = build(Object.fromEntries(columns.map((c, j) => [String(c).toUpperCase(), r[j]])));
      if (!b.ok) return { ok: false, message: b.message };
      out.push({ index: Array.isArray(index) ? index[i] : i, row: b.row });
    }
    return { ok: true, rows: out };
  }
  const records = p['dataframe_records'];
  if (Array.isArray(records)) {
    for (const [i, r] of records.entries()) {
      if (!isRecord(r)) return { ok: false, message: `dataframe_records[${i}] must be an object` };
      const upper = Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toUpperCase(), v]));
      const b = build(upper);
      if (!b.ok) return { ok: false, message: b.message };
      out.push({ index: i, row: b.row });
    }
    return { ok: true, rows: out };
  }
  return { ok: false, message: 'Request body must contain "data", "dataframe_split" or "dataframe_records"' };
}

export function handleIngress(sim: Sim, req: IngressRequest, enforceNetworkPolicies: boolean): IngressResponse {
  const now = sim.now();
  const st = sim.state;
  const token = parseToken(req.authorization);
  if (!token)
    return err(401, 'Authorization header missing or malformed. Expected: Authorization: Snowflake Token="<programmatic access token>"');
  const user = [...st.users.values()].find((u) => u.pats.includes(token));
  if (!user) return err(401, 'Programmatic access token is invalid.');
  if (!patAllowed(st, user))
    return err(
      401,
      `Programmatic access token is invalid: user ${user.name} is not subject to a network policy, which a programmatic access token requires.`,
    );
  if (enforceNetworkPolicies && !networkPolicyAllows(st, effectivePolicy(st, user), req.clientIp)) {
    return err(403, `Incoming request with IP ${req.clientIp} is not allowed by the network policy of user ${user.name}.`);
  }
  const svc = findServiceByHost(sim, req.host);
  const endpoint = svc?.endpoints.find((e) => e.host === req.host.toLowerCase() || privatelinkHost(e.host) === req.host.toLowerCase());
  if (!svc || !endpoint?.isPublic) return err(404, `No public endpoint at ${req.host}.`);
  const role = user.defaultRole;
  const key = serviceKey(svc);
  const allowed =
    hasPrivilege(st, role, 'OWNERSHIP', 'SERVICE', key) || hasPrivilege(st, role, 'USAGE', 'SERVICE_ROLE', `${key}!ALL_ENDPOINTS_USAGE`);
  if (!allowed) {
    return err(
      403,
      `Role ${role} is not authorized to use endpoint ${endpoint.name} of service ${serviceDisplay(svc)}. Grant it SERVICE ROLE ${serviceDisplay(svc)}!ALL_ENDPOINTS_USAGE.`,
    );
  }
  if (endpoint.readyAt === null || endpoint.readyAt > now)
    return err(503, 'Endpoint is still being provisioned. Try again in a few minutes.');
  if ((svc.status === 'SUSPENDED' || svc.status === 'SUSPENDING') && svc.autoResume) {
    resumeService(sim, svc, now);
    return err(503, `Service ${serviceDisplay(svc)} is resuming. Retry shortly.`);
  }
  const ready = liveInstances(svc).filter((i) => i.status === 'READY');
  const target = ready[0];
  if (svc.status !== 'RUNNING' || !target) return err(503, `Service ${serviceDisplay(svc)} is not ready (status ${svc.status}).`);
  const model = svc.model
    ? st.models.get(key3(svc.model.database, svc.model.schema, svc.model.name))?.versions.get(svc.model.version)
    : undefined;
  if (!model) return err(500, 'Model version backing this service no longer exists.');
  const path = req.path.replace(/^\/+|\/+$/g, '');
  const method = model.methods.find((m) => m.name.toLowerCase().replace(/_/g, '-') === path);
  const log = (status: number): void => {
    touchService(svc, now);
    for (const c of target.containers) {
      if (c.name === 'model-inference')
        appendLog(c, now, `${new Date(now).toISOString()} INFO:     ${req.clientIp}:0 - "${req.httpMethod} /${path} HTTP/1.1" ${status}`);
    }
  };
  if (!method) {
    log(404);
    return err(
      404,
      `Method '${path}' not found. Available: ${model.methods.map((m) => `/${m.name.toLowerCase().replace(/_/g, '-')}`).join(', ')}`,
    );
  }
  if (req.httpMethod !== 'POST') {
    log(405);
    return err(405, 'Method not allowed; use POST.');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(req.body.toString('utf8'));
  } catch {
    log(400);
    return err(400, 'Request body is not valid JSON.');
  }
  const parsed = parseRows(method, payload);
  if (!parsed.ok) {
    log(400);
    return err(400, parsed.message);
  }
  const data = parsed.rows.map(({ index, row }) => [index, runInference(model.behavior, method, row)]);
  log(200);
  return { status: 200, body: { data } };
}
