/**
 * Logs and platform metrics as views over recorded container runs: the live container log
 * (SYSTEM$GET_SERVICE_LOGS), the service's event-table logs (<svc>!SPCS_GET_LOGS), the raw
 * account event table (kept after DROP SERVICE), and <svc>!SPCS_GET_METRICS samples.
 * Metrics are synthesised per minute from each run, only for services whose spec has
 * platformMonitor; OOM-doomed runs ramp memory to the limit.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { isRecord } from '../json.js';
import { hashNoise } from '../random.js';
import { GIB } from './families.js';
import type { Sim } from './sim.js';
import type { EventRow, RunRecord, Service } from './state.js';

function visible(rec: RunRecord, at: number, now: number): boolean {
  return at <= now && (rec.run.endedAt === null || at <= rec.run.endedAt);
}

export function eventTableRows(sim: Sim, now: number): EventRow[] {
  const rows: EventRow[] = [];
  for (const rec of sim.state.runs) {
    for (const line of rec.run.lines) {
      if (!visible(rec, line.at, now)) continue;
      rows.push({
        timestamp: line.at,
        recordType: 'LOG',
        resourceAttributes: {
          'snow.account.name': sim.state.account,
          'snow.database.name': rec.database,
          'snow.schema.name': rec.schema,
          'snow.service.name': rec.serviceName,
          'snow.service.id': rec.serviceId,
          'snow.service.type': rec.isJob ? 'Job' : 'Service',
          'snow.service.instance': String(rec.instanceId),
          'snow.service.container.name': rec.containerName,
          'snow.compute_pool.name': rec.computePool,
        },
        recordAttributes: { 'log.iostream': 'stdout' },
        scope: { name: 'snow.spcs.platform' },
        value: line.text,
      });
    }
  }
  return rows;
}

export interface ServiceLogRow {
  timestamp: number;
  instanceId: string;
  containerName: string;
  log: string;
  recordAttributes: Record<string, string>;
}

export function serviceLogRows(sim: Sim, serviceId: number, from: number, to: number, now: number): ServiceLogRow[] {
  const rows: ServiceLogRow[] = [];
  for (const rec of sim.state.runs) {
    if (rec.serviceId !== serviceId) continue;
    for (const line of rec.run.lines) {
      if (!visible(rec, line.at, now) || line.at < from || line.at > to) continue;
      rows.push({
        timestamp: line.at,
        instanceId: String(rec.instanceId),
        containerName: rec.containerName,
        log: line.text,
        recordAttributes: { 'log.iostream': 'stdout' },
      });
    }
  }
  return rows;
}

export interface MetricRow {
  timestamp: number;
  instanceId: string;
  containerName: string;
  metricName: string;
  /** SPCS_GET_METRICS returns VALUE as VARCHAR (docs: sql-reference/functions/spcs_get_metrics). */
  value: string;
  unit: string;
  /** `gpu` attribute of per-GPU metrics (index of the GPU on the node). */
  gpu?: string;
}

const MINUTE = 60_000;

/**
 * Metric groups a spec's `platformMonitor.metricConfig.groups` may name (docs:
 * developer-guide/snowpark-container-services/monitoring-services, "Accessing platform metrics").
 * Only `system` and `system_limits` produce samples here; the others are accepted and stay empty.
 */
export const METRIC_GROUPS = ['system', 'system_limits', 'status', 'network', 'storage'] as const;

/**
 * What `ALTER SERVICE … FROM SPECIFICATION` with a `platformMonitor` block does: the spec (DESCRIBE
 * SERVICE) carries it, and samples of the named groups are recorded from `at` on. Null removes it.
 */
export function setPlatformMonitor(svc: Service, groups: readonly string[] | null, at: number): void {
  const unknown = (groups ?? []).filter((g) => !(METRIC_GROUPS as readonly string[]).includes(g));
  if (unknown.length > 0)
    throw new Error(`platformMonitor: unknown metric group(s) ${unknown.join(', ')}; expected ${METRIC_GROUPS.join(', ')}`);
  const doc: unknown = parseYaml(svc.specYaml === '' ? 'spec: {}' : svc.specYaml);
  const spec: Record<string, unknown> = isRecord(doc) && isRecord(doc['spec']) ? { ...doc['spec'] } : {};
  if (groups === null) delete spec['platformMonitor'];
  else spec['platformMonitor'] = { metricConfig: { groups: [...groups] } };
  svc.specYaml = stringifyYaml({ ...(isRecord(doc) ? doc : {}), spec });
  svc.specDigest = createHash('sha256').update(svc.specYaml).digest('hex');
  svc.platformMonitor = groups === null ? null : { groups: [...groups], since: at };
  svc.updatedOn = at;
}

function memoryAt(rec: RunRecord, t: number): number {
  const limit = rec.memoryLimitGib;
  const base = Math.min(
    limit * 0.6,
    rec.workingSetGib * (0.92 + 0.08 * hashNoise(`${rec.serviceId}/${rec.instanceId}/${rec.containerName}/${rec.run.startedAt}`)),
  );
  const oomAt = rec.run.oomAt;
  if (oomAt !== null && oomAt > rec.run.startedAt) {
    const f = Math.min(1, Math.max(0, (t - rec.run.startedAt) / (oomAt - rec.run.startedAt)));
    return base + (limit * 0.995 - base) * f * f;
  }
  return base * (0.97 + 0.06 * hashNoise(`${rec.serviceId}/${rec.containerName}/${t}`));
}

