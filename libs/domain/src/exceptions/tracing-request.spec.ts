import { releaseTracing, requestTracing, tracingStatus } from './tracing-request';
import type { PartnerRole } from '../lifecycle/ledger-records';

// Tuesday 3 March 2026, 15:00 in New York.
const AT = '2026-03-03T20:00:00.000Z';
const ROLES: Record<string, PartnerRole[]> = { M: ['manufacturer'], W: ['wholesaler'], P: ['dispenser'], Q: ['dispenser'], X: ['dispenser', 'wholesaler'] };
const ask = (kind: 'transaction_information' | 'all_owners' | 'last_owner', trail = ['M', 'W', 'P', 'Q'], actor = 'Q') =>
  requestTracing({ id: 'r1', kind, epc: 'urn:epc:id:sgtin:0312345.067890.A1', reason: 'suspect', trail, rolesOf: (o) => ROLES[o] ?? [] }, actor, AT);

describe('tracing requests', () => {
  it.each([
    ['transaction_information', ['M', 'W', 'P', 'Q'], ['M', 'P', 'W']],
    ['all_owners', ['M', 'W', 'P', 'Q'], []],
    ['last_owner', ['Q'], []],
  ] as const)('%s: answered at once with %j; respondents %j', (kind, owners, respondents) => {
    const r = ask(kind);
    expect(r.owners).toEqual(owners);
    expect(r.respondents.map((x) => x.org)).toEqual(respondents);
  });

  it.each([
    // 1 business day: the end of Wednesday in New York (05:00 UTC Thursday), within 48 h.
    ['M', 'manufacturer', '2026-03-05T05:00:00.000Z'],
    ['W', 'wholesaler', '2026-03-05T05:00:00.000Z'],
    // 2 business days for a dispenser: the end of Thursday.
    ['P', 'dispenser', '2026-03-06T05:00:00.000Z'],
    // Admitted for both: the tighter deadline.
    ['X', 'wholesaler', '2026-03-05T05:00:00.000Z'],
  ])('%s answers as a %s by %s', (org, role, due) => {
    const r = ask('transaction_information', ['M', org, 'Q']);
    expect(r.respondents.find((x) => x.org === org)).toEqual({ org, role, dueAt: due });
  });

  it('each respondent releases once; an organisation not asked is refused; lateness is shown', () => {
    const r = ask('transaction_information');
    expect(() => releaseTracing(r, [], 'Z', AT)).toThrow(expect.objectContaining({ code: 'TRACING_PARTY' }));
    const once = releaseTracing(r, [{ shipmentId: 's2', tiSha256: 'b' }, { shipmentId: 's1', tiSha256: 'a' }], 'W', AT);
    expect(once.releases[0]?.shipments.map((s) => s.shipmentId)).toEqual(['s1', 's2']);
    expect(() => releaseTracing(once, [], 'W', AT)).toThrow(expect.objectContaining({ code: 'TRACING_TRANSITION' }));
    const late = releaseTracing(once, [], 'M', '2026-03-05T06:00:00.000Z');
    expect(tracingStatus(late, '2026-03-07T00:00:00.000Z').map((s) => [s.org, s.answeredAt !== null, s.overdue])).toEqual([['M', true, true], ['P', false, true], ['W', true, false]]);
    expect(tracingStatus(r, AT).every((s) => !s.overdue)).toBe(true);
  });

  it('refuses an unknown kind or reason and a malformed incident number', () => {
    const base = { id: 'r', epc: 'e', trail: ['M'], rolesOf: () => [] as PartnerRole[] };
    expect(() => requestTracing({ ...base, kind: 'everything' as never, reason: 'audit' }, 'Q', AT)).toThrow(expect.objectContaining({ code: 'TRACING_INVALID' }));
    expect(() => requestTracing({ ...base, kind: 'all_owners', reason: 'curiosity' as never }, 'Q', AT)).toThrow(expect.objectContaining({ code: 'TRACING_INVALID' }));
    expect(() => requestTracing({ ...base, kind: 'all_owners', reason: 'audit', incidentNumber: 'no spaces' }, 'Q', AT)).toThrow(expect.objectContaining({ code: 'TRACING_INVALID' }));
  });
});
