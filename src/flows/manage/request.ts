import type { WebClient } from '@slack/web-api';
import { notInChannel, slackErrorCode } from '../../slack-errors.js';
import { buildChangeConfirmation, buildChangeSummary } from '../../blocks/manage.js';
import { type EphemeralMessage, inlineCode, notice, usageError } from '../../blocks/kit.js';
import { FINAL_PHASES, type Deployment } from '../../domain/deployment.js';
import {
  CHANGE_VERBS,
  newOperationId,
  operationHash,
  type Operation,
  type OperationChange,
  type ServiceChange,
  type ServiceSnapshot,
} from '../../domain/operation.js';
import { planChangeStatements, type ServiceInfo } from '../../snowflake/index.js';
import { replyAfterAck } from '../shared/reply.js';
import { displayArg, parseServiceArg, withService, type ServiceArg } from '../shared/service-ref.js';
import type { Subcommand, SubcommandArgs } from '../subcommand.js';
import type { ManageDeps } from './deps.js';
import { operationView } from '../../domain/operation-view.js';

/** Who asks, where, and the client to post with. */
export interface Requester {
  readonly userId: string;
  readonly teamId: string;
  readonly channelId: string;
  readonly client: Pick<WebClient, 'chat'>;
}

/** The requester of a click or a modal submission, answering in `channelId`. */
export function requesterOf(
  args: { body: { user: { id: string; team_id?: string }; team?: { id: string } | null }; client: Requester['client'] },
  channelId: string,
): Requester {
  return { userId: args.body.user.id, teamId: args.body.team?.id ?? args.body.user.team_id ?? '', channelId, client: args.client };
}

/** The channel of a message a button or select sits on. */
export function channelOf(args: { body: { channel?: { id: string }; container?: Record<string, unknown> } }): string {
  const container = args.body.container?.['channel_id'];
  return args.body.channel?.id ?? (typeof container === 'string' ? container : '');
}

/** The change, completed from what SHOW SERVICES says (e.g. scale without --min keeps the current min); a string is a problem to show. */
export type ChangeFor = (service: ServiceInfo) => ServiceChange | string;

/** A deployment of this service waiting for approval, or approved and not finished yet. */
function inFlight(deployments: readonly Deployment[]): Deployment | undefined {
  return deployments.find(
    (d) => d.state === 'pending' || (d.state === 'approved' && (d.execution === undefined || !FINAL_PHASES.includes(d.execution.phase))),
  );
}

/** Nothing to do: the service is already where the change would take it. */
function noop(change: ServiceChange, service: ServiceInfo): string | null {
  if (change.kind === 'suspend' && (service.status === 'SUSPENDED' || service.status === 'SUSPENDING')) return 'is already suspended';
  if (change.kind === 'resume' && service.status !== 'SUSPENDED' && service.status !== 'SUSPENDING')
    return `is ${service.status}, not suspended`;
  return null;
}

/**
 * The use case behind every service change: permission guard → resolve the service → complete and
 * check the change → choose the gate (approvers for a drop or while a deployment is in flight,
 * the requester's own confirmation otherwise) → store and audit the request → the confirmation
 * (returned) or the approval summary (posted in the channel).
 */
