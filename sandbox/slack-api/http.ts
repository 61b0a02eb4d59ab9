/**
 * HTTP plumbing for the fake Slack server: read bodies the way the WebClient and Bolt's
 * respond() send them, and write JSON replies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord, type JsonObject } from './types.js';

/** Fields the WebClient serialises as JSON strings inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'files', 'metadata', 'unfurls', 'user_auth_blocks', 'options']);

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

function contentType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Web API arguments from a form body, a JSON body or the query string. JSON-valued fields are
 * parsed back into objects; a field that is not valid JSON stays a string so validation can
 * report it.
 */
export function parseApiArgs(req: IncomingMessage, body: Buffer, url: URL): JsonObject {
  const args: JsonObject = {};
  for (const [k, v] of url.searchParams) args[k] = v;
  const text = body.toString('utf8');
  if (contentType(req) === 'application/json') {
    const parsed = safeJson(text);
    if (isRecord(parsed)) Object.assign(args, parsed);
    return args;
  }
  for (const [k, v] of new URLSearchParams(text)) {
    args[k] = JSON_FIELDS.has(k) ? parseJsonField(v) : v;
  }
  return args;
}

function parseJsonField(value: string): unknown {
  const parsed = safeJson(value);
  return parsed === undefined ? value : parsed;
}

export function safeJson(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    return undefined;
  }
}

/** The bearer token from the Authorization header, else a `token` argument. */
export function extractToken(req: IncomingMessage, args: JsonObject): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  return typeof args['token'] === 'string' ? args['token'] : undefined;
}

/**
 * The file bytes of an upload-URL POST. The WebClient sends multipart/form-data (one file part);
 * curl-style clients send the raw bytes. Both are accepted, as Slack does.
 */
export async function parseUploadBytes(req: IncomingMessage, body: Buffer): Promise<Buffer> {
  if (contentType(req) !== 'multipart/form-data') return body;
  // undici's multipart parser (Node built-in) via a synthetic Response.
  const form = await new Response(body, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
  for (const value of form.values()) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  const first = form.values().next();
  return Buffer.from(first.done ? '' : String(first.value));
}

/** JSON body of a response_url POST (Bolt's respond() sends JSON; Slack also accepts `payload=`). */
export function parseResponseUrlBody(req: IncomingMessage, body: Buffer): JsonObject | undefined {
  const text = body.toString('utf8');
  if (contentType(req) === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(text).get('payload');
    const parsed = payload === null ? undefined : safeJson(payload);
    return isRecord(parsed) ? parsed : undefined;
  }
  const parsed = safeJson(text);
  return isRecord(parsed) ? parsed : undefined;
}

export function sendJson(res: ServerResponse, status: number, body: JsonObject, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
