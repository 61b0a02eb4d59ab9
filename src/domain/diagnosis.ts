/**
 * Diagnosis rules for a model service: what was observed (status, containers, pool, logs,
 * metrics, privilege failures) in, findings out. Pure, so `/spcs diagnose` and the deploy status
 * thread can share it. The rules follow the SPCS deployment guide's "Common Issues" and
 * "Common OOM Fixes" tables.
 *
 * The input types are structural: ServiceInfo, ServiceContainer, ComputePoolInfo and
 * InstanceFamilyInfo from src/snowflake fit them as they are.
 */

export interface ObservedService {
  readonly name: string;
  /** PENDING, RUNNING, FAILED, SUSPENDED, … */
  readonly status: string;
  readonly computePool: string;
  readonly autoResume: boolean | null;
}

export interface ObservedContainer {
  readonly instanceId: string | null;
  readonly containerName: string | null;
  /** PENDING, READY, DONE, FAILED, UNKNOWN. */
  readonly status: string | null;
  readonly message: string | null;
  readonly restartCount: number | null;
  readonly lastExitCode: number | null;
}

export interface ObservedPool {
  readonly name: string;
  /** IDLE, ACTIVE, SUSPENDED, STARTING, STOPPING, RESIZING. */
  readonly state: string;
  readonly maxNodes: number;
  readonly activeNodes: number | null;
  /** Nodes with nothing on them; left out when not read (then only active vs max counts). */
  readonly idleNodes?: number | null;
  readonly autoResume: boolean | null;
  /** DESCRIBE COMPUTE POOL `error_code` / `status_message`: Snowflake's own word on a failing pool. */
  readonly errorCode?: string | null;
  readonly statusMessage?: string | null;
}

/** A platform event from <svc>!SPCS_GET_EVENTS (e.g. CONTAINER.STATUS_CHANGE). */
export interface ObservedEvent {
  readonly eventName: string;
  readonly severity: string | null;
  readonly message: string | null;
  readonly status: string | null;
  readonly instanceId: string | null;
  readonly containerName: string | null;
}

export interface ObservedFamily {
  readonly name: string;
  readonly memoryGib: number | null;
  readonly vcpu: number | null;
  readonly gpu: { readonly type: string; readonly perNode: number; readonly memoryGib: number | null } | null;
}

/** Peak values over the window looked at (the last hour), per container. */
export interface ObservedPeak {
  readonly containerName: string | null;
  /** Bytes: the highest container.memory.usage sample. */
  readonly memoryBytes: number | null;
  /**
   * Bytes: the container's memory limit, container.memory.limit (`system_limits` group), the
   * lowest sample seen; null when the spec does not collect that group.
   */
  readonly memoryLimitBytes: number | null;
  /** Cores. */
  readonly cpu: number | null;
}

/** A statement that failed for lack of a privilege; `privilege` is the grant to ask for, when known. */
export interface ObservedPrivilegeFailure {
  readonly doing: string;
  readonly privilege: string | null;
  readonly objectName: string | null;
}

export interface ServiceObservations {
  readonly service: ObservedService;
  readonly containers: readonly ObservedContainer[];
  readonly pool: ObservedPool | null;
  readonly family: ObservedFamily | null;
  /** Recent log lines of the containers (any order), empty when none could be read. */
  readonly logLines: readonly string[];
  readonly peaks: readonly ObservedPeak[];
  readonly privilegeFailures: readonly ObservedPrivilegeFailure[];
  /** Platform events of the last day (SPCS_GET_EVENTS), any order; empty when none could be read. */
  readonly events?: readonly ObservedEvent[];
}

