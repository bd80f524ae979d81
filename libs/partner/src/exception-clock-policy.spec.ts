import { clockPolicyFromEnv } from './exception-clock-policy';

describe('the site’s exception clock settings', () => {
  it.each([
    [{}, {}],
    [{ PEDIGREE_SITE_TIME_ZONE: 'America/Chicago' }, { timeZone: 'America/Chicago' }],
    [{ PEDIGREE_EXCEPTION_GRACE_DAYS: 'product_without_data=5, seal_broken=2' }, { graceBusinessDays: { product_without_data: 5, seal_broken: 2 } }],
  ])('%j', (env, policy) => {
    expect(clockPolicyFromEnv(env)).toEqual(policy);
  });

  it.each([
    [{ PEDIGREE_SITE_TIME_ZONE: 'Moon/Base' }, /time zone/],
    [{ PEDIGREE_EXCEPTION_GRACE_DAYS: 'product_without_data=31' }, /0-30/],
    [{ PEDIGREE_EXCEPTION_GRACE_DAYS: 'temperature=2' }, /rule=days/],
    [{ PEDIGREE_EXCEPTION_GRACE_DAYS: 'seal_broken' }, /rule=days/],
  ])('refuses %j', (env, message) => {
    expect(() => clockPolicyFromEnv(env)).toThrow(message);
  });
});
