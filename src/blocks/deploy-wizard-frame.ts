import type { KnownBlock, ModalView } from '@slack/types';
import type { Draft, WizardStep } from '../domain/deploy-draft.js';
import { actions, button, escapeMrkdwn, section } from './kit.js';

/**
 * The deploy wizard's frame: the ids every step module renders (block_id equals action_id for
 * inputs, so `errors` keyed by block_id land on the right field), the step modal, Back, the notice.
 * Block Kit pieces come from ./kit.js.
 */
export const WizardIds = {
  callbackPrefix: 'deploy.wizard.',
  back: 'deploy.back',
  modelDatabase: 'deploy.model_database',
  modelSchema: 'deploy.model_schema',
  modelName: 'deploy.model_name',
  modelVersion: 'deploy.model_version',
  serviceDatabase: 'deploy.service_database',
  serviceSchema: 'deploy.service_schema',
  serviceName: 'deploy.service_name',
  pool: 'deploy.pool',
  createPool: 'deploy.create_pool',
  useExistingPool: 'deploy.use_existing_pool',
  newPoolName: 'deploy.new_pool_name',
  newPoolFamily: 'deploy.new_pool_family',
  newPoolMinNodes: 'deploy.new_pool_min_nodes',
  newPoolMaxNodes: 'deploy.new_pool_max_nodes',
  newPoolAutoResume: 'deploy.new_pool_auto_resume',
  maxInstances: 'deploy.max_instances',
  workersMode: 'deploy.workers_mode',
  numWorkers: 'deploy.num_workers',
  existingChoice: 'deploy.existing_choice',
} as const;

/** The external_selects whose options come from lists cached in the draft. */
export const LIST_SELECTS = [
  WizardIds.modelDatabase,
  WizardIds.modelSchema,
  WizardIds.modelName,
  WizardIds.modelVersion,
  WizardIds.pool,
] as const;
export type ListSelect = (typeof LIST_SELECTS)[number];

const STEP_TITLES: Readonly<Record<WizardStep, string>> = {
  model: 'Model',
  location: 'Location',
  pool: 'Pool',
  instances: 'Instances',
  workers: 'Workers',
  existing: 'Existing',
  review: 'Review',
};

export const callbackIdFor = (step: WizardStep) => `${WizardIds.callbackPrefix}${step}`;

export function noticeBlocks(draft: Draft): KnownBlock[] {
  return draft.notice === undefined ? [] : [section(`:warning: ${escapeMrkdwn(draft.notice)}`)];
}

export const backButton = (): KnownBlock => actions([button('◀ Back', WizardIds.back, { value: 'back' })], WizardIds.back);

const STEP_NUMBER: Readonly<Record<WizardStep, number>> = {
  model: 1,
  location: 2,
  pool: 3,
  instances: 4,
  workers: 5,
  existing: 6,
  review: 7,
};

/** The modal around a step's blocks. `submit` absent: nothing to submit yet (loading, or a final view). */
export function wizardModal(draft: Draft, step: WizardStep, blocks: KnownBlock[], submit: string | null): ModalView {
  return {
    type: 'modal',
    callback_id: callbackIdFor(step),
    private_metadata: draft.id,
    title: { type: 'plain_text', text: `Deploy ${STEP_NUMBER[step]}/7 · ${STEP_TITLES[step]}` },
    close: { type: 'plain_text', text: 'Cancel' },
    ...(submit !== null && { submit: { type: 'plain_text', text: submit } }),
    blocks,
  };
}
