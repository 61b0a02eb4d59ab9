import { buildPoolTable } from '../../blocks/observe-pools.js';
import { usageError } from '../../blocks/kit.js';
import { listComputePools, listInstanceFamilies } from '../../snowflake/index.js';
import type { Subcommand } from '../subcommand.js';
import { replyAfterAck } from '../shared/reply.js';
import type { ObserveDeps } from './deps.js';
import { poolFamilyModel, poolModel } from './view-models.js';

export const POOLS_USAGE = '/spcs pools';

/** `/spcs pools`: every compute pool with family, GPUs, nodes, state and services; not-ready pools flagged. */
export function createPoolsCommand(deps: ObserveDeps): Subcommand {
  return {
    name: 'pools',
    usage: POOLS_USAGE,
    summary:
      'Show the compute pools: instance family, GPUs per node, nodes, state and services. Managers can create, suspend and resume pools from it.',
    examples: [POOLS_USAGE],
    async run({ ack, argv, respond }) {
      if (argv.length > 0) return ack(usageError('`/spcs pools` takes no arguments.', POOLS_USAGE, POOLS_USAGE));
      await ack();
      await replyAfterAck(deps, respond, 'list the compute pools', async () => {
        const [pools, families] = await Promise.all([listComputePools(deps.snowflake), listInstanceFamilies(deps.snowflake)]);
        return buildPoolTable({ pools: pools.map(poolModel), families: families.map(poolFamilyModel) });
      });
    },
  };
}
