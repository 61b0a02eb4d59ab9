import { Draft } from '../domain/deploy-draft.js';
import { createEphemeralJsonStore, type EphemeralJsonStore, type EphemeralRedis } from './ephemeral-json-store.js';

/** Keeps each deploy wizard's draft (src/domain/deploy-draft.ts) in Redis for about an hour after its last step. */

/** The slice of ioredis the store needs. */
export type DraftRedis = EphemeralRedis;

export type DraftStore = EphemeralJsonStore<Draft>;

export const DRAFT_TTL_SECONDS = 60 * 60;

export function createDraftStore(deps: {
  readonly redis: DraftRedis;
  readonly keyPrefix: string;
  readonly ttlSeconds?: number;
}): DraftStore {
  return createEphemeralJsonStore({
    redis: deps.redis,
    keyPrefix: deps.keyPrefix,
    kind: 'draft',
    idTag: 'w',
    schema: Draft,
    ttlSeconds: deps.ttlSeconds ?? DRAFT_TTL_SECONDS,
  });
}
