import type { KnownBlock, ModalView } from '@slack/types';
import type { GpuSpec } from '../domain/deploy-request.js';
import type { Draft, FamilyRow, PoolRow } from '../domain/deploy-draft.js';
import { backButton, noticeBlocks, wizardModal, WizardIds } from './deploy-wizard-frame.js';
import { actions, bold, button, context, escapeMrkdwn, numberInput, option, section, textInput } from './kit.js';

/** Step 3: the compute pool, as a table of what exists, or a new pool created after approval. */

// Block Kit: section text ≤ 3000 characters, ≤ 100 blocks per modal. Rows beyond this stay
// reachable through the picker's type-ahead.
const SECTION_CHARS = 2900;
const MAX_TABLE_SECTIONS = 12;

export const gpuText = (gpu: GpuSpec | null) => (gpu === null ? 'None' : `${gpu.perNode} x ${gpu.type}`);

export const isSuspended = (pool: Pick<PoolRow, 'state'>) => pool.state === 'SUSPENDED';

export function suspendedNote(pool: Pick<PoolRow, 'autoResume'>): string {
  return pool.autoResume === false
    ? 'suspended, and AUTO_RESUME is off: it must be resumed before the service can start'
    : 'suspended: it resumes when the service starts, so the first start is slower';
}

function poolLine(p: PoolRow): string {
  const state = isSuspended(p) ? `:double_vertical_bar: SUSPENDED (${suspendedNote(p)})` : escapeMrkdwn(p.state);
  const kind = p.gpu === null ? 'CPU' : 'GPU';
  return [
    `${bold(p.name)} (${kind})`,
    `family ${escapeMrkdwn(p.instanceFamily)}`,
    `GPUs/node ${escapeMrkdwn(gpuText(p.gpu))}`,
    `nodes ${p.minNodes} / ${p.maxNodes}`,
    `active ${p.activeNodes ?? '?'}`,
    state,
    `services ${p.services ?? '?'}`,
    ...(p.usable === false ? [':no_entry: no USAGE for the bot'] : []),
  ].join(' · ');
}

