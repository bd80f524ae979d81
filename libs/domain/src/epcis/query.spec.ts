import { isDomainError } from '../errors';
import { VALID_EVENTS } from './epcis-examples';
import { epcMatches, parseEpcisQuery, runEpcisQuery } from './query';

const EVENTS = Object.entries(VALID_EVENTS).map(([name, e]) => ({ ...e, 'example:name': name }));
const names = (params: Record<string, string | string[]>): string[] => runEpcisQuery(EVENTS, parseEpcisQuery(params)).map((e) => String(e['example:name'])).sort();

describe('EPCIS 2.0 SimpleEventQuery', () => {
  it.each([
    [{ eventType: 'AssociationEvent' }, ['association', 'associationDelete']],
    [{ eventType: 'TransformationEvent|AssociationEvent', EQ_bizStep: 'urn:epcglobal:cbv:bizstep:repackaging' }, ['transformation']],
    [{ EQ_bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping', EQ_action: 'OBSERVE' }, ['objectShip']],
    [{ EQ_disposition: 'recalled' }, ['objectClassLevel']],
    [{ MATCH_epc: 'https://id.gs1.org/01/00312345678906/21/1002' }, ['aggregationPack', 'objectCommission', 'objectErrorDeclared', 'transaction']],
    [{ MATCH_anyEPC: 'urn:epc:id:sgtin:0312345.067890.1002' }, ['aggregationPack', 'objectCommission', 'objectErrorDeclared', 'transaction', 'transformation']],
    [{ MATCH_epc: 'urn:epc:idpat:sgtin:4012345.011111.*' }, ['objectAllSchemes']],
    [{ MATCH_parentID: 'https://example.org/00/003123451234567899' }, ['aggregationPack', 'aggregationUnpack', 'transaction']],
    [{ MATCH_epcClass: 'urn:epc:idpat:sgtin:0312345.067890.*' }, ['aggregationPack', 'objectClassLevel', 'transaction']],
    [{ MATCH_outputEPCClass: 'urn:epc:idpat:sgtin:0312345.167890.*' }, ['transformation']],
    [{ GE_quantity: '100' }, ['objectClassLevel']],
    [{ EQ_readPoint: 'https://id.gs1.org/414/0312345000011', eventType: 'ObjectEvent' }, ['objectAllSchemes', 'objectCommission', 'objectSensorOnly']],
    [{ EQ_bizTransaction_po: 'urn:epcglobal:cbv:bt:0398765000006:PO-4711' }, ['objectShip']],
    [{ 'EQ_source_owning_party': 'https://id.gs1.org/417/0312345000004' }, ['objectShip']],
    [{ EQ_type: 'Temperature', EQ_deviceID: 'urn:epc:id:giai:4012345.TEMP-7' }, ['objectSensorOnly']],
    [{ EXISTS_errorDeclaration: 'true', EQ_errorReason: 'incorrect_data' }, ['objectErrorDeclared']],
    [{ 'EQ_gs1ushc:dropShipment': 'false' }, ['objectShip']],
    [{ 'EXISTS_ilmd': 'true', GE_eventTime: '2026-03-01T09:15:30.123Z', LT_eventTime: '2026-03-01T09:15:30.124Z' }, ['objectCommission', 'transformation']],
  ] as const)('%j', (params, expected) => {
    expect(names(params as Record<string, string>)).toEqual([...expected].sort());
  });

  it('orders and limits', () => {
    const ordered = runEpcisQuery([{ type: 'ObjectEvent', eventTime: '2026-01-02T00:00:00Z' }, { type: 'ObjectEvent', eventTime: '2026-01-01T00:00:00-05:00' }, { type: 'ObjectEvent', eventTime: '2026-01-01T00:00:00Z' }],
      parseEpcisQuery({ orderBy: 'eventTime', orderDirection: 'ASC', eventCountLimit: '2' }));
    expect(ordered.map((e) => e.eventTime)).toEqual(['2026-01-01T00:00:00Z', '2026-01-01T00:00:00-05:00']);
    expect(() => runEpcisQuery(EVENTS, parseEpcisQuery({ maxEventCount: '3' }))).toThrow(/maxEventCount/);
  });

  it.each([
    [{ EQ_bizStp: 'shipping' }, 'EQ_bizStp'],
    [{ EQ_bizStep: 'shiping' }, 'EQ_bizStep'],
    [{ eventType: 'MagicEvent' }, 'eventType'],
    [{ GE_eventTime: 'yesterday' }, 'GE_eventTime'],
    [{ GE_eventTime: '2026-01-01T00:00:00' }, 'GE_eventTime'],
    [{ EQ_action: 'TELEPORT' }, 'EQ_action'],
    [{ eventCountLimit: '0', orderBy: 'eventTime' }, 'eventCountLimit'],
    [{ eventCountLimit: '5' }, 'eventCountLimit'],
    [{ orderDirection: 'UP' }, 'orderDirection'],
  ])('refuses %j naming the parameter', (params, parameter) => {
    try {
      parseEpcisQuery(params);
      throw new Error('accepted');
    } catch (e) {
      expect(isDomainError(e) && e.code === 'EPCIS_QUERY_INVALID' && (e.details as { parameter?: string }).parameter).toBe(parameter);
    }
  });

  it.each([
    ['urn:epc:id:sgtin:0312345.067890.1', 'urn:epc:idpat:sgtin:0312345.067890.*', true],
    ['https://id.gs1.org/01/00312345678906/21/1', 'urn:epc:idpat:sgtin:0312345.067890.*', true],
    ['urn:epc:id:sgtin:0312345.067890.1', 'urn:epc:idpat:sgtin:0312345.*.*', true],
    ['urn:epc:id:sgtin:0312345.067891.1', 'urn:epc:idpat:sgtin:0312345.067890.*', false],
    ['urn:epc:id:sscc:0312345.0123456789', 'https://example.org/00/003123451234567899', true],
    ['urn:epc:id:sgtin:0312345.067890.1', 'urn:epc:idpat:sgtin:*.*.*', true],
  ])('%s under %s: %s', (epc, pattern, expected) => {
    expect(epcMatches(epc, pattern)).toBe(expected);
  });
});
