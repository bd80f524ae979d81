import { DomainError } from '../errors';
import { parseTimestamp, type IsoTimestamp } from '../time';
import { assertGrace, businessCalendar, businessDaysBetween, businessDeadline, DEFAULT_TIME_ZONE } from './business-clock';
import { isOpenException, type ExceptionState } from './exception-lifecycle';
import { isReceivingRule, type ReceivingRule } from './receiving-checks';

/**
 * Every exception runs a business-day clock from the moment it is raised. Field practice
 * (domain.md §8): exceptions are resolved with the seller within about 3 business days, and product
 * that arrives without data gets a 3-business-day grace period, after which it is escalated (treated
 * as suspect product). The clock is fixed when the exception is raised (zone, grace, due instant) and
 * kept on the ledger record, so both parties and every later reading agree on when it is overdue.
 */

/** What happens when a rule's clock runs out: escalation is a ledger step; an alert tells the parties. */
export type ClockExpiry = 'escalate' | 'alert';

export interface RuleClock {
  /** Business days before the exception is overdue (the default; a receiver may configure its own). */
  readonly graceBusinessDays: number;
  readonly onExpiry: ClockExpiry;
}

/** One row per rule code: a rule added to RECEIVING_RULES without its clock does not compile. */
export const EXCEPTION_CLOCKS: { readonly [R in ReceivingRule]: RuleClock } = {
  product_not_in_master_data: { graceBusinessDays: 3, onExpiry: 'alert' },
  quantity_differs_from_ti: { graceBusinessDays: 3, onExpiry: 'alert' },
  aggregation_missing_pack: { graceBusinessDays: 3, onExpiry: 'alert' },
  aggregation_extra_pack: { graceBusinessDays: 3, onExpiry: 'alert' },
  seal_broken: { graceBusinessDays: 3, onExpiry: 'alert' },
  identifier_mismatch: { graceBusinessDays: 3, onExpiry: 'alert' },
  addressed_elsewhere: { graceBusinessDays: 3, onExpiry: 'alert' },
  product_without_data: { graceBusinessDays: 3, onExpiry: 'escalate' },
  data_without_product: { graceBusinessDays: 3, onExpiry: 'alert' },
  // The manufacturer's release or destruction decides it (docs/cold-chain.md); overdue, both parties are told.
  temperature_excursion: { graceBusinessDays: 3, onExpiry: 'alert' },
};

/** A receiver's own clock settings: its site's time zone and, per rule, a grace other than the default. */
export interface ClockPolicy {
  readonly timeZone?: string;
  readonly graceBusinessDays?: { readonly [R in ReceivingRule]?: number };
}

/** The clock an exception was raised with, as the ledger keeps it. */
export interface ExceptionClock {
  readonly timeZone: string;
  readonly graceBusinessDays: number;
  readonly onExpiry: ClockExpiry;
  /** The end of the grace period: the end of its last business day in the zone. */
  readonly dueAt: IsoTimestamp;
}

export function startClock(rule: ReceivingRule, openedAt: IsoTimestamp, policy: ClockPolicy = {}): ExceptionClock {
  const calendar = businessCalendar(policy.timeZone ?? DEFAULT_TIME_ZONE);
  const rules = EXCEPTION_CLOCKS[rule];
  const grace = assertGrace(policy.graceBusinessDays?.[rule] ?? rules.graceBusinessDays);
  return { timeZone: calendar.timeZone, graceBusinessDays: grace, onExpiry: rules.onExpiry, dueAt: businessDeadline(openedAt, grace, calendar) };
}

/** Checks a policy's shape and values (unknown rule, grace out of range, unknown zone): CLOCK_INVALID. */
export function assertClockPolicy(policy: ClockPolicy): ClockPolicy {
  if (policy.timeZone !== undefined) businessCalendar(policy.timeZone);
  for (const [rule, days] of Object.entries(policy.graceBusinessDays ?? {})) {
    if (!isReceivingRule(rule)) throw new DomainError('CLOCK_INVALID', `no clock for unknown rule ${JSON.stringify(rule)}`, { reason: 'rule', rule });
    assertGrace(days);
  }
  return policy;
}

/** What the clock of an exception says at `now`. */
export interface ClockReading extends ExceptionClock {
  /** Business days since it was raised (until it closed): the age an inbox shows. */
  readonly ageBusinessDays: number;
  /** Still open at or after its due instant. */
  readonly overdue: boolean;
  /** Overdue, its rule escalates, and it has not been escalated yet. */
  readonly escalationDue: boolean;
}

interface ClockedRecord {
  readonly rule: ReceivingRule;
  readonly state: ExceptionState;
  readonly openedAt: IsoTimestamp;
  readonly closedAt?: IsoTimestamp;
  readonly clock?: ExceptionClock;
  readonly escalation?: unknown;
}

/** A record raised before clocks were kept reads with the default clock. */
export function clockOf(record: Pick<ClockedRecord, 'rule' | 'openedAt' | 'clock'>): ExceptionClock {
  return record.clock ?? startClock(record.rule, record.openedAt);
}

export function readClock(record: ClockedRecord, now: IsoTimestamp): ClockReading {
  const clock = clockOf(record);
  const open = isOpenException(record.state);
  const end = record.closedAt ?? now;
  const overdue = open && parseTimestamp(now, 'now').epochMs >= parseTimestamp(clock.dueAt, 'dueAt').epochMs;
  return {
    ...clock,
    ageBusinessDays: businessDaysBetween(record.openedAt, end, businessCalendar(clock.timeZone)),
    overdue,
    escalationDue: overdue && clock.onExpiry === 'escalate' && record.escalation === undefined,
  };
}
