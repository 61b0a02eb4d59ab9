import { buildDiagnosis } from '../../blocks/observe-diagnosis.js';
import type { EphemeralMessage } from '../../blocks/kit.js';
import { diagnose, peaksOf, type ObservedPrivilegeFailure, type ServiceObservations } from '../../domain/diagnosis.js';
import {
  describeComputePool,
  findComputePool,
  getServiceLogHistory,
  getServiceEvents,
  getServiceMetrics,
  identifierFromSnowflake,
  isSnowflakeError,
  listInstanceFamilies,
  listServiceContainers,
  type QualifiedName,
  type ServiceInfo,
} from '../../snowflake/index.js';
import type { Subcommand } from '../subcommand.js';
import type { ObserveDeps } from './deps.js';
import { createServiceCommand, withService, type ServiceArg } from '../shared/service-ref.js';

export const DIAGNOSE_USAGE = '/spcs diagnose <service>';
const EXAMPLE = '/spcs diagnose ML_DB.SERVING.IRIS_SVC';
const LOG_LINES = 200;

/**
 * Reads everything the rules look at. A read the role may not make is recorded as a privilege
 * failure (itself a finding); other failed reads leave that part empty, so one bad source never
 * hides what the others show.
 */
export async function observe(deps: ObserveDeps, service: ServiceInfo, name: QualifiedName): Promise<ServiceObservations> {
  const privilegeFailures: ObservedPrivilegeFailure[] = [];
  const attempt = async <T>(doing: string, work: Promise<T>, fallback: T): Promise<T> => {
    try {
      return await work;
    } catch (err) {
      if (isSnowflakeError(err) && err.failure.kind === 'insufficient_privileges') {
        privilegeFailures.push({ doing, privilege: err.failure.privilege ?? null, objectName: err.failure.objectName ?? null });
      } else deps.logger.info({ err, doing }, 'diagnose: a read failed; going on without it');
      return fallback;
    }
  };
  const db = deps.snowflake;
  const poolName = identifierFromSnowflake(service.computePool);
  const [containers, pool, families, logs, samples, events] = await Promise.all([
    attempt('read the containers', listServiceContainers(db, name), []),
    // DESCRIBE has the pool's error; SHOW, which needs no more than a grant on it, if DESCRIBE is refused.
    attempt(
      'read the compute pool',
      describeComputePool(db, poolName).catch(() => findComputePool(db, poolName)),
      null,
    ),
    attempt('read the instance families', listInstanceFamilies(db), []),
    attempt('read the log history', getServiceLogHistory(db, name, { limit: LOG_LINES }), []),
    attempt('read the metrics', getServiceMetrics(db, name), []),
    attempt('read the platform events', getServiceEvents(db, name), []),
  ]);
  return {
    service: { name: name.toString(), status: service.status, computePool: service.computePool, autoResume: service.autoResume },
    containers: containers.filter((c) => c.containerName !== null),
    pool,
    family: pool === null ? null : (families.find((f) => f.name === pool.instanceFamily) ?? null),
    logLines: logs.map((l) => l.log),
    peaks: peaksOf(samples),
    privilegeFailures,
    events,
  };
}

export function showDiagnosis(deps: ObserveDeps, arg: ServiceArg): Promise<EphemeralMessage> {
  return withService(deps.snowflake, arg, async ({ service, name }) => {
    const o = await observe(deps, service, name);
    const looked = `status, ${o.containers.length} containers, pool ${o.pool?.name ?? service.computePool}, ${o.logLines.length} log lines, ${o.peaks.length === 0 ? 'no metrics' : 'the last hour of metrics'}, ${o.events?.length ?? 0} platform events`;
    return buildDiagnosis({ service: name.toString(), status: service.status, findings: diagnose(o), looked });
  });
}

/** `/spcs diagnose <service>`: the matching row of the OOM table / Common Issues, and the fix to try. */
export function createDiagnoseCommand(deps: ObserveDeps): Subcommand {
  return createServiceCommand(
    deps,
    {
      name: 'diagnose',
      usage: DIAGNOSE_USAGE,
      summary:
        'Check status, containers, logs and metrics against known problems (OOM, pool at capacity, privileges…) and say what to try.',
      examples: [EXAMPLE, '/spcs diagnose IRIS_SVC'],
      doing: 'diagnose the service',
    },
    (service) => showDiagnosis(deps, service),
  );
}
