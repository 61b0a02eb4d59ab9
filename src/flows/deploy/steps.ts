import { WizardIds } from '../../blocks/deploy-wizard.js';
import { isSuspended, suspendedNote } from '../../blocks/deploy-wizard-pool.js';
import { EXISTING_CHOICES, type ExistingChoice } from '../../blocks/deploy-wizard-review.js';
import { MAX_INSTANCES_LIMIT, WORKERS_MANUAL } from '../../blocks/deploy-wizard-sizing.js';
import type { DeployRequest } from '../../domain/deploy-request.js';
import { checkComputePoolRequest, identifierFromSnowflake, parseIdentifier, type QueryRunner } from '../../snowflake/index.js';
import type { Draft, ExistingServiceInfo, WizardStep } from '../../domain/deploy-draft.js';
import type { DeployWizardDeps } from './deps.js';
import { checkExistingService, checkSpecDelivery, loadPools } from './loaders.js';
import { toDeployRequest } from './request.js';
import { checkedOf, parseWholeNumber, selectedOf, textOf, type StateValues } from './values.js';

/**
 * What submitting each step does: check the answers (errors go on the field, keyed by block_id),
 * then name the next step and, when it needs Snowflake data, the look-up that fills it after the ack.
 */
export type StepResult =
  | { readonly kind: 'errors'; readonly errors: Readonly<Record<string, string>> }
  | { readonly kind: 'step'; readonly draft: Draft; readonly load?: (draft: Draft) => Promise<Draft> }
  | { readonly kind: 'kept'; readonly info: ExistingServiceInfo }
  | { readonly kind: 'submit'; readonly request: DeployRequest };

const errors = (e: Record<string, string>): StepResult => ({ kind: 'errors', errors: e });
const goTo = (draft: Draft, step: WizardStep, load?: (d: Draft) => Promise<Draft>): StepResult => {
  const { notice: _dropped, ...rest } = draft;
  return { kind: 'step', draft: { ...rest, step }, ...(load && { load }) };
};

/** The most workers a CPU instance may be asked for by hand. */
const MAX_CPU_WORKERS = 64;

function submitModel(draft: Draft): StepResult {
  const m = draft.model;
  const missing: Record<string, string> = {};
  if (m.database === undefined) missing[WizardIds.modelDatabase] = 'Pick the database the model is registered in.';
  else if (m.schema === undefined) missing[WizardIds.modelSchema] = 'Pick the schema the model is registered in.';
  else if (m.name === undefined) missing[WizardIds.modelName] = 'Pick a model.';
  else if (m.version === undefined) missing[WizardIds.modelVersion] = 'Pick a version of the model.';
  else if (draft.versionInfo === undefined) {
    missing[WizardIds.modelVersion] = draft.notice ?? 'Still reading this version from Snowflake; submit again in a moment.';
  }
  return Object.keys(missing).length > 0 ? errors(missing) : goTo(draft, 'location');
}

function submitLocation(draft: Draft, values: StateValues, db: QueryRunner): StepResult {
  const fields = [
    [WizardIds.serviceDatabase, 'Service database'],
    [WizardIds.serviceSchema, 'Service schema'],
    [WizardIds.serviceName, 'Service name'],
  ] as const;
  const found: Record<string, string> = {};
  const problems: Record<string, string> = {};
  for (const [id, label] of fields) {
    const parsed = parseIdentifier(textOf(values, id) ?? '', label);
    if (parsed.ok) found[id] = parsed.value.name;
    else problems[id] = parsed.message;
  }
  const database = found[WizardIds.serviceDatabase];
  const schema = found[WizardIds.serviceSchema];
  const name = found[WizardIds.serviceName];
  if (database === undefined || schema === undefined || name === undefined) return errors(problems);
  const { serviceNameHint: _hint, existing: _existing, ...rest } = draft;
  return goTo({ ...rest, service: { database, schema, name } }, 'pool', (d) => loadPools(db, d));
}

/** A GPU pool for a model without a GPU runtime: refused, with the reason. */
function gpuRefusal(draft: Draft, what: string): string {
  return `${what} has GPUs, but ${draft.model.name ?? 'this model'} version ${draft.model.version ?? '?'} was logged without a GPU runtime, so it cannot use them. Pick a CPU pool.`;
}

