import { parseTimestamp, toUtcIsoString, type IsoTimestamp } from '../time';
import type { PartnerRole } from '../lifecycle/ledger-records';
import { businessDeadline, type BusinessCalendar } from './business-clock';

/**
 * When a trading partner must answer a tracing request from FDA or another federal or state
 * official (DSCSA §582, domain.md §2): manufacturers, repackagers and wholesalers within 1 business
 * day and never more than 48 hours; dispensers within 2 business days. Counted in the respondent's
 * time zone, as every business-day clock here.
 */
export function tracingResponseDue(requestedAt: IsoTimestamp, respondent: PartnerRole, calendar: BusinessCalendar): IsoTimestamp {
  if (respondent === 'dispenser') return businessDeadline(requestedAt, 2, calendar);
  const oneDay = businessDeadline(requestedAt, 1, calendar);
  const cap = parseTimestamp(requestedAt, 'requestedAt').epochMs + 48 * 3_600_000;
  return Date.parse(oneDay) <= cap ? oneDay : toUtcIsoString(cap);
}

/** Business days a respondent has (what a screen shows beside the deadline). */
export function tracingBusinessDays(respondent: PartnerRole): number {
  return respondent === 'dispenser' ? 2 : 1;
}
