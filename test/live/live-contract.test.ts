/**
 * The live contract suite (test/live/contract.ts, `npm run test:live`) proven against the emulator:
 * every read-only check through the real driver, the --deploy path end to end on the emulator's
 * fast timings (its clock moved by the suite's own sleeps), a column our schemas reject reported
 * with its row, connections.toml selection, and the one-line skip of the CLI when nothing is set.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_TIMINGS, startEmulator, type Emulator } from '../../emulator/index.js';
import { createSnowflakeClient, type SnowflakeClient } from '../../src/snowflake/client.js';
import { requireQualifiedName } from '../../src/snowflake/identifiers.js';
import { clientFor, envFor, writeConnectionsToml } from '../snowflake/support/emulator.js';
import { parseLiveArgs, resolveLiveTarget } from './config.js';
import { formatResults, runLiveContract, type CheckResult, type LiveOptions } from './contract.js';

let emu: Emulator;
let db: SnowflakeClient;
const dir = mkdtempSync(join(tmpdir(), 'live-contract-'));

beforeAll(async () => {
  emu = await startEmulator({ speed: 0, timings: FAST_TIMINGS, patNetworkPolicyEvaluation: 'ENFORCED_NOT_REQUIRED' });
  db = clientFor(
    envFor(emu, {
      SNOWFLAKE_PASSWORD: undefined,
      SNOWFLAKE_AUTHENTICATOR: 'PROGRAMMATIC_ACCESS_TOKEN',
      SNOWFLAKE_TOKEN: emu.credentials.pat,
    }),
  );
});
afterAll(async () => {
  await db.close();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The suite's waits move the frozen emulator clock instead of real time. */
function options(extra: Partial<LiveOptions> = {}): LiveOptions {
  return {
    client: db,
    timeoutMs: 30 * 60_000,
    pollMs: 2_000,
    now: () => emu.clock.now(),
    sleep: (ms) => {
      emu.clock.advance(ms);
      return Promise.resolve();
    },
    ...extra,
  };
}

const byName = (results: readonly CheckResult[]) => Object.fromEntries(results.map((r) => [r.name, r.status]));

