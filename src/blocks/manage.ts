import type { KnownBlock, ModalView } from '@slack/types';
import type { Decision } from '../domain/deployment.js';
import type { OperationChange, ServiceChangeKind, ServiceSnapshot } from '../domain/operation.js';
import type { OperationView } from '../domain/operation-view.js';
import { slackDate, type SlackMessage } from './deploy-status.js';
import {
  actions,
  button,
  codeBlock,
  context,
  type EphemeralMessage,
  escapeMrkdwn,
  header,
  inlineCode,
  MAX_SECTION_TEXT,
  message,
  option,
  section,
  textInput,
} from './kit.js';
import { formatAutoSuspend } from './observe-common.js';

/** Views of service changes (suspend, resume, scale, auto-suspend, drop): confirmation, approval summary, outcome, modals. */

export const ManageIds = {
  confirm: 'manage.confirm',
  cancel: 'manage.cancel',
  approve: 'manage.approve',
  reject: 'manage.reject',
  gateActions: 'manage.gate',
  /** Under a change that needs attention: a person checked and it took effect / look again and send it if not. */
  markDone: 'manage.mark_done',
  retry: 'manage.retry',
  attentionActions: 'manage.attention',
  rejectModal: 'manage.reject_modal',
  reasonBlock: 'manage.reason',
  reasonInput: 'manage.reason_input',
  scaleModal: 'manage.scale_modal',
  minBlock: 'manage.min',
  minInput: 'manage.min_input',
  maxBlock: 'manage.max',
  maxInput: 'manage.max_input',
  autoSuspendModal: 'manage.autosuspend_modal',
  secondsBlock: 'manage.seconds',
  secondsInput: 'manage.seconds_input',
  createPoolModal: 'manage.create_pool_modal',
  poolNameBlock: 'manage.pool_name',
  poolNameInput: 'manage.pool_name_input',
  poolFamilyBlock: 'manage.pool_family',
  poolFamilyInput: 'manage.pool_family_input',
  poolMinBlock: 'manage.pool_min',
  poolMinInput: 'manage.pool_min_input',
  poolMaxBlock: 'manage.pool_max',
  poolMaxInput: 'manage.pool_max_input',
  poolAutoResumeBlock: 'manage.pool_auto_resume',
  poolAutoResumeInput: 'manage.pool_auto_resume_input',
} as const;

/** The checkbox option that turns AUTO_RESUME on in the Create pool modal. */
export const AUTO_RESUME_OPTION = 'auto_resume';

/** What a Confirm / Approve button carries: the request and the plan it shows. */
export function encodeOperationTarget(target: OperationView['target']): string {
  return JSON.stringify({ o: target.operationId, h: target.planHash });
}

const HEADLINES: Readonly<Record<ServiceChangeKind, string>> = {
  suspend: 'Suspend',
  resume: 'Resume',
  scale: 'Scale',
  autosuspend: 'Set auto-suspend of',
  drop: 'Drop',
  pool_suspend: 'Suspend compute pool',
  pool_resume: 'Resume compute pool',
  pool_create: 'Create compute pool',
};

const instances = (min: number | null, max: number | null) => `min ${min ?? '?'}, max ${max ?? '?'}`;

