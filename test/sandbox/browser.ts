/**
 * Real Chromium (Debian's `chromium`, driven by playwright-core) against `npm run demo`'s
 * sandbox: the demo runs as its own process, exactly as a person starts it, on a free sandbox
 * port, real Redis at the test's own key prefix, and the emulator behind it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { deleteKeys, TEST_REDIS_URL } from '../support/test-bot.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'sandbox');

export const hasChromium = existsSync(CHROMIUM);

export interface RunningDemo {
  readonly url: string;
  readonly page: Page;
  output(): string;
  screenshot(name: string): Promise<string>;
  stop(): Promise<number | null>;
}

/** Starts `npm run demo` (no Slack tokens) and opens its page in a fresh Chromium profile. */
export async function startDemoInChromium(): Promise<RunningDemo> {
  const keyPrefix = `test-${randomUUID().slice(0, 8)}`;
  const demo = spawn(process.execPath, ['--import', 'tsx', 'emulator/demo.ts', '--no-env-file', '--emulator-port', '0'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      SANDBOX_PORT: '0',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: keyPrefix,
      SNOWFLAKE_DISABLE_PLATFORM_DETECTION: 'true',
      SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: '1',
      NO_PROXY: '127.0.0.1,localhost',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  demo.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  demo.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const profile = mkdtempSync(join(tmpdir(), 'spcs-sandbox-chromium-'));
  let context: BrowserContext | undefined;
  const stop = async (): Promise<number | null> => {
    await context?.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    const code = await stopProcess(demo);
    await deleteKeys(TEST_REDIS_URL, keyPrefix);
    return code;
  };
  try {
    const url = await waitFor(
      () => /\[demo\] open (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1],
      30_000,
      () => `the demo never printed its URL:\n${output}`,
    );
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1500, height: 920 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    // Generous for a busy CI machine; the waits end as soon as the page shows what they wait for.
    page.setDefaultTimeout(20_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    mkdirSync(ARTIFACTS, { recursive: true });
    return {
      url,
      page,
      output: () => (errors.length > 0 ? `${output}\npage errors:\n${errors.join('\n')}` : output),
      async screenshot(name) {
        const path = join(ARTIFACTS, `${name}.png`);
        await page.screenshot({ path });
        return path;
      },
      stop,
    };
  } catch (error: unknown) {
    await stop();
    throw error;
  }
}

/** SIGINT, as Ctrl-C; resolves to the exit code. */
async function stopProcess(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, message: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---- what a person does on the page -----------------------------------------------------------

export function composer(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Message' });
}

/** Types a message or a slash command and presses Enter. */
export async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

export function modal(page: Page): Locator {
  return page.locator('#modal-layer .sk-modal');
}

/** The control of the input block labelled `label` in the open modal. */
export function field(page: Page, label: string): Locator {
  return modal(page).locator('.sk-input-block', { has: page.locator('.sk-label', { hasText: label }) });
}

/** Types `query` into an external select and picks the option whose text contains `option`. */
export async function pickExternal(page: Page, label: string, query: string, option: string): Promise<void> {
  const box = field(page, label);
  await box.locator('input[data-role="query"]').fill(query);
  const select = box.locator('select[data-role="options"]');
  const choice = select.locator('option', { hasText: option }).first();
  await choice.waitFor({ state: 'attached' });
  const value = await choice.getAttribute('value');
  if (value === null) throw new Error(`option ${option} has no value`);
  await select.selectOption(value);
}

export async function switchUser(page: Page, name: string): Promise<void> {
  await page.getByLabel('You are').selectOption({ label: name });
  await page.getByTestId('acting-as').getByText(name).waitFor();
}

/** The channel message (not a thread reply) containing `text`. */
export function channelMessage(page: Page, text: string): Locator {
  return page.locator('#timeline .sk-message', { hasText: text });
}

export function thread(page: Page): Locator {
  return page.locator('#thread-body');
}
