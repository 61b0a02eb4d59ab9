import type { ModalView } from '@slack/types';
import { buildAccessNoticeView, buildAccessOverview, type EndpointModel, type MethodModel } from '../../blocks/access.js';
import type { AccessChangeRecord } from '../../domain/access-change.js';
import type { AccessSession, AccessSessionStore } from '../../store/access-session-store.js';
import type { AccessChangeStore } from '../../store/access-change-store.js';
import { fqOf } from '../../domain/access-change-plan.js';
import { describeSignature, exampleInput, restPath } from './sample-input.js';

/** The modal's overview as pure functions, so the access worker and the notifier render it without Slack. */

function endpointModel(session: AccessSession): EndpointModel {
  const e = session.endpoint;
  if (e === undefined) return { state: 'unknown' };
  return e.state === 'ready' ? { state: 'ready', url: `https://${e.host}` } : e;
}

export function methodModels(session: AccessSession): MethodModel[] {
  return session.methods.map((m) => ({ name: m.name, signature: describeSignature(m), path: restPath(m.name), example: exampleInput(m) }));
}

export function overviewView(session: AccessSession): ModalView {
  return buildAccessOverview({
    sessionId: session.id,
    service: fqOf(session.service).sql,
    serviceStatus: session.serviceStatus,
    snowflakeUser: session.snowflakeUser,
    botUser: session.botUser,
    networkPolicy: session.networkPolicy,
    accountPolicy: session.accountPolicy,
    endpoint: endpointModel(session),
    model: session.model === undefined || session.model === null ? session.model : `${session.model.fq} VERSION ${session.model.version}`,
    methods: methodModels(session),
    ...(session.notice !== undefined && { notice: session.notice }),
  });
}

/** What the notifier sends once a change ran: the overview on the modal, or the notice where the person sees it. */
export interface AccessResult {
  readonly viewId: string;
  readonly view: ModalView;
  readonly text: string;
  readonly channelId: string;
  readonly userId: string;
}

export function createAccessResults(deps: { readonly changes: Pick<AccessChangeStore, 'get'>; readonly sessions: AccessSessionStore }) {
  return async (accessId: string): Promise<AccessResult | null> => {
    const record: AccessChangeRecord | null = await deps.changes.get(accessId);
    if (record === null || record.notice === undefined) return null;
    const session = await deps.sessions.get(record.sessionId);
    return {
      viewId: record.viewId,
      // The worker saved the session with the notice; if it expired meanwhile, the notice alone.
      view: session === null ? buildAccessNoticeView(record.notice) : overviewView({ ...session, notice: record.notice }),
      text: record.notice,
      channelId: record.channelId,
      userId: record.requestedBy,
    };
  };
}
