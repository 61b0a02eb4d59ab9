/**
 * Shared setup for the approval and execution tests: the real bot (startTestBot) with short poll
 * intervals, and the approval gate's own DeploymentRequester on the bot's Redis prefix, so tests
 * start deployments exactly as the deploy wizard does.
 */
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { DeployRequest } from '../../src/domain/deploy-request.js';
import { createDeploymentRequester } from '../../src/flows/approval/index.js';
import { createExpiryQueue, createExpiryScheduler } from '../../src/jobs/expiry-queue.js';
import { createNotifier, createNotifyQueues } from '../../src/jobs/notifier.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { AuditLog } from '../../src/store/audit-log.js';
import { DeploymentStore } from '../../src/store/deployment-store.js';
import { irisRequest } from '../support/deploy-requests.js';
import type { FakeSlack } from '../support/fake-slack.js';
import type { FakeMessage } from '../support/fake-slack-types.js';
import { startTestBot, TEST_REDIS_URL, type TestBot, type TestBotOptions } from '../support/test-bot.js';

export const CHANNEL = 'C0DEPLOYS0';
export const REQUESTER = 'U0REQUESTR';
export const APPROVER = 'U0APPROVE1';
export const APPROVER_2 = 'U0APPROVE2';
export const OUTSIDER = 'U0OUTSIDER';

export interface DeployHarness {
  readonly t: TestBot;
  readonly store: DeploymentStore;
  readonly audit: AuditLog;
  /** Starts a deployment as the wizard would; resolves to its id once the summary is posted. */
  request(serviceName: string, change?: Partial<DeployRequest>, requestedBy?: string): Promise<{ id: string; ts: string }>;
  /** Takes the deployment's expiry job away, as if no worker had run it yet (tests of the click-time check). */
  cancelExpiry(deploymentId: string): Promise<void>;
  stop(): Promise<void>;
}

export { irisRequest };

/** SENTIMENT_BERT V1 has no built image, so its deploy runs a MODEL_BUILD_ job. */
export function sentimentRequest(serviceName: string): DeployRequest {
  return {
    ...irisRequest(serviceName),
    model: { database: 'ML_DB', schema: 'REGISTRY', name: 'SENTIMENT_BERT', version: 'V1' },
    functions: [{ name: 'PREDICT', inputs: [{ name: 'TEXT', type: 'TEXT' }], outputs: [{ name: 'LABEL', type: 'TEXT' }] }],
  };
}

export async function startDeployHarness(options: TestBotOptions & { env?: Record<string, string> } = {}): Promise<DeployHarness> {
  const t = await startTestBot({
    ...options,
    env: { SPCS_APPROVERS: `${APPROVER} ${APPROVER_2}`, SPCS_POLL_INTERVAL_MS: '150', ...options.env },
    emulator: { speed: 4, ...options.emulator },
    ...(options.bot && { bot: options.bot }),
  });
  // The requester logs to the bot's log, as the wizard's hand-over does inside the bot.
  const client = connectDeployments(t.keyPrefix, t.fake, t.logger);
  return {
    t,
    ...client,
    async stop() {
      await t.stop();
      await client.close();
    },
  };
}

/** What a test needs to start deployments on a bot's Redis prefix and look at them. */
export type DeploymentClient = Omit<DeployHarness, 't' | 'stop'> & { close(): Promise<void> };

/**
 * The approval gate's own DeploymentRequester on the bot's prefix (the bot posts the summary), plus
 * the store and the audit log. Seeds the test's people into the fake.
 */
export function connectDeployments(keyPrefix: string, fake: FakeSlack, logger: Logger = createLogger('silent')): DeploymentClient {
  fake.seedUsers([REQUESTER, APPROVER, APPROVER_2, OUTSIDER].map((id) => ({ id, name: id.toLowerCase() })));
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const store = new DeploymentStore(redis, keyPrefix);
  const audit = new AuditLog(redis, keyPrefix);
  const queue = createNotifyQueues({ connection: redis, keyPrefix });
  const expiryQueue = createExpiryQueue({ connection: redis, keyPrefix });
  // ttlMs 0: the job runs at once and the bot's expiry worker moves it to the bot's own TTL.
  const expiry = createExpiryScheduler(expiryQueue, { ttlMs: 0, now: Date.now });
  const requester = createDeploymentRequester({ store, audit, notifier: createNotifier(queue), expiry, logger, now: Date.now });
  return {
    store,
    audit,
    async request(serviceName, change = {}, requestedBy = REQUESTER) {
      const { deploymentId } = await requester.request({
        request: { ...irisRequest(serviceName), ...change },
        requestedBy,
        teamId: fake.identity.teamId,
        channelId: CHANNEL,
      });
      return { id: deploymentId, ts: await waitForTs(store, deploymentId) };
    },
    async cancelExpiry(deploymentId) {
      const jobId = `expire-${deploymentId}`;
      // It runs once at once (ttlMs 0 above) and moves itself to the TTL; remove it once it waits.
      await eventually(async () => (await expiryQueue.getJobState(jobId)) === 'delayed' || undefined, 5_000, 'expiry job delayed');
      expect(await expiryQueue.remove(jobId)).toBe(1);
    },
    async close() {
      await Promise.all([queue.summaries.close(), queue.replies.close()]);
      await expiryQueue.close();
      redis.disconnect();
    },
  };
}

async function waitForTs(store: DeploymentStore, id: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ts = (await store.get(id))?.messageTs;
    if (ts !== undefined) return ts;
    if (Date.now() > deadline) throw new Error(`summary of ${id} was never posted`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls an async condition (real time). */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function text(message: FakeMessage | undefined): string {
  return JSON.stringify(message?.blocks ?? []) + (message?.text ?? '');
}

/** What the bot told `user` where only they see it in the test channel, in order. */
export function ephemeralTo(harness: Pick<DeployHarness, 't'>, user: string): string {
  return harness.t.fake
    .ephemerals({ channel: CHANNEL, user })
    .map((e) => e.text)
    .join('\n');
}

export function deployCalls(t: Pick<TestBot, 'emulator'>): number {
  return t.emulator.sqlLog.filter((e) => /CALL\s+SYSTEM\$DEPLOY_MODEL/i.test(e.sqlText)).length;
}
