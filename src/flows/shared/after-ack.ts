/**
 * Awaited right after ack(): requests that arrived meanwhile are read and acknowledged before this
 * one's follow-up work (Redis, audit, the reply) runs. Slack's 3 s limit is on the ack; the
 * follow-up only has to arrive soon after.
 */
export function afterAck(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
