/**
 * The signed-request client and the fake together, against a REAL Bolt app in HTTP mode: the
 * path end-to-end tests take (Slack → bot over signed HTTP, bot → Slack over the Web API).
 */
import { Server } from 'node:http';
import { App, LogLevel, type Logger } from '@slack/bolt';
import type { KnownBlock, ModalView } from '@slack/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blocksText, startFakeSlack, waitUntil, type FakeSlack } from './support/fake-slack.js';
import { createSlackRequestClient, type SlackRequestClient } from './support/slack-request.js';

const SIGNING_SECRET = 'fake-signing-secret';

const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

function wizard(step: number): ModalView {
  const blocks: KnownBlock[] =
    step === 1
      ? [
          {
            type: 'input',
            block_id: 'name_block',
            label: { type: 'plain_text', text: 'Service name' },
            element: { type: 'plain_text_input', action_id: 'name' },
            optional: true,
          },
          {
            type: 'input',
            block_id: 'env_block',
            label: { type: 'plain_text', text: 'Environment' },
            element: {
              type: 'static_select',
              action_id: 'env',
              options: ['dev', 'prod'].map((v) => ({ text: { type: 'plain_text', text: v.toUpperCase() }, value: v })),
            },
          },
          {
            type: 'section',
            block_id: 'model_block',
            text: { type: 'mrkdwn', text: 'Model' },
            accessory: { type: 'external_select', action_id: 'model', placeholder: { type: 'plain_text', text: 'Pick a model' } },
          },
        ]
      : [{ type: 'section', text: { type: 'mrkdwn', text: 'Step 2: confirm' } }];
  return {
    type: 'modal',
    callback_id: 'wizard',
    private_metadata: JSON.stringify({ step }),
    notify_on_close: true,
    title: { type: 'plain_text', text: 'Deploy' },
    submit: { type: 'plain_text', text: step === 1 ? 'Next' : 'Deploy' },
    blocks,
  };
}

let slack: FakeSlack;
let app: App;
let requests: SlackRequestClient;
let closedViews: string[];

beforeEach(async () => {
  slack = await startFakeSlack();
  closedViews = [];
  app = new App({ token: slack.botToken, signingSecret: SIGNING_SECRET, clientOptions: slack.webClientOptions(), logger: silentLogger });

  app.command('/spcs', async ({ ack, body, client }) => {
    await ack();
    await client.views.open({ trigger_id: body.trigger_id, view: wizard(1) });
  });
  app.view('wizard', async ({ ack, view }) => {
    const step = Number(JSON.parse(view.private_metadata).step);
    const values = view.state.values;
    if (step === 2) return ack();
    if (!values['name_block']?.['name']?.value) return ack({ response_action: 'errors', errors: { name_block: 'Required' } });
    if (values['env_block']?.['env']?.selected_option?.value !== 'prod')
      return ack({ response_action: 'errors', errors: { env_block: 'prod only' } });
    await ack({ response_action: 'update', view: wizard(2) });
  });
  app.view({ callback_id: 'wizard', type: 'view_closed' }, async ({ ack, view }) => {
    await ack();
    closedViews.push(view.id);
  });
  app.options('model', async ({ ack, options }) => {
    await ack({ options: [{ text: { type: 'plain_text', text: `${options.value}-v1` }, value: `${options.value}:1` }] });
  });
  app.action('approve', async ({ ack, respond }) => {
    await ack();
    await respond({ replace_original: true, text: 'Approved' });
  });
  app.event('app_mention', async ({ event, client }) => {
    await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: 'on it' });
  });

  const server: unknown = await app.start(0);
  if (!(server instanceof Server)) throw new Error('expected the HTTP receiver to return an http.Server');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  requests = createSlackRequestClient({ url: `http://127.0.0.1:${address.port}/slack/events`, signingSecret: SIGNING_SECRET, fake: slack });
});

afterEach(async () => {
  await app.stop();
  await slack.close();
});