export const FINDING_CODES = [
  'oom_killed',
  'memory_near_limit',
  'gpu_memory',
  'repeated_restarts',
  'image_pull_failed',
  'pool_failed',
  'pending_scheduling',
  'readiness_failing',
  'pool_not_ready',
  'pool_suspended_no_auto_resume',
  'waiting_to_start',
  'service_failed',
  'service_suspended',
  'missing_privilege',
  'healthy',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export type Severity = 'problem' | 'warning' | 'info';

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** The symptom, e.g. "Container model-inference was OOM-killed". */
  readonly title: string;
  /** Why it happens. */
  readonly cause: string;
  /** What to try, in order. */
  readonly fixes: readonly string[];
  /** Observed facts that triggered the rule. */
  readonly evidence: readonly string[];
}

/** What to do about a problem: why it happens and what to try, in order. */
export interface Remedy {
  readonly cause: string;
  readonly fixes: readonly string[];
}

/** An instance family as far as it is known: a deploy request knows only the name. */
export interface FamilyRef {
  readonly name: string;
  readonly memoryGib?: number | null;
}

/** Every finding code that has something to do about it, and the image build failure of a deployment. */
export type RemedyCode = Exclude<FindingCode, 'healthy'> | 'build_failed';

const moreMemoryThan = (family: FamilyRef | null): string => {
  if (family === null) return '';
  return family.memoryGib ? ` than ${family.memoryGib} GiB on ${family.name}` : ` than ${family.name}`;
};

/**
 * The cause and fixes for each problem, the one place this wording lives: the diagnosis rules
 * below and the deploy status thread (src/blocks/deploy-status.ts) both take it from here.
 */
