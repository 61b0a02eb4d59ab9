/**
 * The baseline: what a team writes by hand. A bare Bolt app in HTTP mode whose /spcs handler acks
 * and opens a static modal, whose view submission acks with a static update, and whose Approve
 * button only acks. Runs as a process of its own; prints `{"benchReady":true,"port":N}`.
 */
import bolt from '@slack/bolt';
import type { ModalView } from '@slack/types';

const { App, LogLevel } = bolt;

const modal: ModalView = {
  type: 'modal',
  callback_id: 'bare.step',
  title: { type: 'plain_text', text: 'Deploy a model' },
  submit: { type: 'plain_text', text: 'Next' },
  blocks: [
    {
      type: 'input',
      block_id: 'model',
      label: { type: 'plain_text', text: 'Model' },
      element: { type: 'plain_text_input', action_id: 'bare.model', initial_value: 'ML_DB.REGISTRY.IRIS_CLASSIFIER' },
    },
  ],
};

const app = new App({
  token: process.env.SLACK_BOT_TOKEN ?? '',
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL ?? '', retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 } },
  logLevel: LogLevel.ERROR,
});

app.command('/spcs', async ({ ack, client, command }) => {
  await ack();
  await client.views.open({ trigger_id: command.trigger_id, view: modal });
});
app.view('bare.step', async ({ ack }) => {
  await ack({ response_action: 'update', view: modal });
});
app.action('approval.approve', async ({ ack }) => {
  await ack();
});

const server = await app.start(0);
const address = server.address();
const port = typeof address === 'object' && address !== null ? address.port : 0;
process.stdout.write(`${JSON.stringify({ benchReady: true, port })}\n`);
process.once('SIGTERM', () => void app.stop().then(() => process.exit(0)));
