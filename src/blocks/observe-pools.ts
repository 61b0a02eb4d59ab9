import type { KnownBlock } from '@slack/types';
import {
  button,
  context,
  escapeMrkdwn,
  header,
  inlineCode,
  MAX_MESSAGE_BLOCKS,
  MAX_SECTION_TEXT,
  message,
  option,
  plural,
  section,
  type EphemeralMessage,
} from './kit.js';

/** A compute pool as the table shows it; the flow maps SHOW COMPUTE POOLS rows to it. */
export interface PoolModel {
  readonly name: string;
  /** IDLE, ACTIVE, SUSPENDED, STARTING, STOPPING, RESIZING (as text: new states must not break the table). */
  readonly state: string;
  readonly instanceFamily: string;
  readonly minNodes: number;
  readonly maxNodes: number;
  readonly activeNodes: number | null;
  readonly numServices: number | null;
  readonly autoResume: boolean | null;
}

/** An instance family's GPUs per node; null for CPU-only families. */
export interface PoolFamilyModel {
  readonly name: string;
  readonly gpu: { readonly type: string; readonly perNode: number } | null;
}

export interface PoolTableView {
  readonly pools: readonly PoolModel[];
  readonly families: readonly PoolFamilyModel[];
}

/** The pool actions under `/spcs pools` (handled by the manage flow, managers only). */
export const PoolActions = {
  block: 'pools.actions',
  create: 'pools.create',
  change: 'pools.change',
} as const;

/** What a Suspend / Resume option carries: the pool's name as SHOW COMPUTE POOLS gives it, and the change. */
export function encodePoolChoice(pool: string, kind: 'suspend' | 'resume'): string {
  return JSON.stringify({ p: pool, k: kind });
}

/** Create pool, and one Suspend or Resume option per pool (a select, so any number of pools fits one block). */
function poolActions(pools: readonly PoolModel[]): KnownBlock {
  const options = pools.slice(0, 100).map((p) => {
    const kind = p.state === 'SUSPENDED' || p.state === 'STOPPING' ? 'resume' : 'suspend';
    return option(`${kind === 'resume' ? 'Resume' : 'Suspend'} ${p.name}`, encodePoolChoice(p.name, kind));
  });
  return {
    type: 'actions',
    block_id: PoolActions.block,
    elements: [
      button('Create pool', PoolActions.create, { value: 'create' }),
      ...(options.length === 0
        ? []
        : [
            {
              type: 'static_select' as const,
              action_id: PoolActions.change,
              placeholder: { type: 'plain_text' as const, text: 'Suspend or resume a pool…' },
              options,
            },
          ]),
    ],
  };
}

const COLUMNS = ['Pool', 'Instance family', 'GPUs/node', 'Min/Max', 'Active', 'State', 'Services'] as const;
/** Pools that cannot take work right now, and why a person should care. */
const NOT_READY: Readonly<Record<string, string>> = {
  SUSPENDED: 'suspended: the first service placed there waits for nodes to start (minutes)',
  STARTING: 'starting: nodes are being provisioned',
  STOPPING: 'stopping',
  RESIZING: 'resizing',
};

function gpuText(family: PoolFamilyModel | undefined): string {
  if (family === undefined) return '?';
  return family.gpu === null ? 'None' : `${family.gpu.perNode} x ${family.gpu.type}`;
}

function rowOf(p: PoolModel, family: PoolFamilyModel | undefined): string[] {
  const flag = p.state in NOT_READY ? ' !' : '';
  return [
    p.name,
    p.instanceFamily,
    gpuText(family),
    `${p.minNodes} / ${p.maxNodes}`,
    String(p.activeNodes ?? 0),
    `${p.state}${flag}`,
    String(p.numServices ?? 0),
  ];
}

/** Rows as fixed-width lines, cut into ``` sections of at most 3000 characters each. */
function tableSections(rows: readonly string[][]): string[] {
  const all = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const lines = all
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .map(escapeMrkdwn);
  const [head, ...body] = lines;
  const sections: string[] = [];
  let current: string[] = [];
  const size = (ls: string[]) => ls.join('\n').length + (head?.length ?? 0) + 8;
  for (const line of body) {
    if (current.length > 0 && size([...current, line]) > MAX_SECTION_TEXT) {
      sections.push(current.join('\n'));
      current = [];
    }
    current.push(line);
  }
  if (current.length > 0) sections.push(current.join('\n'));
  return sections.map((s) => `\`\`\`\n${head ?? ''}\n${s}\n\`\`\``);
}

export function buildPoolTable(view: PoolTableView): EphemeralMessage {
  const families = new Map(view.families.map((f) => [f.name, f]));
  const pools = [...view.pools].sort((a, b) => a.name.localeCompare(b.name));
  const blocks: KnownBlock[] = [header(`Compute pools (${pools.length})`)];
  if (pools.length === 0) {
    blocks.push(section('The bot cannot see any compute pool. A manager can create one with *Create pool*.'), poolActions(pools));
    return message('No compute pools visible.', blocks);
  }
  const tables = tableSections(pools.map((p) => rowOf(p, families.get(p.instanceFamily))));
  const room = MAX_MESSAGE_BLOCKS - 5;
  blocks.push(...tables.slice(0, room).map(section));
  if (tables.length > room) blocks.push(context(`…and more pools than one message can hold (${plural(pools.length, 'pool')} in all).`));
  const flagged = pools.filter((p) => p.state in NOT_READY);
  if (flagged.length > 0) {
    const lines = flagged.map(
      (p) =>
        `:warning: ${inlineCode(p.name)} is ${NOT_READY[p.state] ?? p.state}${p.autoResume === false ? '; AUTO_RESUME is off, so it must be resumed by hand' : ''}.`,
    );
    blocks.push(section(lines.join('\n').slice(0, MAX_SECTION_TEXT)));
  }
  blocks.push(
    context(
      'GPUs/node from SHOW COMPUTE POOL INSTANCE FAMILIES. `!` marks a pool that is not ready. Creating, suspending and resuming pools: managers only (SPCS_MANAGERS).',
    ),
    poolActions(pools),
  );
  return message(`${plural(pools.length, 'compute pool')}; ${plural(flagged.length, 'pool')} not ready`, blocks);
}
