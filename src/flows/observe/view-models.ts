import type { ServiceEndpointModel, ServiceModel } from '../../blocks/observe-list.js';
import type { MetricSample, MetricsFamilyModel } from '../../blocks/observe-metrics.js';
import type { PoolFamilyModel, PoolModel } from '../../blocks/observe-pools.js';
import type { ContainerModel } from '../../blocks/observe-status.js';
import type {
  ComputePoolInfo,
  InferenceEndpoint,
  InstanceFamilyInfo,
  MetricPoint,
  ServiceContainer,
  ServiceInfo,
} from '../../snowflake/index.js';

/** Snowflake's rows as the observe views' models: only what the views show crosses into src/blocks. */

export const serviceModel = (s: ServiceInfo): ServiceModel => ({
  databaseName: s.databaseName,
  schemaName: s.schemaName,
  name: s.name,
  status: s.status,
  computePool: s.computePool,
  currentInstances: s.currentInstances,
  targetInstances: s.targetInstances,
  minInstances: s.minInstances,
  maxInstances: s.maxInstances,
  autoSuspendSecs: s.autoSuspendSecs,
  autoResume: s.autoResume,
});

export function endpointModel(e: InferenceEndpoint | null): ServiceEndpointModel | null {
  if (e === null) return null;
  return e.state === 'ready' ? { state: 'ready', host: e.host, url: e.url } : { state: e.state };
}

export const containerModel = (c: ServiceContainer): ContainerModel => ({
  containerName: c.containerName,
  instanceId: c.instanceId,
  status: c.status,
  restartCount: c.restartCount,
  lastExitCode: c.lastExitCode,
  message: c.message,
});

export const poolModel = (p: ComputePoolInfo): PoolModel => ({
  name: p.name,
  state: p.state,
  instanceFamily: p.instanceFamily,
  minNodes: p.minNodes,
  maxNodes: p.maxNodes,
  activeNodes: p.activeNodes,
  numServices: p.numServices,
  autoResume: p.autoResume,
});

export const poolFamilyModel = (f: InstanceFamilyInfo): PoolFamilyModel => ({
  name: f.name,
  gpu: f.gpu === null ? null : { type: f.gpu.type, perNode: f.gpu.perNode },
});

export const metricsFamilyModel = (f: InstanceFamilyInfo): MetricsFamilyModel => ({
  name: f.name,
  vcpu: f.vcpu,
  memoryGib: f.memoryGib,
  gpu: f.gpu === null ? null : { type: f.gpu.type, perNode: f.gpu.perNode, memoryGib: f.gpu.memoryGib },
});

export const metricSample = (m: MetricPoint): MetricSample => ({
  timestamp: m.timestamp,
  metricName: m.metricName,
  value: m.value,
  containerName: m.containerName,
  ...(m.instanceId !== undefined && { instanceId: m.instanceId }),
});
