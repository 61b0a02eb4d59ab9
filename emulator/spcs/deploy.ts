/**
 * CALL SYSTEM$DEPLOY_MODEL(<yaml>): validates the deployment spec the way the server does,
 * creates the MODEL_BUILD_<8hex> job service, then the inference service, and reports the
 * outcome to the (usually async) deploy query: success once the service is RUNNING, failure
 * when the build fails, the service fails, or either is dropped.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { type SqlError, alreadyExists, deployError, doesNotExist, insufficientPrivileges } from '../errors.js';
import { type SessionContext, resolveObjectName } from '../session-context.js';
import { parseObjectName } from '../sql/names.js';
import { addGrant, hasPrivilege } from './privileges.js';
import { requireModel, requirePool, requirePrivilege, requireSchema } from './lookup.js';
import { addService, serviceDisplay, serviceKey } from './services.js';
import { reconcilePool } from './pools.js';
import type { Deployment, Sim } from './sim.js';
import type { ComputePool, ContainerSpec, Model, ModelVersion, Service } from './state.js';
import { displayName, key2, key3, setContainerStatus } from './state.js';

/** "MODEL_BUILD_" + md5(decimal(query id as one hex number))[:8], upper-cased (snowflake-ml-python). */
export function buildJobName(queryId: string): string {
  const decimal = BigInt(`0x${queryId.replace(/-/g, '')}`).toString(10);
  return `MODEL_BUILD_${createHash('md5').update(decimal).digest('hex').slice(0, 8).toUpperCase()}`;
}

const IntLike = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

const DeploySpecSchema = z.strictObject({
  models: z
    .array(z.strictObject({ name: z.string().min(1), version: z.string().min(1) }))
    .length(1, 'exactly one model must be listed under models'),
  image_build: z
    .strictObject({
      compute_pool: z.string().min(1).optional(),
      image_repo: z.string().min(1).optional(),
      force_rebuild: z.boolean().optional(),
      external_access_integrations: z.array(z.string()).optional(),
    })
    .optional(),
  service: z.strictObject({
    name: z.string().min(1),
    compute_pool: z.string().min(1),
    ingress_enabled: z.boolean().optional(),
    min_instances: IntLike.optional(),
    max_instances: IntLike.optional(),
    cpu: z.union([z.string(), z.number()]).optional(),
    memory: z.string().optional(),
    gpu: z.union([z.string(), z.number()]).optional(),
    num_workers: IntLike.optional(),
    max_batch_rows: IntLike.optional(),
    autocapture: z.boolean().optional(),
  }),
});

type DeploySpec = z.infer<typeof DeploySpecSchema>;

function specError(detail: string): SqlError {
  return deployError(`Invalid model deployment spec: ${detail}`);
}

