/**
 * `npm run test:live -- [--connection NAME] [--service DB.SCHEMA.NAME] [--deploy MODEL VERSION POOL]`:
 * the live contract checks (contract.ts) against the account the settings name. Without any, it
 * says so in one line and exits 0, so it can sit in any script. Exit 1 when a check fails, 2 on
 * bad settings or arguments. CI does not run it (it is not a *.test.ts file).
 */
import { createSnowflakeClient } from '../../src/snowflake/client.js';
import { ingressUrlTemplate } from '../../src/config.js';
import { parseLiveArgs, resolveLiveTarget, USAGE } from './config.js';
import { formatResults, runLiveContract } from './contract.js';
import { requireQualifiedName } from '../../src/snowflake/identifiers.js';

// The driver's cloud-platform probe and connection telemetry are of no use to a one-off check run.
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE ??= '1';

async function main(): Promise<number> {
  const parsed = parseLiveArgs(process.argv.slice(2));
  if (!parsed.ok) {
    console.error(`${parsed.message}\n\n${USAGE}`);
    return 2;
  }
  const args = parsed.args;
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const target = resolveLiveTarget(process.env, args);
  if (target.kind === 'skip') {
    console.log(target.line);
    return 0;
  }
  if (target.kind === 'invalid') {
    console.error(`test:live: the Snowflake settings are not usable:\n${target.problems.map((p) => `  ${p}`).join('\n')}`);
    return 2;
  }
  // Only for the emulator's plain-http ingress; checked exactly as the bot checks it.
  const rawOverride = process.env.SPCS_INGRESS_URL_OVERRIDE?.trim();
  const ingress = rawOverride === undefined || rawOverride === '' ? undefined : ingressUrlTemplate.safeParse(rawOverride);
  if (ingress !== undefined && !ingress.success) {
    console.error(`test:live: SPCS_INGRESS_URL_OVERRIDE: expected ${ingress.error.issues[0]?.message ?? 'a URL template'}`);
    return 2;
  }
  console.log(`test:live against ${target.description}${args.deploy === undefined ? ' (read-only)' : ' (deploys and drops one service)'}`);
  const client = createSnowflakeClient(target.config);
  try {
    const results = await runLiveContract({
      client,
      service: args.service === undefined ? undefined : requireQualifiedName(args.service, '--service', 3),
      schema: args.schema === undefined ? undefined : requireQualifiedName(args.schema, '--schema', 2),
      deploy: args.deploy,
      timeoutMs: args.timeoutMs,
      pollMs: 5_000,
      pat: target.config.source === 'env' && target.config.auth.method === 'pat' ? target.config.auth.token.reveal() : undefined,
      ingressUrlOverride: ingress?.data,
      onResult: (r) => {
        for (const line of formatResults([r]).slice(0, -1)) console.log(line);
      },
    });
    console.log(formatResults(results).at(-1));
    return results.some((r) => r.status === 'fail') ? 1 : 0;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`test:live: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