/** The seed's table as sections, each within Slack's text limit. */
function poolTable(pools: readonly PoolRow[]): KnownBlock[] {
  const sections: string[] = [];
  let current = '*Pool · Instance family · GPUs/Node · Min/Max nodes · Active nodes · State · Services*';
  let shown = 0;
  for (const pool of pools) {
    const line = poolLine(pool);
    if (current.length + line.length + 1 > SECTION_CHARS) {
      if (sections.length + 1 >= MAX_TABLE_SECTIONS) break;
      sections.push(current);
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
    shown++;
  }
  sections.push(current);
  const blocks = sections.map(section);
  if (shown < pools.length) blocks.push(context(`…and ${pools.length - shown} more pools: type a name in the picker to find them.`));
  return blocks;
}

export function poolOptionText(p: PoolRow): string {
  return `${p.name} · ${p.gpu === null ? 'CPU' : gpuText(p.gpu)} · ${p.state}`;
}

function recommendation(draft: Draft): string {
  return draft.versionInfo?.hasGpuRuntime === true
    ? ':bulb: Recommendation: use a GPU compute pool — this model has a GPU runtime, and deep learning models (transformers, large embeddings) need GPU inference.'
    : ':information_source: This model version was logged without a GPU runtime, so it can only use a CPU pool.';
}

/** No pool of the kind the model needs: the wizard offers to create one. */
function noPoolFits(draft: Draft): boolean {
  const pools = draft.lists.pools ?? [];
  const wantsGpu = draft.versionInfo?.hasGpuRuntime === true;
  return !pools.some((p) => (wantsGpu ? p.gpu !== null : p.gpu === null));
}

function existingPoolBlocks(draft: Draft, loading: boolean): KnownBlock[] {
  if (loading) return [context(':hourglass_flowing_sand: Checking Snowflake for compute pools…')];
  const pools = draft.lists.pools ?? [];
  const selected = draft.pool?.kind === 'existing' ? draft.pool.name : undefined;
  const createText = noPoolFits(draft) ? 'No pool fits this model: create a new pool' : 'Create a new pool instead';
  return [
    section(pools.length === 0 ? 'No compute pools are visible to the bot.' : '*Available compute pools*'),
    ...(pools.length === 0 ? [] : poolTable(pools)),
    context(recommendation(draft)),
    {
      type: 'input',
      block_id: WizardIds.pool,
      optional: pools.length === 0,
      label: { type: 'plain_text', text: 'Compute pool' },
      element: {
        type: 'external_select',
        action_id: WizardIds.pool,
        min_query_length: 0,
        placeholder: { type: 'plain_text', text: 'Pick a compute pool' },
        ...(selected !== undefined && { initial_option: option(selected, selected) }),
      },
    },
    actions([button(createText, WizardIds.createPool, { value: 'create' })], WizardIds.createPool),
  ];
}

const familyOptionText = (f: FamilyRow) =>
  `${f.name} · ${f.gpu === null ? 'CPU' : gpuText(f.gpu)}${f.vcpu === null ? '' : ` · ${f.vcpu} vCPU`}`;

function createPoolBlocks(draft: Draft): KnownBlock[] {
  const families = (draft.lists.families ?? []).slice(0, 100);
  const chosen = draft.pool?.kind === 'create' ? draft.pool : undefined;
  const chosenFamily = families.find((f) => f.name === chosen?.instanceFamily);
  return [
    context('The pool is created only after the deployment is approved: `CREATE COMPUTE POOL IF NOT EXISTS … AUTO_RESUME = TRUE`.'),
    context(recommendation(draft)),
    textInput(WizardIds.newPoolName, 'New pool name', {
      initial: chosen?.name,
      maxLength: 255,
      hint: 'Letters, digits, _ or $, starting with a letter or _.',
    }),
    {
      type: 'input',
      block_id: WizardIds.newPoolFamily,
      label: { type: 'plain_text', text: 'Instance family' },
      element: {
        type: 'static_select',
        action_id: WizardIds.newPoolFamily,
        placeholder: { type: 'plain_text', text: 'Pick an instance family' },
        options:
          families.length === 0 ? [option('No instance families listed', '-')] : families.map((f) => option(familyOptionText(f), f.name)),
        ...(chosenFamily && { initial_option: option(familyOptionText(chosenFamily), chosenFamily.name) }),
      },
    },
    numberInput({ id: WizardIds.newPoolMinNodes, label: 'Min nodes', min: 1, initial: chosen?.minNodes ?? 1 }),
    numberInput({ id: WizardIds.newPoolMaxNodes, label: 'Max nodes', min: 1, initial: chosen?.maxNodes ?? 1 }),
    {
      type: 'input',
      block_id: WizardIds.newPoolAutoResume,
      optional: true,
      label: { type: 'plain_text', text: 'Auto-resume' },
      element: {
        type: 'checkboxes',
        action_id: WizardIds.newPoolAutoResume,
        options: [option('Resume the pool automatically when a service needs it', 'auto_resume')],
        ...((chosen === undefined || chosen.autoResume) && {
          initial_options: [option('Resume the pool automatically when a service needs it', 'auto_resume')],
        }),
      },
    },
    actions([button('Use an existing pool instead', WizardIds.useExistingPool, { value: 'existing' })], WizardIds.useExistingPool),
  ];
}

export function buildPoolStep(draft: Draft, loading: boolean): ModalView {
  const body = draft.poolMode === 'create' && !loading ? createPoolBlocks(draft) : existingPoolBlocks(draft, loading);
  const blocks: KnownBlock[] = [...noticeBlocks(draft), ...body, backButton()];
  return wizardModal(draft, 'pool', blocks, loading ? null : 'Next');
}
