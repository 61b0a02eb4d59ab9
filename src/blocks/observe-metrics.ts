import type { TopLevelSpec } from 'vega-lite';
import type { InstanceFamilyInfo, MetricPoint } from '../snowflake/index.js';
import { MEMORY_NEAR_LIMIT } from '../domain/diagnosis.js';

/**
 * `/spcs metrics`: the chart (a Vega-Lite spec, rendered elsewhere) and the text that goes with it.
 * Both are pure functions of the samples and the pool's instance family.
 */

export interface MetricsView {
  /** DB.SCHEMA.SERVICE */
  readonly service: string;
  readonly pool: string;
  /** The pool's instance family, for the limits; null when unknown. */
  readonly family: InstanceFamilyInfo | null;
  /** SPCS_GET_METRICS rows of the last hour, any order. */
  readonly samples: readonly MetricPoint[];
}

const GIB = 1024 ** 3;

/** One layer of a layered Vega-Lite chart, as vega-lite's own types define it. */
type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

interface Panel {
  readonly key: string;
  readonly title: string;
  readonly unit: string;
  readonly metrics: readonly string[];
  readonly scale: number;
  readonly limit: (f: InstanceFamilyInfo) => number | null;
}

/** What each panel plots and the family limit it is held against (per node). */
const PANELS: readonly Panel[] = [
  { key: 'memory', title: 'Memory', unit: 'GiB', metrics: ['container.memory.usage'], scale: 1 / GIB, limit: (f) => f.memoryGib },
  { key: 'cpu', title: 'CPU', unit: 'vCPU', metrics: ['container.cpu.usage'], scale: 1, limit: (f) => f.vcpu },
  { key: 'gpu', title: 'GPU utilization', unit: '%', metrics: ['container.gpu.utilization'], scale: 1, limit: (f) => (f.gpu === null ? null : f.gpu.perNode * 100) },
  {
    key: 'gpu_memory',
    title: 'GPU memory',
    unit: 'GiB',
    metrics: ['container.gpu.memory.usage'],
    scale: 1 / GIB,
    limit: (f) => (f.gpu?.memoryGib === null || f.gpu === null ? null : f.gpu.memoryGib * f.gpu.perNode),
  },
];

interface Point {
  readonly t: string;
  readonly value: number;
  readonly container: string;
}

function pointsOf(view: MetricsView, panel: Panel): Point[] {
  return view.samples
    .filter((s) => s.timestamp !== null && s.value !== null && panel.metrics.includes(s.metricName))
    .map((s) => ({ t: s.timestamp?.toISOString() ?? '', value: (s.value ?? 0) * panel.scale, container: s.containerName ?? 'container' }));
}

export interface PanelPeak {
  readonly title: string;
  readonly unit: string;
  readonly peak: number;
  readonly container: string;
  readonly limit: number | null;
}

/** The highest value of each panel that has data, with the family's limit. */
export function metricPeaks(view: MetricsView): PanelPeak[] {
  return PANELS.flatMap((panel) => {
    const points = pointsOf(view, panel);
    const top = points.reduce<Point | null>((best, p) => (best === null || p.value > best.value ? p : best), null);
    if (top === null) return [];
    return [{ title: panel.title, unit: panel.unit, peak: top.value, container: top.container, limit: view.family === null ? null : panel.limit(view.family) }];
  });
}

const round = (n: number): string => (n >= 10 ? n.toFixed(0) : n.toFixed(n >= 1 ? 1 : 2));

function familyText(family: InstanceFamilyInfo | null): string {
  if (family === null) return 'instance family unknown';
  const parts = [family.vcpu === null ? null : `${family.vcpu} vCPU`, family.memoryGib === null ? null : `${family.memoryGib} GiB`];
  if (family.gpu !== null) parts.push(`${family.gpu.perNode} x ${family.gpu.type}${family.gpu.memoryGib === null ? '' : ` ${family.gpu.memoryGib} GiB`}`);
  return `${family.name}: ${parts.filter(Boolean).join(', ')} per node`;
}

/** The comment posted with the chart: peaks against the family's limits, near-limit ones flagged. */
export function metricsSummary(view: MetricsView): string {
  const lines = [`*Metrics of ${view.service}*, last hour — pool ${view.pool} (${familyText(view.family)})`];
  for (const p of metricPeaks(view)) {
    const share = p.limit !== null && p.limit > 0 ? p.peak / p.limit : null;
    const against = p.limit === null ? '' : ` of ${round(p.limit)} ${p.unit} (${Math.round((share ?? 0) * 100)}%)`;
    const flag = share !== null && share >= MEMORY_NEAR_LIMIT ? ' :warning: near the limit' : '';
    lines.push(`• ${p.title} peak ${round(p.peak)} ${p.unit}${against} in ${p.container}${flag}`);
  }
  return lines.join('\n');
}

/** A Vega-Lite spec: one panel per metric with data, lines per container, the limit as a dashed red rule. */
export function metricsChartSpec(view: MetricsView): TopLevelSpec {
  const panels = PANELS.map((panel) => ({ panel, points: pointsOf(view, panel) })).filter((p) => p.points.length > 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${view.service} — last hour`, subtitle: `${familyText(view.family)}; times in UTC`, anchor: 'start' },
    background: 'white',
    padding: 12,
    config: { font: 'Inter', view: { stroke: null } },
    vconcat: panels.map(({ panel, points }) => {
      const limit = view.family === null ? null : panel.limit(view.family);
      const peak = Math.max(...points.map((p) => p.value));
      const limitLayers: Layer[] =
        limit === null
          ? []
          : [
              { data: { values: [{ limit }] }, mark: { type: 'rule', color: '#d62728', strokeDash: [6, 4] }, encoding: { y: { field: 'limit', type: 'quantitative' } } },
              {
                data: { values: [{ limit, label: `limit ${round(limit)} ${panel.unit}` }] },
                mark: { type: 'text', color: '#d62728', align: 'left', dx: 4, dy: -6, x: 0 },
                encoding: { y: { field: 'limit', type: 'quantitative' }, text: { field: 'label', type: 'nominal' } },
              },
            ];
      return {
        width: 640,
        height: 120,
        title: { text: `${panel.title} (${panel.unit})`, anchor: 'start', fontSize: 12 },
        layer: [
          {
            data: { values: points },
            mark: { type: 'line', interpolate: 'monotone' },
            encoding: {
              x: { field: 't', type: 'temporal', title: null, scale: { type: 'utc' }, axis: { format: '%H:%M', labelOverlap: true } },
              y: { field: 'value', type: 'quantitative', title: null, scale: { domainMin: 0, domainMax: Math.max(limit ?? 0, peak) * 1.05 || 1 } },
              color: { field: 'container', type: 'nominal', title: 'Container' },
            },
          },
          ...limitLayers,
        ],
      };
    }),
  } satisfies TopLevelSpec;
}