export const REMEDIES = {
  oom_killed: (family: FamilyRef | null): Remedy => ({
    cause: 'The model does not fit in the memory of one node: each worker loads its own copy of the model.',
    fixes: [
      `Redeploy on a larger instance family (more memory per node${moreMemoryThan(family)}).`,
      'Or deploy with fewer workers (num_workers), so fewer copies of the model are loaded.',
      'Or reduce the batch size (max_batch_rows) if requests are large.',
    ],
  }),
  memory_near_limit: (): Remedy => ({
    cause: 'Model too large for the instance family.',
    fixes: ['Use a larger instance family.', 'Or reduce num_workers.'],
  }),
  gpu_memory: (gpu: ObservedFamily['gpu']): Remedy => ({
    cause: "The model doesn't fit in GPU memory (every worker holds its own copy).",
    fixes: [
      'Reduce num_workers (1 per GPU is the usual start).',
      `Or use an instance family with more GPU memory${gpu ? ` than ${gpu.perNode}× ${gpu.type}${gpu.memoryGib ? ` ${gpu.memoryGib} GiB` : ''}` : ''}.`,
    ],
  }),
  repeated_restarts: (): Remedy => ({
    cause: 'The container keeps crashing; OOM kills are the usual reason.',
    fixes: [
      'Read the logs for the error (OOMKilled, a Python traceback).',
      'If it is OOM, reduce the batch size or num_workers, or use a larger instance.',
    ],
  }),
  pending_scheduling: (p: {
    readonly pool: string;
    readonly nodes: { readonly active: number | null; readonly max: number } | null;
    readonly atMax: boolean;
  }): Remedy => ({
    cause: `No free node in pool ${p.pool}${p.nodes === null ? '' : ` (${p.nodes.active ?? '?'} of ${p.nodes.max} nodes active)`}${p.atMax ? ': it is at MAX_NODES' : ''}, so new instances wait.`,
    fixes: [
      `Raise the pool's MAX_NODES (ALTER COMPUTE POOL ${p.pool} SET MAX_NODES = <n>).`,
      'Or free capacity: suspend or scale down other services in the pool.',
      'Or lower this service’s MAX_INSTANCES, or deploy to another pool.',
    ],
  }),
  image_pull_failed: (service: string): Remedy => ({
    cause: 'Snowflake could not pull the container image: it is missing from the image repository, or the role cannot read it.',
    fixes: [
      'Check the image path in the service spec and that the image is in the repository (SHOW IMAGES IN IMAGE REPOSITORY).',
      'Check that the service owner role has READ on the image repository.',
      `Redeploy the model so its image is built again; the events: /spcs diagnose ${service}.`,
    ],
  }),
  pool_failed: (p: { readonly pool: string; readonly message: string | null }): Remedy => ({
    cause: p.message === null ? `Compute pool ${p.pool} reports an error.` : `Snowflake says: ${p.message}`,
    fixes: [
      `Check the pool: DESCRIBE COMPUTE POOL ${p.pool} (error_code, status_message).`,
      'If the instance family has no capacity in this region, deploy to a pool of another family, or retry later.',
    ],
  }),
  readiness_failing: (): Remedy => ({
    cause:
      'The container runs but its readiness probe does not answer yet: the model server is still loading the model, or it crashed while loading.',
    fixes: ['Wait a few minutes for large models.', 'If it stays like this, read the logs for an error while loading the model.'],
  }),
  pool_suspended_no_auto_resume: (pool: string): Remedy => ({
    cause: 'Nothing can start on a suspended pool that does not resume by itself.',
    fixes: [`Resume it: ALTER COMPUTE POOL ${pool} RESUME (needs OPERATE on the pool).`],
  }),
  pool_not_ready: (): Remedy => ({
    cause: 'Resuming or starting a pool provisions nodes, which can take a few minutes.',
    fixes: ['Wait a few minutes, then check again with /spcs pools.'],
  }),
  waiting_to_start: (): Remedy => ({
    cause: 'The instance has a node and is pulling the image or starting.',
    fixes: ['Wait a minute or two; if it stays like this, read the logs.'],
  }),
  service_failed: (service: string): Remedy => ({
    cause: 'A container exits with an error.',
    fixes: [`Read the logs: /spcs logs ${service} (SYSTEM$GET_SERVICE_LOGS, container model-inference).`],
  }),
  service_suspended: (s: { readonly name: string; readonly autoResume: boolean | null }): Remedy => ({
    cause: 'It was suspended by hand or by auto-suspend; no containers run.',
    fixes: [
      s.autoResume === true
        ? 'It resumes by itself on the next request (AUTO_RESUME is on); the first call waits for a cold start.'
        : `Resume it: ALTER SERVICE ${s.name} RESUME.`,
    ],
  }),
  /** `grants` are the privileges to ask for, when known; `during` is what was refused. */
  missing_privilege: (p: { readonly grants: readonly string[]; readonly during: 'diagnose' | 'deploy' }): Remedy => ({
    cause:
      p.during === 'diagnose'
        ? 'Snowflake refused part of the check (003001), so the diagnosis is incomplete.'
        : 'Snowflake refused the deployment without it.',
    fixes:
      p.grants.length > 0
        ? [...new Set(p.grants)].map((g) => `Ask an admin: GRANT ${g} TO ROLE <the bot's role>.`)
        : [
            p.during === 'diagnose'
              ? 'Ask an admin for MONITOR on the service and USAGE on its compute pool.'
              : 'Ask an admin for USAGE on the compute pool and BIND SERVICE ENDPOINT on the account.',
          ],
  }),
  build_failed: (): Remedy => ({
    cause: 'Usually a dependency of the model cannot be installed.',
    fixes: ['Check the packages the model was logged with.', 'Or check the external access integrations for PyPI/conda.'],
  }),
} satisfies Record<RemedyCode, (...args: never[]) => Remedy>;

/** Share of container.memory.limit above which container.memory.usage counts as "near limit". */
export const MEMORY_NEAR_LIMIT = 0.9;
/** Restarts from which a crash loop is reported even without an OOM sign. */
export const RESTARTS_REPORTED = 3;

