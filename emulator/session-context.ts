import { noCurrentContainer } from './errors.js';

/** What a statement runs as: the session's user, role and current database/schema. */
export interface SessionContext {
  sessionId: number;
  user: string;
  role: string;
  database: string | null;
  schema: string | null;
  warehouse: string | null;
  /** Session parameters from login plus statement parameters, upper-case keys. */
  params: Record<string, unknown>;
  /** Client IP (for network policies). */
  clientIp: string;
}

/** Resolves a 1–3 part schema-object name against the current database/schema. */
export function resolveObjectName(parts: readonly string[], ctx: SessionContext, command: string): [string, string, string] {
  const [a, b, c] = parts;
  if (parts.length === 3 && a !== undefined && b !== undefined && c !== undefined) return [a, b, c];
  if (parts.length === 2 && a !== undefined && b !== undefined) {
    if (!ctx.database) throw noCurrentContainer(command, 'database');
    return [ctx.database, a, b];
  }
  if (parts.length === 1 && a !== undefined) {
    if (!ctx.database) throw noCurrentContainer(command, 'database');
    if (!ctx.schema) throw noCurrentContainer(command, 'schema');
    return [ctx.database, ctx.schema, a];
  }
  throw noCurrentContainer(command, 'database');
}

/** Resolves a 1–2 part schema name against the current database. */
export function resolveSchemaName(parts: readonly string[], ctx: SessionContext, command: string): [string, string] {
  const [a, b] = parts;
  if (parts.length === 2 && a !== undefined && b !== undefined) return [a, b];
  if (parts.length === 1 && a !== undefined) {
    if (!ctx.database) throw noCurrentContainer(command, 'database');
    return [ctx.database, a];
  }
  throw noCurrentContainer(command, 'database');
}

/** True when a statement/session parameter is set to TRUE (boolean or 'true'/'TRUE'). */
export function paramIsTrue(ctx: SessionContext, name: string): boolean {
  const v = ctx.params[name.toUpperCase()];
  return v === true || (typeof v === 'string' && v.toUpperCase() === 'TRUE') || v === 1;
}

/** The current database and schema, or the Snowflake error for a missing one. */
export function currentSchema(ctx: SessionContext, command: string): [string, string] {
  if (!ctx.database) throw noCurrentContainer(command, 'database');
  if (!ctx.schema) throw noCurrentContainer(command, 'schema');
  return [ctx.database, ctx.schema];
}
