import { WebClient, type RetryOptions } from '@slack/web-api';
import type { Worker } from 'bullmq';
import type { Config } from './config.js';
import type { DeploymentRequester } from './domain/deployment.js';
import { createAccessCommand, registerAccess } from './flows/access/index.js';
import { createDeployCommand, registerDeployWizard } from './flows/deploy/index.js';
import { createRegistryCatalog } from './flows/deploy/registry-catalog.js';
import { createApproverDirectory } from './flows/approval/approvers.js';
import { createManageCommands, registerManageActions } from './flows/manage/index.js';
import { createMemberDirectory } from './flows/shared/membership.js';
import { createActionGuard, createPermissions } from './flows/shared/permissions.js';
import { OperationStore } from './store/operation-store.js';
import { createDeploymentRequester } from './flows/approval/index.js';
import { registerGate } from './flows/gate/index.js';
import { createObserveCommands, registerObserveActions } from './flows/observe/index.js';
import { registerSpcsCommand } from './flows/spcs-command.js';
import { resolveAttention } from './jobs/change-executor.js';
import { resolveDeployAttention } from './jobs/deploy-executor.js';
import {
  createExecuteQueue,
  createExecuteWorker,
  enqueueRecheck,
  enqueueRecord,
  scheduleApprovedSweep,
  type SweepOptions,
} from './jobs/execute-queue.js';
import { createExpiryQueue, createExpiryScheduler, createExpiryWorker } from './jobs/expiry-queue.js';
import { createNotifier, createNotifyQueues, createNotifyWorkers } from './jobs/notifier.js';
import { createSendSlots, SLACK_PACE, type SlackPace } from './jobs/slack-pace.js';
import { createStatusQueues, createStatusWorkers, scheduleStatusRounds } from './jobs/status-tracker.js';
import { AuditLog } from './store/audit-log.js';
import { AccessChangeStore } from './store/access-change-store.js';
import { StatusMemory } from './store/status-memory.js';
import { createAccessSessionStore } from './store/access-session-store.js';
import { createAccessResults } from './flows/access/overview.js';
import { ReplyReceipts } from './store/reply-receipts.js';
import { DeploymentStore } from './store/deployment-store.js';
import { healthRoutes, startHealthServer, type DependencyCheck } from './health.js';
import { toBoltLogger, type Logger } from './logger.js';
import { createRedis, redisReadinessCheck } from './redis.js';
import { createSlackApp } from './slack-app.js';
import { createSnowflakeClient, type SnowflakeClient } from './snowflake/client.js';
import { createPlatformCapabilities, type SpecDirectory } from './snowflake/index.js';

export interface RunningBot {
  /** The HTTP port serving /healthz and /readyz (and /slack/events in HTTP mode). */
  readonly port: number;
  /** Stops taking requests, lets running jobs finish, closes connections. */
  stop(): Promise<void>;
}

export interface BotOverrides {
  readonly slackRetryConfig?: RetryOptions;
  /** Replaces the approval gate's requester (tests record what the deploy wizard hands over). */
  readonly deploymentRequester?: DeploymentRequester;
  /** The notifier's gaps between sends (default SLACK_PACE, Slack's documented limits). */
  readonly slackPace?: SlackPace;
  /** Lock of an execute job (any approved record); a killed worker's job is retaken after it (default 30 s). */
  readonly executeLockDurationMs?: number;
  /** Lock of a Slack notification job; a killed worker's job is retaken after it (default 30 s, BullMQ's). */
  readonly notifyLockDurationMs?: number;
  /** Lock of a status round; a killed worker's round is retaken after it (default 10 s). */
  readonly statusLockDurationMs?: number;
  /** The registry catalog's clock (default Date.now): tests move it past SPCS_CATALOG_MAX_AGE instead of sleeping. */
  readonly catalogNow?: () => number;
  /** The sweep of approved records of every kind without a job (default every 30 s, 30 s after approval). */
  readonly sweep?: SweepOptions;
  /** Where deploy.yml is written before a PUT (default the OS temporary directory). */
  readonly specDirectory?: SpecDirectory;
}

/**
 * Composition root: config → clients → Bolt app → flows → workers. Nothing else constructs
 * clients, so every dependency a flow uses is visible here.
 */
