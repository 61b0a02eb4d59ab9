/**
 * Sliding-window rate limits per Slack's tiers (per method, per app and workspace), with
 * chat.postMessage's special per-channel limit. Off until a test calls enableRateLimits().
 */

export interface RateLimitRule {
  /** Calls allowed inside any window. */
  limit: number;
  windowMs: number;
  /** Count separately per `channel` argument (chat.postMessage's special tier). */
  perChannel?: boolean;
}

export interface RateLimitOptions {
  /** Divide every window by this factor so a test can hit and recover from limits quickly. Default 1. */
  scale?: number;
  /** Replace the rule for specific methods (applied after scaling, so windows here are literal). */
  limits?: Record<string, RateLimitRule>;
  /** Rule for methods without a known tier. Default Tier 3. */
  defaultRule?: RateLimitRule;
  /** Always answer this Retry-After instead of the computed one (seconds, ≥ 1). */
  retryAfterSeconds?: number;
}

const MINUTE = 60_000;
export const TIERS = {
  tier1: { limit: 1, windowMs: MINUTE },
  tier2: { limit: 20, windowMs: MINUTE },
  tier3: { limit: 50, windowMs: MINUTE },
  tier4: { limit: 100, windowMs: MINUTE },
  // "About one message per second per channel, short bursts allowed": 3 in any 3 s.
  postMessage: { limit: 3, windowMs: 3000, perChannel: true },
} as const satisfies Record<string, RateLimitRule>;

/** Tier per method, from each method's page on docs.slack.dev. */
export const METHOD_TIERS: Record<string, RateLimitRule> = {
  'auth.test': TIERS.tier4,
  'chat.postMessage': TIERS.postMessage,
  'chat.postEphemeral': TIERS.tier4,
  'chat.update': TIERS.tier3,
  'chat.delete': TIERS.tier3,
  'chat.getPermalink': TIERS.tier4,
  'views.open': TIERS.tier4,
  'views.update': TIERS.tier4,
  'views.push': TIERS.tier4,
  'users.info': TIERS.tier4,
  'usergroups.users.list': TIERS.tier2,
  'conversations.members': TIERS.tier4,
  // Tier 3 for internal and Marketplace apps; since 2025 commercially distributed non-Marketplace
  // apps get 1 a minute (docs.slack.dev/reference/methods/conversations.history, .replies).
  'conversations.history': TIERS.tier3,
  'conversations.replies': TIERS.tier3,
  'files.getUploadURLExternal': TIERS.tier4,
  'files.completeUploadExternal': TIERS.tier4,
  // reactions.add is Tier 3, reactions.remove Tier 2 (docs.slack.dev/reference/methods/reactions.add, .remove).
  'reactions.add': TIERS.tier3,
  'reactions.remove': TIERS.tier2,
};

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly rules: Record<string, RateLimitRule>;
  private readonly defaultRule: RateLimitRule;

  constructor(private readonly options: RateLimitOptions) {
    const scale = options.scale ?? 1;
    if (!(scale > 0)) throw new Error('rate limit scale must be > 0');
    const scaled = (r: RateLimitRule): RateLimitRule => ({ ...r, windowMs: r.windowMs / scale });
    this.rules = Object.fromEntries(Object.entries(METHOD_TIERS).map(([m, r]) => [m, scaled(r)]));
    Object.assign(this.rules, options.limits ?? {});
    this.defaultRule = options.defaultRule ?? scaled(TIERS.tier3);
  }

  /** Records the call if allowed; a refused call does not consume the window (Slack counts accepted calls). */
  check(method: string, channel: string | undefined, now: number): RateDecision {
    const rule = this.rules[method] ?? this.defaultRule;
    const key = rule.perChannel ? `${method}#${channel ?? ''}` : method;
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < rule.windowMs);
    if (recent.length < rule.limit) {
      recent.push(now);
      this.hits.set(key, recent);
      return { allowed: true };
    }
    this.hits.set(key, recent);
    return { allowed: false, retryAfterSeconds: this.retryAfter(recent, rule, now) };
  }

  private retryAfter(recent: number[], rule: RateLimitRule, now: number): number {
    if (this.options.retryAfterSeconds !== undefined) return Math.max(1, Math.ceil(this.options.retryAfterSeconds));
    const oldest = recent[0] ?? now;
    return Math.max(1, Math.ceil((oldest + rule.windowMs - now) / 1000));
  }
}