/** Changing the pool can make the worker count meaningless (a GPU count on a CPU pool): ask again. */
function withPool(draft: Draft, pool: NonNullable<Draft['pool']>): Draft {
  const samePool = draft.pool?.name === pool.name && draft.pool.kind === pool.kind;
  const { numWorkers: _n, ...rest } = draft;
  return samePool ? { ...draft, pool } : { ...rest, pool };
}

function submitExistingPool(draft: Draft, values: StateValues): StepResult {
  const picked = selectedOf(values, WizardIds.pool) ?? (draft.pool?.kind === 'existing' ? draft.pool.name : undefined);
  if (picked === undefined) return errors({ [WizardIds.pool]: 'Pick a compute pool, or create a new one.' });
  const pool = draft.lists.pools?.find((p) => p.name === picked);
  if (pool === undefined) return errors({ [WizardIds.pool]: `${picked} is not a compute pool the bot can see; pick one from the list.` });
  if (pool.usable === false) {
    return errors({
      [WizardIds.pool]: `The bot's Snowflake role has no USAGE on compute pool ${pool.name}, so deploying there would fail with "insufficient privileges". Ask an admin for GRANT USAGE ON COMPUTE POOL ${pool.name}, or pick another pool.`,
    });
  }
  if (pool.gpu !== null && draft.versionInfo?.hasGpuRuntime !== true) {
    return errors({ [WizardIds.pool]: gpuRefusal(draft, `${pool.name} is a GPU pool (${pool.gpu.perNode} x ${pool.gpu.type}) and`) });
  }
  const next = withPool(draft, {
    kind: 'existing',
    name: pool.name,
    instanceFamily: pool.instanceFamily,
    gpu: pool.gpu,
    state: pool.state,
  });
  const result = goTo(next, 'instances');
  if (result.kind !== 'step' || !isSuspended(pool)) return result;
  return { ...result, draft: { ...result.draft, notice: `${pool.name} is ${suspendedNote(pool)}.` } };
}

function submitNewPool(draft: Draft, values: StateValues): StepResult {
  const problems: Record<string, string> = {};
  const name = parseIdentifier(textOf(values, WizardIds.newPoolName) ?? '', 'New pool name');
  if (!name.ok) problems[WizardIds.newPoolName] = name.message;
  else if (draft.lists.pools?.some((p) => p.name === name.value.name)) {
    problems[WizardIds.newPoolName] = `New pool name: a pool named ${name.value.name} exists already; pick it from the list instead.`;
  }
  const familyName = selectedOf(values, WizardIds.newPoolFamily);
  const family = draft.lists.families?.find((f) => f.name === familyName);
  if (family === undefined) problems[WizardIds.newPoolFamily] = 'Instance family: pick one from the list.';
  else if (family.gpu !== null && draft.versionInfo?.hasGpuRuntime !== true) {
    problems[WizardIds.newPoolFamily] = gpuRefusal(draft, `${family.name} (${family.gpu.perNode} x ${family.gpu.type})`);
  }
  const min = parseWholeNumber(textOf(values, WizardIds.newPoolMinNodes), 'Min nodes', 1, 100);
  const max = parseWholeNumber(textOf(values, WizardIds.newPoolMaxNodes), 'Max nodes', 1, 100);
  if (!min.ok) problems[WizardIds.newPoolMinNodes] = min.message;
  if (!max.ok) problems[WizardIds.newPoolMaxNodes] = max.message;
  if (!name.ok || family === undefined || !min.ok || !max.ok || Object.keys(problems).length > 0) return errors(problems);
  const autoResume = checkedOf(values, WizardIds.newPoolAutoResume).includes('auto_resume');
  const request = {
    name: name.value,
    instanceFamily: identifierFromSnowflake(family.name),
    minNodes: min.value,
    maxNodes: max.value,
    autoResume,
  };
  for (const problem of checkComputePoolRequest(request)) {
    problems[problem.startsWith('Min nodes') ? WizardIds.newPoolMinNodes : WizardIds.newPoolMaxNodes] = problem;
  }
  if (Object.keys(problems).length > 0) return errors(problems);
  const pool = {
    kind: 'create' as const,
    name: name.value.name,
    instanceFamily: family.name,
    gpu: family.gpu,
    minNodes: min.value,
    maxNodes: max.value,
    autoResume,
  };
  return goTo(withPool(draft, pool), 'instances');
}

function submitInstances(draft: Draft, values: StateValues): StepResult {
  const max = parseWholeNumber(textOf(values, WizardIds.maxInstances), 'Max instances', 1, MAX_INSTANCES_LIMIT);
  if (!max.ok) return errors({ [WizardIds.maxInstances]: max.message });
  return goTo({ ...draft, maxInstances: max.value }, 'workers');
}