describe('signed requests to a real Bolt app', () => {
  it('opens a modal from a slash command with the trigger the fake issued', async () => {
    const res = await requests.slashCommand({ command: '/spcs', text: 'deploy' });
    expect(res.status).toBe(200);
    const call = await slack.waitForCall('views.open', (c) => c.ok);
    expect(call.args['trigger_id']).toBe(res.triggerId);
    expect(slack.currentView()?.callback_id).toBe('wizard');
  });

  it('gets 401 for a stale timestamp, a wrong secret or no signature', async () => {
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 360;
    expect((await requests.slashCommand({ command: '/spcs', signing: { timestamp: sixMinutesAgo } })).status).toBe(401);
    expect((await requests.slashCommand({ command: '/spcs', signing: { signingSecret: 'wrong' } })).status).toBe(401);
    expect((await requests.slashCommand({ command: '/spcs', signing: { omitSignature: true } })).status).toBe(401);
    expect(slack.calls('views.open')).toEqual([]);
  });

  it('walks a modal through errors, update and close', async () => {
    await requests.slashCommand({ command: '/spcs' });
    await slack.waitForCall('views.open', (c) => c.ok);
    const viewId = slack.currentView()?.id ?? '';
    const firstHash = slack.currentView()?.hash;

    const missing = await requests.viewSubmission({ viewId });
    expect(missing.body).toEqual({ response_action: 'errors', errors: { name_block: 'Required' } });
    expect(slack.view(viewId)?.submissionErrors).toEqual({ name_block: 'Required' });

    const wrongEnv = await requests.viewSubmission({ viewId, inputs: { name: 'churn', env: 'dev' } });
    expect(wrongEnv.body).toMatchObject({ errors: { env_block: 'prod only' } });
    expect(wrongEnv.payload['view']).toMatchObject({
      state: { values: { name_block: { name: { type: 'plain_text_input', value: 'churn' } } } },
    });

    const next = await requests.viewSubmission({ viewId, inputs: { env: 'prod' } });
    expect(next.viewOutcome).toEqual({ ok: true });
    expect(blocksText(slack.view(viewId)?.blocks)).toBe('Step 2: confirm');
    expect(slack.view(viewId)?.hash).not.toBe(firstHash);

    await requests.viewSubmission({ viewId });
    expect(slack.view(viewId)?.open).toBe(false);
    expect(slack.viewStack()).toEqual([]);
  });

  it('loads external select options and reports a closed view', async () => {
    await requests.slashCommand({ command: '/spcs' });
    await slack.waitForCall('views.open', (c) => c.ok);
    const viewId = slack.currentView()?.id ?? '';
    const options = await requests.blockSuggestion({ in: { viewId }, actionId: 'model', value: 'churn' });
    expect(options.body).toEqual({ options: [{ text: { type: 'plain_text', text: 'churn-v1' }, value: 'churn:1' }] });

    await requests.viewClosed({ viewId });
    await waitUntil(() => closedViews.length > 0);
    expect(closedViews).toEqual([viewId]);
    expect(slack.view(viewId)?.open).toBe(false);
  });

  it('clicks a message button; respond() replaces the message via response_url', async () => {
    const approve: KnownBlock[] = [
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, value: 'd-1' }],
      },
    ];
    const { ts } = await app.client.chat.postMessage({ channel: 'C1', text: 'Approve?', blocks: approve });
    const click = await requests.clickButton({ channel: 'C1', ts: ts ?? '' }, 'approve');
    expect(click.status).toBe(200);
    expect(click.payload['actions']).toEqual([expect.objectContaining({ type: 'button', action_id: 'approve', value: 'd-1' })]);
    await slack.waitForCall('response_url', (c) => c.ok);
    expect(slack.message('C1', ts ?? '')?.text).toBe('Approved');
    expect(slack.message('C1', ts ?? '')?.blocks).toBeUndefined(); // buttons gone
  });

  it('delivers app_mention and lets the bot reply in the thread', async () => {
    const mention = await requests.appMention({ channel: 'C1', text: 'status' });
    expect(mention.status).toBe(200);
    await slack.waitForCall('chat.postMessage', (c) => c.ok);
    expect(slack.replies('C1', mention.ts).map((m) => m.text)).toEqual(['on it']);
  });
});
