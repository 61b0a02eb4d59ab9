import { buildServiceList, MAX_LISTED_SERVICES, type ListedService } from '../../blocks/observe-list.js';
import { usageError } from '../../blocks/kit.js';
import { getInferenceEndpoint, listServices, parseQualifiedName, type QualifiedName, type ServiceInfo } from '../../snowflake/index.js';
import type { Subcommand } from '../subcommand.js';
import { replyAfterAck } from '../shared/reply.js';
import type { ObserveDeps } from './deps.js';
import { listServicesEverywhere, nameOf } from '../shared/service-ref.js';
import { endpointModel, serviceModel } from './view-models.js';

export const LIST_USAGE = '/spcs list [DATABASE.SCHEMA]';
const EXAMPLE = '/spcs list ML_DB.SERVING';

/** Endpoint of a running service; null when not running or unreadable (the list still shows). */
async function endpointOf(deps: ObserveDeps, s: ServiceInfo): Promise<ListedService> {
  if (s.status !== 'RUNNING') return { service: serviceModel(s), endpoint: null };
  const endpoint = await getInferenceEndpoint(deps.snowflake, nameOf(s)).catch(() => null);
  return { service: serviceModel(s), endpoint: endpointModel(endpoint) };
}

const byName = (a: ServiceInfo, b: ServiceInfo): number =>
  `${a.databaseName}.${a.schemaName}.${a.name}`.localeCompare(`${b.databaseName}.${b.schemaName}.${b.name}`);

async function loadList(deps: ObserveDeps, schema: QualifiedName | null) {
  const found =
    schema === null
      ? await listServicesEverywhere(deps.snowflake)
      : { services: (await listServices(deps.snowflake, { schema })).filter((s) => !s.isJob), skipped: [] };
  const sorted = [...found.services].sort(byName);
  // Endpoints only for the services that will be shown: one SHOW ENDPOINTS each.
  const shown = await Promise.all(sorted.slice(0, MAX_LISTED_SERVICES).map((s) => endpointOf(deps, s)));
  const rest = sorted.slice(MAX_LISTED_SERVICES).map((s) => ({ service: serviceModel(s), endpoint: null }));
  return buildServiceList({ scope: schema?.toString() ?? null, services: [...shown, ...rest], skipped: found.skipped });
}

/** `/spcs list [DATABASE.SCHEMA]`: services with status, instances, pool, auto-suspend and endpoint. */
export function createListCommand(deps: ObserveDeps): Subcommand {
  return {
    name: 'list',
    usage: LIST_USAGE,
    summary: 'List SPCS services with status, instances, pool, auto-suspend and endpoint.',
    examples: ['/spcs list', EXAMPLE],
    async run({ ack, argv, respond }) {
      const [scopeArg, ...extra] = argv;
      if (extra.length > 0) return ack(usageError('Too many words: expected at most one DATABASE.SCHEMA.', LIST_USAGE, EXAMPLE));
      let schema: QualifiedName | null = null;
      if (scopeArg !== undefined) {
        const parsed = parseQualifiedName(scopeArg, 'Schema', { parts: 2, shape: 'DATABASE.SCHEMA', allowQuoted: true });
        if (!parsed.ok) return ack(usageError(parsed.message, LIST_USAGE, EXAMPLE));
        schema = parsed.value;
      }
      await ack();
      await replyAfterAck(deps, respond, 'list services', () => loadList(deps, schema));
    },
  };
}
