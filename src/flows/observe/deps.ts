import type { RespondArguments, RespondFn } from '@slack/bolt';
import { describeFailure, notice, type ObserveMessage } from '../../blocks/observe-kit.js';
import type { Logger } from '../../logger.js';
import { isSnowflakeError, type QueryRunner } from '../../snowflake/index.js';

/** What the read-only observe commands need; app.ts builds it. */
export interface ObserveDeps {
  /** Read-only statements only: SHOW …, DESCRIBE, SYSTEM$GET_SERVICE_LOGS, SPCS_GET_LOGS/METRICS. */
  readonly snowflake: QueryRunner;
  readonly logger: Logger;
  readonly now: () => number;
}

/** The failure as a message; logs it, since the person only sees the summary. */
export function failureMessage(deps: Pick<ObserveDeps, 'logger'>, err: unknown, doing: string): ObserveMessage {
  deps.logger.warn({ err, doing }, 'observe command failed');
  return notice(describeFailure(isSnowflakeError(err) ? err.failure : null, doing));
}

/**
 * Runs the Snowflake work of a command after its ack and sends the outcome through response_url.
 * Nothing escapes: a failure becomes a message naming what is missing, never a stack trace.
 */
export async function replyAfterAck(
  deps: Pick<ObserveDeps, 'logger'>,
  respond: RespondFn,
  doing: string,
  work: () => Promise<ObserveMessage | null>,
): Promise<void> {
  let reply: ObserveMessage | null;
  try {
    reply = await work();
  } catch (err) {
    reply = failureMessage(deps, err, doing);
  }
  if (reply === null) return;
  // Our message type is a readonly view of RespondArguments' fields.
  const args: RespondArguments = { ...reply, blocks: reply.blocks };
  await respond(args).catch((err: unknown) => deps.logger.warn({ err, doing }, 'could not respond'));
}
