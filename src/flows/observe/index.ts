import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { type EphemeralMessage, notice } from '../../blocks/kit.js';
import { LOG_ACTION_PATTERN } from '../../blocks/observe-logs.js';
import { StatusActions } from '../../blocks/observe-status.js';
import type { Subcommand } from '../subcommand.js';
import { replyAfterAck } from '../shared/reply.js';
import { onActions } from '../shared/listeners.js';
import type { ObserveDeps } from './deps.js';
import { createDiagnoseCommand, showDiagnosis } from './diagnose.js';
import { createListCommand } from './list.js';
import { createLogsCommand, DEFAULT_LINES, parseLogButton, showLogs } from './logs.js';
import { createMetricsCommand, postMetrics } from './metrics.js';
import { createPoolsCommand } from './pools.js';
import { parseServiceArg, type ServiceArg } from '../shared/service-ref.js';
import { createStatusCommand } from './status.js';

export type { ObserveDeps } from './deps.js';
export { createDiagnoseCommand, createListCommand, createLogsCommand, createMetricsCommand, createPoolsCommand, createStatusCommand };

/** The read-only commands, in the order help lists them. */
export function createObserveCommands(deps: ObserveDeps): Subcommand[] {
  return [
    createListCommand(deps),
    createStatusCommand(deps),
    createPoolsCommand(deps),
    createLogsCommand(deps),
    createMetricsCommand(deps),
    createDiagnoseCommand(deps),
  ];
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** The service a status button carries (its qualified name), checked like typed text. */
function serviceOf(args: ButtonArgs): ServiceArg | null {
  const parsed = parseServiceArg(args.action.value);
  return parsed.ok ? parsed.value : null;
}

export function handlers(deps: ObserveDeps) {
  /** Ack at once, then the same work as the typed command, answered through response_url. */
  const onButton =
    (doing: string, work: (service: ServiceArg, args: ButtonArgs) => Promise<EphemeralMessage | null>) =>
    async (args: ButtonArgs): Promise<void> => {
      await args.ack();
      const service = serviceOf(args);
      await replyAfterAck(deps, args.respond, doing, async () =>
        service === null ? notice('That button no longer names a service; run `/spcs status` again.') : work(service, args),
      );
    };
  const channelOf = (args: ButtonArgs): string | undefined => args.body.channel?.id ?? args.body.container?.['channel_id'];
  return {
    logs: onButton('read the logs', (service, args) => {
      const channel = channelOf(args);
      const target = channel === undefined ? null : { client: args.client, channel };
      return showLogs(
        deps,
        { service, container: 'model-inference', lines: DEFAULT_LINES, history: false, file: false, previous: false, instance: null },
        target,
      );
    }),
    /** Previous / current container and other instances, from the buttons under a logs message. */
    logView: async (args: ButtonArgs): Promise<void> => {
      await args.ack();
      const req = parseLogButton(args.action.value);
      await replyAfterAck(deps, args.respond, 'read the logs', async () =>
        req === null ? notice('That button no longer names a container; run `/spcs logs` again.') : showLogs(deps, req, null),
      );
    },
    metrics: onButton('read the metrics', async (service, args) => {
      const channel = channelOf(args);
      if (channel === undefined) return notice('I cannot tell which channel to post the chart in; run `/spcs metrics <service>` there.');
      return postMetrics(deps, service, { client: args.client, channel });
    }),
    diagnose: onButton('diagnose the service', (service) => showDiagnosis(deps, service)),
  };
}

/** The Logs / Metrics / Diagnose buttons under `/spcs status`, and the buttons under a logs message. */
export function registerObserveActions(app: App, deps: ObserveDeps): void {
  const h = handlers(deps);
  onActions<ButtonAction>(app, { [StatusActions.logs]: h.logs, [StatusActions.metrics]: h.metrics, [StatusActions.diagnose]: h.diagnose });
  app.action<BlockAction<ButtonAction>>({ action_id: LOG_ACTION_PATTERN }, h.logView);
}
