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
   * send, or the third one back, was too recent (a send that left its slot late would otherwise
   * bunch with the next ones).
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
/**
 * The least gap between two actual sends: nine tenths of the interval, so a send that left its
 * slot late does not hold back the next by a whole interval…
 */
const LEAST_GAP = 0.9;

/**
 * …but no BURST + 1 sends within BURST whole intervals. Slack counts a channel's messages over a
 * window of seconds (the double: 3 in any 3 s); with the least gap alone, a late send followed by
 * sends on time put four within 3 × 1.08 s = 3.24 s, only 240 ms over that window, and the time
 * between taking a slot and Slack receiving the call can be longer under load: that is how
 * test/deploy-execution/many.test.ts once met a 429 on a summary's chat.postMessage.
 */
const BURST = 3;

// KEYS[1]: the latest sends, newest first. ARGV[1]: the least gap to the last send. ARGV[2]: the least
// span from the third send back.
const ACQUIRE = `${NOW}
local gap = tonumber(ARGV[1])
local span = tonumber(ARGV[2])
local recent = redis.call('LRANGE', KEYS[1], 0, ${BURST - 1})
local wait = 0
if recent[1] then wait = math.max(wait, tonumber(recent[1]) + gap - now) end
if recent[${BURST}] then wait = math.max(wait, tonumber(recent[${BURST}]) + span - now) end
if wait > 0 then return wait end
redis.call('LPUSH', KEYS[1], now)
redis.call('LTRIM', KEYS[1], 0, ${BURST - 1})
redis.call('PEXPIRE', KEYS[1], span + 60000)
return 0
`;

export function createSendSlots(redis: Pick<Redis, 'eval'>, keyPrefix: string, pace: SlackPace): SendSlots {
  const line = (method: PacedMethod, { channelId, teamId }: SendScope): [string, number] =>
    method === 'chat.postMessage'
      ? [`${keyPrefix}:slack-pace:post:${channelId}`, pace.postIntervalMs]
      : [`${keyPrefix}:slack-pace:update:${teamId}`, pace.updateIntervalMs];
  const run = async (script: string, key: string, ...ms: number[]): Promise<number> => {
    const wait = await redis.eval(script, 1, key, ...ms.map((m) => String(Math.max(0, Math.round(m)))));
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
      // `:recent`, not the former `:last` (a string): a list under a new name, so an older process's key never clashes.
      return run(ACQUIRE, `${key}:recent`, interval * LEAST_GAP, interval * BURST);
    },
  };
}
