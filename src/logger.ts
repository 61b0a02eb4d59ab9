import { AsyncLocalStorage } from 'node:async_hooks';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger } from 'pino';

/** Fields that every log line written while handling one request (or one job) carries. */
export interface LogScope {
  team?: string;
  user?: string;
  command?: string;
  action?: string;
  deploymentId?: string;
  /** A service or pool change request (its audit entries carry it as deploymentId). */
  operationId?: string;
}

const scopeStorage = new AsyncLocalStorage<LogScope>();

/** Runs `fn` with `fields` added to every log line written inside it, however deep. */
export function withLogScope<T>(fields: LogScope, fn: () => T): T {
  return scopeStorage.run({ ...scopeStorage.getStore(), ...fields }, fn);
}

// Secrets can hide inside free text (an error message, a Bolt debug line), not only in known fields.
const SECRET_PATTERNS: readonly RegExp[] = [
  /xox[abposre]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /(Snowflake Token=")[^"]*(")/gi,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  // A modal input whose id ends in `_secret` (the PAT of /spcs access), as it appears in a payload's
  // state.values; also JSON-in-JSON with escaped quotes. Socket Mode debug logs print whole payloads.
  /(\\?"[\w.-]*_secret\\?"\s*:\s*\{[^{}]*?\\?"value\\?"\s*:\s*\\?")(?:[^"\\]|\\[^"])*(\\?")/g,
];

/** Replaces anything that looks like a token or key with a marker. */
export function scrubSecrets(text: string): string {
  return SECRET_PATTERNS.reduce(
    (out, pattern) =>
      out.replace(pattern, (_m, pre?: unknown, post?: unknown) =>
        typeof pre === 'string' && typeof post === 'string'
          ? `${pre}[redacted]${post}`
          : typeof pre === 'string'
            ? `${pre}[redacted]`
            : '[redacted]',
      ),
    text,
  );
}

const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  'pat',
  'passphrase',
  'privateKey',
  'authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.pat',
  '*.passphrase',
  '*.privateKey',
  '*.authorization',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  'headers.authorization',
  '*.headers.authorization',
];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * JSON lines by default (for log shippers); `pretty` for a person at a terminal: one coloured line
 * per entry through pino-pretty, written synchronously so nothing is lost when the process exits.
 * Scrubbing and redaction happen before either format sees a line.
 */
export function createLogger(level: LevelWithSilent, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const out =
    format === 'pretty'
      ? pinoPretty({
          sync: true,
          colorize: destination === undefined && process.stdout.isTTY,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,service',
          ...(destination !== undefined && { destination }),
        })
      : destination;
  return pino(
    {
      level,
      base: { service: 'spcs-chatops' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin: () => ({ ...scopeStorage.getStore() }),
      serializers: {
        err: (err: unknown) => {
          const s = pino.stdSerializers.err(err instanceof Error ? err : new Error(String(err)));
          return { ...s, message: scrubSecrets(s.message), stack: scrubSecrets(s.stack) };
        },
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg: unknown) => (typeof arg === 'string' ? scrubSecrets(arg) : arg));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    out,
  );
}

const BOLT_LEVELS: ReadonlyArray<readonly [LogLevel, LevelWithSilent]> = [
  [LogLevel.DEBUG, 'debug'],
  [LogLevel.INFO, 'info'],
  [LogLevel.WARN, 'warn'],
  [LogLevel.ERROR, 'error'],
];

/** Bolt logs through our pino logger, so its lines are JSON, scoped and scrubbed like ours. */
export function toBoltLogger(base: Logger): BoltLogger {
  let log = base.child({ component: 'bolt' });
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]) => {
      const err = msg.find((m): m is Error => m instanceof Error);
      const text = msg
        .filter((m) => !(m instanceof Error))
        .map((m) => (typeof m === 'string' ? m : JSON.stringify(m)))
        .join(' ');
      if (err) log[level]({ err }, text);
      else log[level](text);
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    // Our LOG_LEVEL governs; Bolt asking for a level does not override it.
    setLevel: () => undefined,
    getLevel: () => {
      const found = BOLT_LEVELS.find(([, pinoLevel]) => pinoLevel === log.level);
      return found ? found[0] : LogLevel.ERROR;
    },
    setName: (name: string) => {
      log = base.child({ component: name });
    },
  };
}
