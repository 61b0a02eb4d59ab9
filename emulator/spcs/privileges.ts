/**
 * Role-based access checks. No role hierarchy: a role has exactly the grants listed for it,
 * OWNERSHIP implies every privilege on its object, and ACCOUNTADMIN is allowed everything.
 * Denies (from the missing-privilege fault) override all of that, including ownership.
 */
import type { PrivilegeObjectType } from '../options.js';
import type { Grant, GrantObjectType, SpcsState } from './state.js';

export const SUPER_ROLE = 'ACCOUNTADMIN';

function denied(state: SpcsState, role: string, privilege: string, on: GrantObjectType, key: string): boolean {
  return state.denies.some(
    (d) => (d.role === null || d.role === role) && d.privilege === privilege && d.on === on && (d.key === null || d.key === key),
  );
}

export function hasPrivilege(state: SpcsState, role: string, privilege: string, on: GrantObjectType, key: string): boolean {
  if (denied(state, role, privilege, on, key)) return false;
  if (role === SUPER_ROLE) return true;
  return state.grants.some(
    (g) => g.role === role && g.on === on && g.key === key && (g.privilege === privilege || g.privilege === 'OWNERSHIP'),
  );
}

export function hasAnyPrivilege(state: SpcsState, role: string, privileges: readonly string[], on: GrantObjectType, key: string): boolean {
  return privileges.some((p) => hasPrivilege(state, role, p, on, key));
}

/** An object is visible to a role holding any privilege on it. */
export function canSee(state: SpcsState, role: string, on: GrantObjectType, key: string): boolean {
  if (role === SUPER_ROLE) return true;
  return state.grants.some((g) => g.role === role && g.on === on && g.key === key);
}

export function owner(state: SpcsState, on: GrantObjectType, key: string): string | undefined {
  return state.grants.find((g) => g.on === on && g.key === key && g.privilege === 'OWNERSHIP')?.role;
}

export function addGrant(
  state: SpcsState,
  g: Omit<Grant, 'grantOption' | 'grantedBy'> & Partial<Pick<Grant, 'grantOption' | 'grantedBy'>>,
): void {
  const exists = state.grants.some((x) => x.role === g.role && x.privilege === g.privilege && x.on === g.on && x.key === g.key);
  if (exists) return;
  state.grants.push({ grantOption: false, grantedBy: g.grantedBy ?? g.role, ...g });
}

export function removeGrantsOn(state: SpcsState, on: GrantObjectType, key: string): void {
  state.grants = state.grants.filter((g) => !(g.on === on && g.key === key));
}

export function toGrantObjectType(on: PrivilegeObjectType): GrantObjectType {
  switch (on) {
    case 'COMPUTE POOL':
      return 'COMPUTE_POOL';
    case 'NETWORK POLICY':
      return 'NETWORK_POLICY';
    case 'EVENT TABLE':
      return 'EVENT_TABLE';
    default:
      return on;
  }
}
