import fc from 'fast-check';
import { businessCalendar, businessDaysBetween, businessDeadline, isBusinessDay, localDateOf } from './business-clock';
import { readClock, startClock } from './exception-clock';
import { actOnException, raiseException, type ExceptionRecord } from './exception-lifecycle';
import type { Finding } from './receiving-checks';

const NY = businessCalendar('America/New_York');
const LA = businessCalendar('America/Los_Angeles');
const UTC = businessCalendar('UTC');
const M = 'ManufacturerMSP';
const D = 'DistributorMSP';

describe('business days (US federal holidays, in the site’s time zone)', () => {
  type Deadline = [name: string, from: string, days: number, calendar: typeof NY, due: string];
  const deadlines: Deadline[] = [
    ['Tuesday: Wed, Thu, Fri', '2026-12-01T10:00:00-05:00', 3, NY, '2026-12-05T05:00:00.000Z'],
    ['Friday afternoon: the weekend does not count', '2026-12-04T16:00:00-05:00', 3, NY, '2026-12-10T05:00:00.000Z'],
    ['Saturday: counted from Monday', '2026-12-05T09:00:00-05:00', 3, NY, '2026-12-10T05:00:00.000Z'],
    ['over Thanksgiving (the day after is a business day)', '2026-11-25T12:00:00-05:00', 3, NY, '2026-12-02T05:00:00.000Z'],
    ['over Christmas (Christmas Eve is a business day)', '2026-12-23T12:00:00-05:00', 3, NY, '2026-12-30T05:00:00.000Z'],
    ['Independence Day observed on Friday 3 July', '2026-07-02T12:00:00-04:00', 3, NY, '2026-07-09T04:00:00.000Z'],
    ['New Year’s Day 2028 observed on Friday 31 December 2027', '2027-12-30T12:00:00-05:00', 3, NY, '2028-01-06T05:00:00.000Z'],
    ['across the start of daylight saving time', '2026-03-05T12:00:00-05:00', 3, NY, '2026-03-11T04:00:00.000Z'],
    ['Thursday 23:30 in New York is Thursday there', '2026-12-03T23:30:00-05:00', 3, NY, '2026-12-09T05:00:00.000Z'],
    ['the same instant is Friday in UTC', '2026-12-03T23:30:00-05:00', 3, UTC, '2026-12-10T00:00:00.000Z'],
    ['Los Angeles: midnight there', '2026-12-01T10:00:00-08:00', 3, LA, '2026-12-05T08:00:00.000Z'],
    ['one business day (a tracing request to a wholesaler)', '2026-12-04T10:00:00-05:00', 1, NY, '2026-12-08T05:00:00.000Z'],
    ['no grace: due at once', '2026-12-04T10:00:00-05:00', 0, NY, '2026-12-04T15:00:00.000Z'],
  ];
  it.each(deadlines)('%s', (_name, from, days, calendar, due) => {
    expect(businessDeadline(from, days, calendar)).toBe(due);
  });

  type Between = [name: string, from: string, to: string, calendar: typeof NY, days: number];
  const ages: Between[] = [
    ['the same day', '2026-12-01T10:00:00-05:00', '2026-12-01T18:00:00-05:00', NY, 0],
    ['Tuesday to Monday', '2026-12-01T10:00:00-05:00', '2026-12-07T09:00:00-05:00', NY, 4],
    ['Friday to Monday', '2026-12-04T16:00:00-05:00', '2026-12-07T08:00:00-05:00', NY, 1],
    ['Wednesday to Monday over Thanksgiving', '2026-11-25T12:00:00-05:00', '2026-11-30T12:00:00-05:00', NY, 2],
    ['22:00 in New York is still that day there', '2026-12-03T12:00:00-05:00', '2026-12-04T03:00:00Z', NY, 0],
    ['… but the next day in UTC', '2026-12-03T12:00:00-05:00', '2026-12-04T03:00:00Z', UTC, 1],
    ['backwards is none', '2026-12-07T12:00:00-05:00', '2026-12-01T12:00:00-05:00', NY, 0],
  ];
  it.each(ages)('age: %s', (_name, from, to, calendar, days) => {
    expect(businessDaysBetween(from, to, calendar)).toBe(days);
  });

  it.each([
    ['2026-07-03', false], ['2026-07-04', false], ['2026-06-19', false], ['2026-11-27', true], ['2026-12-24', true], ['2026-10-12', false], ['2026-12-07', true],
  ])('%s is a business day: %s', (date, expected) => {
    expect(isBusinessDay(date)).toBe(expected);
  });

  it('refuses an unknown zone and a grace out of range', () => {
    expect(() => businessCalendar('Mars/Olympus')).toThrow(expect.objectContaining({ code: 'CLOCK_INVALID' }));
    expect(() => businessDeadline('2026-12-01T10:00:00Z', 31, NY)).toThrow(expect.objectContaining({ code: 'CLOCK_INVALID' }));
    expect(() => businessDeadline('2026-12-01T10:00:00Z', 1.5, NY)).toThrow(expect.objectContaining({ code: 'CLOCK_INVALID' }));
  });

  it('a deadline of n days falls after exactly n business days, at the start of a local day that follows a business day', () => {
    const zones = [NY, LA, UTC, businessCalendar('Pacific/Honolulu')];
    fc.assert(fc.property(
      fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2031, 0, 1) }), fc.integer({ min: 1, max: 10 }), fc.constantFrom(...zones),
      (ms, n, calendar) => {
        const from = new Date(ms).toISOString();
        const due = businessDeadline(from, n, calendar);
        const justBefore = new Date(Date.parse(due) - 1).toISOString();
        expect(businessDaysBetween(from, justBefore, calendar)).toBe(n);
        expect(isBusinessDay(localDateOf(justBefore, calendar))).toBe(true);
        expect(localDateOf(due, calendar)).not.toBe(localDateOf(justBefore, calendar));
      }), { numRuns: 300 });
  });
});

