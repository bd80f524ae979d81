// The storage is @nestjs/throttler's own; Nest itself ships only ES modules, which this Jest does not
// load, and the storage needs nothing of it but the @Injectable decorator.
jest.mock('@nestjs/common', () => ({ Injectable: () => () => undefined }));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ThrottlerStorageService } = require('@nestjs/throttler/dist/throttler.service') as typeof import('@nestjs/throttler');
import type { Principal } from './auth';
import { RateLimiter, rateLimitsFromEnv } from './rate-limit';

const ann: Principal = { subject: 'ann', org: 'DispenserMSP', role: 'pharmacist', via: 'api-key' };
const bob: Principal = { subject: 'bob', org: 'DispenserMSP', role: 'pharmacist', via: 'api-key' };

describe('rate limits', () => {
  let storage: InstanceType<typeof ThrottlerStorageService>;
  beforeEach(() => { storage = new ThrottlerStorageService(); });
  afterEach(() => storage.onApplicationShutdown());

  it('gives each principal its own budget and refuses beyond it, with a retry time', async () => {
    const limiter = new RateLimiter({ perPrincipal: 3, anonymous: 1, windowMs: 60_000 }, storage);
    for (let i = 0; i < 3; i++) expect((await limiter.take(ann, '10.0.0.1')).allowed).toBe(true);
    const refused = await limiter.take(ann, '10.0.0.1');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Same address, another principal: not affected.
    expect((await limiter.take(bob, '10.0.0.1')).allowed).toBe(true);
  });

  it('counts callers without credentials per IP address, apart from principals', async () => {
    const limiter = new RateLimiter({ perPrincipal: 100, anonymous: 2, windowMs: 60_000 }, storage);
    expect((await limiter.take(undefined, '10.0.0.9')).allowed).toBe(true);
    expect((await limiter.take(undefined, '10.0.0.9')).allowed).toBe(true);
    expect((await limiter.take(undefined, '10.0.0.9')).allowed).toBe(false);
    expect((await limiter.take(undefined, '10.0.0.8')).allowed).toBe(true);
    expect((await limiter.take(ann, '10.0.0.9')).allowed).toBe(true);
  });

  it('counts every operation of a batch', async () => {
    const limiter = new RateLimiter({ perPrincipal: 10, anonymous: 1, windowMs: 60_000 }, storage);
    expect((await limiter.take(ann, 'ip', 10)).allowed).toBe(true);
    expect((await limiter.take(ann, 'ip', 1)).allowed).toBe(false);
  });

  it('lets a caller back once its requests leave the window', async () => {
    const limiter = new RateLimiter({ perPrincipal: 1, anonymous: 1, windowMs: 200 }, storage);
    expect((await limiter.take(ann, 'ip')).allowed).toBe(true);
    expect((await limiter.take(ann, 'ip')).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect((await limiter.take(ann, 'ip')).allowed).toBe(true);
  });

  it('reads its limits from the environment and refuses nonsense', () => {
    expect(rateLimitsFromEnv({})).toEqual({ perPrincipal: 600, anonymous: 60, windowMs: 60_000 });
    expect(rateLimitsFromEnv({ PEDIGREE_RATE_LIMIT: '5', PEDIGREE_RATE_LIMIT_ANONYMOUS: '2', PEDIGREE_RATE_WINDOW_SECONDS: '10' })).toEqual({ perPrincipal: 5, anonymous: 2, windowMs: 10_000 });
    expect(() => rateLimitsFromEnv({ PEDIGREE_RATE_LIMIT: 'many' })).toThrow(expect.objectContaining({ code: 'LIMIT_CONFIG_INVALID' }));
    expect(() => rateLimitsFromEnv({ PEDIGREE_RATE_LIMIT: '0' })).toThrow(/at least 1/);
  });
});