const GIB = 1024 ** 3;
const OOM_MESSAGE = /OOMKilled|out of memory|Killed process|MemoryError/i;
const OOM_WORD = /OOMKilled/i;
const GPU_MEMORY_LOG = /CUDA out of memory|CUDA error: out of memory|CUBLAS_STATUS_ALLOC_FAILED|torch\.cuda\.OutOfMemoryError|GPU memory/i;
/**
 * Container messages as Snowflake documents them (monitoring-services, "Supported events"):
 * "Compute pool node(s) are being provisioned" while the instance waits for a node; the older
 * "Pending scheduling" (snowflake-ml-python's deploy client waits on it) is still recognised.
 */
export const WAITING_FOR_NODE = /pending scheduling|node\(s\) are being provisioned/i;
const READINESS_FAILING = /readiness probe is failing/i;
const IMAGE_PULL = /failed to pull image|image name uses an invalid format/i;
const WAITING_TO_START = /waiting to start/i;
const NOT_READY_POOL_STATES = new Set(['SUSPENDED', 'STARTING', 'STOPPING', 'RESIZING']);

/*
 * The rules below are the one place each symptom is recognised: `/spcs diagnose` (the rules further
 * down) and the deployment lifecycle (src/domain/deployment-lifecycle.ts) both ask them.
 */

/** This container was OOM-killed: exit code 137, or its status message says so. */
export function isOomKilledContainer(c: Pick<ObservedContainer, 'lastExitCode' | 'message'>): boolean {
  return c.lastExitCode === 137 || OOM_MESSAGE.test(c.message ?? '');
}

/** A platform event (CONTAINER.STATUS_CHANGE "Container was OOMKilled due to resource usage") or log line that says OOMKilled. */
export function saysOomKilled(text: string | null): boolean {
  return OOM_WORD.test(text ?? '');
}

/** Where OOM kills show: containers, log lines and platform events that say so (each list empty when none). */
export interface OomEvidence {
  readonly containers: readonly ObservedContainer[];
  readonly logLines: readonly string[];
  readonly events: readonly ObservedEvent[];
}

export function findOomKills(o: {
  readonly containers: readonly ObservedContainer[];
  readonly logLines: readonly string[];
  readonly events?: readonly ObservedEvent[] | undefined;
}): OomEvidence | null {
  const evidence = {
    containers: o.containers.filter(isOomKilledContainer),
    logLines: o.logLines.filter(saysOomKilled),
    events: (o.events ?? []).filter((e) => saysOomKilled(e.message)),
  };
  return evidence.containers.length + evidence.logLines.length + evidence.events.length === 0 ? null : evidence;
}

/** The instance waits for a node of the pool ("Pending scheduling", "node(s) are being provisioned"). */
export function isWaitingForNode(c: Pick<ObservedContainer, 'message'>): boolean {
  return WAITING_FOR_NODE.test(c.message ?? '');
}

/** Every node the pool may have is in use (and, when known, none is idle): new instances wait for capacity, not for a boot. */
export function isPoolAtCapacity(pool: Pick<ObservedPool, 'maxNodes' | 'activeNodes' | 'idleNodes'>): boolean {
  return pool.activeNodes !== null && pool.activeNodes >= pool.maxNodes && (pool.idleNodes ?? 0) === 0;
}

/** Snowflake could not pull the image ("Failed to pull image", "image name uses an invalid format"). */
export function isImagePullFailure(message: string | null): boolean {
  return IMAGE_PULL.test(message ?? '');
}

/** The container runs but does not pass its readiness probe. */
export function isReadinessFailing(c: Pick<ObservedContainer, 'status' | 'message'>): boolean {
  return c.status !== 'READY' && READINESS_FAILING.test(c.message ?? '');
}

const label = (c: ObservedContainer): string =>
  `${c.containerName ?? 'container'}${c.instanceId === null ? '' : ` (instance ${c.instanceId})`}`;

const gib = (bytes: number): string => `${(bytes / GIB).toFixed(1)} GiB`;

type Rule = (o: ServiceObservations) => Finding | null;

