import { escapeMrkdwn, inlineCode } from '../../blocks/kit.js';
import { parseIdentifier, parseQualifiedName } from '../../snowflake/index.js';
import type { Draft } from '../../domain/deploy-draft.js';
import type { Subcommand } from '../subcommand.js';
import type { DeployWizardDeps } from './deps.js';
import { loadModelLists } from './loaders.js';
import { picks } from './model-picks.js';
import { createWizardRuntime, settledAtOnce, viewFor } from './wizard.js';

export const DEPLOY_USAGE = '/spcs deploy [DATABASE.SCHEMA.MODEL [VERSION]]';

type ParsedArgs = { ok: true; model: Draft['model'] } | { ok: false; message: string };

/** The optional model and version after `/spcs deploy`, validated like every typed name. */
export function parseDeployArgs(argv: readonly string[]): ParsedArgs {
  const [modelArg, versionArg, ...extra] = argv;
  if (extra.length > 0) return { ok: false, message: `Too many words: expected at most a model and a version.` };
  if (modelArg === undefined) return { ok: true, model: {} };
  const model = parseQualifiedName(modelArg, 'Model', { parts: 3, shape: 'DATABASE.SCHEMA.MODEL' });
  if (!model.ok) return model;
  const [database, schema, name] = model.value.parts.map((p) => p.name);
  if (versionArg === undefined) return { ok: true, model: picks(database, schema, name) };
  const version = parseIdentifier(versionArg, 'Version');
  if (!version.ok) return version;
  return { ok: true, model: picks(database, schema, name, version.value.name) };
}

/**
 * `/spcs deploy`: opens the wizard at once (inside the trigger's 3 s, never waiting for Snowflake),
 * with step 1 filled from remembered listings or filled by an update once Snowflake has answered.
 */
export function createDeployCommand(deps: DeployWizardDeps): Subcommand {
  const rt = createWizardRuntime(deps);
  return {
    name: 'deploy',
    usage: DEPLOY_USAGE,
    summary: 'Deploy a Model Registry model to Snowpark Container Services, step by step, with approval.',
    examples: ['/spcs deploy', '/spcs deploy ML_DB.REGISTRY.IRIS_CLASSIFIER V1'],
    async run({ ack, argv, command, client }) {
      const refusal = await deps.guard?.refuse({
        action: 'deploy',
        doing: 'request a deployment',
        target: argv[0] ?? '',
        userId: command.user_id,
        teamId: command.team_id,
        channelId: command.channel_id,
      });
      if (refusal) return ack({ response_type: 'ephemeral', text: refusal });
      const args = parseDeployArgs(argv);
      if (!args.ok) {
        const text = `${escapeMrkdwn(args.message)}\nUsage: ${inlineCode(DEPLOY_USAGE)}, e.g. ${inlineCode('/spcs deploy ML_DB.REGISTRY.IRIS_CLASSIFIER V1')}`;
        return ack({ response_type: 'ephemeral', text });
      }
      await ack();
      const draft: Draft = {
        id: rt.drafts.newId(),
        userId: command.user_id,
        teamId: command.team_id,
        channelId: command.channel_id,
        createdAtMs: deps.now(),
        step: 'model',
        rev: 0,
        model: args.model,
        lists: {},
        service: {},
        poolMode: 'existing',
      };
      // Remembered listings fill the modal as it opens; otherwise it opens at once saying what it
      // is checking, and Snowflake's answer follows as an update (the trigger lives 3 s).
      const loading = loadModelLists(deps.catalog, draft);
      const ready = await settledAtOnce(loading);
      const shown = ready ?? draft;
      const [, opened] = await Promise.all([
        rt.drafts.save(shown),
        client.views.open({ trigger_id: command.trigger_id, view: viewFor(shown, ready === undefined) }),
      ]);
      const view = opened.view;
      if (ready !== undefined || view?.id === undefined) return;
      await rt.fill(client, { viewId: view.id, ...(view.hash !== undefined && { hash: view.hash }) }, draft, () => loading);
    },
  };
}
