import type { KnownBlock, ModalView } from '@slack/types';
import type { Draft } from '../store/draft-store.js';
import { backButton, context, noticeBlocks, wizardModal, WizardIds } from './deploy-wizard-kit.js';

/** Step 2: where the service goes (may differ from where the model is registered) and its name. */

function textInput(id: string, label: string, initial: string | undefined, hint?: string): KnownBlock {
  return {
    type: 'input',
    block_id: id,
    label: { type: 'plain_text', text: label },
    ...(hint !== undefined && { hint: { type: 'plain_text', text: hint } }),
    element: {
      type: 'plain_text_input',
      action_id: id,
      max_length: 255,
      ...(initial !== undefined && { initial_value: initial }),
    },
  };
}

export function buildLocationStep(draft: Draft): ModalView {
  const s = draft.service;
  const nameHint = draft.serviceNameHint ?? 'Letters, digits, _ or $, starting with a letter or _.';
  const blocks: KnownBlock[] = [
    context(
      'Which database and schema would you like to deploy the inference service in? This can be different from where the model is registered.',
    ),
    ...noticeBlocks(draft),
    textInput(WizardIds.serviceDatabase, 'Service database', s.database ?? draft.model.database),
    textInput(WizardIds.serviceSchema, 'Service schema', s.schema ?? draft.model.schema),
    textInput(WizardIds.serviceName, 'Service name', s.name, nameHint),
    backButton(),
  ];
  return wizardModal(draft, 'location', blocks, 'Next');
}
