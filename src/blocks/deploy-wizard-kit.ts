import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { Draft, WizardStep } from '../store/draft-store.js';
import { escapeMrkdwn } from './text.js';

/**
 * Shared pieces of the deploy wizard's views: the ids every step module renders (block_id equals
 * action_id for inputs, so `errors` keyed by block_id land on the right field) and small builders.
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

export const STEP_TITLES: Readonly<Record<WizardStep, string>> = {
  model: 'Model',
  location: 'Location',
  pool: 'Pool',
  instances: 'Instances',
  workers: 'Workers',
  existing: 'Existing',
  review: 'Review',
};

export const callbackIdFor = (step: WizardStep) => `${WizardIds.callbackPrefix}${step}`;

/** Slack limits a plain_text option's text to 75 characters. */
export const option = (text: string, value: string): PlainTextOption => ({
  text: { type: 'plain_text', text: text.length > 75 ? `${text.slice(0, 74)}…` : text },
  value,
});

export const mrkdwn = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
export const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });

/** A name from Snowflake or a person, safe in mrkdwn. */
export const bold = (text: string) => `*${escapeMrkdwn(text)}*`;

export function noticeBlocks(draft: Draft): KnownBlock[] {
  return draft.notice === undefined ? [] : [mrkdwn(`:warning: ${escapeMrkdwn(draft.notice)}`)];
}

export const backButton = (): KnownBlock => ({
  type: 'actions',
  block_id: WizardIds.back,
  elements: [{ type: 'button', action_id: WizardIds.back, text: { type: 'plain_text', text: '◀ Back' }, value: 'back' }],
});

export const numberInput = (opts: {
  id: string;
  label: string;
  min: number;
  max?: number;
  initial?: number | undefined;
  optional?: boolean;
  hint?: string;
}): KnownBlock => ({
  type: 'input',
  block_id: opts.id,
  optional: opts.optional ?? false,
  label: { type: 'plain_text', text: opts.label },
  ...(opts.hint !== undefined && { hint: { type: 'plain_text', text: opts.hint } }),
  element: {
    type: 'number_input',
    action_id: opts.id,
    is_decimal_allowed: false,
    min_value: String(opts.min),
    ...(opts.max !== undefined && { max_value: String(opts.max) }),
    ...(opts.initial !== undefined && { initial_value: String(opts.initial) }),
  },
});

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
