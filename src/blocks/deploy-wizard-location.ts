import type { KnownBlock, ModalView } from '@slack/types';
import type { Draft } from '../domain/deploy-draft.js';
import { backButton, noticeBlocks, wizardModal, WizardIds } from './deploy-wizard-frame.js';
import { context, textInput } from './kit.js';

const nameInput = (id: string, label: string, initial: string | undefined, hint?: string) =>
  textInput(id, label, { initial, maxLength: 255, ...(hint !== undefined && { hint }) });

/** Step 2: where the service goes (may differ from where the model is registered) and its name. */

export function buildLocationStep(draft: Draft): ModalView {
  const s = draft.service;
  const nameHint = draft.serviceNameHint ?? 'Letters, digits, _ or $, starting with a letter or _.';
  const blocks: KnownBlock[] = [
    context(
      'Which database and schema would you like to deploy the inference service in? This can be different from where the model is registered.',
    ),
    ...noticeBlocks(draft),
    nameInput(WizardIds.serviceDatabase, 'Service database', s.database ?? draft.model.database),
    nameInput(WizardIds.serviceSchema, 'Service schema', s.schema ?? draft.model.schema),
    nameInput(WizardIds.serviceName, 'Service name', s.name, nameHint),
    backButton(),
  ];
  return wizardModal(draft, 'location', blocks, 'Next');
}
