import type { KnownBlock, ModalView } from '@slack/types';
import type { ModelFunctionSummary } from '../domain/deploy-request.js';
import type { Draft } from '../domain/deploy-draft.js';
import { noticeBlocks, wizardModal, WizardIds } from './deploy-wizard-frame.js';
import { context, escapeMrkdwn, inlineCode, option, section } from './kit.js';

/** Step 1: the registered model and version, each picked from what Snowflake lists. */

function listSelect(id: string, label: string, selected: string | undefined, placeholder: string): KnownBlock {
  return {
    type: 'input',
    block_id: id,
    // Every pick sends block_actions, so the next list loads while the person looks at the modal.
    dispatch_action: true,
    label: { type: 'plain_text', text: label },
    element: {
      type: 'external_select',
      action_id: id,
      min_query_length: 0,
      placeholder: { type: 'plain_text', text: placeholder },
      ...(selected !== undefined && { initial_option: option(selected, selected) }),
    },
  };
}

function describeFunction(f: ModelFunctionSummary): string {
  const inputs = f.inputs.map((i) => `${i.name} ${i.type}`).join(', ');
  const outputs = f.outputs.map((o) => o.name).join(', ');
  return `${inlineCode(`${f.name}(${inputs})`)}${outputs === '' ? '' : ` → ${escapeMrkdwn(outputs)}`}`;
}

function versionDetails(draft: Draft): KnownBlock[] {
  const info = draft.versionInfo;
  if (info === undefined) return [];
  const fns = info.functions.length === 0 ? '_none listed_' : info.functions.slice(0, 20).map(describeFunction).join('\n');
  const gpu = info.hasGpuRuntime
    ? ':white_check_mark: GPU runtime: yes — it can run on a GPU pool.'
    : ':heavy_minus_sign: GPU runtime: no — it runs on CPU pools only.';
  return [section(`*Functions this version exposes*\n${fns}`.slice(0, 2900)), section(gpu)];
}

export function buildModelStep(draft: Draft, loading: boolean): ModalView {
  const m = draft.model;
  const blocks: KnownBlock[] = [
    context('Pick the registered model to deploy. The lists come from Snowflake; type to filter them.'),
    ...noticeBlocks(draft),
    listSelect(WizardIds.modelDatabase, 'Registry database', m.database, 'Pick a database'),
    listSelect(WizardIds.modelSchema, 'Registry schema', m.schema, m.database === undefined ? 'Pick a database first' : 'Pick a schema'),
    listSelect(WizardIds.modelName, 'Model', m.name, m.schema === undefined ? 'Pick a schema first' : 'Pick a model'),
    listSelect(WizardIds.modelVersion, 'Model version', m.version, m.name === undefined ? 'Pick a model first' : 'Pick a version'),
    ...versionDetails(draft),
  ];
  if (loading) blocks.push(context(':hourglass_flowing_sand: Checking Snowflake…'));
  return wizardModal(draft, 'model', blocks, 'Next');
}
