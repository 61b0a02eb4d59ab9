import { App, HTTPReceiver, SocketModeReceiver, type CustomRoute, type Middleware, type AnyMiddlewareArgs } from '@slack/bolt';
import type { RetryOptions } from '@slack/web-api';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { SlackConfig } from './config.js';
import { toBoltLogger, withLogScope, type Logger } from './logger.js';

export interface SlackAppOptions {
  readonly slack: SlackConfig;
  readonly port: number;
  readonly routes: CustomRoute[];
  readonly logger: Logger;
  /** Web API retries; tests shorten them. */
  readonly retryConfig?: RetryOptions;
}

export interface SlackApp {
  readonly app: App;
  readonly mode: 'http' | 'socket';
  /** Starts taking requests; resolves to the HTTP port (health routes, and Slack requests in HTTP mode). */
  start(): Promise<number>;
  /** Stops taking requests. */
  stop(): Promise<void>;
}

// The fields of any Slack payload that say who did what; each payload kind spells them differently.
// Plain (stripping) objects: only these fields are read, never a copy of a whole view.
const ScopeSource = z.object({
  team_id: z.string().optional(),
  user_id: z.string().optional(),
  command: z.string().optional(),
  team: z.object({ id: z.string() }).nullish(),
  user: z.object({ id: z.string() }).optional(),
  actions: z.array(z.object({ action_id: z.string() })).optional(),
  view: z.object({ callback_id: z.string().optional() }).optional(),
});

/** Every log line written while a request is handled names its team, user and command or action. */
const scopeLogs: Middleware<AnyMiddlewareArgs> = async ({ body, next }) => {
  const parsed = ScopeSource.safeParse(body);
  if (!parsed.success) return next();
  const b = parsed.data;
  const team = b.team_id ?? b.team?.id;
  const user = b.user_id ?? b.user?.id;
  const action = b.actions?.[0]?.action_id ?? b.view?.callback_id;
  await withLogScope(
    { ...(team && { team }), ...(user && { user }), ...(b.command && { command: b.command }), ...(action && { action }) },
    next,
  );
};

/** The Bolt app with the receiver the settings ask for: Socket Mode when an app token is set, HTTP otherwise. */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { slack, port, routes, logger } = options;
  const boltLogger = toBoltLogger(logger);
  const clientOptions = {
    slackApiUrl: slack.apiUrl,
    timeout: 15_000,
    ...(options.retryConfig && { retryConfig: options.retryConfig }),
  };

  let start: () => Promise<number>;
  let stop: () => Promise<void>;
  let receiver: HTTPReceiver | SocketModeReceiver;
  if (slack.appToken !== undefined) {
    const socket = new SocketModeReceiver({
      appToken: slack.appToken,
      logger: boltLogger,
      customRoutes: routes,
      installerOptions: { port, clientOptions },
    });
    receiver = socket;
    start = async () => {
      await socket.start();
      return port;
    };
    stop = () => socket.stop();
  } else {
    if (slack.signingSecret === undefined) throw new Error('HTTP mode needs SLACK_SIGNING_SECRET');
    const http = new HTTPReceiver({
      signingSecret: slack.signingSecret,
      endpoints: ['/slack/events'],
      customRoutes: routes,
      logger: boltLogger,
      processBeforeResponse: false,
    });
    receiver = http;
    start = async () => {
      const server = await http.start(port);
      return (server.address() as AddressInfo).port;
    };
    stop = () => http.stop();
  }

  const app = new App({
    receiver,
    token: slack.botToken,
    logger: boltLogger,
    clientOptions,
    deferInitialization: true,
  });
  app.use(scopeLogs);
  app.error(async (error) => {
    logger.error({ err: error, code: error.code }, 'Slack listener failed');
  });

  return {
    app,
    mode: slack.appToken !== undefined ? 'socket' : 'http',
    async start() {
      await app.init(); // auth.test: a wrong token stops the start here, not at the first request
      return start();
    },
    stop,
  };
}
