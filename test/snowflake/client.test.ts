/**
 * The client's policies over a fake connection port: which failures are retried (only for statements
 * safe to repeat), how connections with dead sessions are dropped, and how async query states and
 * failures are reported. The real driver rarely lets these paths surface, so they are driven here.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClientOn, type ConnectionPort } from '../../src/snowflake/client.js';
import type { RawRow } from '../../src/snowflake/rows.js';
import { sql, type Sql } from '../../src/snowflake/sql.js';

interface FakeConn {
  id: number;
}

function driverError(code: string | number, message = 'boom') {
  return Object.assign(new Error(message), { name: 'OperationFailedError', code });
}

/** A port whose `execute` replays scripted outcomes, recording every call. */
function fakePort(script: Array<RawRow[] | Error>, extra: Partial<ConnectionPort<FakeConn>> = {}) {
  let next = 0;
  const calls = { execute: 0, released: 0, destroyed: 0, acquired: 0, checked: [] as boolean[] };
  const port: ConnectionPort<FakeConn> = {
    acquire: async (checked) => {
      calls.checked.push(checked);
      return { id: ++calls.acquired };
    },
    release: async () => {
      calls.released++;
    },
    destroy: async () => {
      calls.destroyed++;
    },
    close: async () => {},
    execute: async () => {
      calls.execute++;
      const outcome = script[Math.min(next++, script.length - 1)];
      if (outcome === undefined) return { rows: [] };
      if (outcome instanceof Error) throw outcome;
      return { rows: outcome };
    },
    submit: async () => '01b6fc10-0002-c121-0000-6ed10736311e',
    status: async () => 'SUCCESS',
    fetch: async () => [],
    ...extra,
  };
  return { port, calls };
}

const delays: number[] = [];
const options = { retryBaseDelayMs: 100, sleep: async (ms: number) => void delays.push(ms) };
const Row = z.object({ name: z.string() });

describe('retries', () => {
  const read: Sql = sql`SHOW COMPUTE POOLS`.repeatable();
  const drop: Sql = sql`DROP SERVICE X.Y.Z`;

  it('when a repeatable read fails transiently, then it is retried with growing delays and succeeds', async () => {
    delays.length = 0;
    const { port, calls } = fakePort([driverError(401001), driverError(401002), [{ name: 'P' }]]);
    const client = createClientOn(port, options);
    expect(await client.query(read, Row)).toEqual([{ name: 'P' }]);
    expect(calls.execute).toBe(3);
    expect(delays).toEqual([100, 200]);
  });

  it('when transient failures persist, then it gives up after the configured attempts', async () => {
    const { port, calls } = fakePort([driverError(401001)]);
    const client = createClientOn(port, { ...options, retryAttempts: 2 });
    await expect(client.query(read, Row)).rejects.toMatchObject({ kind: 'transient', code: '401001' });
    expect(calls.execute).toBe(2);
  });

  it.each([
    ['DROP', sql`DROP SERVICE X.Y.Z`],
    ['CREATE', sql`CREATE COMPUTE POOL IF NOT EXISTS P MIN_NODES = 1 MAX_NODES = 1 INSTANCE_FAMILY = F AUTO_RESUME = TRUE`],
    ['GRANT', sql`GRANT SERVICE ROLE X.Y.Z!ALL_ENDPOINTS_USAGE TO ROLE R`],
  ])('when a %s fails transiently, then it is never sent again', async (_label, statement) => {
    const { port, calls } = fakePort([driverError(401002), [{ name: 'x' }]]);
    const client = createClientOn(port, options);
    await expect(client.query(statement, Row)).rejects.toMatchObject({ kind: 'transient' });
    expect(calls.execute).toBe(1);
  });

  it('when CALL SYSTEM$DEPLOY_MODEL fails transiently, then it is not submitted again', async () => {
    let submits = 0;
    const { port } = fakePort([], {
      submit: async () => {
        submits++;
        throw driverError(401001);
      },
    });
    const client = createClientOn(port, options);
    await expect(client.executeAsync(sql`CALL SYSTEM$DEPLOY_MODEL(?)`)).rejects.toMatchObject({ kind: 'transient' });
    expect(submits).toBe(1);
  });

  it('when a session is gone, then that connection is destroyed, not returned, and a read is retried on another', async () => {
    const { port, calls } = fakePort([driverError('390112', 'Your session has expired.'), [{ name: 'P' }]]);
    const client = createClientOn(port, options);
    expect(await client.query(read, Row)).toHaveLength(1);
    expect(calls.destroyed).toBe(1);
    expect(calls.acquired).toBe(2);
    expect(calls.released).toBe(1);
  });

  it('does not retry errors a retry cannot fix', async () => {
    for (const code of ['002003', '003001', '001003', '390100']) {
      const { port, calls } = fakePort([driverError(code), [{ name: 'P' }]]);
      await expect(createClientOn(port, options).query(read, Row)).rejects.toMatchObject({ code });
      expect(calls.execute).toBe(1);
    }
    const { port, calls } = fakePort([[{ nom: 'P' }], [{ name: 'P' }]]);
    await expect(createClientOn(port, options).query(read, Row)).rejects.toMatchObject({ kind: 'unexpected_result' });
    expect(calls.execute).toBe(1);
  });

  it('maps failures to acquire a connection (a refused login the pool wrapped)', async () => {
    const { port } = fakePort([], {
      acquire: async () => {
        throw new Error('Incorrect username or password was specified.');
      },
    });
    const client = createClientOn(port, { ...options, secrets: ['s3cret'] });
    await expect(client.query(drop, Row)).rejects.toMatchObject({ kind: 'bad_credentials' });
    expect(await client.ping()).toMatchObject({ ok: false, error: { kind: 'bad_credentials' } });
  });
});

