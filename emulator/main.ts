/**
 * CLI: `npm run emulator -- --port 8085 [--speed 10] [--fast] [--fault oom:IRIS_SVC] …`
 * Prints the URL and credentials, then serves until interrupted. See emulator/README.md.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseFaultFlag } from './faults.js';
import { type EmulatorOptions, FAST_TIMINGS, type FaultSpec, type Timings, startEmulator } from './index.js';

const USAGE = `Usage: npm run emulator -- [options]

  --port N              listen port (0 = any free port)            [8085]
  --host H              listen address                             [127.0.0.1]
  --speed X             virtual ms per real ms (0 freezes the clock)  [1]
  --fast                second-scale timings instead of minutes (builds 3-8 s, starts 1-3 s)
  --timings JSON        override individual timings, e.g. '{"buildMs":[60000,60000]}'
  --seed N              PRNG seed for timings/hosts/metrics        [42]
  --account NAME        account locator used in messages/hosts     [EMUACCT]
  --org NAME            organization used in ingress hosts         [EMUORG]
  --event-table FQN     account event table                        [SNOWFLAKE.TELEMETRY.EVENTS]
  --public-key PATH     PEM public key for SPCS_BOT key-pair (SNOWFLAKE_JWT) login
  --no-seed             start with an empty account (users only)
  --no-running-service  do not pre-deploy ML_DB.SERVING.IRIS_SVC
  --no-network-policies do not enforce user network policies
  --pat-without-policy  let PATs be used by users subject to no network policy
                        (an authentication policy with NETWORK_POLICY_EVALUATION = ENFORCED_NOT_REQUIRED)
  --privatelink         a Business Critical account: SHOW ENDPOINTS has privatelink_ingress_url
  --fault SPEC          arm a fault at startup (repeatable):
                          build-failure[:MODEL[:MESSAGE]]
                          oom[:SERVICE[:startup|running]]
                          no-free-node:POOL
                          missing-privilege:PRIVILEGE:OBJECT_TYPE[:NAME[:ROLE]]
                          http503[:N]   session-expiry[:N]   slow-query[:N[:MS]]
  --quiet               do not log requests
  --help`;

const range = z.tuple([z.number().nonnegative(), z.number().nonnegative()]);
const TimingsJson = z
  .strictObject({
    nodeStartMs: range,
    poolStopMs: range,
    buildStartMs: range,
    buildMs: range,
    serviceStartMs: range,
    resumeStartMs: range,
    suspendMs: range,
    endpointMs: range,
    oomAfterMs: range,
    restartBackoffMs: z.number().nonnegative(),
    buildJobRetentionMs: z.number().nonnegative(),
    queryHoldRealMs: z.number().nonnegative(),
    resultHoldRealMs: z.number().nonnegative(),
  })
  .partial();

function parseTimings(text: string): Partial<Timings> {
  const parsed = TimingsJson.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`--timings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const out: Partial<Timings> = {};
  for (const [k, v] of Object.entries(parsed.data)) if (v !== undefined) Object.assign(out, { [k]: v });
  return out;
}

function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8085' },
      host: { type: 'string', default: '127.0.0.1' },
      speed: { type: 'string', default: '1' },
      fast: { type: 'boolean', default: false },
      timings: { type: 'string' },
      seed: { type: 'string' },
      account: { type: 'string' },
      org: { type: 'string' },
      'event-table': { type: 'string' },
      'public-key': { type: 'string' },
      'no-seed': { type: 'boolean', default: false },
      'no-running-service': { type: 'boolean', default: false },
      'no-network-policies': { type: 'boolean', default: false },
      'pat-without-policy': { type: 'boolean', default: false },
      privatelink: { type: 'boolean', default: false },
      fault: { type: 'string', multiple: true, default: [] },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return Promise.resolve();
  }
  const faults: FaultSpec[] = (values.fault ?? []).map(parseFaultFlag);
  const timings: Partial<Timings> = { ...(values.fast ? FAST_TIMINGS : {}), ...(values.timings ? parseTimings(values.timings) : {}) };
  const opts: EmulatorOptions = {
    port: Number(values.port),
    host: values.host,
    speed: Number(values.speed),
    timings,
    faults,
    seedData: !values['no-seed'],
    seedRunningService: !values['no-running-service'],
    enforceNetworkPolicies: !values['no-network-policies'],
    patNetworkPolicyEvaluation: values['pat-without-policy'] ? 'ENFORCED_NOT_REQUIRED' : 'ENFORCED_REQUIRED',
    privateLink: values.privatelink,
    ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
    ...(values.account !== undefined ? { account: values.account } : {}),
    ...(values.org !== undefined ? { organization: values.org } : {}),
    ...(values['event-table'] !== undefined ? { eventTable: values['event-table'] } : {}),
    ...(values['public-key'] !== undefined ? { botUser: { publicKeyPem: readFileSync(values['public-key'], 'utf8') } } : {}),
    ...(values.quiet ? {} : { log: (line: string) => console.log(`[emulator] ${new Date().toISOString()} ${line}`) }),
  };
  return startEmulator(opts).then((emu) => {
    const c = emu.credentials;
    console.log(`SPCS emulator listening on ${emu.url}`);
    console.log(
      `  connect: snowflake.createConnection({ accessUrl: '${emu.url}', account: '${c.account}', username: '${c.user}', password: '${c.password}' })`,
    );
    console.log(`  role ${c.role}; PAT ${c.pat}; OAuth token ${c.oauthToken}`);
    console.log(`  clock speed ${emu.clock.speed}; admin API: ${emu.url}/__emulator/state`);
    const stop = (): void => {
      void emu.close().then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
