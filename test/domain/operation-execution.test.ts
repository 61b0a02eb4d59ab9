/**
 * Issue 13's pure rules for running a change (src/domain/operation.ts, approval-policy.ts): what a
 * worker decides from a fresh look at Snowflake when its predecessor died with a statement
 * unanswered, a person's answer to needs_attention, what the plan hash covers, and the gate's policy.
 */
import { describe, expect, it } from 'vitest';
import { policyFor, type ApprovalPolicy } from '../../src/domain/approval-policy.js';
import {
  decideAttention,
  decideFromObservation,
  operationHash,
  type Observation,
  type Operation,
  type OperationChange,
} from '../../src/domain/operation.js';

const service = (over: Partial<NonNullable<Extract<Observation, { kind: 'service' }>['service']>> = {}): Observation => ({
  kind: 'service',
  service: { status: 'RUNNING', minInstances: 1, maxInstances: 2, minReadyInstances: 1, autoSuspendSecs: 0, ...over },
});
const pool = (over: Partial<NonNullable<Extract<Observation, { kind: 'pool' }>['pool']>> = {}): Observation => ({
  kind: 'pool',
  pool: { state: 'ACTIVE', instanceFamily: 'CPU_X64_S', minNodes: 1, maxNodes: 2, ...over },
});
const noService: Observation = { kind: 'service', service: null };
const noPool: Observation = { kind: 'pool', pool: null };
const failed: Observation = { kind: 'failed', why: 'Insufficient privileges' };
const create: OperationChange = {
  kind: 'pool_create',
  instanceFamily: 'CPU_X64_S',
  minNodes: 1,
  maxNodes: 2,
  autoResume: true,
  statement: 'CREATE COMPUTE POOL IF NOT EXISTS P …',
};

describe('decideFromObservation: did the unanswered statement take effect?', () => {
  it.each<[string, OperationChange, Observation, ReturnType<typeof decideFromObservation>]>([
    ['suspend, service suspended', { kind: 'suspend' }, service({ status: 'SUSPENDED' }), 'applied'],
    ['suspend, service suspending', { kind: 'suspend' }, service({ status: 'SUSPENDING' }), 'applied'],
    ['suspend, service running', { kind: 'suspend' }, service(), 'not_applied'],
    ['resume, service pending again', { kind: 'resume' }, service({ status: 'PENDING' }), 'applied'],
    ['resume, still suspended', { kind: 'resume' }, service({ status: 'SUSPENDED' }), 'not_applied'],
    ['scale, new bounds shown', { kind: 'scale', min: 1, max: 4 }, service({ maxInstances: 4 }), 'applied'],
    ['scale, old bounds shown', { kind: 'scale', min: 1, max: 4 }, service(), 'not_applied'],
    [
      'scale with min ready, min ready not lowered yet',
      { kind: 'scale', min: 0, max: 2, minReady: 0 },
      service({ minInstances: 0 }),
      'not_applied',
    ],
    [
      'scale with min ready, all shown',
      { kind: 'scale', min: 0, max: 2, minReady: 0 },
      service({ minInstances: 0, minReadyInstances: 0 }),
      'applied',
    ],
    ['auto-suspend set', { kind: 'autosuspend', seconds: 600 }, service({ autoSuspendSecs: 600 }), 'applied'],
    ['auto-suspend not set', { kind: 'autosuspend', seconds: 600 }, service(), 'not_applied'],
    ['drop, service gone', { kind: 'drop' }, noService, 'applied'],
    ['drop, service deleting', { kind: 'drop' }, service({ status: 'DELETING' }), 'applied'],
    ['drop, service still there', { kind: 'drop' }, service(), 'not_applied'],
    ['scale, service gone', { kind: 'scale', min: 1, max: 4 }, noService, 'unknown'],
    ['suspend, service being deleted', { kind: 'suspend' }, service({ status: 'DELETED' }), 'unknown'],
    ['pool suspend, stopping', { kind: 'pool_suspend' }, pool({ state: 'STOPPING' }), 'applied'],
    ['pool suspend, active', { kind: 'pool_suspend' }, pool(), 'not_applied'],
    ['pool resume, starting', { kind: 'pool_resume' }, pool({ state: 'STARTING' }), 'applied'],
    ['pool resume, suspended', { kind: 'pool_resume' }, pool({ state: 'SUSPENDED' }), 'not_applied'],
    ['pool resume, pool gone', { kind: 'pool_resume' }, noPool, 'unknown'],
    ['pool create, there as asked', create, pool({ state: 'STARTING' }), 'applied'],
    ['pool create, not there', create, noPool, 'not_applied'],
    ['pool create, there with another shape', create, pool({ maxNodes: 5 }), 'unknown'],
  ])('%s → %s', (_what, change, seen, effect) => {
    expect(decideFromObservation(change, seen)).toBe(effect);
  });

  it('cannot tell whenever the look itself failed, whatever the change', () => {
    const changes: OperationChange[] = [{ kind: 'suspend' }, { kind: 'drop' }, { kind: 'pool_suspend' }, create];
    for (const change of changes) expect(decideFromObservation(change, failed)).toBe('unknown');
  });
});

