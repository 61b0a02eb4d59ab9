import type { KnownBlock, ModalView } from '@slack/types';
import { qualifiedModel, qualifiedService, type DeployRequest } from '../domain/deploy-request.js';
import type { Draft, ExistingServiceInfo } from '../domain/deploy-draft.js';
import { backButton, noticeBlocks, wizardModal, WizardIds } from './deploy-wizard-frame.js';
import { bold, context, escapeMrkdwn, option, section } from './kit.js';
import { gpuText, suspendedNote } from './deploy-wizard-pool.js';

/** Steps 6 and 7: what to do about a service of the same name, and the summary a person submits. */

export const EXISTING_CHOICES = ['rename', 'drop_and_recreate', 'keep'] as const;
export type ExistingChoice = (typeof EXISTING_CHOICES)[number];

const CHOICE_TEXT: Readonly<Record<ExistingChoice, string>> = {
  rename: 'Rename: choose another name for the new service',
  drop_and_recreate: 'Delete the existing service and create it again',
  keep: 'Keep the existing service (deploy nothing)',
};

function serviceLabel(draft: Draft): string {
  const s = draft.service;
  return `${s.database ?? '?'}.${s.schema ?? '?'}.${s.name ?? '?'}`;
}

function instancesText(info: ExistingServiceInfo): string {
  return `${info.currentInstances ?? '?'} running (min ${info.minInstances ?? '?'} / max ${info.maxInstances ?? '?'})`;
}

function existingStatusLines(info: ExistingServiceInfo): string {
  return [
    `• Status: *${escapeMrkdwn(info.status)}*`,
    `• Compute pool: ${escapeMrkdwn(info.computePool)}`,
    `• Instances: ${escapeMrkdwn(instancesText(info))}`,
  ].join('\n');
}

export function buildExistingStep(draft: Draft, loading: boolean): ModalView {
  if (loading || draft.existing === undefined || draft.existing === null) {
    // Not loading and nothing found: the look-up failed, and the notice says why.
    const checking = loading ? [context(`:hourglass_flowing_sand: Checking whether ${escapeMrkdwn(serviceLabel(draft))} exists…`)] : [];
    return wizardModal(draft, 'existing', [...noticeBlocks(draft), ...checking, backButton()], null);
  }
  const initial = draft.existingService === 'drop_and_recreate' ? option(CHOICE_TEXT.drop_and_recreate, 'drop_and_recreate') : undefined;
  const blocks: KnownBlock[] = [
    ...noticeBlocks(draft),
    section(`A service named ${bold(serviceLabel(draft))} already exists:\n${existingStatusLines(draft.existing)}`),
    {
      type: 'input',
      block_id: WizardIds.existingChoice,
      label: { type: 'plain_text', text: 'What to do with the existing service' },
      element: {
        type: 'radio_buttons',
        action_id: WizardIds.existingChoice,
        options: EXISTING_CHOICES.map((c) => option(CHOICE_TEXT[c], c)),
        ...(initial && { initial_option: initial }),
      },
    },
    backButton(),
  ];
  return wizardModal(draft, 'existing', blocks, 'Next');
}

/** The seed's summary lines, from the exact request the approvers will see. */
function summaryLines(request: DeployRequest): string[] {
  const pool = request.pool;
  const kind = pool.gpu === null ? 'CPU' : `GPU, ${gpuText(pool.gpu)}`;
  const poolLine =
    pool.kind === 'create'
      ? `${pool.name} (${kind}) — new pool: ${pool.instanceFamily}, ${pool.minNodes}–${pool.maxNodes} nodes, auto-resume ${pool.autoResume ? 'on' : 'off'}; created after approval`
      : `${pool.name} (${kind})${pool.state === 'SUSPENDED' ? ` — ${suspendedNote({ autoResume: null })}` : ''}`;
  const lines = [
    `• Model: ${qualifiedModel(request)} (version ${request.model.version})`,
    `• Service: ${qualifiedService(request)}`,
    `• Compute Pool: ${poolLine}`,
    `• Max Instances: ${request.maxInstances}`,
    `• GPU Requests: ${request.gpuRequests ?? 'N/A'}`,
    `• Num Workers: ${request.numWorkers}`,
  ];
  if (request.existingService === 'drop_and_recreate') lines.push(`• Existing service: will be dropped and created again`);
  return lines.map(escapeMrkdwn);
}

/** How the spec will travel, when that is worth a line; a refusal replaces the submit button. */
function deliveryBlocks(draft: Draft, loading: boolean): KnownBlock[] {
  const delivery = draft.specDelivery;
  if (delivery === undefined) return loading ? [context(':hourglass_flowing_sand: Checking how this account takes deployment specs…')] : [];
  switch (delivery.kind) {
    case 'inline':
      return [];
    case 'stage':
      return [
        context(
          `The deployment spec goes to Snowflake as deploy.yml on a temporary stage in ${escapeMrkdwn(`${draft.model.database ?? '?'}.${draft.model.schema ?? '?'}`)}: this account does not take it inline (ENABLE_INLINE_DEPLOYMENT_SPEC_FROM_CLIENT_VERSION: ${escapeMrkdwn(delivery.capability ?? 'not listed')}).`,
        ),
      ];
    case 'refused':
      return [section(`:no_entry: *This deployment cannot be sent.* ${escapeMrkdwn(delivery.message)}`)];
  }
}

export function buildReviewStep(draft: Draft, request: DeployRequest, loading = false): ModalView {
  const refused = draft.specDelivery?.kind === 'refused';
  const blocks: KnownBlock[] = [
    ...noticeBlocks(draft),
    section(`*Summary*\n${summaryLines(request).join('\n')}`),
    ...deliveryBlocks(draft, loading),
    ...(refused
      ? []
      : [
          context(
            'Nothing changes in Snowflake until the deployment is approved. Service creation then typically takes 5–15 minutes; progress is posted in a thread.',
          ),
        ]),
    backButton(),
  ];
  return wizardModal(draft, 'review', blocks, refused ? null : 'Request approval');
}

/** The wizard ends here when the person keeps the service that exists. */
export function buildKeptServiceView(draft: Draft, info: ExistingServiceInfo): ModalView {
  const view = wizardModal(
    draft,
    'existing',
    [section(`Keeping the existing service ${bold(serviceLabel(draft))}; nothing will be deployed.\n${existingStatusLines(info)}`)],
    null,
  );
  return { ...view, callback_id: `${view.callback_id}.kept`, private_metadata: '', close: { type: 'plain_text', text: 'Done' } };
}

/** Shown instead of a step when the draft is gone (expired after an hour, or already submitted). */
export function buildExpiredView(): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Deploy' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [section('This deploy wizard has expired or was already submitted. Run `/spcs deploy` again to start over.')],
  };
}
