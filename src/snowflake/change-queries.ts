import type { Observation, OperationChange } from '../domain/operation.js';
import type { QueryRunner } from './client.js';
import {
  createComputePoolStatement,
  findComputePool,
  resumeComputePoolStatement,
  suspendComputePoolStatement,
} from './compute-pool-queries.js';
import { parseIdentifier, parseQualifiedName, type ParseResult } from './identifiers.js';
import {
  dropServiceStatement,
  findService,
  resumeServiceStatement,
  setServiceAutoSuspendStatement,
  setServiceInstancesStatement,
  suspendServiceStatement,
} from './service-queries.js';
import type { Sql } from './sql.js';

/**
 * Service and pool changes behind the approval gate (issue 13): the statements a change sends,
 * built once from the stored request (their texts are part of the approved plan hash), and the
 * look at Snowflake a worker takes when its predecessor died with a statement unanswered.
 */

/** The statements a change sends, in order; a problem when the stored name no longer parses or the values are refused. */
export function planChangeStatements(target: string, change: OperationChange): ParseResult<Sql[]> {
  try {
    if (change.kind === 'pool_suspend' || change.kind === 'pool_resume' || change.kind === 'pool_create') {
      const pool = parseIdentifier(target, 'Compute pool', { allowQuoted: true });
      if (!pool.ok) return pool;
      if (change.kind === 'pool_suspend') return { ok: true, value: [suspendComputePoolStatement(pool.value)] };
      if (change.kind === 'pool_resume') return { ok: true, value: [resumeComputePoolStatement(pool.value)] };
      const family = parseIdentifier(change.instanceFamily, 'Instance family', { allowQuoted: true });
      if (!family.ok) return family;
      const statement = createComputePoolStatement({
        name: pool.value,
        instanceFamily: family.value,
        minNodes: change.minNodes,
        maxNodes: change.maxNodes,
        autoResume: change.autoResume,
      });
      return { ok: true, value: [statement] };
    }
    const name = parseQualifiedName(target, 'Service', { parts: 3, allowQuoted: true });
    if (!name.ok) return name;
    switch (change.kind) {
      case 'suspend':
        return { ok: true, value: [suspendServiceStatement(name.value)] };
      case 'resume':
        return { ok: true, value: [resumeServiceStatement(name.value)] };
      case 'scale':
        return { ok: true, value: [setServiceInstancesStatement(name.value, change)] };
      case 'autosuspend':
        return { ok: true, value: [setServiceAutoSuspendStatement(name.value, change.seconds)] };
      case 'drop':
        return { ok: true, value: [dropServiceStatement(name.value)] };
    }
  } catch (err) {
    // The builders throw RangeError on values Snowflake would refuse.
    if (err instanceof RangeError) return { ok: false, message: err.message };
    throw err;
  }
}

/** SHOW SERVICES … IN SCHEMA / SHOW COMPUTE POOLS LIKE … for the change's target, as an Observation (never throws). */
export async function observeChangeTarget(db: QueryRunner, target: string, change: OperationChange): Promise<Observation> {
  try {
    if (change.kind.startsWith('pool_')) {
      const pool = parseIdentifier(target, 'Compute pool', { allowQuoted: true });
      if (!pool.ok) return { kind: 'failed', why: pool.message };
      const found = await findComputePool(db, pool.value);
      return {
        kind: 'pool',
        pool:
          found === null
            ? null
            : { state: found.state, instanceFamily: found.instanceFamily, minNodes: found.minNodes, maxNodes: found.maxNodes },
      };
    }
    const name = parseQualifiedName(target, 'Service', { parts: 3, allowQuoted: true });
    if (!name.ok) return { kind: 'failed', why: name.message };
    const found = await findService(db, name.value);
    return {
      kind: 'service',
      service:
        found === null
          ? null
          : {
              status: found.status,
              minInstances: found.minInstances,
              maxInstances: found.maxInstances,
              minReadyInstances: found.minReadyInstances,
              autoSuspendSecs: found.autoSuspendSecs,
            },
    };
  } catch (err) {
    return { kind: 'failed', why: err instanceof Error ? err.message : String(err) };
  }
}
