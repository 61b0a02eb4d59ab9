/**
 * Compute pool engine: node provisioning, the SUSPENDED → STARTING → IDLE/ACTIVE state
 * machine, auto-resume on use, auto-suspend when idle, and bin-packing of service/job
 * instances onto nodes (cpu, memory, GPUs per node of the instance family).
 */
import type { Sim } from './sim.js';
import type { ComputePool, Instance, PoolNode, PoolState, ResourceRequest, Service } from './state.js';
import { CONTAINER_MESSAGES, setContainerStatus } from './state.js';

const EPS = 1e-9;

export function servicesInPool(sim: Sim, pool: ComputePool): Service[] {
  return [...sim.state.services.values()].filter((s) => s.computePool === pool.name);
}

export function instanceRequest(svc: Service): ResourceRequest {
  return svc.containers.reduce<ResourceRequest>(
    (acc, c) => ({ cpu: acc.cpu + c.requests.cpu, memoryGib: acc.memoryGib + c.requests.memoryGib, gpu: acc.gpu + c.requests.gpu }),
    { cpu: 0, memoryGib: 0, gpu: 0 },
  );
}

function fits(pool: ComputePool, used: ResourceRequest, req: ResourceRequest): boolean {
  const f = pool.family;
  return (
    used.cpu + req.cpu <= f.vcpu + EPS && used.memoryGib + req.memoryGib <= f.memoryGib + EPS && used.gpu + req.gpu <= f.gpuCount + EPS
  );
}

/** Why an instance can never fit on an empty node of this family, or null if it can. */
export function unschedulableReason(pool: ComputePool, req: ResourceRequest): string | null {
  const f = pool.family;
  if (req.gpu > f.gpuCount)
    return `Unschedulable due to insufficient GPU resources: requested ${req.gpu}, ${f.name} nodes have ${f.gpuCount}.`;
  if (req.cpu > f.vcpu + EPS)
    return `Unschedulable due to insufficient CPU resources: requested ${req.cpu}, ${f.name} nodes have ${f.vcpu}.`;
  if (req.memoryGib > f.memoryGib + EPS)
    return `Unschedulable due to insufficient memory resources: requested ${req.memoryGib}Gi, ${f.name} nodes have ${f.memoryGib}Gi.`;
  return null;
}

/** Live (not terminated) instances in the pool with their service. */
function poolInstances(sim: Sim, pool: ComputePool): Array<{ svc: Service; inst: Instance }> {
  const out: Array<{ svc: Service; inst: Instance }> = [];
  for (const svc of servicesInPool(sim, pool)) {
    for (const inst of svc.instances) if (!inst.terminated) out.push({ svc, inst });
  }
  return out;
}

export function nodeUsage(sim: Sim, pool: ComputePool): Map<number, ResourceRequest> {
  const usage = new Map<number, ResourceRequest>();
  for (const n of pool.nodes) usage.set(n.id, { cpu: 0, memoryGib: 0, gpu: 0 });
  for (const { svc, inst } of poolInstancesIncludingTerminating(sim, pool)) {
    if (inst.nodeId === null) continue;
    const u = usage.get(inst.nodeId);
    if (!u) continue;
    const r = instanceRequest(svc);
    u.cpu += r.cpu;
    u.memoryGib += r.memoryGib;
    u.gpu += r.gpu;
  }
  return usage;
}

/** Terminating instances still hold their node until they are gone. */
function poolInstancesIncludingTerminating(sim: Sim, pool: ComputePool): Array<{ svc: Service; inst: Instance }> {
  const out: Array<{ svc: Service; inst: Instance }> = [];
  for (const svc of servicesInPool(sim, pool)) for (const inst of svc.instances) out.push({ svc, inst });
  return out;
}