/** The change as "current → new" lines, from the SHOW SERVICES snapshot taken at request time. */
export function changeLines(change: OperationChange, before: ServiceSnapshot): string[] {
  switch (change.kind) {
    case 'suspend':
      return [`*Status:* ${before.status} → SUSPENDED (instances stop; requests fail until it is resumed)`];
    case 'resume':
      return [`*Status:* ${before.status} → RUNNING (instances start again; this takes a few minutes)`];
    case 'scale': {
      const lines = [`*Instances:* ${instances(before.minInstances, before.maxInstances)} → ${instances(change.min, change.max)}`];
      if (change.minReady !== undefined) {
        lines.push(
          `*Min ready instances:* ${before.minReadyInstances ?? '?'} → ${change.minReady} (Snowflake requires min ready instances ≤ min instances, so it goes down with the minimum)`,
        );
      }
      return lines;
    }
    case 'autosuspend':
      return [`*Auto-suspend:* ${formatAutoSuspend(before.autoSuspendSecs)} → ${formatAutoSuspend(change.seconds)}`];
    case 'drop':
      return [`*Status:* ${before.status} → *dropped*: the service, its endpoint and its instances are deleted. This cannot be undone.`];
    case 'pool_suspend':
      return [`*State:* ${before.status} → SUSPENDED (its nodes stop)`, servicesOnPool(before.numServices)];
    case 'pool_resume':
      return [
        `*State:* ${before.status} → running again (nodes start; this takes a few minutes)`,
        `*Nodes:* ${before.minInstances ?? '?'} to ${before.maxInstances ?? '?'}`,
      ];
    case 'pool_create':
      return [
        `*Instance family:* ${change.instanceFamily}, *nodes:* ${change.minNodes} to ${change.maxNodes}, *auto-resume:* ${change.autoResume ? 'on' : 'off'}`,
        `*Statement:*\n${codeBlock(change.statement, { budget: MAX_SECTION_TEXT })}`,
      ];
  }
}

function servicesOnPool(count: number | null | undefined): string {
  if (count === null || count === undefined) return '*Services on it:* unknown';
  if (count === 0) return '*Services on it:* none';
  return `*Services on it:* ${count}: suspending the pool suspends ${count === 1 ? 'it' : 'them'}; their endpoints stop answering until the pool and the services are resumed.`;
}

function describeChange(op: OperationView): string {
  return [
    `*${op.change.kind.startsWith('pool_') ? 'Compute pool' : 'Service'}:* ${inlineCode(op.subject)}`,
    ...changeLines(op.change, op.before),
    `*Requested by:* <@${op.requestedBy}>`,
  ].join('\n');
}

/** The requester's own confirmation (ephemeral): what will change, Confirm / Cancel. */
export function buildChangeConfirmation(op: OperationView): EphemeralMessage {
  const value = encodeOperationTarget(op.target);
  return message(`${HEADLINES[op.change.kind]} ${op.subject}? Confirm to apply.`, [
    section(`*${HEADLINES[op.change.kind]} ${escapeMrkdwn(op.subject)}?*\n${describeChange(op)}`),
    actions(
      [
        button('Confirm', ManageIds.confirm, { value, style: op.change.kind === 'drop' ? 'danger' : 'primary' }),
        button('Cancel', ManageIds.cancel, { value }),
      ],
      ManageIds.gateActions,
    ),
  ]);
}

function gateReasonText(op: OperationView): string {
  if (op.approvalReason === 'deployment_in_flight') return 'A deployment of this service is in flight, so this change needs approval.';
  return 'Dropping a service needs approval.';
}

function people(decisions: readonly Decision[]): string {
  return decisions.map((a) => `<@${a.userId}> (${slackDate(a.atMs)})`).join(', ');
}

function gateState(op: OperationView, requiredApprovals: number): KnownBlock[] {
  const value = encodeOperationTarget(op.target);
  switch (op.state) {
    case 'pending': {
      const progress =
        op.approvals.length === 0
          ? `Needs ${requiredApprovals} approval${requiredApprovals === 1 ? '' : 's'}. Nothing changes until then.`
          : `Approved so far by ${people(op.approvals)}: ${op.approvals.length} of ${requiredApprovals}.`;
      return [
        context(`${gateReasonText(op)} ${progress}`),
        actions(
          [
            button('Approve', ManageIds.approve, { value, style: 'primary' }),
            button('Reject', ManageIds.reject, { value, style: 'danger' }),
          ],
          ManageIds.gateActions,
        ),
      ];
    }
    case 'approved': {
      const phase = op.phase;
      const running =
        phase === 'executing'
          ? [context(':hourglass_flowing_sand: Applying…')]
          : phase === 'needs_attention'
            ? [context(':warning: Needs attention: I cannot tell whether it took effect. See the message below it.')]
            : [];
      return [context(`:white_check_mark: Approved by ${people(op.approvals)}`), ...running];
    }
    case 'rejected': {
      const r = op.rejection;
      const who = r === undefined ? ':x: Rejected.' : `:x: Rejected by <@${r.userId}> (${slackDate(r.atMs)}).`;
      const why = r?.reason === undefined ? '' : `\n*Reason:* ${escapeMrkdwn(r.reason)}`;
      return [section(`${who} Nothing was changed.${why}`)];
    }
    case 'expired':
      return [context(':hourglass: Expired before it was approved. Nothing was changed; ask again.')];
  }
}

