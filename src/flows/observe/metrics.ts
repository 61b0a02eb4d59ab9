import { metricsChartSpec, metricsSummary, type MetricsView } from '../../blocks/observe-metrics.js';
import { type EphemeralMessage, inlineCode, notice } from '../../blocks/kit.js';
import { renderChartPng } from '../../charts/render-png.js';
import {
  describeService,
  findComputePool,
  getServiceMetrics,
  identifierFromSnowflake,
  listInstanceFamilies,
  platformMonitorGroups,
  type InstanceFamilyInfo,
  type QualifiedName,
  type QueryRunner,
  type ServiceInfo,
} from '../../snowflake/index.js';
import type { Subcommand } from '../subcommand.js';
import type { ObserveDeps } from './deps.js';
import { metricSample, metricsFamilyModel } from './view-models.js';
import { createServiceCommand, withService, type ServiceArg } from '../shared/service-ref.js';
import { uploadFile, type UploadTarget } from './upload.js';

export const METRICS_USAGE = '/spcs metrics <service>';
const EXAMPLE = '/spcs metrics ML_DB.SERVING.IRIS_SVC';

/** The instance family of the service's pool (SHOW COMPUTE POOLS + SHOW COMPUTE POOL INSTANCE FAMILIES); null if unreadable. */
export async function familyOfService(db: QueryRunner, service: ServiceInfo): Promise<InstanceFamilyInfo | null> {
  const pool = await findComputePool(db, identifierFromSnowflake(service.computePool)).catch(() => null);
  if (pool === null) return null;
  const families = await listInstanceFamilies(db).catch(() => []);
  return families.find((f) => f.name === pool.instanceFamily) ?? null;
}

const ENABLE_HINT =
  'Snowflake records platform metrics only for a service whose specification has ' +
  '`platformMonitor: {metricConfig: {groups: [system, system_limits]}}`; SYSTEM$DEPLOY_MODEL (what snowflake-ml-python and this bot call) does not add it. ' +
  'Put it in the spec with `CREATE SERVICE` or later `ALTER SERVICE … FROM SPECIFICATION`; samples appear a few minutes after that.';

/**
 * Why a service has no samples: its spec has no platformMonitor (the usual case), or it has one and
 * nothing ran in the last hour. DESCRIBE SERVICE tells them apart.
 */
async function noMetricsNotice(db: QueryRunner, service: ServiceInfo, name: QualifiedName): Promise<EphemeralMessage> {
  const described = await describeService(db, name).catch(() => null);
  const shown = inlineCode(name.toString());
  if (described === null)
    return notice(`:bar_chart: No metrics for ${shown} in the last hour, and its specification could not be read. ${ENABLE_HINT}`);
  const groups = platformMonitorGroups(described.spec);
  if (groups === null)
    return notice(
      `:bar_chart: No metrics for ${shown}: its specification has no \`platformMonitor\`, so none are collected. ${ENABLE_HINT}`,
    );
  return notice(
    `:bar_chart: No metrics for ${shown} in the last hour (status ${service.status}; collecting ${groups.map(inlineCode).join(', ') || 'no groups'}): ` +
      'no container ran in that hour, or the first samples are still on their way (they take a few minutes).',
  );
}

/** Reads the last hour of metrics, draws them and posts the PNG to the channel. */
export function postMetrics(deps: ObserveDeps, arg: ServiceArg, target: UploadTarget): Promise<EphemeralMessage | null> {
  return withService(deps.snowflake, arg, async ({ service, name }) => {
    const [samples, family] = await Promise.all([getServiceMetrics(deps.snowflake, name), familyOfService(deps.snowflake, service)]);
    if (samples.length === 0) return noMetricsNotice(deps.snowflake, service, name);
    const view: MetricsView = {
      service: name.toString(),
      pool: service.computePool,
      family: family === null ? null : metricsFamilyModel(family),
      samples: samples.map(metricSample),
    };
    const png = await renderChartPng(metricsChartSpec(view));
    const safe = name.toString().replace(/[^A-Za-z0-9_.-]+/g, '_');
    return uploadFile(
      target,
      {
        filename: `${safe}-metrics.png`,
        title: `Metrics: ${name.toString()} (last hour)`,
        comment: metricsSummary(view),
        bytes: png,
        altText: `Memory, CPU and GPU usage of ${name.toString()} over the last hour against the container limits`,
      },
      deps.logger,
    );
  });
}

/** `/spcs metrics <service>`: a chart of memory, CPU and GPU over the last hour, against the containers' limits. */
export function createMetricsCommand(deps: ObserveDeps): Subcommand {
  return createServiceCommand(
    deps,
    {
      name: 'metrics',
      usage: METRICS_USAGE,
      summary:
        'Chart memory, CPU and GPU use of the last hour against the container limits (posted to the channel); needs platformMonitor in the service spec.',
      examples: [EXAMPLE, '/spcs metrics IRIS_SVC'],
      doing: 'read the metrics',
    },
    (service, { client, command }) => postMetrics(deps, service, { client, channel: command.channel_id }),
  );
}