export function poolState(sim: Sim, pool: ComputePool): PoolState {
  if (pool.stopping) return 'STOPPING';
  if (pool.suspended) return 'SUSPENDED';
  const ready = pool.nodes.filter((n) => n.readyAt !== null);
  if (ready.length === 0) return 'STARTING';
  const busy = poolInstancesIncludingTerminating(sim, pool).some(({ inst }) => inst.nodeId !== null);
  if (sim.faults.noFreeNodePools.has(pool.name)) return 'ACTIVE';
  return busy ? 'ACTIVE' : 'IDLE';
}

export interface PoolCounts {
  activeNodes: number;
  idleNodes: number;
  targetNodes: number;
  numServices: number;
  numJobs: number;
}

export function poolCounts(sim: Sim, pool: ComputePool): PoolCounts {
  const usage = nodeUsage(sim, pool);
  const readyNodes = pool.nodes.filter((n) => n.readyAt !== null);
  let active = readyNodes.filter((n) => {
    const u = usage.get(n.id);
    return !!u && (u.cpu > 0 || u.gpu > 0 || u.memoryGib > 0);
  }).length;
  let idle = readyNodes.length - active;
  let target = pool.suspended && !pool.stopping ? 0 : pool.nodes.length;
  if (sim.faults.noFreeNodePools.has(pool.name) && !pool.suspended) {
    active = pool.maxNodes;
    idle = 0;
    target = pool.maxNodes;
  }
  const services = servicesInPool(sim, pool);
  return {
    activeNodes: active,
    idleNodes: idle,
    targetNodes: target,
    numServices: services.filter((s) => !s.isJob).length,
    numJobs: services.filter((s) => s.isJob && (s.status === 'PENDING' || s.status === 'RUNNING')).length,
  };
}

function provisionNode(sim: Sim, pool: ComputePool, at: number): void {
  const node: PoolNode = { id: pool.nextNodeId++, readyAt: null };
  pool.nodes.push(node);
  const gen = pool.generation;
  const readyAt = at + sim.draw(sim.timings.nodeStartMs);
  sim.scheduler.at(readyAt, `pool ${pool.name} node ${node.id} ready`, (t) => {
    if (pool.generation !== gen || !pool.nodes.includes(node)) return;
    node.readyAt = t;
    pool.updatedOn = t;
    reconcilePool(sim, pool, t);
  });
}

export function resumePool(sim: Sim, pool: ComputePool, at: number): void {
  if (!pool.suspended) return;
  pool.suspended = false;
  pool.stopping = false;
  pool.generation++;
  pool.resumedOn = at;
  pool.updatedOn = at;
  pool.nodes = [];
  pool.idleSince = null;
  for (let i = 0; i < pool.minNodes; i++) provisionNode(sim, pool, at);
  reconcilePool(sim, pool, at);
}

/** Marks nodes ready immediately (seeding a pool that has been up for a while). */
export function startPoolNow(pool: ComputePool, at: number): void {
  pool.suspended = false;
  pool.stopping = false;
  pool.nodes = [];
  for (let i = 0; i < pool.minNodes; i++) pool.nodes.push({ id: pool.nextNodeId++, readyAt: at });
  pool.resumedOn = at;
}

export function createPoolStarting(sim: Sim, pool: ComputePool, at: number): void {
  pool.suspended = true;
  resumePool(sim, pool, at);
}

/**
 * ALTER COMPUTE POOL … SUSPEND (also auto-suspend): services are suspended, jobs run to
 * completion, then the nodes are released.
 */
export function suspendPool(sim: Sim, pool: ComputePool, at: number, suspendService: (svc: Service, at: number) => void): void {
  if (pool.suspended) return;
  pool.suspended = true;
  pool.stopping = true;
  pool.generation++;
  pool.updatedOn = at;
  pool.idleSince = null;
  for (const svc of servicesInPool(sim, pool)) {
    if (!svc.isJob && svc.status !== 'SUSPENDED' && svc.status !== 'SUSPENDING') suspendService(svc, at);
  }
  const gen = pool.generation;
  sim.scheduler.at(at + sim.draw(sim.timings.poolStopMs), `pool ${pool.name} stop`, (t) => {
    if (pool.generation !== gen) return;
    sim.hooks.finishPoolStopIfDone(sim, pool, t);
  });
}

