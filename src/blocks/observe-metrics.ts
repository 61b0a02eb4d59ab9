import type { TopLevelSpec } from 'vega-lite';
import { MEMORY_NEAR_LIMIT } from '../domain/diagnosis.js';

/**
 * `/spcs metrics`: the chart (a Vega-Lite spec, rendered elsewhere) and the text that goes with it.
 * Both are pure functions of the samples and the pool's instance family.
 */

/** One platform-metric sample (SPCS_GET_METRICS): usage or limit of one container at one time. */
export interface MetricSample {
  readonly timestamp: Date | null;
  /** e.g. container.memory.usage, container.memory.limit, container.gpu.utilization. */
  readonly metricName: string;
  readonly value: number | null;
  readonly instanceId?: string | null;
  readonly containerName: string | null;
}

/** The pool's instance family, as the summary names it. */
export interface MetricsFamilyModel {
  readonly name: string;
  readonly vcpu: number | null;
  readonly memoryGib: number | null;
  readonly gpu: { readonly type: string; readonly perNode: number; readonly memoryGib: number | null } | null;
}

export interface MetricsView {
  /** DB.SCHEMA.SERVICE */
  readonly service: string;
  readonly pool: string;
  /** The pool's instance family, for the title; null when unknown. Limits come from the samples. */
  readonly family: MetricsFamilyModel | null;
  /** The last hour's samples, any order, limit metrics included. */
  readonly samples: readonly MetricSample[];
}

const GIB = 1024 ** 3;

/** One layer of a layered Vega-Lite chart, as vega-lite's own types define it. */
type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

/**
 * Snowflake's platform metrics (monitoring-services, "Accessing platform metrics"): usage from the
 * `system` group, limits from `system_limits` (container.*.limit per container,
 * container.gpu.memory.capacity per GPU). GPU metrics are per GPU; container.gpu.utilization is a
 * ratio 0–1, charted as a percent of one GPU.
 */
interface Panel {
  readonly key: string;
  readonly title: string;
  readonly unit: string;
  readonly metric: string;
  readonly scale: number;
  /** The container's limit, from the samples (or a fixed ceiling), in the panel's unit. */
  readonly limit: (view: MetricsView, container: string) => number | null;
}

/** The latest value of a container's limit metric, scaled; null when the group is not collected. */
function limitMetric(name: string, scale: number): (view: MetricsView, container: string) => number | null {
  return (view, container) => {
    let latest: MetricSample | null = null;
    for (const s of view.samples) {
      if (s.metricName !== name || s.value === null || (s.containerName ?? 'container') !== container) continue;
      if (latest === null || (s.timestamp?.getTime() ?? 0) >= (latest.timestamp?.getTime() ?? 0)) latest = s;
    }
    return latest?.value == null ? null : latest.value * scale;
  };
}

const PANELS: readonly Panel[] = [
  {
    key: 'memory',
    title: 'Memory',
    unit: 'GiB',
    metric: 'container.memory.usage',
    scale: 1 / GIB,
    limit: limitMetric('container.memory.limit', 1 / GIB),
  },
  { key: 'cpu', title: 'CPU', unit: 'vCPU', metric: 'container.cpu.usage', scale: 1, limit: limitMetric('container.cpu.limit', 1) },
  { key: 'gpu', title: 'GPU utilization', unit: '%', metric: 'container.gpu.utilization', scale: 100, limit: () => 100 },
  {
    key: 'gpu_memory',
    title: 'GPU memory per GPU',
    unit: 'GiB',
    metric: 'container.gpu.memory.usage',
    scale: 1 / GIB,
    limit: limitMetric('container.gpu.memory.capacity', 1 / GIB),
  },
];

interface Point {
  readonly t: string;
  readonly value: number;
  readonly container: string;
}

/** Series key: the container, with the instance when the service has several. */
function seriesOf(view: MetricsView, s: MetricSample): string {
  const container = s.containerName ?? 'container';
  const instances = new Set(view.samples.map((x) => x.instanceId ?? null));
  return instances.size > 1 && s.instanceId != null ? `${container} #${s.instanceId}` : container;
}

/** The panel's points; per-GPU metrics keep the busiest GPU of each container at each time. */
function pointsOf(view: MetricsView, panel: Panel): Point[] {
  const byKey = new Map<string, Point>();
  for (const s of view.samples) {
    if (s.timestamp === null || s.value === null || s.metricName !== panel.metric) continue;
    const p = { t: s.timestamp.toISOString(), value: s.value * panel.scale, container: seriesOf(view, s) };
    const key = `${p.t}/${p.container}`;
    const had = byKey.get(key);
    if (had === undefined || p.value > had.value) byKey.set(key, p);
  }
  return [...byKey.values()];
}

