import { z } from 'zod';
import type { StoreRedis } from './store-redis.js';

/**
 * What the status rounds remember between rounds, in Redis so that any worker continues another's
 * backoff: the round counter and, per deployment, when a closer look behind an unchanged row last
 * found nothing new. Everything expires on its own (a lost wait only means one closer look sooner).
 */

/** When a closer look behind an unchanged row last found nothing new. */
export const LookWait = z.object({
  round: z.number().int(),
  atMs: z.number(),
  everyRounds: z.number().int().positive(),
});
export type LookWait = z.infer<typeof LookWait>;

/** Longer than any backoff (a few rounds, at most seconds apart); a wait left behind goes by itself. */
const WAIT_TTL_SECONDS = 3_600;
/** Refreshed every round; only a bot stopped for a day starts counting again. */
const ROUND_TTL_SECONDS = 86_400;

export class StatusMemory {
  constructor(
    private readonly redis: StoreRedis,
    private readonly keyPrefix: string,
  ) {}

  private get roundKey(): string {
    return `${this.keyPrefix}:status:round`;
  }

  private waitKey(deploymentId: string): string {
    return `${this.keyPrefix}:status:look-wait:${deploymentId}`;
  }

  /** The next round's number (1, 2, …), the same sequence for every worker. */
  async nextRound(): Promise<number> {
    const round = await this.redis.incr(this.roundKey);
    await this.redis.expire(this.roundKey, ROUND_TTL_SECONDS);
    return round;
  }

  /** Null when there is none, it expired, or it is not readable. */
  async lookWait(deploymentId: string): Promise<LookWait | null> {
    const raw = await this.redis.get(this.waitKey(deploymentId));
    if (raw === null) return null;
    try {
      const parsed = LookWait.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async setLookWait(deploymentId: string, wait: LookWait): Promise<void> {
    await this.redis.set(this.waitKey(deploymentId), JSON.stringify(LookWait.parse(wait)), 'EX', WAIT_TTL_SECONDS);
  }

  /** The deployment is no longer waited on (its row changed for good, or it is no longer tracked). */
  async forget(deploymentId: string): Promise<void> {
    await this.redis.del(this.waitKey(deploymentId));
  }
}
