import { z } from 'zod';
import { createEphemeralJsonStore, type EphemeralJsonStore, type EphemeralRedis } from './ephemeral-json-store.js';

/**
 * The `/spcs access` modal's state between views, in Redis (`${keyPrefix}:access:<id>`, one hour).
 * private_metadata carries only the id. Never a token: the PAT of the REST test is not part of
 * this schema, so it cannot be saved even by mistake (zod strips unknown fields).
 */

const name = z.string().min(1).max(255);

export const AccessEndpoint = z.discriminatedUnion('state', [
  z.object({ state: z.literal('ready'), host: z.string() }),
  z.object({ state: z.literal('provisioning'), message: z.string().nullable() }),
  z.object({ state: z.literal('absent') }),
]);
export type AccessEndpoint = z.infer<typeof AccessEndpoint>;

export const AccessMethod = z.object({ name, inputs: z.array(z.object({ name: z.string(), type: z.string() })) });
export type AccessMethod = z.infer<typeof AccessMethod>;

/** A name as Snowflake resolved it, per part (rebuilt with identifierFromSnowflake). */
const Fq = z.object({ database: name, schema: name, name });
export type Fq = z.infer<typeof Fq>;

/** What the person confirmed, waiting for the confirm view's submit. */
export const PendingChange = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('network'), user: name, ip: z.string(), rule: Fq, policy: name }),
  /** Add `ip` to an IPV4 rule of the user's existing policy; `existing` is the list as confirmed. */
  z.object({ kind: z.literal('rule'), user: name, ip: z.string(), rule: Fq, policy: name, existing: z.array(z.string()).max(1000) }),
  z.object({ kind: z.literal('grant'), role: name }),
]);
export type PendingChange = z.infer<typeof PendingChange>;

export const AccessSession = z.object({
  id: z.string(),
  userId: z.string(),
  teamId: z.string(),
  channelId: z.string(),
  service: Fq,
  serviceStatus: z.string().nullable(),
  /** The bot's own CURRENT_USER/CURRENT_ROLE, the default Snowflake user to check. */
  botUser: z.string(),
  botRole: z.string().nullable(),
  /** The Snowflake user whose network policy is shown: the person's, typed in the flow ('' until then). */
  snowflakeUser: z.string(),
  /** That user's own policy. null: none set; undefined: could not be read (or no user yet). */
  networkPolicy: z.string().nullable().optional(),
  /** The account-level policy (it governs users without their own). null: none; undefined: unread. */
  accountPolicy: z.string().nullable().optional(),
  endpoint: AccessEndpoint.optional(),
  /** The model version the service serves, when the registry says so. */
  model: z.object({ fq: z.string(), version: z.string() }).nullable().optional(),
  methods: z.array(AccessMethod),
  pending: PendingChange.optional(),
  /** Shown at the top of the overview (a result, a refusal, a Snowflake error). */
  notice: z.string().optional(),
});
export type AccessSession = z.infer<typeof AccessSession>;

/** The slice of ioredis the store needs. */
export type SessionRedis = EphemeralRedis;

export type AccessSessionStore = EphemeralJsonStore<AccessSession>;

const SESSION_TTL_SECONDS = 60 * 60;

export function createAccessSessionStore(deps: { readonly redis: SessionRedis; readonly keyPrefix: string }): AccessSessionStore {
  return createEphemeralJsonStore({
    redis: deps.redis,
    keyPrefix: deps.keyPrefix,
    kind: 'access',
    idTag: 'a',
    schema: AccessSession,
    ttlSeconds: SESSION_TTL_SECONDS,
  });
}