const waiting = (): Operation => ({
  id: 'o0waiting1',
  service: 'DB.S.SVC',
  change: { kind: 'suspend' },
  before: { status: 'RUNNING', minInstances: 1, maxInstances: 1, autoSuspendSecs: 0 },
  gate: 'self',
  planHash: 'a'.repeat(64),
  requestedBy: 'U0REQ',
  teamId: 'T0',
  channelId: 'C0',
  requestedAtMs: 0,
  state: 'approved',
  approvals: [{ userId: 'U0REQ', atMs: 1 }],
  execution: {
    phase: 'needs_attention',
    sinceMs: 5,
    round: 1,
    statements: [{ text: 'ALTER SERVICE DB.S.SVC SUSPEND' }],
    note: 'looking at it failed',
  },
});

describe('decideAttention: a person answers a change that needs attention', () => {
  it('when they checked, then the unanswered statement is accepted by a person and the change done', () => {
    const next = decideAttention(waiting(), 'mark_done', 10);
    expect(next?.execution).toMatchObject({
      phase: 'done',
      sinceMs: 10,
      statements: [{ outcome: 'accepted', learnedBy: 'person', atMs: 10 }],
    });
  });

  it('when they retry, then the next round starts executing, the statement still unanswered (so the worker looks first)', () => {
    const next = decideAttention(waiting(), 'retry', 10);
    expect(next?.execution).toMatchObject({ phase: 'executing', round: 2, statements: [{ text: 'ALTER SERVICE DB.S.SVC SUSPEND' }] });
    expect(next?.execution?.statements[0]?.outcome).toBeUndefined();
  });

  it('when nothing is waiting (answered already, running, done), then nothing changes', () => {
    const op = waiting();
    for (const phase of ['executing', 'done', 'failed'] as const) {
      const other = { ...op, execution: { ...(op.execution ?? { sinceMs: 0, round: 1, statements: [] }), phase } };
      expect(decideAttention(other, 'mark_done', 10)).toBeNull();
      expect(decideAttention(other, 'retry', 10)).toBeNull();
    }
    const { execution: _none, ...neverRun } = op;
    expect(decideAttention(neverRun, 'retry', 10)).toBeNull();
  });
});

describe('operationHash covers the exact statements', () => {
  it('when the statement text differs for the same change, then the hash differs', () => {
    const change: OperationChange = { kind: 'suspend' };
    const a = operationHash('DB.S.SVC', change, ['ALTER SERVICE DB.S.SVC SUSPEND']);
    expect(a).toHaveLength(64);
    expect(operationHash('DB.S.SVC', change, ['ALTER SERVICE DB.S.SVC SUSPEND'])).toBe(a);
    expect(operationHash('DB.S.SVC', change, ['ALTER SERVICE DB.S."SVC" SUSPEND'])).not.toBe(a);
    expect(operationHash('DB.S.SVC', change, [])).not.toBe(a);
  });
});

describe('policyFor: the gate a record is behind', () => {
  const policy: ApprovalPolicy = { approvers: ['U0A'], requiredApprovals: 2, allowSelfApproval: false, ttlMs: 1000 };
  it('when approvers must agree, then the configured policy applies; the own gate is the requester alone, once', () => {
    expect(policyFor('approval', policy)).toEqual(policy);
    expect(policyFor('self', policy)).toEqual({ approvers: [], requiredApprovals: 1, allowSelfApproval: true, ttlMs: 1000 });
  });
});
