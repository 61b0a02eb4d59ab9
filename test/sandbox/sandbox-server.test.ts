import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { isValidSlackRequest } from '@slack/bolt';
import { WebClient, type View } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../sandbox/page/snapshot.js';
import { APPROVER, REQUESTER } from '../../sandbox/people.js';
import { startSandbox, type Sandbox } from '../../sandbox/server.js';
import { waitUntil } from '../support/fake-slack.js';

const SIGNING_SECRET = 'sandbox-test-signing-secret';

/** What the stand-in app received, once Slack's signature checked out. */
interface Received {
  body: string;
  fields: Record<string, unknown>;
}

/** A stand-in for the bot: checks every request's signature as Bolt does, then lets the test answer it. */
class StandInApp {
  readonly received: Received[] = [];
  answer: (received: Received, res: ServerResponse) => void | Promise<void> = (_r, res) => void res.writeHead(200).end();
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/slack/events`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const valid = isValidSlackRequest({
      signingSecret: SIGNING_SECRET,
      body,
      headers: {
        'x-slack-signature': String(req.headers['x-slack-signature']),
        'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
      },
    });
    if (!valid) return void res.writeHead(401).end();
    const form = new URLSearchParams(body);
    const payload = form.get('payload');
    const fields = payload === null ? Object.fromEntries(form) : (JSON.parse(payload) as Record<string, unknown>);
    const received = { body, fields };
    this.received.push(received);
    await this.answer(received, res);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

let app: StandInApp;
let sandbox: Sandbox;
let web: WebClient;

beforeEach(async () => {
  app = new StandInApp();
  const botEventsUrl = await app.start();
  sandbox = await startSandbox({ port: 0, botEventsUrl, signingSecret: SIGNING_SECRET });
  web = new WebClient(sandbox.slack.botToken, { slackApiUrl: sandbox.slackApiUrl, retryConfig: { retries: 0 } });
});

afterEach(async () => {
  await sandbox.close();
  await app.close();
});

async function state(user: string): Promise<Snapshot> {
  const res = await fetch(`${sandbox.url}sandbox/api/state?user=${user}`);
  return (await res.json()) as Snapshot;
}

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${sandbox.url}sandbox/api/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

const MODAL: View = {
  type: 'modal',
  callback_id: 'name',
  title: { type: 'plain_text', text: 'Name' },
  submit: { type: 'plain_text', text: 'Save' },
  blocks: [
    {
      type: 'input',
      block_id: 'name',
      label: { type: 'plain_text', text: 'Name' },
      element: { type: 'plain_text_input', action_id: 'name' },
    },
  ],
};

describe('the local Slack sandbox', () => {
  it('sends a typed /command to the app signed as Slack signs it, and the modal it opens with the trigger_id is shown to that person only', async () => {
    app.answer = async ({ fields }, res) => {
      res.writeHead(200).end();
      await web.views.open({ trigger_id: String(fields['trigger_id']), view: MODAL });
    };
    const answer = await post('message', { user: REQUESTER.id, text: '/spcs deploy ML_DB.REGISTRY.IRIS_CLASSIFIER V1' });
    expect(answer['ok']).toBe(true);

    const [command] = app.received;
    expect(command?.fields).toMatchObject({
      command: '/spcs',
      text: 'deploy ML_DB.REGISTRY.IRIS_CLASSIFIER V1',
      user_id: REQUESTER.id,
      channel_name: 'ml-deploys',
    });
    expect(String(command?.fields['response_url'])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/response\//);
    await waitUntil(() => (sandbox.slack.currentView() ? true : undefined), { message: 'views.open never arrived' });
    expect((await state(REQUESTER.id)).views.map((v) => v.callback_id)).toEqual(['name']);
    expect((await state(APPROVER.id)).views).toEqual([]);
  });

  it('shows an ack slower than 3 seconds as the error Slack shows, to the person who typed the command', async () => {
    app.answer = (_r, res) => void setTimeout(() => res.writeHead(200).end(), 3_300);
    await post('message', { user: REQUESTER.id, text: '/spcs status IRIS_SVC' });
    const notices = (await state(REQUESTER.id)).notices;
    expect(notices.map((n) => n.text)).toEqual(['/spcs failed with the error "operation_timeout"']);
    expect(notices[0]?.details?.join(' ')).toContain('3-second ack window');
    expect((await state(APPROVER.id)).notices).toEqual([]);
  }, 10_000);

  it('shows a command ack with text as an ephemeral message to that person only', async () => {
    app.answer = (_r, res) =>
      void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: 'Only you can see this' }));
    await post('message', { user: REQUESTER.id, text: '/spcs help' });
    expect((await state(REQUESTER.id)).timeline.map((m) => [m.text, m.ephemeral])).toEqual([['Only you can see this', true]]);
    expect((await state(APPROVER.id)).timeline).toEqual([]);
  });

  it("shows a refused Web API call as a banner with Slack's reason: invalid_blocks from the one validator the tests use too", async () => {
    const longHeader = 'x'.repeat(151);
    await expect(
      web.chat.postMessage({
        channel: 'C05MLDEPLOY',
        text: 'hi',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: longHeader } }],
      }),
    ).rejects.toThrow(/invalid_blocks/);
    const [notice] = (await state(APPROVER.id)).notices;
    expect(notice?.text).toBe('chat.postMessage was refused: invalid_blocks');
    expect(notice?.details?.join('\n')).toMatch(/less than 151 characters/);
  });

  it('shows what the bot posts, edits and reacts to, in order, with one change on the feed for each', async () => {
    const seen: string[] = [];
    sandbox.slack.onChange((c) => seen.push(c.method));
    const posted = await web.chat.postMessage({ channel: 'C05MLDEPLOY', text: 'Deploying *IRIS*' });
    await web.chat.update({ channel: 'C05MLDEPLOY', ts: String(posted.ts), text: 'Deployed *IRIS*' });
    await web.reactions.add({ channel: 'C05MLDEPLOY', timestamp: String(posted.ts), name: 'rocket' });
    await expect(web.reactions.add({ channel: 'C05MLDEPLOY', timestamp: String(posted.ts), name: 'rocket' })).rejects.toThrow(
      /already_reacted/,
    );
    const [message] = (await state(APPROVER.id)).timeline;
    expect(message).toMatchObject({ text: 'Deployed *IRIS*', revisions: 2, reactions: [{ name: 'rocket', count: 1 }] });
    expect(seen).toEqual(['chat.postMessage', 'chat.update', 'reactions.add', 'reactions.add']);
  });

  it('puts a response_action: errors answer on the field it names, and keeps the modal open', async () => {
    app.answer = async ({ fields }, res) => {
      if (fields['command'] !== undefined) {
        res.writeHead(200).end();
        await web.views.open({ trigger_id: String(fields['trigger_id']), view: MODAL });
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ response_action: 'errors', errors: { name: 'Names start with a letter' } }));
    };
    await post('message', { user: REQUESTER.id, text: '/spcs rename' });
    const view = await waitUntil(() => sandbox.slack.currentView(), { message: 'no modal' });
    const answer = await post('submit', {
      user: REQUESTER.id,
      viewId: view.id,
      values: { name: { name: { type: 'plain_text_input', value: '1abc' } } },
    });
    expect(answer['ok']).toBe(true);
    const submitted = app.received.at(-1)?.fields;
    expect(submitted?.['type']).toBe('view_submission');
    expect(submitted?.['view']).toMatchObject({ state: { values: { name: { name: { type: 'plain_text_input', value: '1abc' } } } } });
    const [shown] = (await state(REQUESTER.id)).views;
    expect(shown?.errors).toEqual({ name: 'Names start with a letter' });
  });

  it('lets a trigger_id expire after 3 seconds, as Slack does, and shows the refused views.open', async () => {
    let opened: Promise<unknown> | undefined;
    app.answer = ({ fields }, res) => {
      res.writeHead(200).end();
      opened = new Promise((resolve) => setTimeout(resolve, 3_100)).then(() =>
        web.views.open({ trigger_id: String(fields['trigger_id']), view: MODAL }).catch((e: unknown) => e),
      );
    };
    await post('message', { user: REQUESTER.id, text: '/spcs deploy' });
    expect(String(await waitUntil(() => opened, { message: 'no views.open' }))).toContain('expired_trigger_id');
    expect((await state(REQUESTER.id)).notices.map((n) => n.text)).toEqual(['views.open was refused: expired_trigger_id']);
    expect((await state(REQUESTER.id)).views).toEqual([]);
  }, 10_000);

  it('tells the app a modal closed only when the view asked (notify_on_close)', async () => {
    let notify = false;
    app.answer = async ({ fields }, res) => {
      res.writeHead(200).end();
      if (fields['command'] !== undefined)
        await web.views.open({ trigger_id: String(fields['trigger_id']), view: { ...MODAL, notify_on_close: notify } });
    };
    for (const asked of [false, true]) {
      notify = asked;
      const before = app.received.length;
      await post('message', { user: REQUESTER.id, text: '/spcs deploy' });
      const view = await waitUntil(() => sandbox.slack.currentView(), { message: 'no modal' });
      await post('close', { user: REQUESTER.id, viewId: view.id, all: true });
      expect((await state(REQUESTER.id)).views).toEqual([]);
      expect(app.received.slice(before).map((r) => r.fields['type'] ?? 'command')).toEqual(
        asked ? ['command', 'view_closed'] : ['command'],
      );
    }
  });

  it('refuses requests another web page could make: other Host names, and posts that are not JSON', async () => {
    const port = new URL(sandbox.url).port;
    const rebound = await new Promise<number>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(`GET /sandbox/api/state HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`),
      );
      socket.once('data', (data) => {
        socket.destroy();
        resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data.toString())?.[1]));
      });
    });
    expect(rebound).toBe(403);
    const form = await fetch(`${sandbox.url}sandbox/api/message`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ user: REQUESTER.id, text: '/spcs drop X' }),
    });
    expect(form.status).toBe(415);
    expect(app.received).toEqual([]);
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const port = Number(new URL(sandbox.url).port);
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((i) => i?.family === 'IPv4' && !i.internal)?.address;
    if (outside === undefined) return; // no other interface on this machine
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, outside);
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
