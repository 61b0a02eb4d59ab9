import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/index.js';
import { type Connection, MIN, advanceUntil, connect, deploySpec, destroy, run, submitAsync } from './helpers.js';

interface Reply {
  status: number;
  body: { data?: unknown[]; message?: string };
}

describe('ingress (REST inference on the public endpoint)', () => {
  let emu: Emulator;
  let conn: Connection;
  const logLines: string[] = [];
  beforeAll(async () => {
    // An authentication policy lifting the PAT rule (PATs need a network policy by default; test/snowflake/access.integration.test.ts covers that).
    emu = await startEmulator({ speed: 0, log: (l) => logLines.push(l), patNetworkPolicyEvaluation: 'ENFORCED_NOT_REQUIRED' });
    conn = await connect(emu);
  });
  afterAll(async () => {
    await destroy(conn);
    await emu.close();
  });

  const post = async (
    base: string,
    method: string,
    body: unknown,
    token: string | null = emu.credentials.pat,
    verb = 'POST',
  ): Promise<Reply> => {
    const res = await fetch(`${base}/${method}`, {
      method: verb,
      headers: { 'Content-Type': 'application/json', ...(token !== null ? { Authorization: `Snowflake Token="${token}"` } : {}) },
      ...(verb === 'POST' ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Reply['body'] };
  };
  const iris = (): string => emu.ingressUrl('ML_DB.SERVING.IRIS_SVC');

  it('when the PAT is valid, then rows are scored in the flat and wide formats', async () => {
    const r = await post(iris(), 'predict', {
      data: [
        [0, 5.1, 3.5, 1.4, 0.2],
        [1, 6.7, 3.0, 5.2, 2.3],
      ],
    });
    expect(r).toEqual({
      status: 200,
      body: {
        data: [
          [0, { CLASS: 'setosa' }],
          [1, { CLASS: 'virginica' }],
        ],
      },
    });
    const wide = await post(iris(), 'predict', { data: [[7, { SEPAL_LENGTH: 6, SEPAL_WIDTH: 2.9, PETAL_LENGTH: 4.5, PETAL_WIDTH: 1.5 }]] });
    expect(wide.body.data).toEqual([[7, { CLASS: 'versicolor' }]]);
  });

  it('when the ingress_url from SHOW ENDPOINTS is used, then it maps to the same service', async () => {
    const [ep] = await run(conn, 'SHOW ENDPOINTS IN SERVICE ML_DB.SERVING.IRIS_SVC');
    const base = emu.ingressUrlForHost(`https://${String(ep?.['ingress_url'])}`);
    expect((await post(base, 'predict', { data: [[0, 5.1, 3.5, 1.4, 0.2]] })).status).toBe(200);
  });

  it('when the request carries the ingress host in the Host header, then it is routed to that service', async () => {
    const [ep] = await run(conn, 'SHOW ENDPOINTS IN SERVICE ML_DB.SERVING.IRIS_SVC');
    const host = String(ep?.['ingress_url']);
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: emu.port,
          path: '/predict',
          method: 'POST',
          headers: { Host: host, Authorization: `Snowflake Token="${emu.credentials.pat}"`, 'Content-Type': 'application/json' },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ data: [[0, 5.1, 3.5, 1.4, 0.2]] }));
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ data: [[0, { CLASS: 'setosa' }]] });
  });

  it('when the token is missing or wrong, then 401', async () => {
    const missing = await post(iris(), 'predict', { data: [[0, 1, 2, 3, 4]] }, null);
    expect(missing.status).toBe(401);
    expect(missing.body.message).toContain('Snowflake Token=');
    const bad = await post(iris(), 'predict', { data: [[0, 1, 2, 3, 4]] }, 'stolen-token');
    expect(bad).toEqual({ status: 401, body: { code: '401', message: 'Programmatic access token is invalid.' } });
  });

  it('when the request does not match the signature, then 400; unknown method 404; GET 405', async () => {
    const arity = await post(iris(), 'predict', { data: [[0, 5.1, 3.5]] });
    expect(arity.status).toBe(400);
    expect(arity.body.message).toContain('expects 4');
    expect((await post(iris(), 'predict', { data: [[0, 'a', 'b', 'c', 'd']] })).status).toBe(400);
    expect((await post(iris(), 'predict', 'not json')).status).toBe(400);
    expect((await post(iris(), 'predict-proba', { data: [[0, 1, 2, 3, 4]] })).status).toBe(404);
    expect((await post(iris(), 'PREDICT', { data: [[0, 1, 2, 3, 4]] })).status).toBe(404);
    expect((await post(iris(), 'predict', null, emu.credentials.pat, 'GET')).status).toBe(405);
  });

  it("when the PAT's role lacks ALL_ENDPOINTS_USAGE, then 403 until the service role is granted", async () => {
    const denied = await post(iris(), 'predict', { data: [[0, 5.1, 3.5, 1.4, 0.2]] }, emu.credentials.analystPat);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('ALL_ENDPOINTS_USAGE');
    await run(conn, 'GRANT SERVICE ROLE ML_DB.SERVING.IRIS_SVC!ALL_ENDPOINTS_USAGE TO ROLE ANALYST');
    expect((await post(iris(), 'predict', { data: [[0, 5.1, 3.5, 1.4, 0.2]] }, emu.credentials.analystPat)).status).toBe(200);
  });

  it('when the service is suspended, then 503 and the call auto-resumes it', async () => {
    await run(conn, 'ALTER SERVICE ML_DB.SERVING.IRIS_SVC SUSPEND');
    emu.clock.advance(MIN);
    const r = await post(iris(), 'predict', { data: [[0, 5.1, 3.5, 1.4, 0.2]] });
    expect(r.status).toBe(503);
    expect(r.body.message).toContain('resuming');
    await advanceUntil(emu, async () => (await post(iris(), 'predict', { data: [[0, 5.1, 3.5, 1.4, 0.2]] })).status === 200, {
      stepMs: 10_000,
    });
  });

  it('when a method has underscores, then its path uses dashes (/predict-proba)', async () => {
    const q = await submitAsync(conn, 'CALL SYSTEM$DEPLOY_MODEL(?)', [
      deploySpec({ model: 'ML_DB.REGISTRY.SENTIMENT_BERT', version: 'V1', service: 'ML_DB.SERVING.BERT', pool: 'CPU_M_POOL' }),
    ]);
    const base = (): string => emu.ingressUrl('BERT');
    await advanceUntil(emu, async () => (await conn.getQueryStatus(q)) === 'SUCCESS', { stepMs: 30_000 });
    expect((await post(base(), 'predict', { data: [[0, 'great product']] })).status).toBe(503);
    await advanceUntil(emu, async () => (await post(base(), 'predict', { data: [[0, 'x']] })).status === 200);
    const proba = await post(base(), 'predict-proba', { data: [[0, 'I love it, great and awesome']] });
    expect(proba.status).toBe(200);
    const first = (proba.body.data as Array<[number, { POSITIVE: number; NEGATIVE: number }]>)[0];
    expect(first?.[1].POSITIVE).toBeGreaterThan(0.9);
    const label = await post(base(), 'predict', { dataframe_records: [{ text: 'terrible and slow' }] });
    expect(label.body.data).toEqual([[0, { LABEL: 'NEGATIVE', SCORE: expect.any(Number) }]]);
  });

  it('never logs the token', async () => {
    const [logs] = await run(conn, "CALL SYSTEM$GET_SERVICE_LOGS('ML_DB.SERVING.IRIS_SVC', '0', 'model-inference')");
    const text = String(logs?.['SYSTEM$GET_SERVICE_LOGS']);
    expect(text).toContain('"POST /predict HTTP/1.1" 200');
    for (const secret of [emu.credentials.pat, emu.credentials.analystPat, 'stolen-token']) {
      expect(text).not.toContain(secret);
      expect(logLines.join('\n')).not.toContain(secret);
    }
  });
});