describe('exception clocks', () => {
  const opened = '2026-12-01T15:00:00.000Z';
  const finding = (rule: Finding['rule']): Finding => ({
    rule, shipmentId: 'ship-1', seller: M, receiver: D, subjects: ['urn:epc:id:sgtin:0312345.067890.S1'], hold: [], evidence: { summary: 'no data', unexpected: ['urn:epc:id:sgtin:0312345.067890.S1'] },
  });
  const withoutData = (clock = {}) => raiseException({ id: 'ex-1', finding: finding('product_without_data'), clock }, D, opened);

  it('is fixed on the record when raised: 3 business days by default, in New York', () => {
    expect(withoutData().clock).toEqual({ timeZone: 'America/New_York', graceBusinessDays: 3, onExpiry: 'escalate', dueAt: '2026-12-05T05:00:00.000Z' });
    expect(raiseException({ id: 'ex-2', finding: finding('seal_broken') }, D, opened).clock).toMatchObject({ onExpiry: 'alert', graceBusinessDays: 3 });
  });

  it('takes the receiver’s grace and zone', () => {
    expect(withoutData({ timeZone: 'America/Chicago', graceBusinessDays: { product_without_data: 5 } }).clock).toEqual({ timeZone: 'America/Chicago', graceBusinessDays: 5, onExpiry: 'escalate', dueAt: '2026-12-09T06:00:00.000Z' });
    expect(() => withoutData({ graceBusinessDays: { product_without_data: 31 } })).toThrow(expect.objectContaining({ code: 'CLOCK_INVALID' }));
    expect(() => withoutData({ graceBusinessDays: { temperature: 1 } })).toThrow(expect.objectContaining({ code: 'CLOCK_INVALID' }));
    expect(() => withoutData({ timeZone: 'Nowhere/Land' })).toThrow(expect.objectContaining({ code: 'CLOCK_INVALID' }));
  });

  type Reading = [name: string, record: () => ExceptionRecord, now: string, expected: { ageBusinessDays: number; overdue: boolean; escalationDue: boolean }];
  const readings: Reading[] = [
    ['within the grace period', () => withoutData(), '2026-12-04T20:00:00.000Z', { ageBusinessDays: 3, overdue: false, escalationDue: false }],
    ['at the due instant', () => withoutData(), '2026-12-05T05:00:00.000Z', { ageBusinessDays: 3, overdue: true, escalationDue: true }],
    ['after the weekend', () => withoutData(), '2026-12-07T14:00:00.000Z', { ageBusinessDays: 4, overdue: true, escalationDue: true }],
    ['escalated: overdue, nothing more to escalate', () => actOnException(withoutData(), { type: 'escalate' }, D, '2026-12-07T14:00:00.000Z'), '2026-12-08T14:00:00.000Z', { ageBusinessDays: 5, overdue: true, escalationDue: false }],
    ['an alerting rule is overdue, never escalation-due', () => raiseException({ id: 'ex-3', finding: finding('seal_broken') }, D, opened), '2026-12-08T14:00:00.000Z', { ageBusinessDays: 5, overdue: true, escalationDue: false }],
    ['closed: the age stops, never overdue', () => ({ ...withoutData(), state: 'closed', closedAt: '2026-12-02T15:00:00.000Z' }), '2026-12-30T15:00:00.000Z', { ageBusinessDays: 1, overdue: false, escalationDue: false }],
    ['raised before clocks were kept: the default clock', () => { const { clock: _c, ...old } = withoutData(); return old as ExceptionRecord; }, '2026-12-07T14:00:00.000Z', { ageBusinessDays: 4, overdue: true, escalationDue: true }],
  ];
  it.each(readings)('reads: %s', (_name, record, now, expected) => {
    expect(readClock(record(), now)).toMatchObject({ ...expected, dueAt: '2026-12-05T05:00:00.000Z' });
  });

  it('escalation is the receiver’s step, once, on an open exception whose rule escalates', () => {
    const escalated = actOnException(withoutData(), { type: 'escalate' }, D, '2026-12-07T14:00:00.000Z');
    expect(escalated).toMatchObject({ state: 'open', version: 2, escalation: { at: '2026-12-07T14:00:00.000Z', by: D, dueAt: '2026-12-05T05:00:00.000Z', early: false } });
    expect(escalated.history.at(-1)).toEqual({ at: '2026-12-07T14:00:00.000Z', by: D, action: 'escalate', from: 'open', to: 'open' });
    expect(actOnException(withoutData(), { type: 'escalate' }, D, '2026-12-02T14:00:00.000Z').escalation?.early).toBe(true);
    expect(() => actOnException(escalated, { type: 'escalate' }, D, '2026-12-08T14:00:00.000Z')).toThrow(expect.objectContaining({ code: 'EXCEPTION_TRANSITION' }));
    expect(() => actOnException(withoutData(), { type: 'escalate' }, M, '2026-12-08T14:00:00.000Z')).toThrow(expect.objectContaining({ code: 'EXCEPTION_PARTY' }));
    const seal = raiseException({ id: 'ex-4', finding: finding('seal_broken') }, D, opened);
    expect(() => actOnException(seal, { type: 'escalate' }, D, '2026-12-08T14:00:00.000Z')).toThrow(expect.objectContaining({ code: 'EXCEPTION_TRANSITION' }));
    const closed = { ...withoutData(), state: 'closed' as const };
    expect(() => actOnException(closed, { type: 'escalate' }, D, '2026-12-08T14:00:00.000Z')).toThrow(expect.objectContaining({ code: 'EXCEPTION_TRANSITION' }));
  });

  it('startClock is what raise records', () => {
    expect(withoutData().clock).toEqual(startClock('product_without_data', opened));
  });
});
