import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  channelMessage,
  field,
  hasChromium,
  CHROMIUM,
  modal,
  pickExternal,
  send,
  startDemoInChromium,
  switchUser,
  thread,
  type RunningDemo,
} from './browser.js';

if (!hasChromium) {
  process.stdout.write(
    `test/sandbox: skipping the browser walk-through: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)\n`,
  );
}

/** Clicks one of the Snowflake panel's "move time on" buttons. */
async function advance(page: Page, label: string): Promise<void> {
  const moved = page.waitForResponse((res) => res.url().endsWith('/sandbox/api/snowflake/clock') && res.ok());
  await page.locator('#sf-clock').getByRole('button', { name: label }).click();
  await moved;
}

describe.skipIf(!hasChromium)('npm run demo in a real browser', () => {
  let demo: RunningDemo;

  beforeAll(async () => {
    demo = await startDemoInChromium();
  }, 60_000);

  afterAll(async () => {
    const code = await demo?.stop();
    expect(code).toBe(0);
    await expect(fetch(demo.url)).rejects.toThrow(); // Ctrl-C left nothing listening
    // One line with the URL while it runs (the bot logs only warnings, and there were none), one when it stops.
    expect(demo?.output().trim().split('\n')).toEqual([
      expect.stringMatching(/^\[demo\] open http:\/\/127\.0\.0\.1:\d+ /),
      '[demo] stopped',
    ]);
  }, 30_000);

  it('a requester deploys IRIS_CLASSIFIER through the wizard, an approver approves, the thread reaches running with the usage, and the ops engineer reads status, logs, metrics and an OOM diagnosis', async () => {
    const { page } = demo;
    try {
      await page.getByTestId('acting-as').getByText('Dana Whitfield').waitFor();
      await send(page, '/spcs deploy ML_DB.REGISTRY.IRIS_CLASSIFIER V1');

      // 1/7 Model: filled from the command, once Snowflake's lists are in.
      await modal(page).getByText('Functions this version exposes').waitFor();
      await demo.screenshot('01-wizard-model');
      await modal(page).getByRole('button', { name: 'Next' }).click();

      // 2/7 Location
      await modal(page).getByText('Deploy 2/7').waitFor();
      await field(page, 'Service schema').locator('input').fill('SERVING');
      await field(page, 'Service name').locator('input').fill('IRIS_DEMO_SVC');
      await modal(page).getByRole('button', { name: 'Next' }).click();

      // 3/7 Pool
      await modal(page).getByText('Deploy 3/7').waitFor();
      await pickExternal(page, 'Compute pool', 'XS', 'CPU_XS_POOL');
      await demo.screenshot('02-wizard-pool');
      await modal(page).getByRole('button', { name: 'Next' }).click();

      // 4/7 Instances, 5/7 Workers; 6/7 is only for an existing service.
      await modal(page).getByText('Deploy 4/7').waitFor();
      await field(page, 'Max instances').locator('input').fill('1');
      await modal(page).getByRole('button', { name: 'Next' }).click();
      await modal(page).getByText('Deploy 5/7').waitFor();
      await modal(page).getByText('Use auto-picker (recommended)').click();
      await modal(page).getByRole('button', { name: 'Next' }).click();

      // 7/7 Review: the summary, then the request goes to the channel.
      await modal(page).getByText('Deploy 7/7').waitFor();
      await modal(page).getByText('Service: ML_DB.SERVING.IRIS_DEMO_SVC').waitFor();
      await demo.screenshot('03-wizard-review');
      await modal(page).getByRole('button', { name: 'Request approval' }).click();
      await modal(page).waitFor({ state: 'detached' });

      const summary = channelMessage(page, 'Deploy IRIS_DEMO_SVC');
      await summary.getByText('Waiting for approval').waitFor();

      // The requester cannot approve their own request.
      await summary.getByRole('button', { name: 'Approve' }).click();
      await page.locator('#timeline .sk-ephemeral').first().waitFor();
      await demo.screenshot('04-self-approval-refused');

      await switchUser(page, 'Sam Okafor');
      expect(await page.locator('#timeline .sk-ephemeral').count()).toBe(0); // Dana's ephemeral is hers alone
      await summary.getByRole('button', { name: 'Approve' }).click();
      await summary.locator('.sk-thread-link').waitFor();
      await summary.locator('.sk-thread-link').click();

      // The Snowflake side: move the emulator's clock on, phase by phase, and watch the thread follow.
      await thread(page).getByText('Building the model image (job MODEL_BUILD_').waitFor();
      await page.locator('#sql-log, #sf-log').getByText('CALL SYSTEM$DEPLOY_MODEL').waitFor();
      await demo.screenshot('05-building');
      await advance(page, 'Build finishes');
      await thread(page).getByText('The model image is built.').waitFor();
      await advance(page, 'Service starts');
      await thread(page).getByText('ML_DB.SERVING.IRIS_DEMO_SVC is running', { exact: false }).waitFor();
      await advance(page, 'Endpoint ready');
      const running = thread(page).locator('.sk-message', { hasText: 'is running' });
      for (const usage of ['SQL', 'Python', 'REST']) await running.getByText(usage, { exact: true }).waitFor();
      await running.getByText('SELECT ML_DB.SERVING.IRIS_DEMO_SVC!PREDICT(').waitFor();
      await summary.getByText('Running').first().waitFor();
      await demo.screenshot('06-running');
      // Slack refused none of the bot's calls on the way (a refusal would show as a banner).
      expect(await page.locator('#notices .notice').allTextContents()).toEqual([]);
      // The README's picture (docs/sandbox.png is a copy): the summary, and the thread from approval to running.
      await page.evaluate(`document.querySelector('#timeline').scrollTop = 0`);
      await thread(page)
        .locator('.sk-message', { hasText: 'Approved by' })
        .last()
        .evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await demo.screenshot('readme');

      // People talk in the thread too.
      await page.getByRole('textbox', { name: 'Reply in thread' }).fill('Thanks, looks good');
      await page.getByRole('textbox', { name: 'Reply in thread' }).press('Enter');
      await thread(page).locator('.sk-message', { hasText: 'Thanks, looks good' }).getByText('Sam Okafor').waitFor();

      // Operate it: status and logs, as the ops engineer.
      await page.locator('#thread-close').click();
      await switchUser(page, 'Priya Raman');
      await send(page, '/spcs status IRIS_DEMO_SVC');
      const status = page.locator('#timeline .sk-ephemeral', { hasText: 'IRIS_DEMO_SVC' }).last();
      await status.getByText('model-inference').first().waitFor();
      await demo.screenshot('07-status');
      await send(page, '/spcs logs IRIS_DEMO_SVC');
      await page.locator('#timeline .sk-ephemeral', { hasText: 'Logs' }).last().waitFor();
      await demo.screenshot('08-logs');
      // A model service has no platformMonitor (SYSTEM$DEPLOY_MODEL adds none), and the bot says so.
      await send(page, '/spcs metrics IRIS_DEMO_SVC');
      await page.locator('#timeline .sk-ephemeral', { hasText: 'platformMonitor' }).last().waitFor();
      await page.locator('#sf-service').selectOption('ML_DB.SERVING.IRIS_DEMO_SVC');
      await page.locator('#snowflake').getByRole('button', { name: 'Turn on platformMonitor' }).click();
      await page.locator('#sf-fault-status').getByText('platformMonitor on for ML_DB.SERVING.IRIS_DEMO_SVC').waitFor();
      await advance(page, '+5 min');
      await send(page, '/spcs metrics IRIS_DEMO_SVC');
      const chart = page.locator('#timeline img.sk-file-img').last();
      await chart.waitFor();
      await page.waitForFunction(
        `[...document.querySelectorAll('#timeline img.sk-file-img')].some((img) => img.complete && img.naturalWidth > 0)`,
      );
      await chart.scrollIntoViewIfNeeded();
      await demo.screenshot('09-metrics-chart');

      // A failure from the Snowflake side, and the bot's diagnosis of it.
      await page.locator('#sf-service').selectOption('ML_DB.SERVING.IRIS_DEMO_SVC');
      await page.locator('#snowflake').getByRole('button', { name: 'OOM kill' }).click();
      await page.locator('#sf-fault-status').getByText('Armed: oom:ML_DB.SERVING.IRIS_DEMO_SVC').waitFor();
      await advance(page, '+5 min');
      await send(page, '/spcs diagnose IRIS_DEMO_SVC');
      const diagnosis = page.locator('#timeline .sk-ephemeral', { hasText: 'OOM' }).last();
      await diagnosis.waitFor();
      await diagnosis.scrollIntoViewIfNeeded();
      await demo.screenshot('10-diagnosis');
    } catch (error: unknown) {
      await demo.screenshot('failure').catch(() => undefined);
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- demo output ---\n${demo.output()}`);
    }
  }, 90_000);
});
