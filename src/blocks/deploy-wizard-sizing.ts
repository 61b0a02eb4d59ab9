import type { KnownBlock, ModalView } from '@slack/types';
import type { GpuSpec } from '../domain/deploy-request.js';
import type { Draft } from '../domain/deploy-draft.js';
import { backButton, noticeBlocks, wizardModal, WizardIds } from './deploy-wizard-frame.js';
import { bold, context, numberInput, option, section } from './kit.js';

/** Steps 4 and 5: how far the service may scale out, and how many workers each instance runs. */

export const MAX_INSTANCES_LIMIT = 100;

export function buildInstancesStep(draft: Draft): ModalView {
  const blocks: KnownBlock[] = [
    ...noticeBlocks(draft),
    section(
      'How many max instances would you like for the service?\n' +
        '• *1 instance*: suitable for development/testing or low traffic\n' +
        '• *2+ instances*: recommended for production workloads expecting higher load',
    ),
    context(':bulb: The service will scale between 1 and max instances based on demand.'),
    numberInput({ id: WizardIds.maxInstances, label: 'Max instances', min: 1, max: MAX_INSTANCES_LIMIT, initial: draft.maxInstances ?? 1 }),
    backButton(),
  ];
  return wizardModal(draft, 'instances', blocks, 'Next');
}

export const WORKERS_AUTO = 'auto';
export const WORKERS_MANUAL = 'manual';

function gpuWorkers(draft: Draft, poolName: string, gpu: GpuSpec): KnownBlock[] {
  const initial = typeof draft.numWorkers === 'number' ? draft.numWorkers : undefined;
  return [
    section(
      'GPUs are spread equally among workers. Each worker needs its own copy of the model in GPU memory.\n\n' +
        'If your model fits into a single GPU, you can start by setting num_workers to the number of GPUs available.\n' +
        'Example: if your model needs 2 A10 GPUs and you have 4 available (GPU_NV_M), then num_workers must be 2.',
    ),
    context(':bulb: If you see backpressure and GPU utilization is not very high, consider tuning up the number of workers.'),
    section(
      `Based on your compute pool (${bold(poolName)} with ${gpu.perNode} GPUs):\n• gpu_requests will be set to *${gpu.perNode}* (max available for this node)`,
    ),
    numberInput({
      id: WizardIds.numWorkers,
      label: 'Number of workers (num_workers)',
      min: 1,
      max: gpu.perNode,
      initial,
      hint: `A whole number from 1 to ${gpu.perNode}.`,
    }),
  ];
}

function cpuWorkers(draft: Draft): KnownBlock[] {
  const manual = typeof draft.numWorkers === 'number';
  const auto = option('Use auto-picker (recommended)', WORKERS_AUTO);
  const byHand = option('Specify num_workers manually', WORKERS_MANUAL);
  return [
    section(
      'For CPU inference, we recommend leaving num_workers unset: Snowflake will auto-pick an appropriate value based on your workload.',
    ),
    {
      type: 'input',
      block_id: WizardIds.workersMode,
      label: { type: 'plain_text', text: 'Workers (num_workers)' },
      element: { type: 'radio_buttons', action_id: WizardIds.workersMode, options: [auto, byHand], initial_option: manual ? byHand : auto },
    },
    numberInput({
      id: WizardIds.numWorkers,
      label: 'Number of workers, when specified manually',
      min: 1,
      optional: true,
      initial: manual && typeof draft.numWorkers === 'number' ? draft.numWorkers : undefined,
    }),
  ];
}

export function buildWorkersStep(draft: Draft): ModalView {
  const pool = draft.pool;
  const gpu = pool?.gpu ?? null;
  const blocks: KnownBlock[] = [
    section("*Now let's configure num_workers.*"),
    ...noticeBlocks(draft),
    ...(gpu !== null && pool !== undefined ? gpuWorkers(draft, pool.name, gpu) : cpuWorkers(draft)),
    backButton(),
  ];
  return wizardModal(draft, 'workers', blocks, 'Next');
}