const oomKilled: Rule = (o) => {
  const found = findOomKills(o);
  if (found === null) return null;
  const { containers: killed, logLines: logHits, events: eventHits } = found;
  const evidence = [
    ...eventHits
      .slice(0, 2)
      .map(
        (e) =>
          `event ${e.eventName}: ${e.containerName ?? 'container'}${e.instanceId === null ? '' : ` (instance ${e.instanceId})`}: ${e.message ?? ''}`,
      ),
    ...killed.map(
      (c) =>
        `${label(c)}: ${[
          c.message,
          c.lastExitCode === null ? null : `last exit code ${c.lastExitCode}`,
          c.restartCount ? `${c.restartCount} restarts` : null,
        ]
          .filter(Boolean)
          .join(', ')}`,
    ),
    ...logHits.slice(0, 2).map((l) => `log: ${l.trim().slice(0, 200)}`),
  ];
  return {
    code: 'oom_killed',
    severity: 'problem',
    title: 'The model container was OOM-killed (exit code 137)',
    ...REMEDIES.oom_killed(o.family),
    evidence,
  };
};

const memoryNearLimit: Rule = (o) => {
  // container.memory.usage against the container's own container.memory.limit (SPCS_GET_METRICS,
  // monitoring-services "Available platform metrics"): the limit, not the node size, is what the
  // kernel OOM-kills at.
  const near = o.peaks.filter(
    (p) =>
      p.memoryBytes !== null &&
      p.memoryLimitBytes !== null &&
      p.memoryLimitBytes > 0 &&
      p.memoryBytes >= MEMORY_NEAR_LIMIT * p.memoryLimitBytes,
  );
  if (near.length === 0) return null;
  return {
    code: 'memory_near_limit',
    severity: 'warning',
    title: 'container.memory.usage is near container.memory.limit',
    ...REMEDIES.memory_near_limit(),
    evidence: near.map(
      (p) =>
        `${p.containerName ?? 'container'}: peak ${gib(p.memoryBytes ?? 0)} of its ${gib(p.memoryLimitBytes ?? 0)} limit${o.family ? ` (${o.family.name})` : ''}`,
    ),
  };
};

const gpuMemory: Rule = (o) => {
  const hits = o.logLines.filter((l) => GPU_MEMORY_LOG.test(l));
  if (hits.length === 0) return null;
  return {
    code: 'gpu_memory',
    severity: 'problem',
    title: 'GPU memory errors in the logs',
    ...REMEDIES.gpu_memory(o.family?.gpu ?? null),
    evidence: hits.slice(0, 3).map((l) => `log: ${l.trim().slice(0, 200)}`),
  };
};

const repeatedRestarts: Rule = (o) => {
  const looping = o.containers.filter((c) => (c.restartCount ?? 0) >= RESTARTS_REPORTED);
  if (looping.length === 0) return null;
  return {
    code: 'repeated_restarts',
    severity: 'problem',
    title: 'Repeated container restarts',
    ...REMEDIES.repeated_restarts(),
    evidence: looping.map((c) => `${label(c)}: ${c.restartCount} restarts${c.message ? `, ${c.message}` : ''}`),
  };
};

const pendingScheduling: Rule = (o) => {
  const pending = o.containers.filter(isWaitingForNode);
  if (pending.length === 0) return null;
  const pool = o.pool;
  const atMax = pool !== null && isPoolAtCapacity(pool);
  // Nodes being provisioned on a pool below MAX_NODES is a wait, not a problem.
  const provisioning = pool !== null && !atMax && pending.every((c) => !/pending scheduling/i.test(c.message ?? ''));
  return {
    code: 'pending_scheduling',
    severity: provisioning ? 'info' : 'problem',
    title:
      atMax || pool === null
        ? 'Pending scheduling: the compute pool is at capacity'
        : provisioning
          ? `Compute pool node(s) are being provisioned in ${pool.name}`
          : 'Pending scheduling: no node can take the instance',
    ...REMEDIES.pending_scheduling({
      pool: pool?.name ?? o.service.computePool,
      nodes: pool === null ? null : { active: pool.activeNodes, max: pool.maxNodes },
      atMax,
    }),
    evidence: pending.map((c) => `${label(c)}: ${c.message ?? ''}`),
  };
};

