import type { Redis } from 'ioredis';

/**
 * Send slots for the notifier, shared through Redis by every worker process, so the bot stays
 * under Slack's limits instead of finding them with 429s: chat.postMessage about one message per
 * second per channel, chat.update Tier 3 (50 a minute per workspace). BullMQ's own limiter is one
 * rate per queue; these limits are per channel and per method, so a job reserves its slot here
 * and waits for it in BullMQ's delayed set (see notifier.ts).
 */

export interface SlackPace {
  /** Gap between two chat.postMessage calls in one channel. */
  readonly postIntervalMs: number;
  /** Gap between two chat.update calls in one workspace. */
  readonly updateIntervalMs: number;
}

/**
 * 1.2 s per channel leaves room for a send that leaves its slot late; 1.5 s between updates is
 * 40 a minute, leaving Tier 3's other 10 to the request handlers.
 */
export const SLACK_PACE: SlackPace = { postIntervalMs: 1200, updateIntervalMs: 1500 };

/** SLACK_PACE with every gap divided by `factor`: for a Slack double whose windows are shrunk as much. */
export function scaledSlackPace(factor: number): SlackPace {
  return { postIntervalMs: SLACK_PACE.postIntervalMs / factor, updateIntervalMs: SLACK_PACE.updateIntervalMs / factor };
}

export type PacedMethod = 'chat.postMessage' | 'chat.update';

export interface SendSlots {
  /**
   * Places a send in its channel's (or workspace's) line: resolves to how long to wait for its slot
   * (0: now). Slots are handed out in order, so sends queued one after another go out in that order.
   */
  reserve(method: PacedMethod, scope: SendScope): Promise<number>;
  /**
   * Just before sending: 0 and the send is recorded, or how much longer to wait because the last
   * send was too recent (a send that left its slot late would otherwise bunch with the next).
   */
  acquire(method: PacedMethod, scope: SendScope): Promise<number>;
  /** The pace's interval for the method: how long a send that must wait for another waits before looking again. */
  intervalMs(method: PacedMethod): number;
}

export interface SendScope {
  readonly channelId: string;
  readonly teamId: string;
}

// Both scripts run on Redis's clock so every process agrees; both return a wait in ms.
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;
// KEYS[1]: the next free slot. ARGV[1]: the interval.
const RESERVE = `${NOW}
local interval = tonumber(ARGV[1])
local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
redis.call('SET', KEYS[1], slot + interval, 'PX', interval * 2 + 60000)
return slot - now
`;
// KEYS[1]: the last send. ARGV[1]: the least gap between two sends.
const ACQUIRE = `${NOW}
local gap = tonumber(ARGV[1])
local since = now - tonumber(redis.call('GET', KEYS[1]) or '0')
if since < gap then return gap - since end
redis.call('SET', KEYS[1], now, 'PX', gap + 60000)
return 0
`;

/**
 * The least gap between two actual sends: nine tenths of the interval, so 1.2 s per channel keeps
 * above Slack's one a second, and 1.5 s per update keeps 45 a minute under Tier 3's 50.
 */
const LEAST_GAP = 0.9;

export function createSendSlots(redis: Pick<Redis, 'eval'>, keyPrefix: string, pace: SlackPace): SendSlots {
  const line = (method: PacedMethod, { channelId, teamId }: SendScope): [string, number] =>
    method === 'chat.postMessage'
      ? [`${keyPrefix}:slack-pace:post:${channelId}`, pace.postIntervalMs]
      : [`${keyPrefix}:slack-pace:update:${teamId}`, pace.updateIntervalMs];
  const run = async (script: string, key: string, ms: number): Promise<number> => {
    const wait = await redis.eval(script, 1, key, String(Math.max(0, Math.round(ms))));
    return typeof wait === 'number' ? Math.max(0, wait) : 0;
  };
  return {
    reserve(method, scope) {
      const [key, interval] = line(method, scope);
      return run(RESERVE, key, interval);
    },
    intervalMs: (method) => (method === 'chat.postMessage' ? pace.postIntervalMs : pace.updateIntervalMs),
    acquire(method, scope) {
      const [key, interval] = line(method, scope);
      return run(ACQUIRE, `${key}:last`, interval * LEAST_GAP);
    },
  };
}
