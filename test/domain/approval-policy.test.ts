/**
 * The approval gate's rules as pure functions (src/domain/approval-policy.ts): each guard with its
 * reason code, the boundaries of the TTL, and properties that must hold for any policy and any
 * sequence of clicks (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideApproval,
  decideApprovalClick,
  decideExecution,
  decideExpiry,
  decideRejection,
  decideRejectionClick,
  isListedApprover,
  type ApprovalPolicy,
  type GateRecord,
} from '../../src/domain/approval-policy.js';

const HOUR = 3_600_000;
const REQUESTER = 'U0REQUEST';
const policy = (over: Partial<ApprovalPolicy> = {}): ApprovalPolicy => ({
  approvers: [],
  requiredApprovals: 1,
  allowSelfApproval: false,
  ttlMs: HOUR,
  ...over,
});
const record = (over: Partial<GateRecord> = {}): GateRecord => ({
  state: 'pending',
  requestedBy: REQUESTER,
  requestedAtMs: 0,
  planHash: 'h1',
  approvals: [],
  ...over,
});
const approver = (userId: string) => ({ userId, isApprover: true });

describe('decideApproval: one guard, one reason', () => {
  const pending = { ...record(), approvals: [] as string[] };
  it.each([
    ['a decided request', { ...pending, state: 'approved' as const }, approver('U0A'), 'h1', 0, 'already_decided'],
    ['a request older than the TTL', pending, approver('U0A'), 'h1', HOUR + 1, 'expired'],
    ['a summary showing another plan', pending, approver('U0A'), 'h0', 0, 'plan_changed'],
    ['someone not listed', pending, { userId: 'U0A', isApprover: false }, 'h1', 0, 'not_an_approver'],
    ['the requester', pending, approver(REQUESTER), 'h1', 0, 'own_request'],
    ['a second click by the same approver', { ...pending, approvals: ['U0A'] }, approver('U0A'), 'h1', 0, 'already_approved_by_you'],
  ])('refuses %s', (_what, req, clicker, shown, now, reason) => {
    expect(decideApproval(policy(), req, clicker, shown, now)).toEqual({ ok: false, reason });
  });

  it('accepts an approver exactly at the TTL, and the requester when self-approval is on', () => {
    expect(decideApproval(policy(), pending, approver('U0A'), 'h1', HOUR)).toEqual({ ok: true });
    expect(decideApproval(policy({ allowSelfApproval: true }), pending, approver(REQUESTER), 'h1', 0)).toEqual({ ok: true });
  });

  it('checks state before age, and age before the plan: the first failing guard names the reason', () => {
    expect(decideApproval(policy(), { ...pending, state: 'rejected' }, { userId: REQUESTER, isApprover: false }, 'h0', 10 * HOUR)).toEqual({
      ok: false,
      reason: 'already_decided',
    });
    expect(decideApproval(policy(), pending, { userId: REQUESTER, isApprover: false }, 'h0', 10 * HOUR)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });
});

describe('decideApprovalClick', () => {
  it('records approvals until the required number, then approves', () => {
    const p = policy({ requiredApprovals: 2 });
    const first = decideApprovalClick(record(), approver('U0A'), 'h1', p, 5);
    expect(first.result).toMatchObject({ outcome: 'recorded', count: 1, required: 2 });
    expect(first.write?.state).toBe('pending');
    const second = decideApprovalClick(first.write ?? record(), approver('U0B'), 'h1', p, 6);
    expect(second.result.outcome).toBe('approved');
    expect(second.write).toMatchObject({
      state: 'approved',
      approvals: [
        { userId: 'U0A', atMs: 5 },
        { userId: 'U0B', atMs: 6 },
      ],
    });
  });

  it('writes a stale pending record as expired, and leaves a refused one alone', () => {
    const stale = decideApprovalClick(record(), approver('U0A'), 'h1', policy(), HOUR + 1);
    expect(stale).toMatchObject({ write: { state: 'expired' }, result: { outcome: 'refused', reason: 'expired' } });
    const own = decideApprovalClick(record(), approver(REQUESTER), 'h1', policy(), 0);
    expect(own).toMatchObject({ write: null, result: { outcome: 'refused', reason: 'own_request' } });
  });

  it('for any policy and any clicks, approves only with enough distinct approvers, never counting the requester unless allowed', () => {
    const users = fc.constantFrom(REQUESTER, 'U0A', 'U0B', 'U0C', 'U0D');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.array(fc.tuple(users, fc.boolean()), { maxLength: 12 }),
        (required, self, clicks) => {
          const p = policy({ requiredApprovals: required, allowSelfApproval: self });
          let current = record();
          for (const [userId, isApprover] of clicks) {
            const step = decideApprovalClick(current, { userId, isApprover }, 'h1', p, 0);
            if (step.write !== null) current = step.write;
          }
          const ids = current.approvals.map((a) => a.userId);
          expect(new Set(ids).size).toBe(ids.length);
          if (!self) expect(ids).not.toContain(REQUESTER);
          expect(current.state === 'approved').toBe(ids.length >= required);
          expect(ids.length).toBeLessThanOrEqual(required);
        },
      ),
    );
  });
});

describe('decideRejection and decideRejectionClick', () => {
  it('lets the requester withdraw, refuses other non-approvers, and keeps the reason given', () => {
    expect(decideRejection(record(), { userId: REQUESTER, isApprover: false }, 'h1', policy(), 0)).toBeNull();
    expect(decideRejection(record(), { userId: 'U0X', isApprover: false }, 'h1', policy(), 0)).toBe('not_an_approver');
    expect(decideRejection(record(), approver('U0A'), 'h0', policy(), 0)).toBe('plan_changed');
    const click = decideRejectionClick(record(), approver('U0A'), 'h1', 'wrong pool', policy(), 7);
    expect(click).toEqual({
      write: { ...record(), state: 'rejected', rejection: { userId: 'U0A', atMs: 7, reason: 'wrong pool' } },
      refusal: null,
    });
    const rejectable: GateRecord & { readonly rejection?: { userId: string; atMs: number; reason?: string } } = record();
    expect(decideRejectionClick(rejectable, approver('U0A'), 'h1', '', policy(), 7).write?.rejection).toEqual({ userId: 'U0A', atMs: 7 });
  });
});

describe('decideExecution: the same rules again when the job starts', () => {
  const approved = {
    state: 'approved' as const,
    requestedBy: REQUESTER,
    requestedAtMs: 0,
    planHash: 'h1',
    currentPlanHash: 'h1',
    approvals: [{ userId: 'U0A', atMs: 10 }],
  };
  it.each([
    ['not approved', { ...approved, state: 'pending' as const }, policy(), 'not_approved'],
    ['a plan that changed after approval', { ...approved, currentPlanHash: 'h2' }, policy(), 'plan_changed'],
    ['more approvals required since the click', approved, policy({ requiredApprovals: 2 }), 'too_few_approvals'],
    [
      'a self-approval after self-approval was turned off',
      { ...approved, approvals: [{ userId: REQUESTER, atMs: 10 }] },
      policy(),
      'own_request',
    ],
    ['an approval given after the TTL', { ...approved, approvals: [{ userId: 'U0A', atMs: HOUR + 1 }] }, policy(), 'expired'],
  ])('refuses %s', (_what, req, p, reason) => {
    expect(decideExecution(p, req)).toEqual({ ok: false, reason });
  });

  it('runs an approved, unchanged plan with enough approvals in time', () => {
    expect(decideExecution(policy(), approved)).toEqual({ ok: true });
    expect(decideExecution(policy({ allowSelfApproval: true }), { ...approved, approvals: [{ userId: REQUESTER, atMs: 1 }] })).toEqual({
      ok: true,
    });
  });
});

describe('decideExpiry', () => {
  it('expires a pending record only after the TTL, and never a decided one', () => {
    expect(decideExpiry(record(), HOUR, HOUR)).toEqual({ write: null, result: { outcome: 'not_due', dueAtMs: HOUR + 1 } });
    expect(decideExpiry(record(), HOUR, HOUR + 1)).toMatchObject({ write: { state: 'expired' }, result: { outcome: 'expired' } });
    for (const state of ['approved', 'rejected', 'expired'] as const) {
      expect(decideExpiry(record({ state }), HOUR, 10 * HOUR)).toEqual({ write: null, result: { outcome: 'decided' } });
    }
  });

  it('agrees with a click: whatever expiry calls due, an approval click calls expired', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * HOUR }), (now) => {
        const byJob = decideExpiry(record(), HOUR, now).result.outcome === 'expired';
        const byClick = decideApprovalClick(record(), approver('U0A'), 'h1', policy(), now).result;
        expect(byClick.outcome === 'refused' && byClick.reason === 'expired').toBe(byJob);
      }),
    );
  });
});

describe('isListedApprover', () => {
  it('matches the user directly or through one of their user groups', () => {
    expect(isListedApprover(['U0A', 'S0TEAM'], 'U0A', [])).toBe(true);
    expect(isListedApprover(['S0TEAM'], 'U0B', ['S0OTHER', 'S0TEAM'])).toBe(true);
    expect(isListedApprover(['S0TEAM'], 'U0B', ['S0OTHER'])).toBe(false);
  });
});
