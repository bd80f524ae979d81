import { requestTracing, releaseTracing, type TracingRequestRecord } from '@pedigree/domain';
import { TracingDeadlines } from './tracing-deadlines';

// Thursday 1 Oct 2026, 15:00 New York: wholesalers and the manufacturer are due when Friday ends, the dispenser when Monday ends.
const AT = '2026-10-01T19:00:00.000Z';
const ROLES: Record<string, string[]> = { ManufacturerMSP: ['manufacturer'], DistributorMSP: ['wholesaler'], DispenserMSP: ['dispenser'] };
const request = (id: string, requester = 'RiversideMSP'): TracingRequestRecord => requestTracing({
  id, kind: 'transaction_information', epc: 'urn:epc:id:sgtin:0312345.012345.S1', reason: 'suspect', test: false,
  trail: ['ManufacturerMSP', 'DistributorMSP', 'DispenserMSP', 'RiversideMSP'], rolesOf: (org) => (ROLES[org] ?? ['dispenser']) as never,
}, requester, AT);

function watchOf(org: string, records: { out?: TracingRequestRecord[]; in?: TracingRequestRecord[] }): TracingDeadlines {
  return new TracingDeadlines(org, { list: async (_org, direction) => records[direction] ?? [] });
}

describe('TracingDeadlines', () => {
  const monday = '2026-10-05T12:00:00.000Z';
  const wednesday = '2026-10-07T12:00:00.000Z';

  it.each([
    ['before any deadline', '2026-10-02T12:00:00.000Z', []],
    ['past the wholesaler\u2019s and manufacturer\u2019s business day', monday, ['DistributorMSP', 'ManufacturerMSP']],
    ['past the dispenser\u2019s two business days too', wednesday, ['DispenserMSP', 'DistributorMSP', 'ManufacturerMSP']],
  ])('the requester is alerted for every late respondent: %s', async (_case, asOf, late) => {
    const got = await watchOf('RiversideMSP', { out: [request('q1')] }).check(asOf);
    expect(got.overdue.map((o) => o.respondent).sort()).toEqual(late);
  });

  it('a respondent is alerted for its own answer only, and not once it has released', async () => {
    const open = request('q1');
    const answered = releaseTracing(request('q2'), [{ shipmentId: 's1', tiSha256: 'a'.repeat(64) }], 'DistributorMSP', AT);
    const got = await watchOf('DistributorMSP', { in: [open, answered] }).check(monday);
    expect(got.overdue.map((o) => [o.request.id, o.respondent])).toEqual([['q1', 'DistributorMSP']]);
  });

  it('alerts once per service run: a log line and one overdue event', async () => {
    const watch = watchOf('RiversideMSP', { out: [request('q1')] });
    const events: unknown[] = [];
    watch.events.on('overdue', (o) => events.push(o));
    expect((await watch.check(monday)).alerted).toHaveLength(2);
    expect((await watch.check(wednesday)).alerted.map((o) => o.respondent)).toEqual(['DispenserMSP']);
    expect((await watch.check(wednesday)).alerted).toEqual([]);
    expect(events).toHaveLength(3);
  });

  it('refuses an instant that is not one, and changes nothing', async () => {
    const watch = watchOf('RiversideMSP', { out: [request('q1')] });
    await expect(watch.check('next week')).rejects.toMatchObject({ serviceCode: 'CLOCK_INVALID' });
    expect((await watch.check(monday)).alerted).toHaveLength(2);
  });
});
