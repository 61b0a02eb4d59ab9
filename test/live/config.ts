/**
 * What the live contract suite connects to and what it is asked to do: the bot's own SNOWFLAKE_*
 * settings (parsed by src/snowflake/connection-config.ts), or a connections.toml connection named by
 * SNOWFLAKE_CONNECTION_NAME or `--connection`. The file is read with `toml`, the parser the driver
 * itself uses, only to check the section exists and to describe it; the driver loads it for the login.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseToml } from 'toml';
import { z } from 'zod';
import { describeConfig, parseSnowflakeEnv, type SnowflakeConfig } from '../../src/snowflake/connection-config.js';
import { parseQualifiedName } from '../../src/snowflake/identifiers.js';

export const USAGE = `Usage: npm run test:live -- [--connection NAME] [--service DB.SCHEMA.NAME] [--schema DB.SCHEMA]
                         [--deploy DB.SCHEMA.MODEL VERSION POOL] [--timeout 30m]

Read-only checks against a real Snowflake account through the bot's own src/snowflake code.
Connection: the bot's SNOWFLAKE_* settings, SNOWFLAKE_CONNECTION_NAME, or --connection NAME
(a [NAME] section of connections.toml in $SNOWFLAKE_HOME, default ~/.snowflake).
  --service      also inspect this service (SHOW SERVICES, DESCRIBE, containers, instances, endpoints, status)
  --schema       where SHOW SERVICES looks (default: the service's schema, else every database)
  --deploy       deploy MODEL VERSION to POOL as a new service, wait until it runs, call it once
                 (with a PAT login), then drop it. The only check that changes anything.
  --timeout      how long --deploy may take (default 30m, as snowflake-ml-python waits per phase)`;

export interface DeployRequest {
  readonly model: string;
  readonly version: string;
  readonly pool: string;
}

export interface LiveArgs {
  readonly connection: string | undefined;
  readonly service: string | undefined;
  readonly schema: string | undefined;
  readonly deploy: DeployRequest | undefined;
  readonly timeoutMs: number;
  readonly help: boolean;
}

export type ArgsResult = { readonly ok: true; readonly args: LiveArgs } | { readonly ok: false; readonly message: string };

const DURATION = /^(\d+)\s*([hms])$/i;

/** Parses the command line; names are checked here so a typo fails before any login. */
export function parseLiveArgs(argv: readonly string[]): ArgsResult {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: [...argv],
      options: {
        connection: { type: 'string' },
        service: { type: 'string' },
        schema: { type: 'string' },
        deploy: { type: 'string' },
        timeout: { type: 'string', default: '30m' },
        help: { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  }
  try {
    parsed = parse();
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  const { values, positionals } = parsed;
  const problems: string[] = [];
  let deploy: DeployRequest | undefined;
  if (values.deploy !== undefined) {
    // --deploy MODEL VERSION POOL: the option takes the model, the next two words follow it.
    const [version, pool, ...rest] = positionals;
    if (version === undefined || pool === undefined || rest.length > 0) {
      problems.push('--deploy: expected three values, DB.SCHEMA.MODEL VERSION POOL');
    } else {
      deploy = { model: values.deploy, version, pool };
      check(values.deploy, '--deploy model', 3, problems);
      check(version, '--deploy version', 1, problems);
      check(pool, '--deploy pool', 1, problems);
    }
  } else if (positionals.length > 0) {
    problems.push(`unexpected argument ${JSON.stringify(positionals[0])}`);
  }
  if (values.service !== undefined) check(values.service, '--service', 3, problems);
  if (values.schema !== undefined) check(values.schema, '--schema', 2, problems);
  const duration = DURATION.exec(values.timeout.trim());
  const factor = { h: 3_600_000, m: 60_000, s: 1_000 } as const;
  const unit = duration?.[2]?.toLowerCase();
  const timeoutMs = duration?.[1] !== undefined && (unit === 'h' || unit === 'm' || unit === 's') ? Number(duration[1]) * factor[unit] : 0;
  if (timeoutMs <= 0) problems.push('--timeout: expected a duration such as 30m, 90s or 1h');
  if (problems.length > 0) return { ok: false, message: problems.join('\n') };
  return {
    ok: true,
    args: {
      connection: values.connection?.trim(),
      service: values.service,
      schema: values.schema,
      deploy,
      timeoutMs,
      help: values.help,
    },
  };
}

function check(text: string, field: string, parts: 1 | 2 | 3, problems: string[]): void {
  const parsed = parseQualifiedName(text, field, { parts, allowQuoted: true });
  if (!parsed.ok) problems.push(parsed.message);
}

export type LiveTarget =
  /** Nothing configured: the suite says so in one line and exits 0. */
  | { readonly kind: 'skip'; readonly line: string }
  /** Something configured, but wrongly: each problem names the setting. */
  | { readonly kind: 'invalid'; readonly problems: readonly string[] }
  | { readonly kind: 'ready'; readonly config: SnowflakeConfig; readonly description: string };

/** The connection variables of connection-config.ts; any of them set means "configured". */
const CONNECTION_VARS = [
  'SNOWFLAKE_ACCOUNT',
  'SNOWFLAKE_USER',
  'SNOWFLAKE_CONNECTION_NAME',
  'SNOWFLAKE_PASSWORD',
  'SNOWFLAKE_PRIVATE_KEY_PATH',
  'SNOWFLAKE_TOKEN',
  'SNOWFLAKE_AUTHENTICATOR',
] as const;

const Section = z
  .object({
    account: z.string().optional(),
    user: z.string().optional(),
    authenticator: z.string().optional(),
    role: z.string().optional(),
    warehouse: z.string().optional(),
  })
  .loose();

export function connectionsTomlPath(env: Readonly<Record<string, string | undefined>>): string {
  const home = env.SNOWFLAKE_HOME?.trim();
  return join(home === undefined || home === '' ? join(homedir(), '.snowflake') : home, 'connections.toml');
}

type TomlRead =
  | { readonly ok: true; readonly sections: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly problem: string };

function readConnectionsToml(path: string): TomlRead {
  if (!existsSync(path)) return { ok: false, problem: `connections.toml: not found at ${path}` };
  try {
    const parsed = z.record(z.string(), z.unknown()).safeParse(parseToml(readFileSync(path, 'utf8')));
    return parsed.success
      ? { ok: true, sections: parsed.data }
      : { ok: false, problem: `connections.toml: ${path} is not a table of connections` };
  } catch (err) {
    // toml's errors carry a line and column, never the file's values.
    const where = err instanceof Error && 'line' in err ? ` (line ${String(err.line)})` : '';
    return { ok: false, problem: `connections.toml: ${path} is not valid TOML${where}` };
  }
}

/** Decides what to connect to. Never throws; never puts a secret into a message. */
export function resolveLiveTarget(env: Readonly<Record<string, string | undefined>>, args: Pick<LiveArgs, 'connection'>): LiveTarget {
  const path = connectionsTomlPath(env);
  const isSet = (name: string) => (env[name]?.trim() ?? '') !== '';
  if (args.connection === undefined && !CONNECTION_VARS.some(isSet)) {
    const file = readConnectionsToml(path);
    const names = file.ok ? Object.keys(file.sections) : [];
    const hint = names.length > 0 ? `; ${path} has ${names.join(', ')}` : '';
    return {
      kind: 'skip',
      line: `test:live skipped: no Snowflake account configured (set SNOWFLAKE_ACCOUNT with a credential, SNOWFLAKE_CONNECTION_NAME, or --connection NAME${hint})`,
    };
  }
  const merged = args.connection === undefined ? env : { ...env, SNOWFLAKE_CONNECTION_NAME: args.connection };
  const parsed = parseSnowflakeEnv(merged);
  if (!parsed.ok) return { kind: 'invalid', problems: parsed.problems };
  const config = parsed.config;
  if (config.source === 'env') return { kind: 'ready', config, description: describeConfig(config) };

  const file = readConnectionsToml(path);
  if (!file.ok) return { kind: 'invalid', problems: [file.problem] };
  const section = Section.safeParse(file.sections[config.connectionName]);
  if (!section.success) {
    const names = Object.keys(file.sections);
    return {
      kind: 'invalid',
      problems: [
        `connections.toml: no [${config.connectionName}] connection in ${path} (it has ${names.length > 0 ? names.join(', ') : 'none'})`,
      ],
    };
  }
  const s = section.data;
  const who = `${s.user ?? '(no user)'}@${s.account ?? '(no account)'}`;
  const how = [s.authenticator ?? 'password or key pair', s.role === undefined ? undefined : `as ${s.role}`]
    .filter((x) => x !== undefined)
    .join(' ');
  return { kind: 'ready', config, description: `${describeConfig(config)}: ${who} via ${how}` };
}
