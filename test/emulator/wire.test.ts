import { generateKeyPairSync } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/index.js';
import { type Connection, connect, connectError, destroy, run, runError, snowflake } from './helpers.js';

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const otherKeys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

const QUERY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('wire protocol and authentication', () => {
  let emu: Emulator;
  let conn: Connection;

  beforeAll(async () => {
    // An authentication policy lifting the PAT rule (PATs need a network policy by default; test/snowflake/access.integration.test.ts covers that).
    emu = await startEmulator({ speed: 0, botUser: { publicKeyPem: keys.publicKey }, patNetworkPolicyEvaluation: 'ENFORCED_NOT_REQUIRED' });
    conn = await connect(emu);
  });
  afterAll(async () => {
    await destroy(conn);
    await emu.close();
  });

  const base = (): { accessUrl: string; account: string } => ({ accessUrl: emu.url, account: 'emuacct' });

  describe('password', () => {
    it('when the password is right, then the session uses the default role', async () => {
      const rows = await run(conn, 'SELECT CURRENT_USER() AS "USER", CURRENT_ROLE() AS "ROLE"');
      expect(rows).toEqual([{ USER: 'SPCS_BOT', ROLE: 'SPCS_OPERATOR' }]);
    });

    it('when the password is wrong, then login fails with 390100', async () => {
      const e = await connectError(emu, { password: 'nope' });
      expect(e.code).toBe('390100');
      expect(e.message).toBe('Incorrect username or password was specified.');
    });

    it('when the requested role is not granted, then login fails with 390189', async () => {
      const e = await connectError(emu, { role: 'ACCOUNTADMIN' });
      expect(e.code).toBe('390189');
    });
  });

  describe('key pair (SNOWFLAKE_JWT)', () => {
    it('when the JWT is signed with the registered key, then login succeeds', async () => {
      const c = await new Promise<Connection>((resolve, reject) =>
        snowflake
          .createConnection({ ...base(), username: 'spcs_bot', authenticator: 'SNOWFLAKE_JWT', privateKey: keys.privateKey })
          .connect((err, cc) => (err ? reject(err) : resolve(cc))),
      );
      expect(await run(c, 'SELECT CURRENT_USER() AS U')).toEqual([{ U: 'SPCS_BOT' }]);
      await destroy(c);
    });

    it('when the JWT is signed with another key, then login fails with 390144', async () => {
      const e = await new Promise<{ code?: string | number }>((resolve) =>
        snowflake
          .createConnection({ ...base(), username: 'spcs_bot', authenticator: 'SNOWFLAKE_JWT', privateKey: otherKeys.privateKey })
          .connect((err) => resolve(err ?? {})),
      );
      expect(e.code).toBe('390144');
    });
  });

  describe('programmatic access token', () => {
    it('when the PAT is valid, then login succeeds', async () => {
      const c = await new Promise<Connection>((resolve, reject) =>
        snowflake
          .createConnection({ ...base(), username: 'SPCS_BOT', authenticator: 'PROGRAMMATIC_ACCESS_TOKEN', token: emu.credentials.pat })
          .connect((err, cc) => (err ? reject(err) : resolve(cc))),
      );
      expect(await run(c, 'SELECT CURRENT_USER() AS U')).toEqual([{ U: 'SPCS_BOT' }]);
      await destroy(c);
    });

    it('when the PAT is wrong, then login fails with 394400', async () => {
      const e = await new Promise<{ code?: string | number; message?: string }>((resolve) =>
        snowflake
          .createConnection({ ...base(), username: 'SPCS_BOT', authenticator: 'PROGRAMMATIC_ACCESS_TOKEN', token: 'not-a-pat' })
          .connect((err) => resolve(err ?? {})),
      );
      expect(e.code).toBe('394400');
      expect(e.message).toBe('Programmatic access token is invalid.');
    });
  });

  describe('OAuth', () => {
    const oauth = (token: string): Promise<{ err?: { code?: string | number }; conn?: Connection }> =>
      new Promise((resolve) =>
        snowflake.createConnection({ ...base(), authenticator: 'OAUTH', token }).connect((err, c) => resolve(err ? { err } : { conn: c })),
      );

    it('when the token is known, then login succeeds', async () => {
      const r = await oauth(emu.credentials.oauthToken);
      expect(r.err).toBeUndefined();
      if (r.conn) await destroy(r.conn);
    });

    it('when the token is unknown or expired, then login fails with 390303 / 390318', async () => {
      expect((await oauth('garbage')).err?.code).toBe('390303');
      expect((await oauth(emu.credentials.expiredOauthToken)).err?.code).toBe('390318');
    });
  });

  describe('statements', () => {
    it('when SQL is unsupported, then it fails with 001003 / 42000 and is recorded', async () => {
      const e = await runError(conn, 'SELECT * FRUM nowhere');
      expect(e.code).toBe('001003');
      expect(e.sqlState).toBe('42000');
      expect(e.message).toMatch(/^SQL compilation error:\nsyntax error line 1 at position \d+ unexpected 'FRUM'\.$/);
      expect(e.data?.queryId).toMatch(QUERY_ID);
      expect(emu.unsupportedSql().map((u) => u.sqlText)).toContain('SELECT * FRUM nowhere');
    });

    it('when a missing object is referenced, then 002003 / 02000 is returned', async () => {
      const e = await runError(conn, 'SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.NOPE');
      expect(e.code).toBe('002003');
      expect(e.sqlState).toBe('02000');
      expect(e.message).toBe("SQL compilation error:\nService 'ML_DB.SERVING.NOPE' does not exist or not authorized.");
    });

    it('when the body is gzipped without a Content-Encoding header, then it is still understood', async () => {
      const login = await fetch(`${emu.url}/session/v1/login-request?requestId=1`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: gzipSync(JSON.stringify({ data: { LOGIN_NAME: 'SPCS_BOT', PASSWORD: 'emulator', ACCOUNT_NAME: 'X' } })),
      });
      const body = (await login.json()) as { success: boolean; data: { token: string } };
      expect(body.success).toBe(true);
      const q = await fetch(`${emu.url}/queries/v1/query-request?requestId=2`, {
        method: 'POST',
        headers: { Authorization: `Snowflake Token="${body.data.token}"`, Accept: 'application/snowflake' },
        body: gzipSync(JSON.stringify({ sqlText: 'SHOW COMPUTE POOL INSTANCE FAMILIES' })),
      });
      const qb = (await q.json()) as {
        data: { queryResultFormat: string; returned: number; queryId: string; rowtype: Array<{ name: string; type: string }> };
      };
      expect(qb.data.queryResultFormat).toBe('json');
      expect(qb.data.returned).toBeGreaterThan(5);
      expect(qb.data.queryId).toMatch(QUERY_ID);
      expect(qb.data.rowtype.map((c) => c.name)).toEqual([
        'name',
        'description',
        'vcpu',
        'memory_gib',
        'storage_gib',
        'gpu',
        'gpu_count',
        'gpu_memory_gib',
        'current_node_usage',
        'message',
      ]);
    });

    it('when a query runs long, then the driver polls the result URL (333333) and gets the rows', async () => {
      emu.faults.slowQuery(1, 600);
      const rows = await run(conn, 'SHOW DATABASES');
      expect(rows.map((r) => r['name'])).toContain('ML_DB');
    });

    it('when asked for an unknown query id, then the status is NO_QUERY_DATA', async () => {
      expect(await conn.getQueryStatus('01aaaaaa-0000-0000-0000-000000000000')).toBe('NO_QUERY_DATA');
    });

    it('when a running async statement is cancelled, then its status becomes ABORTED', async () => {
      const spec =
        'models: [{name: ML_DB.REGISTRY.SENTIMENT_BERT, version: V1}]\nservice: {name: ML_DB.SERVING.TO_ABORT, compute_pool: CPU_M_POOL}';
      const { stmt, queryId } = await new Promise<{ stmt: snowflake.RowStatement | snowflake.FileAndStageBindStatement; queryId: string }>(
        (resolve, reject) => {
          const s = conn.execute({
            sqlText: 'CALL SYSTEM$DEPLOY_MODEL(?)',
            binds: [spec],
            asyncExec: true,
            complete: (err, st) => (err ? reject(err) : resolve({ stmt: s, queryId: st.getQueryId() })),
          });
        },
      );
      expect(await conn.getQueryStatus(queryId)).toBe('RUNNING');
      await new Promise<void>((resolve, reject) => stmt.cancel((err) => (err ? reject(err) : resolve())));
      expect(await conn.getQueryStatus(queryId)).toBe('ABORTED');
      await expect(conn.getQueryStatusThrowIfError(queryId)).rejects.toThrow('SQL execution canceled');
    });

    it('when the connection is validated, then the heartbeat answers', async () => {
      expect(await conn.isValidAsync()).toBe(true);
    });
  });

  describe('transient failures', () => {
    it('when the session expires, then the driver renews its token and the statement succeeds', async () => {
      emu.faults.expireSession(1);
      const rows = await run(conn, 'SELECT CURRENT_ROLE() AS R');
      expect(rows).toEqual([{ R: 'SPCS_OPERATOR' }]);
      expect(await conn.isValidAsync()).toBe(true);
    });

    it('when the service answers one HTTP 503, then the driver retries and succeeds', async () => {
      emu.faults.http503(1);
      const rows = await run(conn, "SHOW COMPUTE POOLS LIKE 'cpu_xs%'");
      expect(rows.map((r) => r['name'])).toEqual(['CPU_XS_POOL']);
    });
  });
});
