import type { StoreRedis } from './store-redis.js';

/**
 * What the notifier knows of its posts to Slack, for a post that may be tried again (a job handed
 * out again after its worker died, a retry after a timeout). Two keys per post:
 * - `posting`: written just before chat.postMessage, with the time. Found on a later try, it says
 *   the post may already have reached Slack, so the notifier first looks for its message (by its
 *   metadata) and adopts it instead of posting a second one.
 * - `reply-sent`: the ts Slack gave a thread reply, by notify job id; the job then posts nothing.
 * A first try costs one Redis write and no Slack call more than the post.
 */
const KEEP_SECONDS = 8 * 86_400; // longer than the week finished reply jobs are kept

export class ReplyReceipts {
  constructor(
    private readonly redis: StoreRedis,
    private readonly keyPrefix: string,
  ) {}

  private key(jobId: string): string {
    return `${this.keyPrefix}:reply-sent:${jobId}`;
  }

  async has(jobId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(jobId))) === 1;
  }

  async record(jobId: string, ts: string): Promise<void> {
    await this.redis.set(this.key(jobId), ts, 'EX', KEEP_SECONDS);
  }

  /**
   * Notes that the post `postKey` is about to go out at `at` (epoch ms) and returns when an
   * earlier try noted the same (null on a first try). The earliest time stays, so a search from
   * it covers every try.
   */
  async posting(postKey: string, at: number): Promise<number | null> {
    const earlier = await this.redis.set(`${this.keyPrefix}:posting:${postKey}`, String(at), 'EX', KEEP_SECONDS, 'NX', 'GET');
    if (earlier === null) return null;
    const ms = Number(earlier);
    return Number.isFinite(ms) ? ms : at;
  }
}