/** The approval summary posted in the channel (drop, or a change while a deployment is in flight). */
export function buildChangeSummary(op: OperationView, requiredApprovals: number): SlackMessage {
  const outcome = op.outcome === undefined ? [] : [section(escapeMrkdwn(op.outcome))];
  return {
    text: `Change request: ${HEADLINES[op.change.kind].toLowerCase()} ${op.subject}`,
    blocks: [
      header(`${HEADLINES[op.change.kind]} ${op.subject}`),
      section(describeChange(op)),
      ...gateState(op, requiredApprovals),
      ...outcome,
    ],
  };
}

/** The outcome line posted in the service's thread (or the channel). `failure` is already a sentence. */
export function buildChangeOutcome(
  op: OperationView,
  result: { readonly ok: true } | { readonly ok: false; readonly failure: string },
): SlackMessage {
  const what = `${HEADLINES[op.change.kind].toLowerCase()} ${inlineCode(op.subject)}`;
  const text = result.ok
    ? `:white_check_mark: <@${op.requestedBy}> asked to ${what}: done. ${changeLines(op.change, op.before).join(' ')}`
    : `${result.failure} (requested by <@${op.requestedBy}>)`;
  return { text: result.ok ? `Done: ${what}` : `Failed: ${what}`, blocks: [section(text)] };
}

/**
 * Posted when a worker cannot tell whether a change took effect (its predecessor died around the
 * statement and Snowflake could not be read, or shows something else): what to check, and two
 * buttons for the person who checked.
 */
export function buildChangeAttention(op: OperationView): SlackMessage {
  const what = `${HEADLINES[op.change.kind].toLowerCase()} ${inlineCode(op.subject)}`;
  const statements = op.unanswered;
  const why = op.note === undefined ? '' : ` (${escapeMrkdwn(op.note)})`;
  const value = encodeOperationTarget(op.target);
  return {
    text: `Needs attention: ${what}`,
    blocks: [
      section(
        `:warning: <@${op.requestedBy}> asked to ${what}. The worker stopped while sending it, and I cannot tell whether Snowflake took it${why}. I did not send it again. *Retry* looks again and sends it only if it did not take effect.\n*Check in Snowflake:*\n${codeBlock(statements.join('\n'), { budget: MAX_SECTION_TEXT })}`,
      ),
      actions(
        [button('I checked: mark done', ManageIds.markDone, { value, style: 'primary' }), button('Retry', ManageIds.retry, { value })],
        ManageIds.attentionActions,
      ),
    ],
  };
}

/** Asks the approver who clicked Reject for an optional reason; `private_metadata` carries the request and the plan shown. */
export function buildChangeRejectModal(op: OperationView): ModalView {
  return {
    type: 'modal',
    callback_id: ManageIds.rejectModal,
    private_metadata: encodeOperationTarget(op.target),
    title: { type: 'plain_text', text: 'Reject change' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(`Reject: ${HEADLINES[op.change.kind].toLowerCase()} ${inlineCode(op.subject)}?`),
      textInput(ManageIds.reasonBlock, 'Reason (optional)', {
        actionId: ManageIds.reasonInput,
        optional: true,
        multiline: true,
        maxLength: 2000,
      }),
    ],
  };
}

/** Typed as text, not Slack's number_input: the flows parse it and answer with their own error (empty keeps a value). */
const numberInput = (blockId: string, actionId: string, label: string, hint: string, optional = false): KnownBlock =>
  textInput(blockId, label, { actionId, hint, optional });

