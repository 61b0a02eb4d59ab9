import { type EphemeralMessage, usageError } from '../../blocks/kit.js';
import { serviceAmbiguous, serviceNotFound } from '../../blocks/observe-common.js';
import type { CommandHelp } from '../../blocks/help.js';
import type { Subcommand, SubcommandArgs } from '../subcommand.js';
import { replyAfterAck, type ReplyDeps } from './reply.js';
import {
  findService,
  identifierFromSnowflake,
  isSnowflakeError,
  listDatabases,
  listServices,
  parseIdentifier,
  parseQualifiedName,
  qualify,
  type Identifier,
  type ParseResult,
  type QualifiedName,
  type QueryRunner,
  type ServiceInfo,
} from '../../snowflake/index.js';

/**
 * How a person names a service: `DB.SCHEMA.NAME`, or just `NAME`, which is looked up in every
 * database the bot's role can see (the same scope as `/spcs list`). One match is used; several ask
 * for the full name; none is "not found or not authorized".
 */
export type ServiceArg =
  | { readonly kind: 'qualified'; readonly name: QualifiedName }
  | { readonly kind: 'bare'; readonly name: Identifier };

export const SERVICE_SHAPE = 'DATABASE.SCHEMA.SERVICE';

export function parseServiceArg(text: string | undefined): ParseResult<ServiceArg> {
  if (text === undefined || text.trim() === '')
    return { ok: false, message: `Service: required (${SERVICE_SHAPE}, or just the service name)` };
  const dots = text.split('.').length - 1;
  if (dots === 0) {
    const name = parseIdentifier(text, 'Service', { allowQuoted: true });
    return name.ok ? { ok: true, value: { kind: 'bare', name: name.value } } : name;
  }
  const name = parseQualifiedName(text, 'Service', { parts: 3, shape: SERVICE_SHAPE, allowQuoted: true });
  return name.ok ? { ok: true, value: { kind: 'qualified', name: name.value } } : name;
}

/** The words of a command that takes exactly one service; a wrong argument comes back as the usage message. */
export function parseOneService(
  argv: readonly string[],
  usage: string,
  example: string,
): { readonly ok: true; readonly value: ServiceArg } | { readonly ok: false; readonly reply: EphemeralMessage } {
  const [serviceText, ...extra] = argv;
  if (extra.length > 0) return { ok: false, reply: usageError('Too many words: expected one service.', usage, example) };
  const arg = parseServiceArg(serviceText);
  return arg.ok ? arg : { ok: false, reply: usageError(arg.message, usage, example) };
}

export function displayArg(arg: ServiceArg): string {
  return arg.name.toString();
}

/** The qualified name of a service row from SHOW SERVICES. */
export function nameOf(service: ServiceInfo): QualifiedName {
  return qualify(
    identifierFromSnowflake(service.databaseName),
    identifierFromSnowflake(service.schemaName),
    identifierFromSnowflake(service.name),
  );
}

/** 002003 and 003001 on one database mean "skip it", not "fail the whole listing". */
const skippable = (err: unknown): boolean => isSnowflakeError(err) && (err.kind === 'not_found' || err.kind === 'insufficient_privileges');

export interface ServicesEverywhere {
  readonly services: ServiceInfo[];
  /** Databases whose services could not be listed (no access). */
  readonly skipped: string[];
}

/** SHOW SERVICES IN DATABASE for every database SHOW DATABASES lists, job services left out. */
export async function listServicesEverywhere(db: QueryRunner): Promise<ServicesEverywhere> {
  const databases = await listDatabases(db);
  const skipped: string[] = [];
  const perDatabase = await Promise.all(
    databases.map(async (d) => {
      try {
        return await listServices(db, { database: identifierFromSnowflake(d.name) });
      } catch (err) {
        if (!skippable(err)) throw err;
        skipped.push(d.name);
        return [];
      }
    }),
  );
  return { services: perDatabase.flat().filter((s) => !s.isJob), skipped };
}

export type Resolution =
  | { readonly state: 'found'; readonly service: ServiceInfo; readonly name: QualifiedName }
  | { readonly state: 'missing' }
  | { readonly state: 'ambiguous'; readonly candidates: readonly QualifiedName[] };

export async function resolveService(db: QueryRunner, arg: ServiceArg): Promise<Resolution> {
  if (arg.kind === 'qualified') {
    const service = await findService(db, arg.name);
    return service === null ? { state: 'missing' } : { state: 'found', service, name: arg.name };
  }
  const { services } = await listServicesEverywhere(db);
  const matches = services.filter((s) => s.name === arg.name.name);
  const [only, ...others] = matches;
  if (only === undefined) return { state: 'missing' };
  if (others.length > 0) return { state: 'ambiguous', candidates: matches.map(nameOf) };
  return { state: 'found', service: only, name: nameOf(only) };
}

/**
 * Resolves the argument and hands the found service on; a missing or ambiguous name becomes the
 * message to show. Shared by every command that takes a service.
 */
export async function withService<T extends EphemeralMessage | null>(
  db: QueryRunner,
  arg: ServiceArg,
  found: (r: { readonly service: ServiceInfo; readonly name: QualifiedName }) => Promise<T>,
): Promise<T | EphemeralMessage> {
  const resolved = await resolveService(db, arg);
  if (resolved.state === 'missing') return serviceNotFound(displayArg(arg));
  if (resolved.state === 'ambiguous') return serviceAmbiguous(displayArg(arg), resolved.candidates.map(String));
  return found(resolved);
}

/**
 * A `/spcs <name> <service>` command: checks the one argument (answering a wrong one in the ack),
 * acks, then runs `work` and answers through response_url.
 */
export function createServiceCommand(
  deps: ReplyDeps,
  help: CommandHelp & { readonly examples: readonly [string, ...string[]]; readonly doing: string },
  work: (service: ServiceArg, args: SubcommandArgs) => Promise<EphemeralMessage | null>,
): Subcommand {
  const { doing, ...commandHelp } = help;
  return {
    ...commandHelp,
    async run(args) {
      const arg = parseOneService(args.argv, help.usage, help.examples[0]);
      if (!arg.ok) return args.ack(arg.reply);
      await args.ack();
      await replyAfterAck(deps, args.respond, doing, () => work(arg.value, args));
    },
  };
}
