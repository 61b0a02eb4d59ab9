import type { KnownBlock } from '@slack/types';
import { context, escapeMrkdwn, header, inlineCode, MAX_MESSAGE_BLOCKS, message, plural, section, type EphemeralMessage } from './kit.js';
import { formatAutoSuspend, statusMarker } from './observe-common.js';

/** A service as the list and status views show it; the flow maps SHOW SERVICES rows to it. */
export interface ServiceModel {
  readonly databaseName: string;
  readonly schemaName: string;
  readonly name: string;
  /** Upper case: RUNNING, SUSPENDED, FAILED … */
  readonly status: string;
  readonly computePool: string;
  readonly currentInstances: number | null;
  readonly targetInstances: number | null;
  readonly minInstances: number | null;
  readonly maxInstances: number | null;
  readonly autoSuspendSecs: number | null;
  readonly autoResume: boolean | null;
}

/** The service's `inference` endpoint as the views show it. */
export type ServiceEndpointModel =
  | { readonly state: 'ready'; readonly host: string; readonly url: string }
  | { readonly state: 'provisioning' }
  | { readonly state: 'absent' };

export interface ListedService {
  readonly service: ServiceModel;
  /** Null when it was not looked up (not running) or could not be read. */
  readonly endpoint: ServiceEndpointModel | null;
}

export interface ServiceListView {
  /** "ML_DB.SERVING", or null for every database the role can see. */
  readonly scope: string | null;
  readonly services: readonly ListedService[];
  /** Databases that could not be listed (no access). */
  readonly skipped: readonly string[];
}

/** Header + context + one section per service + the "and N more" line stay within 50 blocks. */
export const MAX_LISTED_SERVICES = MAX_MESSAGE_BLOCKS - 4;

export function instancesText(s: ServiceModel): string {
  const current = s.currentInstances ?? 0;
  const target = s.targetInstances ?? '?';
  return `${current}/${target} (min ${s.minInstances ?? '?'}, max ${s.maxInstances ?? '?'})`;
}

export function endpointText(endpoint: ServiceEndpointModel | null): string {
  if (endpoint === null) return '—';
  switch (endpoint.state) {
    case 'ready':
      return `<${endpoint.url}|${escapeMrkdwn(endpoint.host)}>`;
    case 'provisioning':
      return 'provisioning…';
    case 'absent':
      return 'no public endpoint';
  }
}

export function buildServiceList(view: ServiceListView): EphemeralMessage {
  const where = view.scope === null ? 'every database the bot can see' : inlineCode(view.scope);
  const blocks: KnownBlock[] = [header(`SPCS services (${view.services.length})`)];
  const notes = [`In ${where}.`];
  if (view.skipped.length > 0) notes.push(`Not listed (no access): ${view.skipped.map((d) => inlineCode(d)).join(', ')}.`);
  blocks.push(context(notes.join(' ')));
  if (view.services.length === 0) {
    blocks.push(section('No services here. Deploy one with `/spcs deploy`.'));
    return message(`No SPCS services in ${view.scope ?? 'any visible database'}.`, blocks);
  }
  const shown = view.services.slice(0, MAX_LISTED_SERVICES);
  for (const { service: s, endpoint } of shown) {
    const fq = `${s.databaseName}.${s.schemaName}.${s.name}`;
    blocks.push(
      section(
        [
          `${statusMarker(s.status)} *${escapeMrkdwn(fq)}* — ${s.status}`,
          `Instances ${instancesText(s)} · Pool ${inlineCode(s.computePool)} · Auto-suspend ${formatAutoSuspend(s.autoSuspendSecs)}`,
          `Endpoint: ${endpointText(endpoint)}`,
        ].join('\n'),
      ),
    );
  }
  const hidden = view.services.length - shown.length;
  if (hidden > 0) {
    blocks.push(context(`…and ${plural(hidden, 'more service')}. Narrow it down with \`/spcs list DATABASE.SCHEMA\`.`));
  }
  const text = `${plural(view.services.length, 'SPCS service')} in ${view.scope ?? 'every visible database'}`;
  return message(text, blocks);
}