/** Distinct limits of the containers in a panel, for the chart's rules. */
function limitsOf(view: MetricsView, panel: Panel, points: readonly Point[]): { container: string; limit: number }[] {
  const containers = [...new Set(view.samples.filter((s) => s.metricName === panel.metric).map((s) => s.containerName ?? 'container'))];
  return containers.flatMap((container) => {
    const limit = panel.limit(view, container);
    return limit === null || points.length === 0 ? [] : [{ container, limit }];
  });
}

interface PanelPeak {
  readonly title: string;
  readonly unit: string;
  readonly peak: number;
  readonly container: string;
  /** The limit of the peak's container (container.*.limit); null when not collected. */
  readonly limit: number | null;
}

/** The highest value of each panel that has data, with that container's limit. */
function metricPeaks(view: MetricsView): PanelPeak[] {
  return PANELS.flatMap((panel) => {
    let top: { sample: MetricSample; value: number } | null = null;
    for (const s of view.samples) {
      if (s.metricName !== panel.metric || s.value === null) continue;
      const value = s.value * panel.scale;
      if (top === null || value > top.value) top = { sample: s, value };
    }
    if (top === null) return [];
    const container = top.sample.containerName ?? 'container';
    return [
      { title: panel.title, unit: panel.unit, peak: top.value, container: seriesOf(view, top.sample), limit: panel.limit(view, container) },
    ];
  });
}

const round = (n: number): string => (n >= 10 ? n.toFixed(0) : n.toFixed(n >= 1 ? 1 : 2));

function familyText(family: MetricsFamilyModel | null): string {
  if (family === null) return 'instance family unknown';
  const parts = [family.vcpu === null ? null : `${family.vcpu} vCPU`, family.memoryGib === null ? null : `${family.memoryGib} GiB`];
  if (family.gpu !== null)
    parts.push(`${family.gpu.perNode} x ${family.gpu.type}${family.gpu.memoryGib === null ? '' : ` ${family.gpu.memoryGib} GiB`}`);
  return `${family.name}: ${parts.filter(Boolean).join(', ')} per node`;
}

/** The comment posted with the chart: peaks against the family's limits, near-limit ones flagged. */
export function metricsSummary(view: MetricsView): string {
  const lines = [`*Metrics of ${view.service}*, last hour — pool ${view.pool} (${familyText(view.family)})`];
  const peaks = metricPeaks(view);
  for (const p of peaks) {
    const share = p.limit !== null && p.limit > 0 ? p.peak / p.limit : null;
    const against = p.limit === null ? ' (limit not collected)' : ` of ${round(p.limit)} ${p.unit} (${Math.round((share ?? 0) * 100)}%)`;
    const flag = share !== null && share >= MEMORY_NEAR_LIMIT ? ' :warning: near the limit' : '';
    lines.push(`• ${p.title} peak ${round(p.peak)} ${p.unit}${against} in ${p.container}${flag}`);
  }
  if (peaks.some((p) => p.limit === null)) {
    lines.push("_Limits come from the `system_limits` metric group: add it to the spec's `platformMonitor.metricConfig.groups`._");
  }
  return lines.join('\n');
}

/** A Vega-Lite spec: one panel per metric with data, lines per container, each container's limit as a dashed red rule. */
export function metricsChartSpec(view: MetricsView): TopLevelSpec {
  const panels = PANELS.map((panel) => ({ panel, points: pointsOf(view, panel) })).filter((p) => p.points.length > 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${view.service} — last hour`, subtitle: `${familyText(view.family)}; times in UTC`, anchor: 'start' },
    background: 'white',
    padding: 12,
    config: { font: 'Inter', view: { stroke: null } },
    vconcat: panels.map(({ panel, points }) => {
      const limits = limitsOf(view, panel, points);
      const top = Math.max(...points.map((p) => p.value), ...limits.map((l) => l.limit));
      const limitLayers: Layer[] =
        limits.length === 0
          ? []
          : [
              {
                data: { values: limits },
                mark: { type: 'rule', color: '#d62728', strokeDash: [6, 4] },
                encoding: { y: { field: 'limit', type: 'quantitative' } },
              },
              {
                data: {
                  values: limits.map((l) => ({
                    limit: l.limit,
                    label: `${limits.length > 1 ? `${l.container} ` : ''}limit ${round(l.limit)} ${panel.unit}`,
                  })),
                },
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
              y: { field: 'value', type: 'quantitative', title: null, scale: { domainMin: 0, domainMax: top * 1.05 || 1 } },
              color: { field: 'container', type: 'nominal', title: 'Container' },
            },
          },
          ...limitLayers,
        ],
      };
    }),
  } satisfies TopLevelSpec;
}
