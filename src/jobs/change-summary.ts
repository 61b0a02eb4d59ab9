import type { WebClient } from '@slack/web-api';
import { buildChangeSummary } from '../blocks/manage.js';
import type { Operation } from '../domain/operation.js';
import type { Logger } from '../logger.js';

/**
 * Re-renders a change request's approval summary in place (approvers' gate only: a self-confirmed
 * change has no summary). A failure is logged, not thrown: the record is already decided.
 */
export async function refreshChangeSummary(
  slack: Pick<WebClient, 'chat'>,
  op: Operation,
  requiredApprovals: number,
  logger: Logger,
): Promise<void> {
  if (op.gate !== 'approval' || op.messageTs === undefined) return;
  const summary = buildChangeSummary(op, requiredApprovals);
  await slack.chat
    .update({ channel: op.channelId, ts: op.messageTs, text: summary.text, blocks: summary.blocks })
    .catch((err: unknown) => logger.warn({ err }, 'could not update change summary'));
}
