/**
 * Object lookups with Snowflake's visibility rules: an object you cannot see "does not exist
 * or not authorized" (002003); one you can see but lack the privilege for is 003001.
 */
import { doesNotExist, insufficientPrivileges } from '../errors.js';
import { canSee, hasAnyPrivilege, hasPrivilege } from './privileges.js';
import type { Sim } from './sim.js';
import type { ComputePool, Database, GrantObjectType, Model, Schema, Service } from './state.js';
import { displayName, key2, key3 } from './state.js';

export function canUseSchema(sim: Sim, role: string, db: string, schema: string): boolean {
  const st = sim.state;
  return hasPrivilege(st, role, 'USAGE', 'DATABASE', db) && hasPrivilege(st, role, 'USAGE', 'SCHEMA', key2(db, schema));
}

export function requireDatabase(sim: Sim, role: string, db: string): Database {
  const d = sim.state.databases.get(db);
  if (!d || !canSee(sim.state, role, 'DATABASE', db)) throw doesNotExist('Database', displayName(db));
  return d;
}

export function requireSchema(sim: Sim, role: string, db: string, schema: string): Schema {
  const s = sim.state.schemas.get(key2(db, schema));
  const visible = s && hasPrivilege(sim.state, role, 'USAGE', 'DATABASE', db) && canSee(sim.state, role, 'SCHEMA', key2(db, schema));
  if (!s || !visible) throw doesNotExist('Schema', displayName(db, schema));
  return s;
}

function visibleInSchema(sim: Sim, role: string, on: GrantObjectType, db: string, schema: string, name: string): boolean {
  return canUseSchema(sim, role, db, schema) && canSee(sim.state, role, on, key3(db, schema, name));
}

export function requireModel(sim: Sim, role: string, db: string, schema: string, name: string): Model {
  const m = sim.state.models.get(key3(db, schema, name));
  if (!m || !visibleInSchema(sim, role, 'MODEL', db, schema, name)) throw doesNotExist('Model', displayName(db, schema, name));
  return m;
}

export function requireService(sim: Sim, role: string, db: string, schema: string, name: string): Service {
  const s = sim.state.services.get(key3(db, schema, name));
  if (!s || !visibleInSchema(sim, role, 'SERVICE', db, schema, name)) throw doesNotExist('Service', displayName(db, schema, name));
  return s;
}

export function requirePool(sim: Sim, role: string, name: string): ComputePool {
  const p = sim.state.pools.get(name);
  if (!p || !canSee(sim.state, role, 'COMPUTE_POOL', name)) throw doesNotExist('Compute pool', displayName(name));
  return p;
}

/** Throws 003001 unless the role holds one of `privileges` (OWNERSHIP always counts). */
export function requirePrivilege(
  sim: Sim,
  role: string,
  privileges: readonly string[],
  on: GrantObjectType,
  key: string,
  kindLabel: string,
  name: string,
): void {
  if (!hasAnyPrivilege(sim.state, role, privileges, on, key)) throw insufficientPrivileges(kindLabel, name);
}