/** A modal with Next / Cancel; `private_metadata` carries what the submission needs (service, channel). */
function nextModal(callbackId: string, title: string, metadata: string, blocks: KnownBlock[]): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: metadata,
    title: { type: 'plain_text', text: title },
    submit: { type: 'plain_text', text: 'Next' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** Min / max instances for `/spcs status` → Scale. `private_metadata` carries the service and channel. */
export function buildScaleModal(service: string, metadata: string): ModalView {
  return nextModal(ManageIds.scaleModal, 'Scale service', metadata, [
    section(`Scale ${inlineCode(service)}. You will see current → new values and confirm before anything changes.`),
    numberInput(ManageIds.minBlock, ManageIds.minInput, 'Min instances', 'A whole number, 0 or more. Empty keeps the current value.', true),
    numberInput(ManageIds.maxBlock, ManageIds.maxInput, 'Max instances', 'A whole number of at least 1, and at least min instances.'),
  ]);
}

export function buildAutoSuspendModal(service: string, metadata: string): ModalView {
  return nextModal(ManageIds.autoSuspendModal, 'Auto-suspend', metadata, [
    section(`Auto-suspend ${inlineCode(service)} after this many idle seconds.`),
    numberInput(
      ManageIds.secondsBlock,
      ManageIds.secondsInput,
      'Seconds',
      'A whole number of seconds: 0 turns auto-suspend off, otherwise at least 300.',
    ),
  ]);
}

/** An instance family as the Create pool modal offers it. */
export interface PoolFamilyChoice {
  readonly name: string;
  readonly vcpu: number | null;
  readonly memoryGib: number | null;
  readonly gpu: { readonly type: string; readonly perNode: number } | null;
}

const familyLabel = (f: PoolFamilyChoice): string => {
  const size = [f.vcpu === null ? null : `${f.vcpu} vCPU`, f.memoryGib === null ? null : `${f.memoryGib} GiB`]
    .filter((x) => x !== null)
    .join(', ');
  const gpu = f.gpu === null ? 'no GPU' : `${f.gpu.perNode} x ${f.gpu.type}`;
  return `${f.name}: ${gpu}${size === '' ? '' : `, ${size}`}`;
};

/** `/spcs pools` → Create pool: name, instance family (from SHOW COMPUTE POOL INSTANCE FAMILIES), nodes, auto-resume. */
export function buildCreatePoolModal(families: readonly PoolFamilyChoice[], metadata: string): ModalView {
  const options = families.slice(0, 100).map((f) => option(familyLabel(f), f.name));
  const autoResume = option('Resume automatically when a service or job needs it', AUTO_RESUME_OPTION);
  return nextModal(ManageIds.createPoolModal, 'Create compute pool', metadata, [
    section('You will see the exact `CREATE COMPUTE POOL` statement and confirm before anything is created.'),
    textInput(ManageIds.poolNameBlock, 'Pool name', {
      actionId: ManageIds.poolNameInput,
      hint: 'Letters, digits, _ or $, starting with a letter or _. No quotes or spaces.',
      maxLength: 255,
    }),
    {
      type: 'input',
      block_id: ManageIds.poolFamilyBlock,
      label: { type: 'plain_text', text: 'Instance family' },
      element: {
        type: 'static_select',
        action_id: ManageIds.poolFamilyInput,
        placeholder: { type: 'plain_text', text: 'Pick a family' },
        options,
      },
    },
    numberInput(ManageIds.poolMinBlock, ManageIds.poolMinInput, 'Min nodes', 'A whole number of at least 1.'),
    numberInput(ManageIds.poolMaxBlock, ManageIds.poolMaxInput, 'Max nodes', 'A whole number, at least min nodes.'),
    {
      type: 'input',
      block_id: ManageIds.poolAutoResumeBlock,
      optional: true,
      label: { type: 'plain_text', text: 'Auto-resume' },
      element: { type: 'checkboxes', action_id: ManageIds.poolAutoResumeInput, options: [autoResume], initial_options: [autoResume] },
    },
  ]);
}
