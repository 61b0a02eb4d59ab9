/** Shared steps for the management e2e tests: run a command as someone, click the buttons it shows. */
import { blocksText, waitUntil, type FakeEphemeral } from '../support/fake-slack.js';
import type { TestBot } from '../support/test-bot.js';

export const CHANNEL = 'C0DEPLOYS0';
export const MANAGER = 'U0MANAGER1';
export const APPROVER = 'U0APPROVE1';
export const OUTSIDER = 'U0OUTSIDER';
export const SERVICE = 'ML_DB.SERVING.IRIS_SVC';

/** The manager is an approver too, so the self-approval rule (not the approver list) is what stops them. */
export const MANAGE_ENV = { SPCS_MANAGERS: MANAGER, SPCS_DEPLOYERS: MANAGER, SPCS_APPROVERS: `${APPROVER} ${MANAGER}` };

/** `/spcs <text>` as `user`; resolves to the next ephemeral for that user (response_url or postEphemeral). */
export async function spcsAs(t: TestBot, user: string, text: string): Promise<{ reply: FakeEphemeral; text: string }> {
  const before = t.fake.ephemerals().length;
  const res = await t.slack.slashCommand({ command: '/spcs', text, user: { id: user } });
  const reply = await waitUntil(
    () =>
      t.fake
        .ephemerals()
        .slice(before)
        .find((e) => e.user === user),
    {
      timeoutMs: 10_000,
      message: `no reply to "/spcs ${text}" (ack ${res.status} ${res.text})`,
    },
  );
  return { reply, text: blocksText(reply.blocks ?? []) + reply.text };
}

/** Clicks a button of an ephemeral and waits for the next ephemeral to that user, if `wait`. */
export async function clickEphemeral(t: TestBot, reply: FakeEphemeral, actionId: string, user: string): Promise<void> {
  await t.slack.clickButton({ channel: reply.channel, ts: reply.message_ts }, actionId, { user: { id: user } });
}

/** Waits until the channel (or a thread) has a message whose text matches. */
export function messageMatching(t: TestBot, pattern: RegExp): Promise<string> {
  return waitUntil(
    () =>
      t.fake
        .allMessages()
        .map((m) => blocksText(m.blocks ?? []) + m.text)
        .find((text) => pattern.test(text)),
    { timeoutMs: 10_000, message: `no message matching ${pattern}\n${t.fake.describeCalls()}` },
  );
}
