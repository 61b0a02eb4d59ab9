/** Drives the /spcs access modal end to end: the real bot, the Slack double, the emulator, real Redis. */
import { Redis } from 'ioredis';
import { blocksText, waitUntil, type FakeView } from '../support/fake-slack.js';
import { isRecord } from '../support/fake-slack-types.js';
import type { InputValue, RequestUser, ViewSubmissionResponse } from '../support/slack-request.js';
import { TEST_REDIS_URL, type TestBot } from '../support/test-bot.js';

export const MANAGER: RequestUser = { id: 'U0MANAGER0', name: 'manager' };
export const NON_MANAGER: RequestUser = { id: 'U0VIEWER00', name: 'viewer' };

export const viewText = (view: FakeView): string => blocksText(view.blocks as unknown[]);
const isBusy = (view: FakeView) => view.callback_id === 'access.busy' && viewText(view).includes(':hourglass_flowing_sand:');

/** Waits until the modal shows `callbackId` (and `extra` holds), past any "working" view. */
export function waitForView(
  t: TestBot,
  viewId: string,
  callbackId: string,
  extra: (v: FakeView) => boolean = () => true,
): Promise<FakeView> {
  return waitUntil(
    () => {
      const view = t.fake.view(viewId);
      return view?.open === true && !isBusy(view) && view.callback_id === callbackId && extra(view) ? view : undefined;
    },
    {
      timeoutMs: 10_000,
      message: `the access modal never showed ${callbackId}; now: ${t.fake.view(viewId)?.callback_id} ${viewText(t.fake.view(viewId) ?? ({ blocks: [] } as unknown as FakeView)).slice(0, 300)}`,
    },
  );
}

/** `/spcs access <args>` as `user`; resolves to the modal's view id once the overview shows. */
export async function openAccess(t: TestBot, args: string, user: RequestUser): Promise<{ viewId: string; overview: FakeView }> {
  const opens = t.fake.calls('views.open').length;
  const res = await t.slack.slashCommand({ command: '/spcs', text: `access ${args}`, user });
  if (res.status !== 200) throw new Error(`command answered ${res.status}`);
  const calls = await t.fake.waitForCalls('views.open', opens + 1);
  const opened = calls[opens]?.response['view'];
  const viewId = isRecord(opened) && typeof opened['id'] === 'string' ? opened['id'] : '';
  return { viewId, overview: await waitForView(t, viewId, 'access.overview') };
}

export async function click(t: TestBot, viewId: string, actionId: string, user: RequestUser): Promise<void> {
  const res = await t.slack.clickButton({ viewId }, actionId, { user });
  if (res.status !== 200) throw new Error(`click answered ${res.status}`);
}

export async function submit(
  t: TestBot,
  viewId: string,
  inputs: Record<string, InputValue>,
  user: RequestUser,
): Promise<ViewSubmissionResponse> {
  const res = await t.slack.viewSubmission({ viewId, inputs, user });
  if (res.status !== 200 || res.viewOutcome?.ok !== true)
    throw new Error(`submission not accepted: ${res.status} ${JSON.stringify(res.viewOutcome)}`);
  return res;
}

/** The `errors` a submission's ack carried (response_action: errors), by block_id. */
export function fieldErrors(res: ViewSubmissionResponse): Record<string, string> {
  const body = res.body as { response_action?: string; errors?: Record<string, string> };
  return body.response_action === 'errors' ? (body.errors ?? {}) : {};
}

/** REST requests the emulator's ingress answered past authentication (each logs a line in model-inference). */
export function ingressRequests(t: TestBot, service = 'IRIS_SVC'): number {
  const svc = t.emulator.service(service);
  const lines = (svc?.instances ?? [])
    .flatMap((i) => i.containers)
    .flatMap((c) => c.runs)
    .flatMap((r) => r.lines);
  return lines.filter((l) => l.text.includes('"POST /')).length;
}

/** Every key under the test's prefix with its full content (strings, hashes, lists, sets, zsets, streams). */
export async function dumpRedis(prefix: string): Promise<string> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const out: unknown[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'list'
                ? await redis.lrange(key, 0, -1)
                : type === 'set'
                  ? await redis.smembers(key)
                  : type === 'zset'
                    ? await redis.zrange(key, 0, -1, 'WITHSCORES')
                    : type === 'stream'
                      ? await redis.xrange(key, '-', '+')
                      : `(${type})`;
        out.push([key, type, value]);
      }
    } while (cursor !== '0');
    return JSON.stringify(out);
  } finally {
    redis.disconnect();
  }
}

export async function auditEntries(prefix: string): Promise<Record<string, string>[]> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const raw = await redis.xrange(`${prefix}:audit`, '-', '+');
    return raw.map(([, fields]) => {
      const record: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i] ?? ''] = fields[i + 1] ?? '';
      return record;
    });
  } finally {
    redis.disconnect();
  }
}
