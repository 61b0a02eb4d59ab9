import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseFaultFlag } from '../../emulator/faults.js';

describe('CLI', () => {
  it('parses --fault specs', () => {
    expect(parseFaultFlag('build-failure:IRIS_CLASSIFIER:boom: bad wheel')).toEqual({
      kind: 'imageBuildFailure',
      model: 'IRIS_CLASSIFIER',
      message: 'boom: bad wheel',
    });
    expect(parseFaultFlag('oom:IRIS_SVC:startup')).toEqual({ kind: 'oomKill', service: 'IRIS_SVC', phase: 'startup' });
    expect(parseFaultFlag('no-free-node:GPU_S_POOL')).toEqual({ kind: 'noFreeNode', pool: 'GPU_S_POOL' });
    expect(parseFaultFlag('missing-privilege:USAGE:COMPUTE_POOL:CPU_XS_POOL:SPCS_OPERATOR')).toEqual({
      kind: 'missingPrivilege',
      privilege: 'USAGE',
      on: 'COMPUTE POOL',
      name: 'CPU_XS_POOL',
      role: 'SPCS_OPERATOR',
    });
    expect(parseFaultFlag('missing-privilege:BIND_SERVICE_ENDPOINT:ACCOUNT')).toMatchObject({
      privilege: 'BIND SERVICE ENDPOINT',
      on: 'ACCOUNT',
    });
    expect(parseFaultFlag('http503:2')).toEqual({ kind: 'http503', count: 2 });
    expect(parseFaultFlag('session-expiry')).toEqual({ kind: 'sessionExpiry', count: 1 });
    expect(() => parseFaultFlag('meteor-strike')).toThrow(/unknown fault/);
  });

  it('starts on a free port, prints its URL and serves the admin API', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'emulator/main.ts', '--port', '0', '--quiet', '--fast', '--fault', 'http503:1'],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
      });
      const health = await fetch(`${url}/__emulator/health`);
      expect(await health.json()).toEqual({ ok: true });
      expect((await fetch(`${url}/session/heartbeat`, { method: 'POST' })).status).toBe(503);
      const state = (await (await fetch(`${url}/__emulator/state`)).json()) as { services: Array<{ name: string; status: string }> };
      expect(state.services).toEqual([expect.objectContaining({ name: 'ML_DB.SERVING.IRIS_SVC', status: 'RUNNING' })]);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
