/**
 * Service engine: instances and containers moving PENDING → READY (services) or
 * PENDING → RUNNING → DONE/FAILED (jobs) on the virtual clock, suspend/resume/drop/scale,
 * OOM kills with restart back-off, auto-suspend when idle, and the log lines each container
 * writes. Pool placement lives in pools.ts; deploy orchestration in deploy.ts.
 */
import { reconcilePool } from './pools.js';
import type { Sim } from './sim.js';
import type { ComputePool, Container, ContainerRun, Instance, OomPlan, Service } from './state.js';
import { CONTAINER_MESSAGES, displayName, key3, setContainerStatus } from './state.js';

export function serviceKey(svc: Service): string {
  return key3(svc.database, svc.schema, svc.name);
}

export function serviceDisplay(svc: Service): string {
  return displayName(svc.database, svc.schema, svc.name);
}

export function liveInstances(svc: Service): Instance[] {
  return svc.instances.filter((i) => !i.terminated);
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

function newContainer(svc: Service, name: string): Container {
  const spec = svc.containers.find((c) => c.name === name);
  return {
    name,
    image: spec?.image ?? '',
    digest: `sha256:${svc.specDigest.slice(0, 16)}${name.length.toString(16).padStart(2, '0')}${svc.specDigest.slice(18, 64)}`,
    // Replaced at once by the pool's message (setPendingMessage), which records the first event.
    status: 'PENDING',
    message: CONTAINER_MESSAGES.provisioning,
    restartCount: 0,
    startTime: null,
    lastExitCode: null,
    runs: [],
    events: [],
  };
}

function createInstance(svc: Service, at: number): Instance {
  const used = new Set(liveInstances(svc).map((i) => i.id));
  let id = 0;
  while (used.has(id)) id++;
  const inst: Instance = {
    id,
    status: 'PENDING',
    nodeId: null,
    creationTime: at,
    startTime: null,
    containers: svc.containers.map((c) => newContainer(svc, c.name)),
    generation: 0,
    terminated: false,
  };
  svc.instances = svc.instances.filter((i) => !(i.terminated && i.id === id));
  svc.instances.push(inst);
  svc.instances.sort((a, b) => a.id - b.id);
  return inst;
}

function poolOf(sim: Sim, svc: Service): ComputePool | undefined {
  return sim.state.pools.get(svc.computePool);
}

function newRun(sim: Sim, svc: Service, inst: Instance, container: Container, at: number): ContainerRun {
  const run: ContainerRun = { startedAt: at, endedAt: null, lines: [], oomKilled: false, oomAt: null };
  container.runs.push(run);
  const pool = poolOf(sim, svc);
  const spec = svc.containers.find((c) => c.name === container.name);
  const model = svc.model
    ? sim.state.models.get(key3(svc.model.database, svc.model.schema, svc.model.name))?.versions.get(svc.model.version)
    : undefined;
  if (pool) {
    sim.state.runs.push({
      serviceId: svc.id,
      database: svc.database,
      schema: svc.schema,
      serviceName: svc.name,
      isJob: svc.isJob,
      computePool: svc.computePool,
      family: pool.family,
      instanceId: inst.id,
      containerName: container.name,
      memoryLimitGib: spec?.memoryLimitGib ?? pool.family.memoryGib,
      gpus: spec?.requests.gpu ?? 0,
      workingSetGib: container.name === 'model-inference' ? (model?.workingSetGib ?? 1) : container.name === 'model-build' ? 1.5 : 0.1,
      run,
    });
  }
  return run;
}

function endRun(container: Container, at: number): void {
  const run = container.runs[container.runs.length - 1];
  if (run && run.endedAt === null) run.endedAt = at;
}

/** Appends a log line to the container's current run (visible once the clock reaches `at`). */
export function appendLog(container: Container, at: number, text: string): void {
  const run = container.runs[container.runs.length - 1];
  if (run) run.lines.push({ at, text });
}

/** Log lines of the current run visible at `now` (the live log GET_SERVICE_LOGS returns). */
export function visibleLines(run: ContainerRun, now: number): string[] {
  const end = run.endedAt ?? Number.POSITIVE_INFINITY;
  return run.lines.filter((l) => l.at <= now && l.at <= end).map((l) => l.text);
}

function isStale(svc: Service, inst: Instance, gen: number): boolean {
  return svc.dropped || inst.terminated || inst.generation !== gen;
}

// ---------------------------------------------------------------------------------------------
// Creation and placement

export function addService(sim: Sim, svc: Service, at: number): void {
  sim.state.services.set(serviceKey(svc), svc);
  const count = svc.isJob ? 1 : svc.targetInstances;
  for (let i = 0; i < count; i++) createInstance(svc, at);
  const pool = poolOf(sim, svc);
  if (pool) reconcilePool(sim, pool, at);
  updateServiceStatus(sim, svc, at);
}

/** Called by the pool when an instance gets a node. */
export function startInstance(sim: Sim, svc: Service, inst: Instance, nodeId: number, at: number): void {
  inst.nodeId = nodeId;
  for (const c of inst.containers) setContainerStatus(c, 'PENDING', CONTAINER_MESSAGES.waitingToStart, at);
  if (svc.kind === 'build') startBuildInstance(sim, svc, inst, at);
  else startInferenceInstance(sim, svc, inst, at, false);
}

function startBuildInstance(sim: Sim, svc: Service, inst: Instance, at: number): void {
  const gen = inst.generation;
  const runAt = at + sim.draw(sim.timings.buildStartMs);
  sim.scheduler.at(runAt, `build ${svc.name} running`, (t) => {
    if (isStale(svc, inst, gen)) return;
    const c = inst.containers[0];
    if (!c) return;
    newRun(sim, svc, inst, c, t);
    setContainerStatus(c, 'READY', CONTAINER_MESSAGES.running, t);
    c.startTime = t;
    inst.status = 'READY';
    inst.startTime = t;
    svc.status = 'RUNNING';
    svc.updatedOn = t;
    const failing = svc.buildFailure !== null;
    const endAt = t + (failing ? Math.floor(svc.buildMs * 0.6) : svc.buildMs);
    writeBuildLog(svc, c, t, endAt, failing);
    sim.scheduler.at(endAt, `build ${svc.name} finished`, (t2) => {
      if (isStale(svc, inst, gen)) return;
      finishBuild(sim, svc, inst, c, t2);
    });
  });
}

function writeBuildLog(svc: Service, c: Container, start: number, end: number, failing: boolean): void {
  const m = svc.model;
  const what = m ? `${displayName(m.database, m.schema, m.name)} version ${m.version}` : 'model';
  const span = Math.max(1, end - start);
  const lines: Array<[number, string]> = [
    [0, `Building inference image for model ${what}`],
    [0.01, 'Resolving model environment (conda/pip dependencies) from the model version'],
    [0.05, 'INFO[0000] Retrieving image manifest /snowflake/images/snowflake_images/base_inference_image'],
    [0.12, 'INFO[0004] Unpacking rootfs as cmd RUN requires it'],
    [0.25, 'INFO[0031] RUN conda env update -n base -f /tmp/conda.yml && conda clean -afy'],
    [0.45, 'INFO[0090] Collecting packages: numpy, pandas, scikit-learn, snowflake-ml-python'],
  ];
  if (failing) {
    lines.push([0.58, `ERROR: ${svc.buildFailure ?? 'image build failed'}`]);
    lines.push([0.6, 'error building image: error building stage: failed to execute command: waiting for process to exit: exit status 1']);
  } else {
    lines.push([0.7, 'INFO[0150] Taking snapshot of full filesystem...']);
    lines.push([0.85, 'INFO[0210] Pushing image to the model image repository']);
    lines.push([0.99, 'INFO[0240] Pushed image digest sha256 to repository']);
    lines.push([1, 'Model image build completed successfully']);
  }
  for (const [frac, text] of lines) appendLog(c, start + Math.floor(span * frac), `${iso(start + Math.floor(span * frac))} ${text}`);
}

function finishBuild(sim: Sim, svc: Service, inst: Instance, c: Container, at: number): void {
  const ok = svc.buildFailure === null;
  endRun(c, at);
  setContainerStatus(
    c,
    ok ? 'DONE' : 'FAILED',
    ok ? CONTAINER_MESSAGES.completed : `Image build failed: ${svc.buildFailure ?? ''}`.trim(),
    at,
  );
  c.lastExitCode = ok ? 0 : 1;
  inst.status = ok ? 'SUCCEEDED' : 'FAILED';
  inst.terminated = true;
  inst.nodeId = null;
  svc.status = ok ? 'DONE' : 'FAILED';
  svc.updatedOn = at;
  const pool = poolOf(sim, svc);
  if (pool) reconcilePool(sim, pool, at);
  sim.hooks.buildFinished(sim, svc, ok, at);
  sim.scheduler.at(at + sim.timings.buildJobRetentionMs, `cleanup ${svc.name}`, (t) => {
    if (sim.state.services.get(serviceKey(svc)) === svc) dropService(sim, svc, t);
  });
}

function startInferenceInstance(sim: Sim, svc: Service, inst: Instance, at: number, restart: boolean): void {
  const gen = inst.generation;
  const warm = restart || svc.firstRunningAt !== null;
  const startMs = sim.draw(warm ? sim.timings.resumeStartMs : sim.timings.serviceStartMs);
  const pullAt = at + Math.floor(startMs * 0.3);
  const proxyReadyAt = at + Math.floor(startMs * 0.6);
  const readyAt = at + startMs;
  if (sim.faults.imagePullFailures.has(svc.name)) {
    // The image cannot be pulled: the containers stay PENDING with Snowflake's "Failed to pull
    // image" (monitoring-services, "Supported events"), never start, and the service stays PENDING.
    sim.scheduler.at(pullAt, `svc ${svc.name}/${inst.id} image pull failed`, (t) => {
      if (isStale(svc, inst, gen)) return;
      for (const c of inst.containers) setContainerStatus(c, 'PENDING', CONTAINER_MESSAGES.imagePullFailed, t);
    });
    return;
  }
  sim.scheduler.at(pullAt, `svc ${svc.name}/${inst.id} containers started`, (t) => {
    if (isStale(svc, inst, gen)) return;
    for (const c of inst.containers) {
      newRun(sim, svc, inst, c, t);
      c.startTime = t;
      if (c.name === 'proxy') writeProxyStart(c, t, proxyReadyAt);
      else {
        writeInferenceStart(sim, svc, c, t, readyAt);
        // Started, not yet answering its readiness probe (the inference server's /health on 5000).
        setContainerStatus(c, 'PENDING', CONTAINER_MESSAGES.readinessFailing('/health', 5000), t);
      }
    }
  });
  sim.scheduler.at(proxyReadyAt, `svc ${svc.name}/${inst.id} proxy ready`, (t) => {
    if (isStale(svc, inst, gen)) return;
    const proxy = inst.containers.find((c) => c.name === 'proxy');
    if (proxy && proxy.status !== 'FAILED') setContainerStatus(proxy, 'READY', CONTAINER_MESSAGES.running, t);
  });
  const plan = svc.oomPlan;
  if (plan && plan.phase === 'startup') {
    const killAt = at + Math.floor(startMs * 0.8);
    const main = inst.containers.find((c) => c.name === 'model-inference');
    sim.scheduler.at(pullAt, `svc ${svc.name}/${inst.id} oom ramp`, () => {
      const run = main?.runs[main.runs.length - 1];
      if (run) run.oomAt = killAt;
    });
    sim.scheduler.at(killAt, `svc ${svc.name}/${inst.id} oom`, (t) => {
      if (isStale(svc, inst, gen)) return;
      oomKill(sim, svc, inst, t);
    });
    return;
  }
  sim.scheduler.at(readyAt, `svc ${svc.name}/${inst.id} ready`, (t) => {
    if (isStale(svc, inst, gen)) return;
    markReady(sim, svc, inst, t);
  });
}

function writeProxyStart(c: Container, start: number, ready: number): void {
  appendLog(c, start, `${iso(start)} INFO proxy: starting model inference proxy on :5000`);
  appendLog(c, ready, `${iso(ready)} INFO proxy: upstream model-inference registered, waiting for readiness`);
}

function writeInferenceStart(sim: Sim, svc: Service, c: Container, start: number, ready: number): void {
  const m = svc.model;
  const pool = poolOf(sim, svc);
  const span = Math.max(1, ready - start);
  const at = (f: number): number => start + Math.floor(span * f);
  appendLog(c, at(0), `${iso(at(0))} INFO Starting Snowflake model inference server (workers=${svc.numWorkers ?? 1})`);
  if (m) appendLog(c, at(0.05), `${iso(at(0.05))} INFO Loading model ${displayName(m.database, m.schema, m.name)} version ${m.version}`);
  const spec = svc.containers.find((x) => x.name === 'model-inference');
  if (pool && spec && spec.requests.gpu > 0) {
    appendLog(
      c,
      at(0.1),
      `${iso(at(0.1))} INFO CUDA available: True (${spec.requests.gpu} x ${pool.family.gpu ?? 'GPU'}, ${pool.family.gpuMemoryGib} GiB each)`,
    );
  }
  appendLog(c, at(0.9), `${iso(at(0.9))} INFO Model loaded in ${((span * 0.85) / 1000).toFixed(1)}s`);
  appendLog(c, at(1), `${iso(at(1))} INFO:     Uvicorn running on http://0.0.0.0:5000 (Press CTRL+C to quit)`);
  appendLog(c, at(1), `${iso(at(1))} INFO:     Application startup complete.`);
}

function markReady(sim: Sim, svc: Service, inst: Instance, at: number): void {
  for (const c of inst.containers) {
    if (c.status === 'FAILED' && c.name !== 'model-inference') continue;
    setContainerStatus(c, 'READY', CONTAINER_MESSAGES.running, at);
  }
  inst.status = 'READY';
  if (inst.startTime === null) inst.startTime = at;
  updateServiceStatus(sim, svc, at);
  const plan = svc.oomPlan;
  if (plan && plan.phase === 'running') scheduleRunningOom(sim, svc, inst, plan, at);
}

function scheduleRunningOom(sim: Sim, svc: Service, inst: Instance, plan: OomPlan, at: number): void {
  const gen = inst.generation;
  const killAt = at + (plan.afterMs ?? sim.draw(sim.timings.oomAfterMs));
  const main = inst.containers.find((c) => c.name === 'model-inference');
  const run = main?.runs[main.runs.length - 1];
  if (run) run.oomAt = killAt;
  sim.scheduler.at(killAt, `svc ${svc.name}/${inst.id} oom`, (t) => {
    if (isStale(svc, inst, gen)) return;
    oomKill(sim, svc, inst, t);
  });
}

/** Applies an OOM plan to a service that is already running. */
export function armOom(sim: Sim, svc: Service, plan: OomPlan, at: number): void {
  svc.oomPlan = plan;
  for (const inst of liveInstances(svc)) {
    if (inst.status === 'READY') scheduleRunningOom(sim, svc, inst, { ...plan, phase: 'running' }, at);
  }
}

function oomKill(sim: Sim, svc: Service, inst: Instance, at: number): void {
  const c = inst.containers.find((x) => x.name === 'model-inference');
  if (!c) return;
  const spec = svc.containers.find((x) => x.name === 'model-inference');
  const limit = spec?.memoryLimitGib ?? 0;
  appendLog(c, at, `${iso(at)} Killed`);
  appendLog(
    c,
    at,
    `${iso(at)} [spcs] container model-inference in instance ${inst.id} was terminated: OOMKilled (exit code 137); memory limit ${limit}Gi reached`,
  );
  const run = c.runs[c.runs.length - 1];
  if (run) {
    run.oomKilled = true;
    run.endedAt = at;
  }
  setContainerStatus(c, 'FAILED', CONTAINER_MESSAGES.oomKilled, at);
  c.lastExitCode = 137;
  inst.status = 'FAILED';
  updateServiceStatus(sim, svc, at);
  const plan = svc.oomPlan;
  const limitRestarts = plan?.restartLimit ?? Number.POSITIVE_INFINITY;
  if (c.restartCount >= limitRestarts) return;
  const backoff = Math.min(sim.timings.restartBackoffMs * 2 ** c.restartCount, 300_000);
  const gen = inst.generation;
  sim.scheduler.at(at + backoff, `svc ${svc.name}/${inst.id} restart`, (t) => {
    if (isStale(svc, inst, gen)) return;
    c.restartCount++;
    setContainerStatus(c, 'PENDING', CONTAINER_MESSAGES.waitingToStart, t);
    inst.status = 'PENDING';
    restartMainContainer(sim, svc, inst, c, t);
  });
}

function restartMainContainer(sim: Sim, svc: Service, inst: Instance, c: Container, at: number): void {
  const gen = inst.generation;
  const startMs = sim.draw(sim.timings.resumeStartMs);
  const readyAt = at + startMs;
  newRun(sim, svc, inst, c, at);
  c.startTime = at;
  writeInferenceStart(sim, svc, c, at, readyAt);
  updateServiceStatus(sim, svc, at);
  const plan = svc.oomPlan;
  if (plan && plan.phase === 'startup') {
    const killAt = at + Math.floor(startMs * 0.8);
    const run = c.runs[c.runs.length - 1];
    if (run) run.oomAt = killAt;
    sim.scheduler.at(killAt, `svc ${svc.name}/${inst.id} oom`, (t) => {
      if (isStale(svc, inst, gen)) return;
      oomKill(sim, svc, inst, t);
    });
    return;
  }
  sim.scheduler.at(readyAt, `svc ${svc.name}/${inst.id} ready again`, (t) => {
    if (isStale(svc, inst, gen)) return;
    markReady(sim, svc, inst, t);
  });
}

// ---------------------------------------------------------------------------------------------
// Status

export function updateServiceStatus(sim: Sim, svc: Service, at: number): void {
  if (svc.isJob || svc.dropped) return;
  if (svc.status === 'SUSPENDED' || svc.status === 'SUSPENDING') return;
  const live = liveInstances(svc);
  const ready = live.filter((i) => i.status === 'READY').length;
  const need = Math.max(1, Math.min(svc.minReadyInstances, svc.targetInstances));
  const next = ready >= need ? 'RUNNING' : live.some((i) => i.status === 'FAILED') ? 'FAILED' : 'PENDING';
  if (next !== svc.status) {
    svc.status = next;
    svc.updatedOn = at;
  }
  if (next === 'RUNNING') {
    if (svc.firstRunningAt === null) {
      svc.firstRunningAt = at;
      for (const e of svc.endpoints) if (e.isPublic && e.readyAt === null) e.readyAt = at + sim.draw(sim.timings.endpointMs);
    }
    scheduleAutoSuspend(sim, svc, svc.lastActivity);
  }
  sim.hooks.serviceStatusChanged(sim, svc, at);
}

function scheduleAutoSuspend(sim: Sim, svc: Service, from: number): void {
  if (svc.autoSuspendSecs <= 0) return;
  const gen = svc.generation;
  sim.scheduler.at(from + svc.autoSuspendSecs * 1000, `svc ${svc.name} auto-suspend check`, (t) => {
    if (svc.dropped || svc.generation !== gen || svc.status !== 'RUNNING' || svc.autoSuspendSecs <= 0) return;
    const due = svc.lastActivity + svc.autoSuspendSecs * 1000;
    if (t >= due) suspendService(sim, svc, t);
    else scheduleAutoSuspend(sim, svc, svc.lastActivity);
  });
}

/** Records traffic (ingress) so auto-suspend counts from here. */
export function touchService(svc: Service, at: number): void {
  svc.lastActivity = Math.max(svc.lastActivity, at);
}

// ---------------------------------------------------------------------------------------------
// Operations

function terminateInstance(inst: Instance, at: number): void {
  inst.status = 'TERMINATING';
  inst.generation++;
  for (const c of inst.containers) {
    if (c.name === 'model-inference' && c.runs.length > 0) appendLog(c, at, `${iso(at)} INFO:     Shutting down`);
  }
}

export function suspendService(sim: Sim, svc: Service, at: number): void {
  if (svc.isJob || svc.status === 'SUSPENDED' || svc.status === 'SUSPENDING') return;
  svc.status = 'SUSPENDING';
  svc.suspendedOn = at;
  svc.updatedOn = at;
  svc.generation++;
  const gen = svc.generation;
  for (const inst of liveInstances(svc)) terminateInstance(inst, at);
  sim.hooks.serviceStatusChanged(sim, svc, at);
  sim.scheduler.at(at + sim.draw(sim.timings.suspendMs), `svc ${svc.name} suspended`, (t) => {
    if (svc.dropped || svc.generation !== gen) return;
    clearInstances(svc, t);
    svc.status = 'SUSPENDED';
    svc.updatedOn = t;
    const pool = poolOf(sim, svc);
    if (pool) reconcilePool(sim, pool, t);
  });
}

function clearInstances(svc: Service, at: number): void {
  for (const inst of svc.instances) {
    inst.terminated = true;
    inst.nodeId = null;
    for (const c of inst.containers) endRun(c, at);
  }
  svc.instances = [];
}

export function resumeService(sim: Sim, svc: Service, at: number): void {
  if (svc.isJob) return;
  if (svc.status !== 'SUSPENDED' && svc.status !== 'SUSPENDING') return;
  if (svc.status === 'SUSPENDING') clearInstances(svc, at);
  svc.generation++;
  svc.status = 'PENDING';
  svc.resumedOn = at;
  svc.updatedOn = at;
  svc.lastActivity = at;
  svc.targetInstances = Math.max(1, svc.minInstances, Math.min(svc.targetInstances, svc.maxInstances));
  for (let i = 0; i < svc.targetInstances; i++) createInstance(svc, at);
  const pool = poolOf(sim, svc);
  if (pool) reconcilePool(sim, pool, at);
  updateServiceStatus(sim, svc, at);
}

export function dropService(sim: Sim, svc: Service, at: number): void {
  if (svc.dropped) return;
  svc.dropped = true;
  svc.generation++;
  for (const inst of svc.instances) {
    if (!inst.terminated) terminateInstance(inst, at);
  }
  clearInstances(svc, at);
  svc.status = 'DELETED';
  sim.state.services.delete(serviceKey(svc));
  const key = serviceKey(svc);
  sim.state.grants = sim.state.grants.filter(
    (g) => !((g.on === 'SERVICE' && g.key === key) || (g.on === 'SERVICE_ROLE' && g.key.startsWith(`${key}!`))),
  );
  const pool = poolOf(sim, svc);
  if (pool) reconcilePool(sim, pool, at);
  sim.hooks.serviceDropped(sim, svc, at);
}

/** ALTER SERVICE … SET MIN_INSTANCES / MAX_INSTANCES: adds or removes instances to fit. */
export function setInstanceBounds(sim: Sim, svc: Service, min: number, max: number, at: number): void {
  svc.minInstances = min;
  svc.maxInstances = max;
  svc.updatedOn = at;
  if (svc.status === 'SUSPENDED' || svc.status === 'SUSPENDING') return;
  svc.targetInstances = Math.max(1, min, Math.min(svc.targetInstances, max));
  const live = liveInstances(svc);
  if (live.length < svc.targetInstances) {
    for (let i = live.length; i < svc.targetInstances; i++) createInstance(svc, at);
  } else if (live.length > svc.targetInstances) {
    const extra = [...live].sort((a, b) => b.id - a.id).slice(0, live.length - svc.targetInstances);
    for (const inst of extra) {
      terminateInstance(inst, at);
      inst.terminated = true;
      inst.nodeId = null;
      for (const c of inst.containers) endRun(c, at);
    }
    svc.instances = svc.instances.filter((i) => !i.terminated);
  }
  const pool = poolOf(sim, svc);
  if (pool) reconcilePool(sim, pool, at);
  updateServiceStatus(sim, svc, at);
}

/** Completes a pool suspension once no job is running and no instance is still terminating. */
export function finishPoolStopIfDone(sim: Sim, pool: ComputePool, at: number): void {
  if (!pool.stopping) return;
  const busy = [...sim.state.services.values()].some(
    (s) => s.computePool === pool.name && s.instances.some((i) => !i.terminated && (s.isJob || i.status === 'TERMINATING')),
  );
  if (busy) return;
  pool.stopping = false;
  pool.nodes = [];
  pool.updatedOn = at;
}
