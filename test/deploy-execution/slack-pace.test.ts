/**
 * The notifier's send slots (src/jobs/slack-pace.ts) on real Redis: Slack counts a channel's
 * messages over a window of seconds, so besides the least gap to the last send, no four sends may
 * fall within three intervals, even when each send comes as early as its gap allows.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createSendSlots } from '../../src/jobs/slack-pace.js';
import { deleteKeys, TEST_REDIS_URL } from '../support/test-bot.js';

const keyPrefix = `test-${randomUUID().slice(0, 8)}`;
const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
afterEach(async () => {
  await deleteKeys(TEST_REDIS_URL, keyPrefix);
  redis.disconnect();
});

const INTERVAL_MS = 300;

describe('send slots', () => {
  it('when every send goes as soon as acquire allows, then no four sends in one channel fall within three intervals', async () => {
    const slots = createSendSlots(redis, keyPrefix, { postIntervalMs: INTERVAL_MS, updateIntervalMs: INTERVAL_MS });
    const scope = { channelId: 'C0PACE', teamId: 'T0PACE' };
    const sentAt: number[] = [];
    while (sentAt.length < 5) {
      // Asked again after exactly the wait it answers: a sender that is never late, the tightest sequence there is.
      const before = Date.now();
      const wait = await slots.acquire('chat.postMessage', scope);
      if (wait === 0) sentAt.push(before);
      else await delay(wait);
    }
    const gaps = sentAt.slice(1).map((t, i) => t - (sentAt[i] ?? t));
    // The least gap to the last send still holds (nine tenths of the interval, less a Redis round trip)…
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS * 0.9 - 25);
    // …and the fourth send waits for three whole intervals after the first (the least gap alone allows 3 × 0.9).
    for (let i = 3; i < sentAt.length; i++) expect((sentAt[i] ?? 0) - (sentAt[i - 3] ?? 0)).toBeGreaterThanOrEqual(3 * INTERVAL_MS - 25);
  });
});
