import type { ThrottlerStorage } from '@nestjs/throttler';
import { Principal, ServiceConfigError } from './auth';

/**
 * Requests per caller per window. A principal (API key or JWT subject of an organisation) has its
 * own budget wherever it comes from; callers that did not authenticate share one per IP address,
 * so guessing keys costs the guesser, not the partners.
 */
export interface RateLimits {
  readonly perPrincipal: number;
  readonly anonymous: number;
  readonly windowMs: number;
}

/** Sized for people and their integrations; the bench and the tests raise them explicitly. */
export const DEFAULT_RATE_LIMITS: RateLimits = { perPrincipal: 600, anonymous: 60, windowMs: 60_000 };

/** The settings (libs/platform/README.md). */
type RateLimitSetting = 'PEDIGREE_RATE_LIMIT' | 'PEDIGREE_RATE_LIMIT_ANONYMOUS' | 'PEDIGREE_RATE_WINDOW_SECONDS';

function positive(env: NodeJS.ProcessEnv, name: RateLimitSetting, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ServiceConfigError('LIMIT_CONFIG_INVALID', `${name} must be a whole number of at least 1, not ${JSON.stringify(text)}`);
  return n;
}

export function rateLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimits {
  return {
    perPrincipal: positive(env, 'PEDIGREE_RATE_LIMIT', DEFAULT_RATE_LIMITS.perPrincipal),
    anonymous: positive(env, 'PEDIGREE_RATE_LIMIT_ANONYMOUS', DEFAULT_RATE_LIMITS.anonymous),
    windowMs: positive(env, 'PEDIGREE_RATE_WINDOW_SECONDS', DEFAULT_RATE_LIMITS.windowMs / 1000) * 1000,
  };
}

export interface RateDecision {
  readonly allowed: boolean;
  /** Seconds until the oldest counted request leaves the window (0 when allowed). */
  readonly retryAfterSeconds: number;
}

/** A request refused for its caller's rate; nothing of it ran. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  constructor(readonly retryAfterSeconds: number) {
    super(`too many requests: try again in ${retryAfterSeconds} s`);
  }
}

/**
 * Sliding-window counting by @nestjs/throttler's storage (no block period: a refused request does
 * not count, so a caller is back as soon as its oldest request leaves the window).
 */
export class RateLimiter {
  constructor(readonly limits: RateLimits, private readonly storage: ThrottlerStorage) {}

  /** Counts `weight` requests (a batch counts each operation) for the caller, or refuses them. */
  async take(principal: Principal | undefined, ip: string, weight = 1): Promise<RateDecision> {
    const tracker = principal ? `principal:${principal.org}/${principal.subject}` : `ip:${ip}`;
    const limit = principal ? this.limits.perPrincipal : this.limits.anonymous;
    for (let i = 0; i < Math.max(1, weight); i++) {
      const r = await this.storage.increment(tracker, this.limits.windowMs, limit, 0, 'pedigree');
      if (r.isBlocked) return { allowed: false, retryAfterSeconds: Math.max(1, r.timeToBlockExpire) };
    }
    return { allowed: true, retryAfterSeconds: 0 };
  }
}
