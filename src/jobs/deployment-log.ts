import { qualifiedService } from '../domain/deploy-request.js';
import type { Deployment } from '../domain/deployment.js';
import type { Logger } from '../logger.js';

/**
 * One `info` line per step of a deployment (requested, approved, submitted, building_image,
 * build_done, starting, running, endpoint_ready, failed…), each naming the deployment, its channel
 * and its service, so `grep deploymentId` in the log tells a deployment's story.
 */
export function logDeploymentStep(
  logger: Logger,
  d: Pick<Deployment, 'id' | 'channelId' | 'request'>,
  step: string,
  fields: Record<string, unknown> = {},
): void {
  logger.info(
    { deploymentId: d.id, channelId: d.channelId, service: qualifiedService(d.request), step, ...fields },
    `deployment ${step.replaceAll('_', ' ')}`,
  );
}