export async function requestChange(
  deps: ManageDeps,
  who: Requester,
  arg: ServiceArg,
  kind: ServiceChange['kind'],
  changeFor: ChangeFor,
): Promise<EphemeralMessage> {
  const refusal = await deps.guard.refuse({
    action: 'manage',
    doing: CHANGE_VERBS[kind],
    target: displayArg(arg),
    userId: who.userId,
    teamId: who.teamId,
    channelId: who.channelId,
  });
  if (refusal !== null) return notice(refusal);
  return withService(deps.snowflake, arg, async ({ service, name }) => {
    const change = changeFor(service);
    if (typeof change === 'string') return notice(change);
    const already = noop(change, service);
    if (already !== null) return notice(`Nothing to do: ${inlineCode(name.sql)} ${already}.`);
    const deployments = await deps.deployments.forService({
      database: service.databaseName,
      schema: service.schemaName,
      name: service.name,
    });
    const flying = inFlight(deployments);
    const threadOf = deployments.find((d) => d.messageTs !== undefined);
    const gateReason = flying !== undefined ? `deployment_in_flight:${flying.id}` : change.kind === 'drop' ? 'drop' : undefined;
    const op = await openRequest(
      deps,
      who,
      name.sql,
      change,
      {
        status: service.status,
        minInstances: service.minInstances,
        maxInstances: service.maxInstances,
        autoSuspendSecs: service.autoSuspendSecs,
        minReadyInstances: service.minReadyInstances,
      },
      {
        gate: gateReason === undefined ? 'self' : 'approval',
        ...(gateReason !== undefined && { gateReason }),
        ...(threadOf?.messageTs !== undefined && { thread: { channelId: threadOf.channelId, ts: threadOf.messageTs } }),
      },
    );
    if (op.gate === 'self') return buildChangeConfirmation(operationView(op));
    const summary = buildChangeSummary(operationView(op), deps.policy.requiredApprovals);
    const posted = await who.client.chat
      .postMessage({ channel: op.channelId, text: summary.text, blocks: summary.blocks })
      .catch((err: unknown) => {
        if (notInChannel(slackErrorCode(err))) return null;
        throw err;
      });
    // The request stays pending without its message and expires by itself; nothing changes in Snowflake.
    if (posted === null)
      return notice(
        `:warning: I'm not in <#${op.channelId}>, so I cannot post the request for approval. Invite me with \`/invite @spcs\`, then try again.`,
      );
    if (posted.ts !== undefined) await deps.operations.update(op.id, (c) => ({ ...c, messageTs: posted.ts ?? '' }));
    // Scheduled once the summary is known, so the expiry job can replace its buttons.
    await deps.expiry.schedule('operation', op.id, op.requestedAtMs);
    return notice(`:raised_hand: ${gateReasonTextFor(op)} I posted the request in this channel; it runs once approved.`);
  });
}

/** Stores a pending request and audits it (`change_requested`): the one way a service or pool change starts. */
export async function openRequest(
  deps: ManageDeps,
  who: Requester,
  target: string,
  change: OperationChange,
  before: ServiceSnapshot,
  gate: Pick<Operation, 'gate' | 'gateReason' | 'thread'>,
): Promise<Operation> {
  // The statements the worker will send, built now so the approval covers their exact text.
  const plan = planChangeStatements(target, change);
  if (!plan.ok) throw new RangeError(`cannot build the statement: ${plan.message}`);
  const op: Operation = {
    id: newOperationId(),
    service: target,
    change,
    before,
    ...gate,
    planHash: operationHash(
      target,
      change,
      plan.value.map((statement) => statement.text),
    ),
    requestedBy: who.userId,
    teamId: who.teamId,
    channelId: who.channelId,
    requestedAtMs: deps.now(),
    state: 'pending',
    approvals: [],
  };
  await deps.operations.create(op);
  await deps.audit.append({
    event: 'change_requested',
    deploymentId: op.id,
    actor: who.userId,
    teamId: who.teamId,
    channelId: who.channelId,
    atMs: op.requestedAtMs,
    planHash: op.planHash,
    action: change.kind,
    target,
    ...(op.gateReason !== undefined && { detail: op.gateReason }),
  });
  return op;
}

function gateReasonTextFor(op: Operation): string {
  return op.change.kind === 'drop' && op.gateReason === 'drop'
    ? 'Dropping a service needs approval.'
    : 'A deployment of this service is in flight, so this change needs approval.';
}

/** Help and argument parsing of one change command; `parse` answers a wrong argument with a problem. */
export interface ChangeCommandSpec {
  readonly name: ServiceChange['kind'];
  readonly usage: string;
  readonly summary: string;
  readonly examples: readonly [string, ...string[]];
  /** The words after the service; a string is what was wrong. */
  parse(rest: readonly string[]): ChangeFor | string;
}

/** `/spcs <change> <service> …`: argument errors in the ack; then the request after it. */
export function createChangeCommand(deps: ManageDeps, spec: ChangeCommandSpec): Subcommand {
  const { parse, ...help } = spec;
  return {
    ...help,
    async run(args: SubcommandArgs) {
      const [serviceText, ...rest] = args.argv;
      const arg = parseServiceArg(serviceText);
      const changeFor = parse(rest);
      if (!arg.ok) return args.ack(usageError(arg.message, spec.usage, spec.examples[0]));
      if (typeof changeFor === 'string') return args.ack(usageError(changeFor, spec.usage, spec.examples[0]));
      await args.ack();
      const who: Requester = {
        userId: args.command.user_id,
        teamId: args.command.team_id,
        channelId: args.command.channel_id,
        client: args.client,
      };
      await replyAfterAck(deps, args.respond, `${CHANGE_VERBS[spec.name]} the service`, () =>
        requestChange(deps, who, arg.value, spec.name, changeFor),
      );
    },
  };
}

/** Whole numbers only: "2", not "2.5", "-1" or "two". */
export function wholeNumber(text: string | undefined): number | null {
  return text !== undefined && /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : null;
}