function parseSpec(text: string): DeploySpec {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw specError(e instanceof Error ? (e.message.split('\n')[0] ?? 'YAML parse error') : 'YAML parse error');
  }
  if (typeof raw === 'string' && raw.startsWith('@')) {
    throw deployError(`Stage file ${raw} does not exist or not authorized. The emulator accepts inline YAML specs only.`);
  }
  const parsed = DeploySpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    throw specError(`${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function nameParts(text: string, field: string): string[] {
  const parts = parseObjectName(text);
  if (!parts) throw specError(`${field}: '${text}' is not a valid object name`);
  return parts;
}

function parseCpu(v: string | number): number {
  const s = String(v).trim();
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(s);
  if (!m?.[1]) throw specError(`service.cpu: '${s}' is not a valid CPU quantity (e.g. "1", "0.5", "500m")`);
  const n = Number(m[1]);
  return m[2] === 'm' ? n / 1000 : n;
}

function parseMemory(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)B?$/.exec(s.trim());
  if (!m?.[1] || !m[2]) throw specError(`service.memory: '${s}' must be a quantity with a unit (e.g. "4Gi", "4GiB", "512Mi")`);
  const n = Number(m[1]);
  const unit: Record<string, number> = {
    Ki: 1 / 1024 ** 2,
    Mi: 1 / 1024,
    Gi: 1,
    Ti: 1024,
    K: 1e3 / 1024 ** 3,
    M: 1e6 / 1024 ** 3,
    G: 1e9 / 1024 ** 3,
    T: 1e12 / 1024 ** 3,
  };
  return n * (unit[m[2]] ?? 1);
}

function resolvePool(sim: Sim, ctx: SessionContext, text: string, field: string): ComputePool {
  const parts = nameParts(text, field);
  if (parts.length !== 1 || !parts[0]) throw specError(`${field}: a compute pool name has one part, got '${text}'`);
  const pool = requirePool(sim, ctx.role, parts[0]);
  requirePrivilege(sim, ctx.role, ['USAGE'], 'COMPUTE_POOL', pool.name, 'compute pool', displayName(pool.name));
  return pool;
}

interface ValidatedDeploy {
  model: Model;
  version: ModelVersion;
  service: [string, string, string];
  servicePool: ComputePool;
  buildPool: ComputePool;
  gpu: number;
  spec: DeploySpec;
  minInstances: number;
  maxInstances: number;
  cpu: number | null;
  memoryGib: number | null;
}

function validate(sim: Sim, ctx: SessionContext, spec: DeploySpec): ValidatedDeploy {
  const st = sim.state;
  const m = spec.models[0];
  if (!m) throw specError('models: exactly one model must be listed');
  const [mdb, msch, mname] = resolveObjectName(nameParts(m.name, 'models[0].name'), ctx, 'SYSTEM$DEPLOY_MODEL');
  const model = requireModel(sim, ctx.role, mdb, msch, mname);
  requirePrivilege(sim, ctx.role, ['USAGE'], 'MODEL', key3(mdb, msch, mname), 'model', displayName(mdb, msch, mname));
  const versionParts = nameParts(m.version, 'models[0].version');
  const versionName = versionParts[0] ?? '';
  const version = model.versions.get(versionName);
  if (!version || versionParts.length !== 1) {
    throw doesNotExist('Version', `${versionName}' of model '${displayName(mdb, msch, mname)}`);
  }
  if (version.methods.every((f) => f.isTableFunction)) {
    throw deployError(`Model ${displayName(mdb, msch, mname)} version ${versionName} has only table functions, which cannot be served.`);
  }

  const [sdb, ssch, sname] = resolveObjectName(nameParts(spec.service.name, 'service.name'), ctx, 'SYSTEM$DEPLOY_MODEL');
  requireSchema(sim, ctx.role, sdb, ssch);
  requirePrivilege(sim, ctx.role, ['CREATE SERVICE'], 'SCHEMA', key2(sdb, ssch), 'schema', displayName(sdb, ssch));
  if (st.services.has(key3(sdb, ssch, sname))) throw alreadyExists(displayName(sdb, ssch, sname));

  const servicePool = resolvePool(sim, ctx, spec.service.compute_pool, 'service.compute_pool');
  const buildPool = spec.image_build?.compute_pool
    ? resolvePool(sim, ctx, spec.image_build.compute_pool, 'image_build.compute_pool')
    : servicePool;

  if (spec.service.ingress_enabled && !hasAccountPrivilege(sim, ctx.role, 'BIND SERVICE ENDPOINT')) {
    throw insufficientPrivileges('account', st.account);
  }

  let gpu = 0;
  if (spec.service.gpu !== undefined) {
    const g = Number(spec.service.gpu);
    if (!Number.isInteger(g) || g < 0) throw specError(`service.gpu: '${spec.service.gpu}' is not a whole number of GPUs`);
    gpu = g;
  }
  if (gpu > 0) {
    if (!version.gpuRuntime) {
      throw deployError(
        `GPU requested for model ${displayName(mdb, msch, mname)} version ${versionName}, but its model spec has no GPU runtime (runtimes.gpu). ` +
          `Log the model with options={"cuda_version": ...} to serve it on GPU.`,
      );
    }
    const fam = servicePool.family;
    if (fam.gpuCount === 0) {
      throw deployError(
        `Compute pool ${servicePool.name} (instance family ${fam.name}) has no GPUs; service.gpu=${gpu} cannot be scheduled.`,
      );
    }
    if (gpu > fam.gpuCount) {
      throw deployError(
        `service.gpu=${gpu} exceeds the ${fam.gpuCount} GPU(s) per node of instance family ${fam.name} (compute pool ${servicePool.name}).`,
      );
    }
  }
  const minInstances = spec.service.min_instances ?? 0;
  const maxInstances = spec.service.max_instances ?? 1;
  if (minInstances < 0) throw specError('service.min_instances must be >= 0');
  if (maxInstances < 1) throw specError('service.max_instances must be >= 1');
  if (minInstances > maxInstances)
    throw specError(`service.min_instances (${minInstances}) must be <= service.max_instances (${maxInstances})`);
  if (spec.service.num_workers !== undefined && spec.service.num_workers < 1) throw specError('service.num_workers must be >= 1');
  if (spec.service.max_batch_rows !== undefined && spec.service.max_batch_rows < 32)
    throw specError('service.max_batch_rows must be >= 32');
  const cpu = spec.service.cpu !== undefined ? parseCpu(spec.service.cpu) : null;
  const memoryGib = spec.service.memory !== undefined ? parseMemory(spec.service.memory) : null;
  return { model, version, service: [sdb, ssch, sname], servicePool, buildPool, gpu, spec, minInstances, maxInstances, cpu, memoryGib };
}

export function hasAccountPrivilege(sim: Sim, role: string, privilege: string): boolean {
  return hasPrivilege(sim.state, role, privilege, 'ACCOUNT', '');
}

function matchesName(pattern: string | undefined, db: string, schema: string, name: string): boolean {
  if (pattern === undefined) return true;
  const parts = parseObjectName(pattern);
  if (!parts) return false;
  const want = [db, schema, name].slice(3 - parts.length);
  return parts.every((p, i) => p === want[i]);
}

function yamlSpec(svc: Pick<Service, 'containers' | 'endpoints'>): string {
  return stringifyYaml({
    spec: {
      containers: svc.containers.map((c) => ({
        name: c.name,
        image: c.image,
        env: c.env,
        resources: {
          requests: {
            cpu: String(c.requests.cpu),
            memory: `${c.requests.memoryGib}Gi`,
            ...(c.requests.gpu > 0 ? { 'nvidia.com/gpu': c.requests.gpu } : {}),
          },
          limits: { memory: `${c.memoryLimitGib}Gi`, ...(c.requests.gpu > 0 ? { 'nvidia.com/gpu': c.requests.gpu } : {}) },
        },
        ...(c.name === 'model-inference' ? { readinessProbe: { port: 5000, path: '/health' } } : {}),
      })),
      endpoints: svc.endpoints.map((e) => ({ name: e.name, port: e.port, public: e.isPublic })),
    },
  });
}

interface BaseServiceFields {
  database: string;
  schema: string;
  name: string;
  pool: ComputePool;
  owner: string;
  at: number;
}

function baseService(sim: Sim, f: BaseServiceFields, containers: ContainerSpec[]): Service {
  const id = sim.state.nextServiceId++;
  const endpoints: Service['endpoints'] = [];
  const svc: Service = {
    id,
    database: f.database,
    schema: f.schema,
    name: f.name,
    kind: 'inference',
    isJob: false,
    computePool: f.pool.name,
    owner: f.owner,
    createdOn: f.at,
    updatedOn: f.at,
    resumedOn: null,
    suspendedOn: null,
    status: 'PENDING',
    minInstances: 1,
    maxInstances: 1,
    targetInstances: 1,
    minReadyInstances: 1,
    autoResume: true,
    autoSuspendSecs: 0,
    comment: null,
    queryWarehouse: null,
    externalAccessIntegrations: [],
    containers,
    endpoints,
    specYaml: '',
    specDigest: '',
    dnsName: `${f.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.${createHash('sha1').update(key2(f.database, f.schema)).digest('hex').slice(0, 6)}.svc.spcs.internal`,
    instances: [],
    nextInstanceId: 0,
    lastActivity: f.at,
    generation: 0,
    model: null,
    deployQueryId: null,
    firstRunningAt: null,
    oomPlan: null,
    buildFailure: null,
    buildMs: 0,
    dropped: false,
    numWorkers: null,
    ingressEnabled: false,
  };
  return svc;
}

function finalizeSpec(svc: Service): void {
  svc.specYaml = yamlSpec(svc);
  svc.specDigest = createHash('sha256').update(svc.specYaml).digest('hex');
}

function grantOwnership(sim: Sim, svc: Service, role: string, at: number): void {
  addGrant(sim.state, {
    role,
    privilege: 'OWNERSHIP',
    on: 'SERVICE',
    key: serviceKey(svc),
    name: serviceDisplay(svc),
    grantedBy: role,
    createdOn: at,
  });
}

function takeBuildFailure(sim: Sim, model: Model): string | null {
  const idx = sim.faults.buildFailures.findIndex((f) => f.remaining > 0 && matchesName(f.model, model.database, model.schema, model.name));
  const f = sim.faults.buildFailures[idx];
  if (!f) return null;
  f.remaining--;
  if (f.remaining <= 0) sim.faults.buildFailures.splice(idx, 1);
  return f.message;
}

/** Finds and consumes an armed OOM fault for a new inference service. */
export function takeOomFault(sim: Sim, db: string, schema: string, name: string): Service['oomPlan'] {
  const idx = sim.faults.ooms.findIndex((f) => f.remaining > 0 && matchesName(f.service, db, schema, name));
  const f = sim.faults.ooms[idx];
  if (!f) return null;
  f.remaining--;
  if (f.remaining <= 0) sim.faults.ooms.splice(idx, 1);
  return { phase: f.phase, afterMs: f.afterMs ?? sim.draw(sim.timings.oomAfterMs), restartLimit: f.restartLimit };
}

function createBuildJob(sim: Sim, ctx: SessionContext, v: ValidatedDeploy, queryId: string, at: number): Service {
  const [db, schema] = v.service;
  const svc = baseService(sim, { database: db, schema, name: buildJobName(queryId), pool: v.buildPool, owner: ctx.role, at }, [
    {
      name: 'model-build',
      image: '/snowflake/images/snowflake_images/sf-model-image-builder:0.4.2',
      env: { MODEL_NAME: displayName(v.model.database, v.model.schema, v.model.name), MODEL_VERSION: v.version.name },
      requests: { cpu: 0.5, memoryGib: 2, gpu: 0 },
      memoryLimitGib: Math.min(4, v.buildPool.family.memoryGib),
    },
  ]);
  svc.kind = 'build';
  svc.isJob = true;
  svc.model = { database: v.model.database, schema: v.model.schema, name: v.model.name, version: v.version.name };
  svc.deployQueryId = queryId;
  svc.buildMs = sim.draw(sim.timings.buildMs);
  svc.buildFailure = takeBuildFailure(sim, v.model);
  finalizeSpec(svc);
  grantOwnership(sim, svc, ctx.role, at);
  addService(sim, svc, at);
  return svc;
}

function createInferenceService(sim: Sim, role: string, v: ValidatedDeploy, queryId: string, at: number): Service {
  const [db, schema, name] = v.service;
  const fam = v.servicePool.family;
  const repo = v.spec.image_build?.image_repo
    ? (parseObjectName(v.spec.image_build.image_repo) ?? []).map((p) => p.toLowerCase()).join('/')
    : `${db.toLowerCase()}/${schema.toLowerCase()}/snowflake_model_images`;
  const numWorkers = v.spec.service.num_workers ?? (v.gpu > 0 ? 1 : 2 * fam.vcpu + 1);
  const env: Record<string, string> = {
    MODEL_NAME: displayName(v.model.database, v.model.schema, v.model.name),
    MODEL_VERSION: v.version.name,
    NUM_WORKERS: String(numWorkers),
    SPCS_MODEL_INFERENCE_SERVER__AUTOCAPTURE_ENABLED: v.spec.service.autocapture ? 'true' : 'false',
  };
  if (v.spec.service.max_batch_rows !== undefined) env['MAX_BATCH_ROWS'] = String(v.spec.service.max_batch_rows);
  const svc = baseService(sim, { database: db, schema, name, pool: v.servicePool, owner: role, at }, [
    {
      name: 'model-inference',
      image: `/${repo}/${v.model.name.toLowerCase()}_${v.version.name.toLowerCase()}:${createHash('md5')
        .update(key3(v.model.database, v.model.schema, v.model.name) + v.version.name)
        .digest('hex')
        .slice(0, 12)}`,
      env,
      requests: { cpu: v.cpu ?? (v.gpu > 0 ? 1 : 0.4), memoryGib: v.memoryGib ?? 2, gpu: v.gpu },
      memoryLimitGib: v.memoryGib ?? fam.memoryGib,
    },
    {
      name: 'proxy',
      image: '/snowflake/images/snowflake_images/sf-model-inference-proxy:0.1.3',
      env: { UPSTREAM: 'http://localhost:5001' },
      requests: { cpu: 0.1, memoryGib: 0.25, gpu: 0 },
      memoryLimitGib: 0.5,
    },
  ]);
  const ingress = v.spec.service.ingress_enabled ?? false;
  svc.endpoints.push({
    name: 'inference',
    port: 5000,
    protocol: 'HTTP',
    isPublic: ingress,
    host: `${sim.rng.alnum(8)}-${sim.state.organization.toLowerCase()}-${sim.state.account.toLowerCase()}.snowflakecomputing.app`,
    readyAt: null,
  });
  svc.ingressEnabled = ingress;
  svc.minInstances = v.minInstances;
  svc.maxInstances = v.maxInstances;
  // Docs (CREATE SERVICE, MIN_READY_INSTANCES): "Default: The value of the MIN_INSTANCES property".
  svc.minReadyInstances = v.minInstances;
  svc.targetInstances = Math.max(1, v.minInstances);
  svc.autoSuspendSecs = v.minInstances === 0 ? 1800 : 0;
  svc.numWorkers = numWorkers;
  svc.model = { database: v.model.database, schema: v.model.schema, name: v.model.name, version: v.version.name };
  svc.deployQueryId = queryId;
  svc.oomPlan = takeOomFault(sim, db, schema, name);
  const hold = sim.faults.statusHolds.findIndex((h) => matchesName(h.service, db, schema, name));
  const held = sim.faults.statusHolds.splice(hold, hold === -1 ? 0 : 1)[0];
  if (held) svc.statusHold = { status: held.status, until: at + held.forMs };
  finalizeSpec(svc);
  grantOwnership(sim, svc, role, at);
  addService(sim, svc, at);
  return svc;
}

interface PendingDeploy {
  validated: ValidatedDeploy;
  role: string;
}

const pendingByQuery = new WeakMap<Deployment, PendingDeploy>();

/**
 * Validates and starts a deployment. Throws SqlError for anything SYSTEM$DEPLOY_MODEL rejects
 * up front; later failures land on the returned Deployment.
 */
export function startDeploy(sim: Sim, ctx: SessionContext, queryId: string, specText: string, at: number): Deployment {
  const spec = parseSpec(specText);
  const v = validate(sim, ctx, spec);
  const imageKey = `${key3(v.model.database, v.model.schema, v.model.name)}\u0001${v.version.name}`;
  const cached = sim.state.builtImages.has(imageKey) && !spec.image_build?.force_rebuild;
  const dep: Deployment = {
    queryId,
    phase: cached ? 'STARTING' : 'BUILDING',
    serviceKey: key3(...v.service),
    buildKey: null,
    message: null,
    error: null,
    finishedAt: null,
  };
  sim.deployments.set(queryId, dep);
  pendingByQuery.set(dep, { validated: v, role: ctx.role });
  if (cached) {
    createInferenceService(sim, ctx.role, v, queryId, at);
  } else {
    const job = createBuildJob(sim, ctx, v, queryId, at);
    dep.buildKey = serviceKey(job);
  }
  return dep;
}

function finish(dep: Deployment, at: number, outcome: { message: string } | { error: SqlError }): void {
  if (dep.phase === 'SUCCEEDED' || dep.phase === 'FAILED') return;
  dep.finishedAt = at;
  if ('message' in outcome) {
    dep.phase = 'SUCCEEDED';
    dep.message = outcome.message;
  } else {
    dep.phase = 'FAILED';
    dep.error = outcome.error;
  }
}

export function onBuildFinished(sim: Sim, job: Service, ok: boolean, at: number): void {
  const dep = job.deployQueryId ? sim.deployments.get(job.deployQueryId) : undefined;
  if (dep?.phase !== 'BUILDING') return;
  const pending = pendingByQuery.get(dep);
  if (!pending) return;
  const v = pending.validated;
  if (!ok) {
    finish(dep, at, {
      error: deployError(
        `Model image build failed for ${displayName(v.model.database, v.model.schema, v.model.name)} version ${v.version.name} ` +
          `(job ${serviceDisplay(job)}): ${job.buildFailure ?? 'unknown error'}. ` +
          `See CALL SYSTEM$GET_SERVICE_LOGS('${serviceDisplay(job)}', '0', 'model-build').`,
      ),
    });
    return;
  }
  sim.state.builtImages.add(`${key3(v.model.database, v.model.schema, v.model.name)}\u0001${v.version.name}`);
  if (sim.state.services.has(dep.serviceKey)) {
    finish(dep, at, { error: alreadyExists(displayName(...v.service)) });
    return;
  }
  if (!sim.state.pools.has(v.servicePool.name)) {
    finish(dep, at, { error: doesNotExist('Compute pool', v.servicePool.name) });
    return;
  }
  dep.phase = 'STARTING';
  createInferenceService(sim, pending.role, v, dep.queryId, at);
}

export function onServiceStatusChanged(sim: Sim, svc: Service, at: number): void {
  if (svc.isJob || !svc.deployQueryId) return;
  const dep = sim.deployments.get(svc.deployQueryId);
  if (dep?.phase !== 'STARTING' || dep.serviceKey !== serviceKey(svc)) return;
  if (svc.status === 'RUNNING') {
    finish(dep, at, { message: `Service ${serviceDisplay(svc)} successfully deployed. Inference endpoint: inference (port 5000).` });
  } else if (svc.status === 'FAILED') {
    const failed = svc.instances.flatMap((i) => i.containers).find((c) => c.status === 'FAILED');
    finish(dep, at, {
      error: deployError(
        `Service ${serviceDisplay(svc)} failed to start: container ${failed?.name ?? 'model-inference'} ${failed?.message ?? 'failed'}` +
          `${failed?.lastExitCode !== null && failed?.lastExitCode !== undefined ? ` (exit code ${failed.lastExitCode})` : ''}. ` +
          `See CALL SYSTEM$GET_SERVICE_LOGS('${serviceDisplay(svc)}', '0', 'model-inference').`,
      ),
    });
  } else if (svc.status === 'SUSPENDING' || svc.status === 'SUSPENDED') {
    finish(dep, at, { error: deployError(`Service ${serviceDisplay(svc)} was suspended before it became ready.`) });
  }
}

export function onServiceDropped(sim: Sim, svc: Service, at: number): void {
  if (!svc.deployQueryId) return;
  const dep = sim.deployments.get(svc.deployQueryId);
  if (!dep) return;
  const key = serviceKey(svc);
  if (dep.phase === 'BUILDING' && dep.buildKey === key && svc.status !== 'DONE') {
    finish(dep, at, { error: deployError(`Model build job ${serviceDisplay(svc)} was dropped before the image build finished.`) });
  }
  if (dep.phase === 'STARTING' && dep.serviceKey === key) {
    finish(dep, at, { error: deployError(`Service ${serviceDisplay(svc)} was dropped before it became ready.`) });
  }
}

/** The DB, schema and name of a deployment's service. */
function serviceParts(dep: Deployment): [string, string, string] {
  return pendingByQuery.get(dep)?.validated.service ?? ['', '', ''];
}

/**
 * Fault: ends the deploy queries still running for services matching `service` (all when
 * undefined) with `error`. With `cancel`, the build job still running goes CANCELLING, then
 * CANCELLED, as a cancelled job does (snowflake-cli ends a job on DONE, FAILED or CANCELLED);
 * otherwise the build job and service are left exactly as they are. Returns how many it ended.
 */
export function endDeployQueries(sim: Sim, service: string | undefined, error: SqlError, at: number, cancel: boolean): number {
  let ended = 0;
  for (const dep of sim.deployments.values()) {
    if (dep.phase === 'SUCCEEDED' || dep.phase === 'FAILED') continue;
    if (!matchesName(service, ...serviceParts(dep))) continue;
    finish(dep, at, { error });
    ended++;
    const job = dep.buildKey === null ? undefined : sim.state.services.get(dep.buildKey);
    if (cancel && job !== undefined && (job.status === 'RUNNING' || job.status === 'PENDING')) cancelJob(sim, job, at);
  }
  return ended;
}

function cancelJob(sim: Sim, job: Service, at: number): void {
  job.status = 'CANCELLING';
  job.updatedOn = at;
  for (const inst of job.instances) inst.generation++; // the build never finishes now
  for (const inst of job.instances)
    for (const c of inst.containers) if (c.status !== 'DONE' && c.status !== 'FAILED') setContainerStatus(c, c.status, 'Cancelling', at);
  sim.scheduler.at(at + sim.timings.suspendMs[0], `cancel ${job.name}`, (t) => {
    if (job.dropped) return;
    for (const inst of job.instances) {
      inst.terminated = true;
      inst.nodeId = null;
      inst.status = 'FAILED';
      for (const c of inst.containers) if (c.status !== 'DONE' && c.status !== 'FAILED') setContainerStatus(c, c.status, 'Cancelled', t);
    }
    job.status = 'CANCELLED';
    job.updatedOn = t;
    const pool = sim.state.pools.get(job.computePool);
    if (pool) reconcilePool(sim, pool, t);
  });
}
