import type { ModalView } from '@slack/types';
import type { DeployRequest } from '../domain/deploy-request.js';
import type { Draft } from '../domain/deploy-draft.js';
import { buildLocationStep } from './deploy-wizard-location.js';
import { buildModelStep } from './deploy-wizard-model.js';
import { buildPoolStep } from './deploy-wizard-pool.js';
import { buildExistingStep, buildReviewStep } from './deploy-wizard-review.js';
import { buildInstancesStep, buildWorkersStep } from './deploy-wizard-sizing.js';

export { WizardIds, LIST_SELECTS, callbackIdFor, type ListSelect } from './deploy-wizard-frame.js';

export interface WizardViewModel {
  readonly draft: Draft;
  /** The step waits for Snowflake: a "Checking…" version without a submit button. */
  readonly loading: boolean;
  /** The request the review step shows; required there. */
  readonly request: DeployRequest | null;
}

/** The view of the draft's current step. */
export function buildWizardView(vm: WizardViewModel): ModalView {
  const { draft, loading } = vm;
  switch (draft.step) {
    case 'model':
      return buildModelStep(draft, loading);
    case 'location':
      return buildLocationStep(draft);
    case 'pool':
      return buildPoolStep(draft, loading);
    case 'instances':
      return buildInstancesStep(draft);
    case 'workers':
      return buildWorkersStep(draft);
    case 'existing':
      return buildExistingStep(draft, loading);
    case 'review':
      if (vm.request === null) throw new TypeError('the review step needs the request it summarises');
      return buildReviewStep(draft, vm.request, loading);
  }
}
