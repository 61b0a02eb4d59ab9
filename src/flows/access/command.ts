import type { ModalView } from '@slack/types';
import { AccessText, buildAccessBusyView, buildAccessNoticeView } from '../../blocks/access.js';
import { describeFailure } from '../../blocks/kit.js';
import { isSnowflakeError } from '../../snowflake/index.js';
import { displayArg, parseOneService, resolveService, type ServiceArg } from '../shared/service-ref.js';
import type { Subcommand } from '../subcommand.js';
import type { AccessDeps } from './deps.js';
import { createAccessRuntime, overviewView } from './flow.js';
import { loadOverview } from './lookups.js';
import type { AccessSession } from '../../store/access-session-store.js';

export const ACCESS_USAGE = '/spcs access <service>';
const EXAMPLES = ['/spcs access IRIS_SVC', '/spcs access ML_DB.SERVING.IRIS_SVC'] as const;

/**
 * `/spcs access <service>`: opens the REST access modal at once (inside the trigger's 3 s, before
 * any Snowflake call), then fills it: network policy, service role, endpoint URL, authentication,
 * and a test call.
 */
export function createAccessCommand(deps: AccessDeps): Subcommand {
  const rt = createAccessRuntime(deps);

  /** Resolves the service and reads the overview; a failure becomes the view that explains it. */
  async function firstView(arg: ServiceArg, base: Omit<AccessSession, 'service' | 'serviceStatus'>): Promise<ModalView> {
    try {
      const resolved = await resolveService(deps.snowflake, arg);
      if (resolved.state === 'missing') {
        return buildAccessNoticeView(AccessText.serviceMissing(displayArg(arg)));
      }
      if (resolved.state === 'ambiguous') {
        return buildAccessNoticeView(
          AccessText.serviceAmbiguous(
            displayArg(arg),
            resolved.candidates.map((c) => c.sql),
          ),
        );
      }
      const s = resolved.service;
      const session = await loadOverview(
        deps.snowflake,
        { ...base, service: { database: s.databaseName, schema: s.schemaName, name: s.name }, serviceStatus: s.status },
        true,
      );
      await rt.sessions.save(session);
      return overviewView(session);
    } catch (err) {
      rt.log.warn({ err }, 'access overview failed');
      return buildAccessNoticeView(describeFailure(isSnowflakeError(err) ? err.failure : null, `read ${displayArg(arg)}`));
    }
  }

  return {
    name: 'access',
    usage: ACCESS_USAGE,
    summary:
      'Set up REST access to a service step by step: network policy, service role grant, endpoint URL, PAT or key-pair auth, and a test call.',
    examples: [...EXAMPLES],
    async run({ ack, argv, command, client }) {
      const arg = parseOneService(argv, ACCESS_USAGE, EXAMPLES[0]);
      if (!arg.ok) return ack(arg.reply);
      await ack();
      const id = rt.sessions.newId();
      const opened = await client.views.open({
        trigger_id: command.trigger_id,
        view: buildAccessBusyView(id, AccessText.reading(displayArg(arg.value))),
      });
      const viewId = opened.view?.id;
      if (viewId === undefined) return;
      const base = {
        id,
        userId: command.user_id,
        teamId: command.team_id,
        channelId: command.channel_id,
        botUser: '',
        botRole: null,
        snowflakeUser: '',
        methods: [],
      };
      const view = await firstView(arg.value, base);
      await rt.show(client, { viewId, ...(opened.view?.hash !== undefined && { hash: opened.view.hash }) }, view);
    },
  };
}
