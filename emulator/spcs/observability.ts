/**
 * Logs and platform metrics as views over recorded container runs: the live container log
 * (SYSTEM$GET_SERVICE_LOGS), the service's event-table logs (<svc>!SPCS_GET_LOGS), the raw
 * account event table (kept after DROP SERVICE), and <svc>!SPCS_GET_METRICS samples.
 * Metrics are synthesised per minute from each run; OOM-doomed runs ramp memory to the limit.
 */
import { hashNoise } from '../random.js';
import { GIB } from './families.js';
import type { Sim } from './sim.js';
import type { EventRow, RunRecord } from './state.js';

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
  value: number;
  unit: string;
}

const MINUTE = 60_000;

function memoryAt(rec: RunRecord, t: number): number {
  const limit = rec.memoryLimitGib;
  const base = Math.min(limit * 0.6, rec.workingSetGib * (0.92 + 0.08 * hashNoise(`${rec.serviceId}/${rec.instanceId}/${rec.containerName}/${rec.run.startedAt}`)));
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

export function metricRows(sim: Sim, serviceId: number, from: number, to: number, now: number): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const rec of sim.state.runs) {
    if (rec.serviceId !== serviceId) continue;
    const start = rec.run.startedAt;
    const end = Math.min(rec.run.endedAt ?? now, now, to);
    const times: number[] = [];
    for (let t = Math.ceil(Math.max(start, from) / MINUTE) * MINUTE; t <= end; t += MINUTE) times.push(t);
    if (rec.run.oomKilled && rec.run.endedAt !== null && rec.run.endedAt >= from && rec.run.endedAt <= Math.min(now, to)) {
      times.push(rec.run.endedAt);
    }
    let maxUsage = 0;
    for (const t of times) {
      const mem = memoryAt(rec, t);
      maxUsage = Math.max(maxUsage, mem);
      const common = { timestamp: t, instanceId: String(rec.instanceId), containerName: rec.containerName };
      rows.push({ ...common, metricName: 'container.cpu.usage', value: round(cpuAt(rec, t), 4), unit: 'cores' });
      rows.push({ ...common, metricName: 'container.memory.usage', value: Math.round(mem * GIB), unit: 'bytes' });
      rows.push({ ...common, metricName: 'container.memory.max_usage', value: Math.round(maxUsage * GIB), unit: 'bytes' });
      if (rec.gpus > 0 && rec.containerName === 'model-inference') {
        const n = hashNoise(`${rec.serviceId}/${rec.instanceId}/gpu/${t}`);
        rows.push({ ...common, metricName: 'container.gpu.utilization', value: round(25 + 50 * n, 2), unit: 'percent' });
        const gpuMem = rec.family.gpuMemoryGib * rec.gpus * (0.55 + 0.2 * n);
        rows.push({ ...common, metricName: 'container.gpu.memory.usage', value: Math.round(gpuMem * GIB), unit: 'bytes' });
      }
    }
  }
  return rows;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