describe('the live checks against the emulator', () => {
  it('read-only: log in, pools, families, services, capabilities and a named service all parse', async () => {
    const results = await runLiveContract(options({ service: requireQualifiedName('ML_DB.SERVING.IRIS_SVC', 'svc', 3) }));
    expect(byName(results)).toEqual({
      login: 'pass',
      'SHOW COMPUTE POOLS': 'pass',
      'SHOW COMPUTE POOL INSTANCE FAMILIES': 'pass',
      'SHOW SERVICES IN SCHEMA ML_DB.SERVING': 'pass',
      SYSTEM$ML_PLATFORM_CAPABILITIES: 'pass',
      'SHOW SERVICES … STARTS WITH IRIS_SVC': 'pass',
      'DESCRIBE SERVICE ML_DB.SERVING.IRIS_SVC': 'pass',
      'SHOW SERVICE CONTAINERS IN SERVICE ML_DB.SERVING.IRIS_SVC': 'pass',
      'SHOW SERVICE INSTANCES IN SERVICE ML_DB.SERVING.IRIS_SVC': 'pass',
      'SHOW ENDPOINTS IN SERVICE ML_DB.SERVING.IRIS_SVC': 'pass',
      // The emulator does not model the deprecated function; a refusal only warns.
      'SYSTEM$GET_SERVICE_STATUS (deprecated) ML_DB.SERVING.IRIS_SVC': 'warn',
      deploy: 'skip',
    });
    const text = formatResults(results).join('\n');
    expect(text).toContain('PASS  login: SPCS_BOT with role SPCS_OPERATOR');
    expect(text).toContain('ENABLE_INLINE_DEPLOYMENT_SPEC_FROM_CLIENT_VERSION="1.8.6"');
    expect(text).toContain('0/model-inference READY');
    expect(text).toMatch(/inference endpoint [a-z0-9]{8}-emuorg-emuacct\.snowflakecomputing\.app/);
    expect(text).not.toContain(emu.credentials.pat);
  });

  it('--deploy: deploys through the bot’s deploy SQL, waits for RUNNING, calls it once with the PAT and drops it', async () => {
    const results = await runLiveContract(
      options({
        deploy: { model: 'ML_DB.REGISTRY.SENTIMENT_BERT', version: 'V1', pool: 'CPU_XS_POOL' },
        schema: requireQualifiedName('ML_DB.SERVING', 'schema', 2),
        deployServiceName: 'LIVE_CHECK_SVC',
        pat: emu.credentials.pat,
        ingressUrlOverride: `${emu.url}/ingress/{host}`,
      }),
    );
    const deploySteps = results.filter((r) => r.name.startsWith('deploy'));
    expect(deploySteps.map((r) => [r.name, r.status])).toEqual([
      ['deploy: ML_DB.REGISTRY.SENTIMENT_BERT VERSION V1 and pool CPU_XS_POOL', 'pass'],
      ['deploy: CALL SYSTEM$DEPLOY_MODEL → ML_DB.SERVING.LIVE_CHECK_SVC', 'pass'],
      ['deploy: wait for ML_DB.SERVING.LIVE_CHECK_SVC to run', 'pass'],
      ['deploy: endpoint of ML_DB.SERVING.LIVE_CHECK_SVC', 'pass'],
      ['deploy: POST /predict', 'pass'],
      ['deploy: DROP SERVICE IF EXISTS ML_DB.SERVING.LIVE_CHECK_SVC', 'pass'],
    ]);
    expect(deploySteps[0]?.detail).toMatch(
      /^functions PREDICT \(1 inputs from model_spec\), PREDICT_PROBA \(1 inputs from model_spec\); pool ACTIVE CPU_X64_XS$/,
    );
    expect(deploySteps[4]?.detail).toMatch(/^HTTP 200: .*"LABEL"/);
    expect(emu.service('ML_DB.SERVING.LIVE_CHECK_SVC')).toBeUndefined();
    const deploys = emu.sqlLog.filter((e) => /SYSTEM\$DEPLOY_MODEL/.test(e.sqlText));
    expect(deploys).toHaveLength(1);
  });

  it('--deploy drops the service even when it never runs, and fails the wait with Snowflake’s error', async () => {
    // V2's image is not built yet, so this deploy builds it, and the build fails.
    emu.faults.imageBuildFailure({ model: 'SENTIMENT_BERT', message: 'pip: no matching distribution' });
    const results = await runLiveContract(
      options({
        deploy: { model: 'ML_DB.REGISTRY.SENTIMENT_BERT', version: 'V2', pool: 'CPU_XS_POOL' },
        deployServiceName: 'LIVE_BROKEN_SVC',
      }),
    );
    const wait = results.find((r) => r.name.startsWith('deploy: wait'));
    expect(wait).toMatchObject({ status: 'fail', detail: expect.stringContaining('pip: no matching distribution') });
    expect(results.at(-1)).toMatchObject({ name: 'deploy: DROP SERVICE IF EXISTS ML_DB.REGISTRY.LIVE_BROKEN_SVC', status: 'pass' });
    expect(emu.sqlLog.some((e) => /^DROP SERVICE IF EXISTS ML_DB\.REGISTRY\.LIVE_BROKEN_SVC$/.test(e.sqlText))).toBe(true);
  });

  it('a column our schema rejects fails its check and is reported with the row', async () => {
    const pool = emu.pool('HIGHMEM_POOL');
    if (pool === undefined) throw new Error('seed pool missing');
    const saved = pool.minNodes;
    Reflect.set(pool, 'minNodes', 'one');
    try {
      const results = await runLiveContract(options());
      const pools = results.find((r) => r.name === 'SHOW COMPUTE POOLS');
      expect(pools?.status).toBe('fail');
      expect(pools?.rejections).toEqual([
        expect.objectContaining({
          statement: 'SHOW COMPUTE POOLS',
          issues: [expect.stringMatching(/^min_nodes: /)],
          values: expect.stringContaining('"name":"HIGHMEM_POOL"'),
        }),
      ]);
      expect(formatResults(results).join('\n')).toMatch(
        /FAIL {2}SHOW COMPUTE POOLS: .*1 rejected by our schema\n {6}row \d of SHOW COMPUTE POOLS: min_nodes: .*\n {6}row: \{"name":"HIGHMEM_POOL"/,
      );
    } finally {
      pool.minNodes = saved;
    }
  });
});

describe('what the suite connects to', () => {
  const writeConnections = (home: string) => writeConnectionsToml(home, emu, 'prod');

  it('a connections.toml connection by --connection: described without secrets, and the checks log in with it', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    writeConnections(home);
    const missing = resolveLiveTarget({ SNOWFLAKE_HOME: home }, { connection: 'staging' });
    expect(missing).toEqual({
      kind: 'invalid',
      problems: [`connections.toml: no [staging] connection in ${join(home, 'connections.toml')} (it has prod, emulator)`],
    });
    const mixed = resolveLiveTarget({ SNOWFLAKE_HOME: home, SNOWFLAKE_ACCOUNT: 'x' }, { connection: 'emulator' });
    expect(mixed).toMatchObject({
      kind: 'invalid',
      problems: [expect.stringMatching(/^SNOWFLAKE_ACCOUNT: not used with SNOWFLAKE_CONNECTION_NAME/)],
    });

    const target = resolveLiveTarget({ SNOWFLAKE_HOME: home }, { connection: 'emulator' });
    if (target.kind !== 'ready') throw new Error(JSON.stringify(target));
    expect(target.description).toBe('connections.toml [emulator]: SPCS_BOT@EMUACCT via password or key pair as SPCS_OPERATOR');

    const saved = { home: process.env.SNOWFLAKE_HOME, name: process.env.SNOWFLAKE_DEFAULT_CONNECTION_NAME };
    process.env.SNOWFLAKE_HOME = home;
    const client = createSnowflakeClient(target.config);
    try {
      const results = await runLiveContract(options({ client }));
      expect(results[0]).toMatchObject({
        name: 'login',
        status: 'pass',
        detail: expect.stringContaining('SPCS_BOT with role SPCS_OPERATOR'),
      });
    } finally {
      await client.close();
      if (saved.home === undefined) delete process.env.SNOWFLAKE_HOME;
      else process.env.SNOWFLAKE_HOME = saved.home;
      if (saved.name === undefined) delete process.env.SNOWFLAKE_DEFAULT_CONNECTION_NAME;
      else process.env.SNOWFLAKE_DEFAULT_CONNECTION_NAME = saved.name;
    }
  });

  it('arguments are checked before any login', () => {
    expect(parseLiveArgs(['--deploy', 'ML_DB.REGISTRY.M', 'V1'])).toEqual({
      ok: false,
      message: '--deploy: expected three values, DB.SCHEMA.MODEL VERSION POOL',
    });
    expect(parseLiveArgs(['--service', 'IRIS_SVC'])).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^--service: expected DATABASE\.SCHEMA\.NAME/),
    });
    expect(parseLiveArgs(['--timeout', 'soon'])).toMatchObject({
      ok: false,
      message: '--timeout: expected a duration such as 30m, 90s or 1h',
    });
    expect(parseLiveArgs(['--deploy', 'DB.S.M', 'V1', 'POOL', '--timeout', '90s'])).toMatchObject({
      ok: true,
      args: { deploy: { model: 'DB.S.M', version: 'V1', pool: 'POOL' }, timeoutMs: 90_000 },
    });
  });

  it('npm run test:live with nothing configured says so in one line and exits 0', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    writeConnections(home);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SNOWFLAKE_')) env[k] = v;
    env.SNOWFLAKE_HOME = home;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/live/main.ts'], {
      cwd: process.cwd(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out.trimEnd().split('\n')).toEqual([
      `test:live skipped: no Snowflake account configured (set SNOWFLAKE_ACCOUNT with a credential, SNOWFLAKE_CONNECTION_NAME, or --connection NAME; ${join(home, 'connections.toml')} has prod, emulator)`,
    ]);
  });
});
