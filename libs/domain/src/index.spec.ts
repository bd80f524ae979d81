import * as domain from '@pedigree/domain';

describe('@pedigree/domain public API', () => {
  it('resolves through the path alias and exposes the entry points the chaincode and apps use', () => {
    for (const name of ['parseScan', 'applyCommand', 'aggregate', 'shipContainer', 'receiveContainer', 'commissionEvent', 'computeEventHashId', 'validateEpcisDocument', 'canonicalJson', 'sgtinToEpcUrn', 'ndcToGtin14', 'verifyProductIdentifier']) {
      expect(typeof (domain as Record<string, unknown>)[name]).toBe('function');
    }
    expect(domain.DomainErrorCode.ILLEGAL_TRANSITION).toBe('ILLEGAL_TRANSITION');
  });

  it('maps every error code to a transport category', () => {
    for (const code of Object.values(domain.DomainErrorCode)) expect(domain.DOMAIN_ERROR_CATEGORY[code]).toMatch(/^(BAD_INPUT|FORBIDDEN|NOT_FOUND|CONFLICT|INTERNAL)$/);
  });

  it('ships a pack end to end with events and records that agree', () => {
    const at = '2026-03-02T09:00:00-05:00';
    const pack = domain.applyCommand(undefined, { type: 'commission', gtin: '00312345678906', serial: 'A', lot: 'L1', expiry: '2027-11-30', manufacturer: 'Mfr' }, 'Mfr', at);
    const event = domain.commissionEvent({ eventTime: at, epcs: [pack.id], lot: pack.lot, expiry: pack.expiry });
    expect(event.epcList).toEqual([pack.id]);
    expect(domain.validateEpcisEvent(event, { dscsa: true })).toEqual([]);
    expect(domain.parseScan(domain.buildDigitalLink({ '01': pack.gtin, '21': pack.serial })).serial).toBe('A');
  });
});