export async function startBot(config: Config, logger: Logger, overrides: BotOverrides = {}): Promise<RunningBot> {
  const redisCheck = redisReadinessCheck(config.redis.url);
  const snowflake = createSnowflakeClient(config.snowflake, { logger });
  const checks: DependencyCheck[] = [redisCheck, snowflakeReadinessCheck(snowflake)];
  const routes = healthRoutes(checks);
  const closers: Array<() => Promise<void>> = [() => redisCheck.close(), () => snowflake.close()];
  const close = async () => {
    for (const closer of closers.reverse())
      await closer().catch((err: unknown) => logger.warn({ err }, 'closing a connection during shutdown failed'));
  };

  try {
    // One shared connection for the stores and the queues (BullMQ duplicates it for blocking reads).
    const redis = createRedis(config.redis.url, logger, 'spcs');
    // QUIT waits in the offline queue while Redis is down; then there is nothing to flush anyway.
    const redisUp = () => redis.status === 'ready';
    closers.push(async () => (redisUp() ? void (await redis.quit().catch(() => redis.disconnect())) : redis.disconnect()));
    const keyPrefix = config.redis.keyPrefix;
    const queueConnection = { connection: redis, keyPrefix };
    const store = new DeploymentStore(redis, keyPrefix);
    const operations = new OperationStore(redis, keyPrefix);
    const audit = new AuditLog(redis, keyPrefix);
    const notifyQueues = createNotifyQueues(queueConnection);
    const statusQueues = createStatusQueues(queueConnection);
    const expiryQueue = createExpiryQueue(queueConnection);
    const executeQueue = createExecuteQueue(queueConnection);
    const accessChanges = new AccessChangeStore(redis, keyPrefix);
    const accessSessions = createAccessSessionStore({ redis, keyPrefix });
    const queues = [notifyQueues.summaries, notifyQueues.replies, statusQueues.rounds, statusQueues.schemas, expiryQueue, executeQueue];
    for (const queue of queues) reportErrors(queue, logger);
    closers.push(async () => void (redisUp() && (await Promise.all(queues.map((q) => q.close())))));
    const notifier = createNotifier(notifyQueues);
    const expiry = createExpiryScheduler(expiryQueue, { ttlMs: config.approval.ttlMs, now: Date.now });
    /** The approval gate's entry point, handed to the deploy wizard. */
    // Read once (SYSTEM$ML_PLATFORM_CAPABILITIES), by the wizard before approval and the deploy worker.
    const capabilities = createPlatformCapabilities(snowflake);
    const deploymentRequester = createDeploymentRequester({ store, audit, notifier, expiry, logger, now: Date.now });

    if (config.role !== 'web') {
      // Workers talk to Slack with their own client: a 429 comes back to the queue, which waits it out.
      const slackForWorkers = new WebClient(config.slack.botToken, {
        slackApiUrl: config.slack.apiUrl,
        rejectRateLimitedCalls: true,
        timeout: 15_000,
        logger: toBoltLogger(logger),
        ...(overrides.slackRetryConfig && { retryConfig: overrides.slackRetryConfig }),
      });
      const jobDeps = { store, audit, notifier, snowflake, logger, now: Date.now };
      const workers: Worker[] = [
        ...createNotifyWorkers(
          queueConnection,
          {
            store,
            operations,
            slots: createSendSlots(redis, keyPrefix, overrides.slackPace ?? SLACK_PACE),
            receipts: new ReplyReceipts(redis, keyPrefix),
            replies: notifyQueues.replies,
            slack: slackForWorkers,
            accessResults: createAccessResults({ changes: accessChanges, sessions: accessSessions }),
            requiredApprovals: config.approval.requiredApprovals,
            logger,
          },
          overrides.notifyLockDurationMs !== undefined ? { lockDurationMs: overrides.notifyLockDurationMs } : {},
        ),
        ...createStatusWorkers(
          queueConnection,
          statusQueues,
          { ...jobDeps, memory: new StatusMemory(redis, keyPrefix), phaseTimeoutMs: config.phaseTimeoutMs },
          overrides.statusLockDurationMs !== undefined ? { lockDurationMs: overrides.statusLockDurationMs } : {},
        ),
        createExpiryWorker(queueConnection, {
          stores: { deployment: store, operation: operations },
          audit,
          notifier,
          policy: config.approval,
          logger,
          now: Date.now,
        }),
        createExecuteWorker(
          queueConnection,
          {
            deployment: {
              ...jobDeps,
              capabilities,
              ...(overrides.specDirectory && { specDirectory: overrides.specDirectory }),
              policy: config.approval,
            },
            operation: { operations, audit, notifier, snowflake, policy: config.approval, logger, now: Date.now },
            access: {
              changes: accessChanges,
              sessions: accessSessions,
              audit,
              notifier,
              snowflake,
              policy: config.approval,
              logger,
              now: Date.now,
            },
            stranded: {
              deployment: (now, grace) => store.approvedNotStarted(now, grace),
              operation: (now, grace) => operations.approvedUnfinished(now, grace),
              access: (now, grace) => accessChanges.approvedNotStarted(now, grace),
            },
            logger,
            now: Date.now,
          },
          {
            ...(overrides.executeLockDurationMs !== undefined && { lockDurationMs: overrides.executeLockDurationMs }),
            sweepQueue: executeQueue,
            ...(overrides.sweep?.graceMs !== undefined && { sweepGraceMs: overrides.sweep.graceMs }),
          },
        ),
      ];
      // Not awaited: with Redis down the process still starts (and /readyz says why); the
      // scheduler is written as soon as Redis answers.
      void scheduleStatusRounds(statusQueues, config.pollIntervalMs).catch((err: unknown) =>
        logger.error({ err }, 'could not schedule status rounds'),
      );
      void scheduleApprovedSweep(executeQueue, overrides.sweep?.everyMs).catch((err: unknown) =>
        logger.error({ err }, 'could not schedule the sweep of approved records'),
      );
      for (const worker of workers) reportErrors(worker, logger);
      // close() lets running jobs finish; with Redis gone they cannot report back, so force it.
      closers.push(async () => void (await Promise.all(workers.map((w) => w.close(!redisUp())))));
    }

    let port: number;
    if (config.role === 'worker') {
      const server = await startHealthServer(config.port, routes);
      const address = server.address();
      port = typeof address === 'object' && address ? address.port : config.port;
      closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    } else {
      const slack = createSlackApp({
        slack: config.slack,
        port: config.port,
        routes,
        logger,
        ...(overrides.slackRetryConfig && { retryConfig: overrides.slackRetryConfig }),
      });
      // One Slack membership look-up (and cache) for approvals and permissions.
      const members = createMemberDirectory(slack.app.client);
      const approvers = createApproverDirectory(members, config.approval);
      const permissions = createPermissions(config.permissions, members);
      const guard = createActionGuard({ permissions, audit, now: Date.now });
      const deploy = {
        guard,
        snowflake,
        catalog: createRegistryCatalog(snowflake, { maxAgeMs: config.catalogMaxAgeMs, now: overrides.catalogNow ?? Date.now }),
        redis,
        keyPrefix,
        now: Date.now,
        requester: overrides.deploymentRequester ?? deploymentRequester,
        capabilities,
        ...(overrides.specDirectory && { specDirectory: overrides.specDirectory }),
        logger,
      };
      const observe = { snowflake, logger, now: Date.now };
      const access = {
        snowflake,
        redis,
        keyPrefix,
        permissions,
        audit,
        logger,
        now: Date.now,
        ingressUrlOverride: config.ingressUrlOverride,
        changes: accessChanges,
        enqueueAccess: (id: string) => enqueueRecord(executeQueue, 'access', id),
        policy: config.approval,
      };
      const manage = {
        snowflake,
        operations,
        deployments: store,
        expiry,
        audit,
        guard,
        policy: config.approval,
        logger,
        now: Date.now,
      };
      registerSpcsCommand(slack.app, [
        createDeployCommand(deploy),
        ...createObserveCommands(observe),
        ...createManageCommands(manage),
        createAccessCommand(access),
      ]);
      registerManageActions(slack.app, manage);
      registerDeployWizard(slack.app, deploy);
      registerObserveActions(slack.app, observe);
      registerAccess(slack.app, access);
      const enqueueChange = (id: string) => enqueueRecord(executeQueue, 'operation', id);
      registerGate(slack.app, {
        deployments: store,
        operations,
        audit,
        notifier,
        approvers,
        guard,
        enqueueDeploy: (id) => enqueueRecord(executeQueue, 'deployment', id),
        enqueueChange,
        resolveAttention: (id, action, actor) =>
          resolveAttention({ operations, audit, notifier, now: Date.now, enqueue: enqueueChange }, id, action, actor),
        resolveDeployAttention: (id, action, actor) =>
          resolveDeployAttention(
            {
              store,
              audit,
              notifier,
              logger,
              now: Date.now,
              enqueueRecheck: (deploymentId, check) => enqueueRecheck(executeQueue, deploymentId, check),
            },
            id,
            action,
            actor,
          ),
        policy: config.approval,
        logger,
        now: Date.now,
      });
      port = await slack.start();
      // Registered after start so that on shutdown requests stop first (closers run in reverse).
      closers.push(() => slack.stop());
    }
    return { port, stop: close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** BullMQ prints unhandled 'error' events to stderr; send them to the log, once per distinct message. */
function reportErrors(emitter: { on(event: 'error', listener: (err: Error) => void): unknown }, logger: Logger): void {
  let last = '';
  emitter.on('error', (err) => {
    if (err.message !== last) logger.warn({ err }, 'queue connection error');
    last = err.message;
  });
}

function snowflakeReadinessCheck(snowflake: SnowflakeClient): DependencyCheck {
  return {
    name: 'snowflake',
    async check() {
      const result = await snowflake.ping();
      if (!result.ok) throw result.error;
    },
  };
}