describe('async queries', () => {
  const id = '01b6fc10-0002-c121-0000-6ed10736311e';

  it('reports running, succeeded and unknown states', async () => {
    for (const [status, state] of [
      ['RUNNING', 'running'],
      ['QUEUED', 'running'],
      ['SUCCESS', 'succeeded'],
      ['NO_QUERY_DATA', 'unknown'],
    ] as const) {
      const { port } = fakePort([], { status: async () => status });
      expect(await createClientOn(port, options).queryStatus(id)).toEqual({ state, status });
    }
  });

  it('reports a failed query with its own error, fetched from the result endpoint', async () => {
    const { port } = fakePort([], {
      status: async () => 'FAILED_WITH_ERROR',
      fetch: async () => {
        throw driverError('003001', "SQL access control error:\nInsufficient privileges to operate on compute pool 'GPU_L_POOL'");
      },
    });
    const state = await createClientOn(port, options).queryStatus(id);
    expect(state).toMatchObject({ state: 'failed', error: { kind: 'insufficient_privileges', failure: { objectName: 'GPU_L_POOL' } } });
  });

  it('reports a cancelled query (aborted, or failed with 000604) as cancelled, with its error', async () => {
    for (const status of ['ABORTED', 'FAILED_WITH_ERROR']) {
      const { port } = fakePort([], {
        status: async () => status,
        fetch: async () => {
          throw driverError('000604', 'SQL execution canceled');
        },
      });
      const state = await createClientOn(port, options).queryStatus(id);
      expect(state).toMatchObject({ state: 'cancelled', status, error: { code: '000604', message: 'SQL execution canceled' } });
    }
  });

  it('waits for a running query before fetching its rows, and refuses ids that are not query ids', async () => {
    const statuses = ['RUNNING', 'RUNNING', 'SUCCESS'];
    const { port } = fakePort([], {
      status: async () => statuses.shift() ?? 'SUCCESS',
      fetch: async () => [{ NAME: 'done' }],
    });
    const client = createClientOn(port, { ...options, resultPollMs: 1 });
    expect(await client.queryResult(id, Row)).toEqual([{ name: 'done' }]);
    await expect(client.queryStatus('1; DROP')).rejects.toMatchObject({ kind: 'unknown' });
  });
});

describe('heartbeats', () => {
  it('when a statement may not be repeated, then its connection is checked first; a repeatable read and a status read skip the check', async () => {
    const { port, calls } = fakePort([[{ name: 'P' }]]);
    const client = createClientOn(port, options);
    await client.query(sql`SHOW COMPUTE POOLS`.repeatable(), Row);
    await client.query(sql`DROP SERVICE X.Y.Z`, Row);
    await client.queryStatus('01b6fc10-0002-c121-0000-6ed10736311e');
    expect(calls.checked).toEqual([false, true, false]);
  });
});
