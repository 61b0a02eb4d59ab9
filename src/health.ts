import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { scrubSecrets } from './logger.js';

/** A dependency that must answer for the process to be ready (Redis, Snowflake). */
export interface DependencyCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface Readiness {
  readonly ready: boolean;
  readonly failing: ReadonlyArray<{ name: string; reason: string }>;
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs every check at once; a check that hangs counts as failing after the timeout. */
export async function checkReadiness(checks: readonly DependencyCheck[], timeoutMs = CHECK_TIMEOUT_MS): Promise<Readiness> {
  const results = await Promise.allSettled(checks.map((c) => withTimeout(c.check(), timeoutMs)));
  const failing = results.flatMap((result, i) =>
    result.status === 'rejected' ? [{ name: checks[i]?.name ?? 'unknown', reason: scrubSecrets(errorMessage(result.reason)) }] : [],
  );
  return { ready: failing.length === 0, failing };
}

function errorMessage(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** GET /healthz: the process runs. GET /readyz: every dependency answers; 503 names the ones that do not. */
export function healthRoutes(checks: readonly DependencyCheck[]): CustomRoute[] {
  return [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        void checkReadiness(checks).then((r) =>
          r.ready ? sendJson(res, 200, { status: 'ready' }) : sendJson(res, 503, { status: 'unavailable', failing: r.failing }),
        );
      },
    },
  ];
}

/** The worker role takes no Slack requests, but orchestrators still probe it. */
export function startHealthServer(port: number, routes: readonly CustomRoute[]): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = routes.find((r) => r.path === path);
    const methods = route ? [route.method].flat() : [];
    if (route && methods.includes(req.method ?? 'GET')) {
      route.handler(Object.assign(req, { params: {} }), res);
      return;
    }
    sendJson(res, 404, { error: 'not_found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}
