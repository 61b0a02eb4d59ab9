import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blocksText } from '../support/fake-slack.js';
import { startTestBot, TEST_SIGNING_SECRET, type TestBot } from '../support/test-bot.js';

let t: TestBot;
beforeEach(async () => {
  t = await startTestBot();
});
afterEach(async () => {
  await t.stop();
});

/** Web API calls other than the auth.test Bolt makes at start. */
const slackCallsAfterStart = () => t.fake.calls().filter((c) => c.method !== 'auth.test');

describe('Slack request signatures', () => {
  it('when a command is signed with the signing secret, then it is handled', async () => {
    const res = await t.slack.slashCommand({ command: '/spcs', text: 'help' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response_type: 'ephemeral' });
  });

  it.each([
    ['missing', { omitSignature: true }],
    ['signed with another secret', { signingSecret: `${TEST_SIGNING_SECRET}-other` }],
    ['six minutes old', { timestamp: Math.floor(Date.now() / 1000) - 360 }],
    ['without a timestamp', { omitTimestamp: true }],
  ])('when the signature is %s, then the bot answers 401 and calls no Slack API', async (_label, signing) => {
    const res = await t.slack.slashCommand({ command: '/spcs', text: 'help', signing });
    expect(res.status).toBe(401);
    expect(res.text).not.toContain('spcs-chatops commands');
    // Give a wrongly-accepted request time to reach the Web API before asserting it did not.
    await new Promise((r) => setTimeout(r, 100));
    expect(slackCallsAfterStart()).toEqual([]);
  });
});

describe('/spcs command router', () => {
  it('when /spcs help is run, then the caller alone sees every command with a one-line usage', async () => {
    const res = await t.slack.slashCommand({ command: '/spcs', text: 'help' });
    const body = res.body as { response_type: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    expect(blocksText(body.blocks as never)).toContain('/spcs help [command]');
    expect(res.elapsedMs).toBeLessThan(3000);
  });

  it('when /spcs is run bare, then it answers with the same help', async () => {
    const bare = await t.slack.slashCommand({ command: '/spcs', text: '' });
    const help = await t.slack.slashCommand({ command: '/spcs', text: 'help' });
    expect(bare.body).toEqual(help.body);
  });

  it('when the subcommand is unknown, then the help names what was typed, escaped', async () => {
    const res = await t.slack.slashCommand({ command: '/spcs', text: 'frobnicate <!channel> now' });
    const text = blocksText((res.body as { blocks: never }).blocks);
    expect(text).toContain("I don't know `/spcs frobnicate`");
    expect(res.text).not.toContain('<!channel>');
    expect((res.body as { response_type: string }).response_type).toBe('ephemeral');
  });

  it('when help is asked about one command, then its usage and examples are shown', async () => {
    const res = await t.slack.slashCommand({ command: '/spcs', text: 'help help' });
    const text = blocksText((res.body as { blocks: never }).blocks);
    expect(text).toContain('Examples');
    expect(text).toContain('/spcs help deploy');
  });

  it('when a request is handled, then its log lines carry team, user and command', async () => {
    await t.slack.slashCommand({ command: '/spcs', text: 'nope' });
    const scoped = t.logs.filter((l) => l.command === '/spcs');
    expect(scoped.length).toBeGreaterThan(0);
    expect(scoped[0]).toMatchObject({ user: 'U0TESTUSER', team: expect.any(String) });
    expect(t.logText()).not.toContain(t.fake.botToken);
  });
});

describe('health endpoints', () => {
  it('when the process runs, then /healthz answers 200', async () => {
    const res = await fetch(`${t.baseUrl}/healthz`);
    expect(res.status).toBe(200);
  });

  it('when Redis and Snowflake answer, then /readyz answers 200', async () => {
    const res = await fetch(`${t.baseUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });
});

describe('readiness with Redis down', () => {
  it('when Redis does not answer, then /readyz answers 503 naming redis while /healthz stays 200', async () => {
    const down = await startTestBot({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const ready = await fetch(`${down.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'unavailable', failing: [{ name: 'redis' }] });
      expect((await fetch(`${down.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await down.stop();
    }
  });
});

describe('readiness with Snowflake down', () => {
  it('when Snowflake refuses the login, then /readyz answers 503 naming snowflake, without the password', async () => {
    const down = await startTestBot({ env: { SNOWFLAKE_PASSWORD: 'wrong-password-shh' } });
    try {
      const ready = await fetch(`${down.baseUrl}/readyz`);
      const body = await ready.text();
      expect(ready.status).toBe(503);
      expect(JSON.parse(body)).toMatchObject({ status: 'unavailable', failing: [{ name: 'snowflake' }] });
      expect(body).not.toContain('wrong-password-shh');
      expect(down.logText()).not.toContain('wrong-password-shh');
    } finally {
      await down.stop();
    }
  });
});

describe('process roles', () => {
  it('when ROLE=worker, then it takes no Slack requests but answers health probes', async () => {
    const worker = await startTestBot({ env: { ROLE: 'worker' } });
    try {
      expect((await fetch(`${worker.baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${worker.baseUrl}/readyz`)).status).toBe(200);
      const res = await worker.slack.slashCommand({ command: '/spcs', text: 'help' });
      expect(res.status).toBe(404);
    } finally {
      await worker.stop();
    }
  });
});
