import type { StoreRedis } from './store-redis.js';

/**
 * Receipts of the thread replies Slack accepted, by notify job id. BullMQ hands a job out again
 * when its worker died before completing it; if Slack had already taken the post, the receipt
 * stops a second one. (A worker that dies between Slack's acceptance and the receipt can still
 * post twice: Slack's chat.postMessage has no idempotency key.)
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
}