const imagePullFailed: Rule = (o) => {
  const containers = o.containers.filter((c) => isImagePullFailure(c.message));
  const events = (o.events ?? []).filter((e) => isImagePullFailure(e.message));
  if (containers.length === 0 && events.length === 0) return null;
  return {
    code: 'image_pull_failed',
    severity: 'problem',
    title: 'Snowflake failed to pull the container image',
    ...REMEDIES.image_pull_failed(o.service.name),
    evidence: [
      ...containers.map((c) => `${label(c)}: ${c.message ?? ''}`),
      ...events.slice(0, 2).map((e) => `event ${e.eventName}: ${e.containerName ?? 'container'}: ${e.message ?? ''}`),
    ],
  };
};

const poolFailed: Rule = (o) => {
  const pool = o.pool;
  if (pool === null || (pool.errorCode ?? null) === null) return null;
  return {
    code: 'pool_failed',
    severity: 'problem',
    title: `Compute pool ${pool.name} reports error ${pool.errorCode ?? ''}`,
    ...REMEDIES.pool_failed({ pool: pool.name, message: pool.statusMessage ?? null }),
    evidence: [
      `pool ${pool.name}: ${pool.state}, error_code ${pool.errorCode ?? ''}${pool.statusMessage ? `, status_message "${pool.statusMessage}"` : ''}`,
    ],
  };
};

const readinessFailing: Rule = (o) => {
  const failing = o.containers.filter(isReadinessFailing);
  if (failing.length === 0) return null;
  return {
    code: 'readiness_failing',
    severity: (o.service.status === 'FAILED' ? 'problem' : 'info') satisfies Severity,
    title: 'The model server does not pass its readiness probe yet',
    ...REMEDIES.readiness_failing(),
    evidence: failing.map((c) => `${label(c)}: ${c.message ?? ''}`),
  };
};

const poolNotReady: Rule = (o) => {
  const pool = o.pool;
  if (pool === null || !NOT_READY_POOL_STATES.has(pool.state)) return null;
  if (pool.state === 'SUSPENDED' && pool.autoResume === false) {
    return {
      code: 'pool_suspended_no_auto_resume',
      severity: 'problem',
      title: `Compute pool ${pool.name} is suspended and AUTO_RESUME is off`,
      ...REMEDIES.pool_suspended_no_auto_resume(pool.name),
      evidence: [`pool ${pool.name}: ${pool.state}, AUTO_RESUME false`],
    };
  }
  return {
    code: 'pool_not_ready',
    severity: 'warning',
    title: `Compute pool ${pool.name} is not ready (${pool.state})`,
    ...REMEDIES.pool_not_ready(),
    evidence: [`pool ${pool.name}: ${pool.state}, ${pool.activeNodes ?? 0} of ${pool.maxNodes} nodes active`],
  };
};

const waitingToStart: Rule = (o) => {
  const waiting = o.containers.filter((c) => WAITING_TO_START.test(c.message ?? ''));
  if (waiting.length === 0) return null;
  return {
    code: 'waiting_to_start',
    severity: 'info',
    title: 'Containers are waiting to start',
    ...REMEDIES.waiting_to_start(),
    evidence: waiting.map((c) => `${label(c)}: ${c.message ?? ''}`),
  };
};

const serviceSuspended: Rule = (o) => {
  if (o.service.status !== 'SUSPENDED' && o.service.status !== 'SUSPENDING') return null;
  return {
    code: 'service_suspended',
    severity: 'info',
    title: `Service is ${o.service.status.toLowerCase()}`,
    ...REMEDIES.service_suspended(o.service),
    evidence: [`service status ${o.service.status}`],
  };
};