function cpuAt(rec: RunRecord, t: number): number {
  const n = hashNoise(`${rec.serviceId}/${rec.instanceId}/${rec.containerName}/cpu/${t}`);
  if (rec.containerName === 'model-build') return 0.35 + 0.15 * n;
  if (rec.containerName === 'proxy') return 0.005 + 0.01 * n;
  return 0.05 + 0.3 * n;
}

/**
 * <svc>!SPCS_GET_METRICS rows: one sample per container per minute, only while the service's spec
 * has `platformMonitor`, and only for its groups. `system`: container.cpu.usage (cpu),
 * container.memory.usage (byte) and, per GPU, container.gpu.utilization (ratio 0–1) and
 * container.gpu.memory.usage (byte). `system_limits`: container.cpu.limit, container.memory.limit,
 * container.gpu.limit, the matching *.requested and per GPU container.gpu.memory.capacity
 * (docs: monitoring-services, "Available platform metrics"). Units as snowflake-cli's metric
 * fixtures (tests/apps/test_events.py) show them: `byte`, `cpu`; the docs' table says bytes / cpu cores.
 */
export function metricRows(sim: Sim, svc: Service, from: number, to: number, now: number): MetricRow[] {
  const monitor = svc.platformMonitor ?? null;
  if (monitor === null) return [];
  const system = monitor.groups.includes('system');
  const limits = monitor.groups.includes('system_limits');
  const rows: MetricRow[] = [];
  for (const rec of sim.state.runs) {
    if (rec.serviceId !== svc.id) continue;
    const spec = svc.containers.find((c) => c.name === rec.containerName);
    const start = Math.max(rec.run.startedAt, monitor.since);
    const end = Math.min(rec.run.endedAt ?? now, now, to);
    const times: number[] = [];
    for (let t = Math.ceil(Math.max(start, from) / MINUTE) * MINUTE; t <= end; t += MINUTE) times.push(t);
    if (rec.run.oomKilled && rec.run.endedAt !== null && rec.run.endedAt >= Math.max(from, start) && rec.run.endedAt <= Math.min(now, to)) {
      times.push(rec.run.endedAt);
    }
    const gpus = rec.containerName === 'model-inference' ? rec.gpus : 0;
    for (const t of times) {
      const common = { timestamp: t, instanceId: String(rec.instanceId), containerName: rec.containerName };
      const add = (metricName: string, value: number, unit: string, gpu?: number): void => {
        rows.push({ ...common, metricName, value: String(value), unit, ...(gpu === undefined ? {} : { gpu: String(gpu) }) });
      };
      if (system) {
        add('container.cpu.usage', round(cpuAt(rec, t), 4), 'cpu');
        add('container.memory.usage', Math.round(memoryAt(rec, t) * GIB), 'byte');
        for (let g = 0; g < gpus; g++) {
          const n = hashNoise(`${rec.serviceId}/${rec.instanceId}/gpu${g}/${t}`);
          add('container.gpu.utilization', round(0.25 + 0.5 * n, 4), 'ratio', g);
          add('container.gpu.memory.usage', Math.round(rec.family.gpuMemoryGib * (0.55 + 0.2 * n) * GIB), 'byte', g);
        }
      }
      if (limits) {
        // No CPU limit in the emulator's specs: "defaults to node capacity" (monitoring-services).
        add('container.cpu.limit', rec.family.vcpu, 'cpu');
        add('container.memory.limit', Math.round(rec.memoryLimitGib * GIB), 'byte');
        add('container.cpu.requested', spec?.requests.cpu ?? 0, 'cpu');
        add('container.memory.requested', Math.round((spec?.requests.memoryGib ?? 0) * GIB), 'byte');
        // GPU limits are emitted only when the spec sets GPUs; capacity is per GPU.
        if (gpus > 0) {
          add('container.gpu.limit', gpus, 'gpu');
          add('container.gpu.requested', gpus, 'gpu');
          for (let g = 0; g < gpus; g++) add('container.gpu.memory.capacity', Math.round(rec.family.gpuMemoryGib * GIB), 'byte', g);
        }
      }
    }
  }
  return rows;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export interface PlatformEventRow {
  timestamp: number;
  severity: string;
  eventName: string;
  details: { message: string; status: string };
  instanceId: number;
  containerName: string;
}

/**
 * <svc>!SPCS_GET_EVENTS rows: the CONTAINER.STATUS_CHANGE events of the service's containers from
 * `from` to `to`, oldest first. EVENT_NAME is RECORD:name, SEVERITY RECORD:severity_text and
 * EVENT_DETAILS the VALUE `{ message, status }` (docs: sql-reference/functions/spcs_get_events;
 * developer-guide/snowpark-container-services/monitoring-services, "Supported events").
 */
export function platformEventRows(svc: Service, from: number, to: number, now: number): PlatformEventRow[] {
  const rows: PlatformEventRow[] = [];
  for (const inst of svc.instances) {
    for (const c of inst.containers) {
      for (const e of c.events) {
        if (e.at < from || e.at > to || e.at > now) continue;
        rows.push({
          timestamp: e.at,
          severity: e.severity,
          eventName: 'CONTAINER.STATUS_CHANGE',
          details: { message: e.message, status: e.status },
          instanceId: inst.id,
          containerName: c.name,
        });
      }
    }
  }
  return rows.sort((a, b) => a.timestamp - b.timestamp);
}
