import { parseEpcisQuery } from '@pedigree/domain';
import { epcisPrefilter } from './epcis-event-reads';

const prefilter = (params: Record<string, string>) => {
  const values: unknown[] = [];
  return { where: epcisPrefilter(parseEpcisQuery(params), values), values };
};

describe('EPCIS query SQL prefilter', () => {
  it.each<[string, Record<string, string>, RegExp[], unknown[]]>([
    ['nothing for no parameter', {}, [], []],
    ['event types as one ANY', { eventType: 'ObjectEvent|AggregationEvent' }, [/e\.event->>'type' = ANY\(\$1\)/], [['ObjectEvent', 'AggregationEvent']]],
    ['event time range on the timestamp', { GE_eventTime: '2026-01-01T00:00:00Z', LT_eventTime: '2026-02-01T00:00:00+01:00' }, [/e\."eventTime" >= \$1/, /e\."eventTime" < \$2/], ['2026-01-01T00:00:00.000Z', '2026-01-31T23:00:00.000Z']],
    ['record time on recordedAt', { GE_recordTime: '2026-01-01T00:00:00Z' }, [/recordedAt/], ['2026-01-01T00:00:00.000Z']],
    ['bizStep in every CBV spelling', { EQ_bizStep: 'shipping' }, [/e\.event->>'bizStep' = ANY\(\$1\)/], [['shipping', 'urn:epcglobal:cbv:bizstep:shipping', 'https://ref.gs1.org/cbv/BizStep-shipping']]],
    ['eventID as given', { EQ_eventID: 'urn:uuid:1' }, [/eventID' = ANY/], [['urn:uuid:1']]],
  ])('%s', (_name, params, patterns, values) => {
    const out = prefilter(params);
    expect(out.where).toHaveLength(patterns.length);
    patterns.forEach((p, i) => expect(out.where[i]).toMatch(p));
    expect(out.values).toEqual(values);
  });

  it('an exact EPC: containment in each field (URN and as given) or a trace subject of the transaction', () => {
    const out = prefilter({ MATCH_epc: 'https://id.gs1.org/01/00312345678906/21/1002' });
    expect(out.where).toHaveLength(1);
    expect(out.where[0]).toMatch(/@>.*OR.*ANY\(ARRAY\(SELECT s."transactionId" FROM trace_events s/s);
    expect(out.values).toContainEqual(JSON.stringify({ epcList: ['urn:epc:id:sgtin:0312345.067890.1002'] }));
    expect(out.values).toContainEqual(['urn:epc:id:sgtin:0312345.067890.1002']);
  });

  it.each<Record<string, string>>([
    { MATCH_epc: 'urn:epc:idpat:sgtin:0312345.067890.*' },
    { MATCH_anyEPC: 'urn:epc:id:sgtin:0312345.067890.1|urn:epc:idpat:sgtin:0312345.067890.*' },
    { MATCH_epcClass: 'urn:epc:idpat:sgtin:0312345.067890.*' },
    { EQ_type: 'Temperature' },
  ])('leaves %j to the exact matcher (no SQL condition)', (params) => {
    expect(prefilter(params).where).toEqual([]);
  });
});