/** What the steps may look up after the ack. */
export type StepLookups = Pick<DeployWizardDeps, 'snowflake' | 'capabilities' | 'specDirectory'>;

const toReview = (deps: StepLookups) => (d: Draft) => checkSpecDelivery(deps.capabilities, deps.specDirectory, d);

function submitWorkers(draft: Draft, values: StateValues, deps: StepLookups): StepResult {
  const gpu = draft.pool?.gpu ?? null;
  const raw = textOf(values, WizardIds.numWorkers);
  let numWorkers: number | 'auto';
  if (gpu !== null) {
    const parsed = parseWholeNumber(raw, 'Number of workers', 1, gpu.perNode);
    if (!parsed.ok) return errors({ [WizardIds.numWorkers]: parsed.message });
    numWorkers = parsed.value;
  } else if (selectedOf(values, WizardIds.workersMode) === WORKERS_MANUAL) {
    const parsed = parseWholeNumber(raw, 'Number of workers', 1, MAX_CPU_WORKERS);
    if (!parsed.ok) return errors({ [WizardIds.numWorkers]: parsed.message });
    numWorkers = parsed.value;
  } else {
    numWorkers = 'auto';
  }
  return goTo({ ...draft, numWorkers }, 'existing', async (d) => {
    const checked = await checkExistingService(deps.snowflake, d);
    // No service of that name: nothing to decide, straight to the review.
    return checked.existing === null ? toReview(deps)({ ...checked, step: 'review', existingService: 'none' }) : checked;
  });
}

function submitExisting(draft: Draft, values: StateValues, deps: StepLookups): StepResult {
  const choice = EXISTING_CHOICES.find((c): c is ExistingChoice => c === selectedOf(values, WizardIds.existingChoice));
  const info = draft.existing;
  if (choice === undefined || info === undefined || info === null) {
    return errors({ [WizardIds.existingChoice]: 'Choose what to do with the existing service.' });
  }
  const s = draft.service;
  switch (choice) {
    case 'keep':
      return { kind: 'kept', info };
    case 'drop_and_recreate':
      return goTo({ ...draft, existingService: 'drop_and_recreate' }, 'review', toReview(deps));
    case 'rename': {
      const hint = `A service named ${s.name ?? '?'} already exists in ${s.database ?? '?'}.${s.schema ?? '?'}; choose another name.`;
      const { existing: _e, existingService: _s, ...rest } = draft;
      const result = goTo({ ...rest, serviceNameHint: hint }, 'location');
      return result.kind === 'step' ? { ...result, draft: { ...result.draft, notice: hint } } : result;
    }
  }
}

function submitReview(draft: Draft, deps: StepLookups): StepResult {
  const request = toDeployRequest(draft);
  if (request === null) return goTo({ ...draft, notice: 'Some answers are missing; go back and check each step.' }, 'review');
  const delivery = draft.specDelivery;
  // Not read yet (the look-up failed): read it again rather than send an unchecked plan to approval.
  if (delivery === undefined) return goTo(draft, 'review', toReview(deps));
  // The review shows why, and has no submit button; a stale view's submit lands here.
  if (delivery.kind === 'refused') return goTo(draft, 'review');
  return { kind: 'submit', request };
}

/** Runs the submitted step's checks. */
export function submitStep(draft: Draft, values: StateValues, deps: StepLookups): StepResult {
  const db = deps.snowflake;
  switch (draft.step) {
    case 'model':
      return submitModel(draft);
    case 'location':
      return submitLocation(draft, values, db);
    case 'pool':
      return draft.poolMode === 'create' ? submitNewPool(draft, values) : submitExistingPool(draft, values);
    case 'instances':
      return submitInstances(draft, values);
    case 'workers':
      return submitWorkers(draft, values, deps);
    case 'existing':
      return submitExisting(draft, values, deps);
    case 'review':
      return submitReview(draft, deps);
  }
}

/** Where Back goes from each step; answers stay in the draft, so the earlier step shows them. */
export function previousStep(draft: Draft): WizardStep {
  switch (draft.step) {
    case 'model':
    case 'location':
      return 'model';
    case 'pool':
      return 'location';
    case 'instances':
      return 'pool';
    case 'workers':
      return 'instances';
    case 'existing':
      return 'workers';
    case 'review':
      return draft.existing === null || draft.existing === undefined ? 'workers' : 'existing';
  }
}
