import { describe, expect, it } from 'vitest';
import { decideSubmissionRecovery, type HistoryLookup, type ServiceLookup } from '../../src/domain/deploy-recovery.js';

const SENT_AT = 1_000_000;
const found: HistoryLookup = { kind: 'found', queryId: '01b2-q' };
const noCall: HistoryLookup = { kind: 'absent' };
const noHistory: HistoryLookup = { kind: 'unreadable', why: '000606' };
const newService: ServiceLookup = { kind: 'present', createdOnMs: SENT_AT + 5 };
const oldService: ServiceLookup = { kind: 'present', createdOnMs: SENT_AT - 60_000 };
const undatedService: ServiceLookup = { kind: 'present', createdOnMs: null };
const noService: ServiceLookup = { kind: 'absent' };
const noShow: ServiceLookup = { kind: 'unreadable', why: '003001' };

describe('decideSubmissionRecovery', () => {
  it.each([
    ['the tagged CALL is in the history', found, noService, { kind: 'follow', queryId: '01b2-q' }],
    ['the tagged CALL is in the history, whatever SHOW SERVICES says', found, noShow, { kind: 'follow', queryId: '01b2-q' }],
    ['no CALL and no service', noCall, noService, { kind: 'not_taken' }],
    ['no CALL, and only a service older than the submission', noCall, oldService, { kind: 'not_taken' }],
    ['no CALL, but a service created since', noCall, newService, { kind: 'needs_attention', reason: 'service_without_query' }],
    [
      'no CALL, and a service without a creation time',
      noCall,
      undatedService,
      { kind: 'needs_attention', reason: 'service_without_query' },
    ],
    ['no CALL, and SHOW SERVICES unreadable', noCall, noShow, { kind: 'needs_attention', reason: 'service_unreadable' }],
    [
      'history unreadable and no service (the image may still be building)',
      noHistory,
      noService,
      { kind: 'needs_attention', reason: 'history_unreadable' },
    ],
    ['history unreadable and a service created since', noHistory, newService, { kind: 'needs_attention', reason: 'service_without_query' }],
    ['history unreadable and only an older service', noHistory, oldService, { kind: 'needs_attention', reason: 'history_unreadable' }],
  ] as const)('when %s, then %j', (_what, history, service, expected) => {
    expect(decideSubmissionRecovery(history, service, SENT_AT)).toEqual(expected);
  });

  it('never answers "not taken" unless the history was read', () => {
    for (const service of [noService, oldService, newService, undatedService, noShow])
      expect(decideSubmissionRecovery(noHistory, service, SENT_AT).kind).not.toBe('not_taken');
  });
});