const missingPrivilege: Rule = (o) => {
  if (o.privilegeFailures.length === 0) return null;
  const grants = o.privilegeFailures.map((p) => p.privilege).filter((p): p is string => p !== null);
  return {
    code: 'missing_privilege',
    severity: 'problem',
    title: "The bot's role lacks a privilege",
    ...REMEDIES.missing_privilege({ grants, during: 'diagnose' }),
    evidence: o.privilegeFailures.map((p) => `${p.doing}: refused${p.objectName ? ` on ${p.objectName}` : ''}`),
  };
};

/** Reported only when no rule above explains a FAILED service: read the logs. */
const serviceFailed = (o: ServiceObservations): Finding => ({
  code: 'service_failed',
  severity: 'problem',
  title: `Service is ${o.service.status}`,
  ...REMEDIES.service_failed(o.service.name),
  evidence: o.containers
    .filter((c) => c.status === 'FAILED' || c.message)
    .slice(0, 5)
    .map((c) => `${label(c)}: ${c.status ?? '?'}${c.message ? `, ${c.message}` : ''}`),
});

const RULES: readonly Rule[] = [
  missingPrivilege,
  oomKilled,
  gpuMemory,
  memoryNearLimit,
  repeatedRestarts,
  imagePullFailed,
  poolFailed,
  poolNotReady,
  pendingScheduling,
  readinessFailing,
  waitingToStart,
  serviceSuspended,
];

const RANK: Record<Severity, number> = { problem: 0, warning: 1, info: 2 };

/**
 * Everything the observations show, most severe first. Never empty: a service with nothing wrong
 * gets one `healthy` finding.
 */
export function diagnose(o: ServiceObservations): Finding[] {
  const findings = RULES.map((rule) => rule(o)).filter((f): f is Finding => f !== null);
  // OOM explains the restarts; saying both is noise.
  const deduped = findings.some((f) => f.code === 'oom_killed') ? findings.filter((f) => f.code !== 'repeated_restarts') : findings;
  const explained = deduped.some((f) => f.severity === 'problem' && f.code !== 'missing_privilege');
  if ((o.service.status === 'FAILED' || o.service.status === 'INTERNAL_ERROR') && !explained) deduped.push(serviceFailed(o));
  if (deduped.length === 0) {
    deduped.push({
      code: 'healthy',
      severity: 'info',
      title: 'No problems found',
      cause: `Service is ${o.service.status}; containers, pool, logs and metrics show nothing wrong.`,
      fixes: [],
      evidence: o.containers.map((c) => `${label(c)}: ${c.status ?? '?'}`),
    });
  }
  return deduped.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

interface MetricSample {
  readonly metricName: string;
  readonly value: number | null;
  readonly containerName: string | null;
}

/**
 * Per-container peaks of container.memory.usage and container.cpu.usage, with the container's
 * container.memory.limit, from raw SPCS_GET_METRICS samples.
 */
export function peaksOf(samples: readonly MetricSample[]): ObservedPeak[] {
  const byContainer = new Map<string | null, { memoryBytes: number | null; memoryLimitBytes: number | null; cpu: number | null }>();
  const max = (a: number | null, b: number): number => (a === null ? b : Math.max(a, b));
  const min = (a: number | null, b: number): number => (a === null ? b : Math.min(a, b));
  for (const s of samples) {
    if (s.value === null) continue;
    const peak = byContainer.get(s.containerName) ?? { memoryBytes: null, memoryLimitBytes: null, cpu: null };
    if (s.metricName === 'container.memory.usage') peak.memoryBytes = max(peak.memoryBytes, s.value);
    else if (s.metricName === 'container.memory.limit') peak.memoryLimitBytes = min(peak.memoryLimitBytes, s.value);
    else if (s.metricName === 'container.cpu.usage') peak.cpu = max(peak.cpu, s.value);
    else continue;
    byContainer.set(s.containerName, peak);
  }
  return [...byContainer.entries()].map(([containerName, p]) => ({ containerName, ...p }));
}
