import { sgtinToEpcUrn, ssccToEpcUrn } from '../../gs1/epc-urn';
import { withCheckDigit } from '../../gs1/check-digit';
import { commissionEvent, packEvent } from '../builders';
import { EPCIS_CONTEXT } from '../events';
import { readEpcisXml } from './reader';
import { EPCIS_QUERY_NS, writeEpcisXml } from './writer';

const packs = ['A1', 'A2'].map((s) => sgtinToEpcUrn('00312345678906', s));
const events = [
  commissionEvent({ eventTime: '2026-02-01T14:00:00.000Z', epcs: packs, lot: 'B7', expiry: '2028-11-30' }),
  packEvent({ eventTime: '2026-02-01T14:05:00.000Z', parent: ssccToEpcUrn(withCheckDigit('00312345000000011')), children: packs, sealed: true }),
];
const answer = { '@context': [EPCIS_CONTEXT], type: 'EPCISQueryDocument', schemaVersion: '2.0', creationDate: '2026-03-01T00:00:00.000Z', epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } } };

describe('EPCISQueryDocument in XML', () => {
  it.each(['2.0', '1.2'] as const)('writes the query answer in EPCIS %s XML: QueryResults with queryName, subscriptionID and the events as a capture document carries them', (version) => {
    const xml = writeEpcisXml(answer, { version, query: { queryName: 'SimpleEventQuery', subscriptionID: 'sub-1' } });
    expect(xml).toContain(`<epcisq:EPCISQueryDocument xmlns:epcis="`);
    expect(xml).toContain(`xmlns:epcisq="${EPCIS_QUERY_NS[version]}"`);
    expect(xml).toMatch(/<EPCISBody>\s*<epcisq:QueryResults>\s*<queryName>SimpleEventQuery<\/queryName>\s*<subscriptionID>sub-1<\/subscriptionID>\s*<resultsBody>\s*<EventList>/);
    expect(xml.trimEnd().endsWith('</epcisq:EPCISQueryDocument>')).toBe(true);
    // The events inside are those of an EPCISDocument: unwrapped, they read back as written.
    const unwrapped = xml
      .replace(/<epcisq:EPCISQueryDocument ([^>]*)>/, '<epcis:EPCISDocument $1>').replace('</epcisq:EPCISQueryDocument>', '</epcis:EPCISDocument>')
      .replace(/<epcisq:QueryResults>[\s\S]*?<resultsBody>/, '').replace(/<\/resultsBody>\s*<\/epcisq:QueryResults>/, '');
    const read = readEpcisXml(unwrapped).document as { epcisBody: { eventList: Array<{ eventID: string }> } };
    expect(read.epcisBody.eventList.map((e) => e.eventID)).toEqual(events.map((e) => e.eventID));
  });

  it('an empty answer is an empty EventList', () => {
    const xml = writeEpcisXml({ ...answer, epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: [] } } } }, { version: '2.0', query: { queryName: 'SimpleEventQuery' } });
    expect(xml).toMatch(/<EventList>\s*<\/EventList>/);
    expect(xml).not.toContain('subscriptionID');
  });
});
