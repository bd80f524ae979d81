import type { PartnerRole } from '../lifecycle/ledger-records';
import { businessCalendar } from './business-clock';
import { tracingBusinessDays, tracingResponseDue } from './tracing-deadline';

const NY = businessCalendar('America/New_York');

describe('the DSCSA tracing-request deadline', () => {
  type Case = [name: string, requestedAt: string, respondent: PartnerRole, due: string];
  const cases: Case[] = [
    ['a wholesaler asked on Tuesday: by the end of Wednesday', '2026-12-01T10:00:00-05:00', 'wholesaler', '2026-12-03T05:00:00.000Z'],
    ['a dispenser asked on Tuesday: by the end of Thursday', '2026-12-01T10:00:00-05:00', 'dispenser', '2026-12-04T05:00:00.000Z'],
    ['a manufacturer asked on Friday morning: the end of Monday is past 48 h, so Sunday 09:00', '2026-12-04T09:00:00-05:00', 'manufacturer', '2026-12-06T14:00:00.000Z'],
    ['a repackager asked on Friday at 23:00: 48 h is Sunday 23:00', '2026-12-04T23:00:00-05:00', 'repackager', '2026-12-07T04:00:00.000Z'],
    ['a dispenser asked on Friday: Monday and Tuesday', '2026-12-04T09:00:00-05:00', 'dispenser', '2026-12-09T05:00:00.000Z'],
    ['a wholesaler asked the day before Thanksgiving: 48 h (Friday 12:00) comes before the end of Friday', '2026-11-25T12:00:00-05:00', 'wholesaler', '2026-11-27T17:00:00.000Z'],
  ];
  it.each(cases)('%s', (_name, requestedAt, respondent, due) => {
    expect(tracingResponseDue(requestedAt, respondent, NY)).toBe(due);
  });

  it.each([['manufacturer', 1], ['repackager', 1], ['wholesaler', 1], ['dispenser', 2]] as const)('%s: %i business day(s)', (role, days) => {
    expect(tracingBusinessDays(role)).toBe(days);
  });
});
