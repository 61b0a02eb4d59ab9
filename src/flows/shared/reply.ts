import type { RespondArguments, RespondFn } from '@slack/bolt';
import { describeFailure, type EphemeralMessage, notice } from '../../blocks/kit.js';
import type { Logger } from '../../logger.js';
import { isSnowflakeError } from '../../snowflake/index.js';

/** What the reply helpers need: somewhere to log what the person only sees summarized. */
export interface ReplyDeps {
  readonly logger: Logger;
}

/** The failure as a message; logs it, since the person only sees the summary. */
export function failureMessage(deps: ReplyDeps, err: unknown, doing: string): EphemeralMessage {
  deps.logger.warn({ err, doing }, 'observe command failed');
  return notice(describeFailure(isSnowflakeError(err) ? err.failure : null, doing));
}

/**
 * Runs the Snowflake work of a command after its ack and sends the outcome through response_url.
 * Nothing escapes: a failure becomes a message naming what is missing, never a stack trace.
 */
export async function replyAfterAck(
  deps: ReplyDeps,
  respond: RespondFn,
  doing: string,
  work: () => Promise<EphemeralMessage | null>,
): Promise<void> {
  let reply: EphemeralMessage | null;
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
