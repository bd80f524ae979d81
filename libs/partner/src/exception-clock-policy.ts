import { assertClockPolicy, RECEIVING_RULES, type ClockPolicy, type ReceivingRule } from '@pedigree/domain';

/**
 * The receiver's clock settings from its environment: the site's time zone
 * (PEDIGREE_SITE_TIME_ZONE, an IANA name; default America/New_York) and grace periods other than
 * the rules' defaults (PEDIGREE_EXCEPTION_GRACE_DAYS="product_without_data=5,seal_broken=2").
 * A bad setting stops the service at start, not at the first receipt.
 */
export function clockPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): ClockPolicy {
  const grace: { [R in ReceivingRule]?: number } = {};
  for (const part of (env.PEDIGREE_EXCEPTION_GRACE_DAYS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [rule, days] = part.split('=').map((s) => s.trim());
    if (!rule || !(RECEIVING_RULES as readonly string[]).includes(rule) || days === undefined || !/^\d+$/.test(days)) {
      throw new Error(`PEDIGREE_EXCEPTION_GRACE_DAYS: "${part}" is not rule=days (rules: ${RECEIVING_RULES.join(', ')})`);
    }
    grace[rule as ReceivingRule] = Number(days);
  }
  return assertClockPolicy({ ...(env.PEDIGREE_SITE_TIME_ZONE ? { timeZone: env.PEDIGREE_SITE_TIME_ZONE } : {}), ...(Object.keys(grace).length ? { graceBusinessDays: grace } : {}) });
}
