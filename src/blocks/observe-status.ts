import type { KnownBlock } from '@slack/types';
import type { InferenceEndpoint, ServiceContainer, ServiceInfo } from '../snowflake/index.js';
import { endpointText, instancesText } from './observe-list.js';
import {
  context,
  formatAutoSuspend,
  header,
  MAX_MESSAGE_BLOCKS,
  message,
  plural,
  section,
  statusMarker,
  type ObserveMessage,
} from './observe-kit.js';
import { escapeMrkdwn, inlineCode } from './text.js';

/** Buttons under a service's status; each value is the service's qualified name (SQL form). */
export const StatusActions = {
  logs: 'observe.logs',
  metrics: 'observe.metrics',
  diagnose: 'observe.diagnose',
  // Management (src/flows/manage): each opens a confirmation or a modal; same value.
  suspend: 'manage.suspend',
  resume: 'manage.resume',
  scale: 'manage.scale',
  autoSuspend: 'manage.autosuspend',
  drop: 'manage.drop',
} as const;

export interface ServiceStatusView {
  readonly service: ServiceInfo;
  /** The qualified name as SQL text: the value the buttons carry. */
  readonly qualifiedName: string;
  readonly endpoint: InferenceEndpoint | null;
  /** Rows of SHOW SERVICE CONTAINERS, or why they could not be read (already a sentence). */
  readonly containers: readonly ServiceContainer[] | { readonly unavailable: string };
}

/** Blocks besides the containers: header, summary, note, "and N more", two action rows. */
const MAX_CONTAINERS = MAX_MESSAGE_BLOCKS - 7;

function containerLine(c: ServiceContainer): string {
  const name = `*${escapeMrkdwn(c.containerName ?? 'container')}*${c.instanceId === null ? '' : ` (instance ${escapeMrkdwn(c.instanceId)})`}`;
  const facts = [
    `${statusMarker(c.status ?? '')} ${escapeMrkdwn(c.status ?? 'UNKNOWN')}`,
    plural(c.restartCount ?? 0, 'restart'),
    ...(c.lastExitCode === null ? [] : [`last exit code ${c.lastExitCode}${c.lastExitCode === 137 ? ' (OOM-killed)' : ''}`]),
  ];
  const last = c.message ? `\nLast message: ${inlineCode(c.message.slice(0, 500))}` : '';
  return `${name} — ${facts.join(' · ')}${last}`;
}

function containersBlocks(view: ServiceStatusView): KnownBlock[] {
  const s = view.service;
  if ('unavailable' in view.containers) return [section(view.containers.unavailable)];
  const live = view.containers.filter((c) => c.containerName !== null);
  if (live.length === 0) {
    if (s.status === 'SUSPENDED' || s.status === 'SUSPENDING') {
      const resume =
        s.autoResume === true
          ? 'It resumes by itself on the next request (AUTO_RESUME is on).'
          : 'AUTO_RESUME is off: it stays down until resumed.';
      return [section(`:double_vertical_bar: *Suspended* — no containers are running. ${resume}`)];
    }
    return [section('No containers yet (the service has no instance).')];
  }
  const blocks = live.slice(0, MAX_CONTAINERS).map((c) => section(containerLine(c)));
  if (live.length > MAX_CONTAINERS) blocks.push(context(`…and ${plural(live.length - MAX_CONTAINERS, 'more container')}.`));
  return blocks;
}

export function buildServiceStatus(view: ServiceStatusView): ObserveMessage {
  const s = view.service;
  const fq = `${s.databaseName}.${s.schemaName}.${s.name}`;
  const summary: KnownBlock = {
    type: 'section',
    text: { type: 'mrkdwn', text: `${statusMarker(s.status)} *${escapeMrkdwn(fq)}* is *${s.status}*` },
    fields: [
      { type: 'mrkdwn', text: `*Instances*\n${instancesText(s)}` },
      { type: 'mrkdwn', text: `*Compute pool*\n${inlineCode(s.computePool)}` },
      { type: 'mrkdwn', text: `*Auto-suspend*\n${formatAutoSuspend(s.autoSuspendSecs)}` },
      { type: 'mrkdwn', text: `*Endpoint*\n${endpointText(view.endpoint)}` },
    ],
  };
  const button = (
    text: string,
    actionId: string,
    style?: 'danger',
  ): { type: 'button'; text: { type: 'plain_text'; text: string }; action_id: string; value: string; style?: 'danger' } => ({
    type: 'button',
    text: { type: 'plain_text', text },
    action_id: actionId,
    value: view.qualifiedName,
    ...(style !== undefined && { style }),
  });
  const suspended = s.status === 'SUSPENDED' || s.status === 'SUSPENDING';
  const blocks: KnownBlock[] = [
    header(`Service ${s.name}`),
    summary,
    ...containersBlocks(view),
    {
      type: 'actions',
      block_id: 'observe.status.actions',
      elements: [button('Logs', StatusActions.logs), button('Metrics', StatusActions.metrics), button('Diagnose', StatusActions.diagnose)],
    },
    {
      type: 'actions',
      block_id: 'manage.status.actions',
      elements: [
        suspended ? button('Resume', StatusActions.resume) : button('Suspend', StatusActions.suspend),
        button('Scale', StatusActions.scale),
        button('Auto-suspend', StatusActions.autoSuspend),
        button('Drop', StatusActions.drop, 'danger'),
      ],
    },
  ];
  return message(`${fq} is ${s.status}`, blocks);
}
