import type { KnownBlock } from '@slack/types';
import {
  actions,
  button,
  context,
  escapeMrkdwn,
  header,
  inlineCode,
  MAX_MESSAGE_BLOCKS,
  message,
  plural,
  section,
  type EphemeralMessage,
} from './kit.js';
import { formatAutoSuspend, statusMarker } from './observe-common.js';
import { endpointText, instancesText, type ServiceEndpointModel, type ServiceModel } from './observe-list.js';

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

/** One container of one instance, as SHOW SERVICE CONTAINERS reports it. */
export interface ContainerModel {
  /** Null while the service has no instance. */
  readonly containerName: string | null;
  readonly instanceId: string | null;
  readonly status: string | null;
  readonly restartCount: number | null;
  readonly lastExitCode: number | null;
  readonly message: string | null;
}

export interface ServiceStatusView {
  readonly service: ServiceModel;
  /** The qualified name as SQL text: the value the buttons carry. */
  readonly qualifiedName: string;
  readonly endpoint: ServiceEndpointModel | null;
  /** The containers, or why they could not be read (already a sentence). */
  readonly containers: readonly ContainerModel[] | { readonly unavailable: string };
}

/** Blocks besides the containers: header, summary, note, "and N more", two action rows. */
const MAX_CONTAINERS = MAX_MESSAGE_BLOCKS - 7;

function containerLine(c: ContainerModel): string {
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

export function buildServiceStatus(view: ServiceStatusView): EphemeralMessage {
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
  // Every button carries the service's name.
  const serviceButton = (text: string, actionId: string, style?: 'danger') =>
    button(text, actionId, { value: view.qualifiedName, ...(style !== undefined && { style }) });
  const suspended = s.status === 'SUSPENDED' || s.status === 'SUSPENDING';
  const blocks: KnownBlock[] = [
    header(`Service ${s.name}`),
    summary,
    ...containersBlocks(view),
    actions(
      [
        serviceButton('Logs', StatusActions.logs),
        serviceButton('Metrics', StatusActions.metrics),
        serviceButton('Diagnose', StatusActions.diagnose),
      ],
      'observe.status.actions',
    ),
    actions(
      [
        suspended ? serviceButton('Resume', StatusActions.resume) : serviceButton('Suspend', StatusActions.suspend),
        serviceButton('Scale', StatusActions.scale),
        serviceButton('Auto-suspend', StatusActions.autoSuspend),
        serviceButton('Drop', StatusActions.drop, 'danger'),
      ],
      'manage.status.actions',
    ),
  ];
  return message(`${fq} is ${s.status}`, blocks);
}