/**
 * Places pending instances on ready nodes, provisions nodes up to MAX_NODES when nothing
 * fits, auto-resumes a suspended pool when work arrives, and tracks idleness for auto-suspend.
 */
export function reconcilePool(sim: Sim, pool: ComputePool, at: number): void {
  const pending = poolInstances(sim, pool)
    .filter(({ inst }) => inst.nodeId === null && inst.status === 'PENDING')
    .sort((a, b) => a.inst.creationTime - b.inst.creationTime || a.svc.id - b.svc.id || a.inst.id - b.inst.id);

  if (pool.suspended) {
    if (pool.stopping) sim.hooks.finishPoolStopIfDone(sim, pool, at);
    if (pending.length > 0 && pool.autoResume && !pool.stopping) {
      resumePool(sim, pool, at);
      return;
    }
    for (const { inst } of pending) {
      setPendingMessage(
        inst,
        pool.autoResume ? CONTAINER_MESSAGES.provisioning : `Compute pool ${pool.name} is suspended and AUTO_RESUME is FALSE`,
        at,
      );
    }
    return;
  }

  const blocked = sim.faults.noFreeNodePools.has(pool.name);
  const usage = nodeUsage(sim, pool);
  const provisioning = pool.nodes.filter((n) => n.readyAt === null).map((n) => ({ id: n.id, used: { cpu: 0, memoryGib: 0, gpu: 0 } }));
  for (const { svc, inst } of pending) {
    const req = instanceRequest(svc);
    const reason = unschedulableReason(pool, req);
    if (reason) {
      setPendingMessage(inst, reason, at);
      continue;
    }
    if (blocked) {
      setPendingMessage(inst, CONTAINER_MESSAGES.provisioning, at);
      continue;
    }
    const node = pool.nodes.find((n) => {
      if (n.readyAt === null) return false;
      const u = usage.get(n.id);
      return !!u && fits(pool, u, req);
    });
    if (node) {
      const u = usage.get(node.id);
      if (u) {
        u.cpu += req.cpu;
        u.memoryGib += req.memoryGib;
        u.gpu += req.gpu;
      }
      sim.hooks.startInstance(sim, svc, inst, node.id, at);
      continue;
    }
    setPendingMessage(inst, CONTAINER_MESSAGES.provisioning, at);
    const slot = provisioning.find((p) => fits(pool, p.used, req));
    if (slot) {
      slot.used.cpu += req.cpu;
      slot.used.memoryGib += req.memoryGib;
      slot.used.gpu += req.gpu;
      continue;
    }
    if (pool.nodes.length < pool.maxNodes) {
      provisionNode(sim, pool, at);
      const added = pool.nodes[pool.nodes.length - 1];
      if (added) provisioning.push({ id: added.id, used: { ...req } });
    }
  }
  trackIdle(sim, pool, at);
}

function setPendingMessage(inst: Instance, message: string, at: number): void {
  for (const c of inst.containers) setContainerStatus(c, 'PENDING', message, at);
}

function trackIdle(sim: Sim, pool: ComputePool, at: number): void {
  const hasWork = poolInstancesIncludingTerminating(sim, pool).length > 0;
  if (hasWork || pool.suspended) {
    pool.idleSince = null;
    return;
  }
  if (pool.idleSince !== null) return;
  pool.idleSince = at;
  if (pool.autoSuspendSecs <= 0) return;
  const since = at;
  const gen = pool.generation;
  sim.scheduler.at(at + pool.autoSuspendSecs * 1000, `pool ${pool.name} auto-suspend`, (t) => {
    if (pool.generation !== gen || pool.idleSince !== since || pool.suspended) return;
    pool.suspended = true;
    pool.stopping = false;
    pool.generation++;
    pool.nodes = [];
    pool.updatedOn = t;
    pool.idleSince = null;
  });
}
