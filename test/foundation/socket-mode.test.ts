import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { blocksText } from '../support/fake-slack.js';
import { FakeSocketMode } from '../support/fake-socket-mode.js';
import { startTestBot, type TestBot } from '../support/test-bot.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let socket: FakeSocketMode | undefined;
let t: TestBot | undefined;
afterEach(async () => {
  await t?.stop();
  await socket?.close();
});

describe('Socket Mode', () => {
  it('when SLACK_APP_TOKEN is set, then commands arrive over the websocket and health is served on PORT', async () => {
    const ws = await FakeSocketMode.start();
    socket = ws;
    const port = await freePort();
    t = await startTestBot({
      fakeSlack: { socketModeUrl: () => ws.connectionUrl() },
      env: { SLACK_APP_TOKEN: 'xapp-1-A0FAKEAPP-1-fake', SLACK_SIGNING_SECRET: '', PORT: String(port) },
    });
    expect(t.fake.calls('apps.connections.open')).toHaveLength(1);
    expect(ws.connectionCount).toBe(1);

    const ack = await ws.send('slash_commands', {
      token: 'unused',
      team_id: t.fake.identity.teamId,
      team_domain: 'fake-team',
      channel_id: 'C0DEPLOYS',
      channel_name: 'deploys',
      user_id: 'U0TESTUSER',
      user_name: 'test.user',
      command: '/spcs',
      text: 'help',
      api_app_id: 'A0FAKEAPP',
      response_url: t.fake.issueResponseUrl(),
      trigger_id: t.fake.issueTriggerId(),
    });
    const payload = ack.payload as { response_type: string; blocks: never };
    expect(payload.response_type).toBe('ephemeral');
    expect(blocksText(payload.blocks)).toContain('/spcs help [command]');

    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });
});
