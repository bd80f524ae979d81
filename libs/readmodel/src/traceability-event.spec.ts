import { decodeTransactionEvents } from './traceability-event';

const event = (eventId: string) => ({ schema: 'pedigree.traceability', version: 1, type: 'commission', eventId, txId: 't1', txTime: '2026-03-01T10:00:00.000Z', actor: 'M', records: [], epcis: [] });
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('decodeTransactionEvents', () => {
  it.each([
    ['one command\'s event', event('e1'), { type: 'commission', eventId: 'e1', events: 1 }],
    ['a Capture\'s batch, in order', { schema: 'pedigree.traceability.batch', version: 1, eventId: 'doc', txId: 't1', txTime: 'x', actor: 'M', events: [event('e1'), event('e2')] }, { type: 'capture', eventId: 'doc', events: 2 }],
    ['a batch keeps only traceability events', { schema: 'pedigree.traceability.batch', version: 1, eventId: 'doc', txId: 't1', actor: 'M', events: [event('e1'), { schema: 'other' }] }, { type: 'capture', eventId: 'doc', events: 1 }],
  ])('decodes %s', (_name, payload, expected) => {
    const decoded = decodeTransactionEvents(bytes(payload));
    expect({ type: decoded?.type, eventId: decoded?.eventId, events: decoded?.events.length }).toEqual(expected);
  });

  it.each([
    ['the probe\'s event', { key: 'k' }],
    ['not JSON', '{'],
    ['a batch without events', { schema: 'pedigree.traceability.batch', eventId: 'doc' }],
    ['null', 'null'],
  ])('ignores %s', (_name, payload) => {
    expect(decodeTransactionEvents(bytes(payload))).toBeUndefined();
  });
});
