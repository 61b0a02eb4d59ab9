/**
 * Transient trouble through the real driver against the emulator: HTTP 503s, an expired session
 * and a slow statement must not surface to callers; a closed client says so.
 */
import { describe, expect, it } from 'vitest';
import type { SnowflakeClient } from '../../src/snowflake/client.js';
import { createComputePool, listComputePools } from '../../src/snowflake/compute-pool-queries.js';
import { identifierFromSnowflake } from '../../src/snowflake/identifiers.js';
import { clientFor, envFor, startFrozenEmulator, type Emulator, useEmulatorClient } from './support/emulator.js';

let emu: Emulator;
let db: SnowflakeClient;
useEmulatorClient(async (e, d) => {
  emu = e;
  db = d;
  await listComputePools(db); // log in once, so the faults below hit an established connection
}, null);

describe('when Snowflake has a transient problem', () => {
  it('answers 503 once to a read: the read succeeds', async () => {
    emu.faults.http503(1);
    expect(await listComputePools(db)).not.toHaveLength(0);
  });

  it('answers 503 once around a statement that may not be repeated: it runs exactly once and succeeds', async () => {
    emu.faults.http503(1);
    await createComputePool(db, {
      name: identifierFromSnowflake('HEARTBEAT_POOL'),
      instanceFamily: identifierFromSnowflake('CPU_X64_XS'),
      minNodes: 1,
      maxNodes: 1,
      autoResume: true,
    });
    expect(emu.sqlLog.filter((e) => /^CREATE COMPUTE POOL IF NOT EXISTS HEARTBEAT_POOL /.test(e.sqlText))).toHaveLength(1);
  });

  it('answers 503 to a status check: the read succeeds', async () => {
    const queryId = emu.sqlLog[0]?.queryId ?? '';
    emu.faults.http503(1);
    expect(await db.queryStatus(queryId)).toMatchObject({ state: 'succeeded' });
  });

  it('expires the session: the driver renews it and the statement succeeds', async () => {
    emu.faults.expireSession(1);
    expect(await listComputePools(db)).not.toHaveLength(0);
  });

  it('takes a while to answer (333333 polling): the statement still returns its rows', async () => {
    emu.faults.slowQuery(1, 700);
    expect(await listComputePools(db)).not.toHaveLength(0);
  });

  it('is unreachable: ping reports a transient failure instead of throwing', async () => {
    const gone = await startFrozenEmulator();
    const client = clientFor(envFor(gone), { acquireTimeoutMs: 2_000, closeTimeoutMs: 500 });
    await gone.close();
    const started = Date.now();
    const ping = await client.ping();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(ping).toMatchObject({ ok: false });
    if (!ping.ok) expect(['transient', 'unknown']).toContain(ping.error.kind);
    await client.close();
  }, 15_000);
});
