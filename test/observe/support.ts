/** Shared steps for the observe e2e tests: run a /spcs command and wait for its response_url reply. */
import { blocksText, waitUntil, type FakeEphemeral, type FakeFile } from '../support/fake-slack.js';
import type { CommandResponse } from '../support/slack-request.js';
import { afterEach, beforeEach } from 'vitest';
import { connect, destroy, type Connection } from '../emulator/helpers.js';
import { startTestBot, type TestBot, type TestBotOptions } from '../support/test-bot.js';

export const CHANNEL = 'C0DEPLOYS0';

export interface Reply {
  readonly res: CommandResponse;
  readonly reply: FakeEphemeral;
  /** All text of the reply's blocks. */
  readonly text: string;
}

/** Sends `/spcs <text>` and waits for the next ephemeral posted through the response_url. */
export async function spcs(t: TestBot, text: string, timeoutMs = 10_000): Promise<Reply> {
  const before = t.fake.ephemerals().length;
  const res = await t.slack.slashCommand({ command: '/spcs', text });
  const reply = await waitUntil(
    () =>
      t.fake
        .ephemerals()
        .slice(before)
        .find((e) => e.source === 'response_url'),
    {
      timeoutMs,
      message: `no response_url reply to "/spcs ${text}" (ack ${res.status} ${res.text})\n${t.fake.describeCalls()}`,
    },
  );
  return { res, reply, text: blocksText(reply.blocks ?? []) };
}

/** Waits for the next file the bot uploads and completes. */
export async function nextFile(t: TestBot, before: number, timeoutMs = 15_000): Promise<FakeFile> {
  return waitUntil(
    () =>
      t.fake
        .files()
        .slice(before)
        .find((f) => f.completed),
    { timeoutMs, message: `no file uploaded\n${t.fake.describeCalls()}` },
  );
}

/** The text of the immediate ack (argument errors are answered there). */
export function ackText(res: CommandResponse): string {
  const body = res.body;
  if (typeof body !== 'object' || body === null) return String(body);
  const blocks: unknown = Reflect.get(body, 'blocks');
  return Array.isArray(blocks) ? blocksText(blocks) : String(Reflect.get(body, 'text') ?? '');
}

/** A test bot and a driver connection (as the bot's user) to its emulator, fresh for each test. */
export class BotSession {
  t!: TestBot;
  sql!: Connection;
}

export function useBotSession(options: TestBotOptions = {}): BotSession {
  const s = new BotSession();
  beforeEach(async () => {
    s.t = await startTestBot(options);
    s.sql = await connect(s.t.emulator);
  });
  afterEach(async () => {
    await destroy(s.sql);
    await s.t.stop();
  });
  return s;
}
