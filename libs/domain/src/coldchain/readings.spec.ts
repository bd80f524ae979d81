import fc from 'fast-check';
import { DomainError } from '../errors';
import { readEpcisXml } from '../epcis/xml';
import type { EpcisEvent } from '../epcis/events';
import { batchSpan, parseConditionSource, readingsBatchSha256, readingsFromCsv, readingsFromEpcis, readingsFromEpcisDocument, type ReadingsBatch } from './readings';

const T = (iso: string) => Date.parse(iso);
const SALT = '0123456789abcdef0123456789abcdef';
const CASE = { kind: 'container', id: 'urn:epc:id:sscc:0312345.1000000001' } as const;

describe('readingsFromCsv', () => {
  it('reads a logger export with a header, comments, offsets and °C', () => {
    const csv = '# logger TL-7, case 1\ntime,temperature,humidity\n2026-03-01T08:00:00Z,5.1,40\n2026-03-01T09:01:00+01:00,5.3,\n\n2026-03-01T08:02:00Z,-0.5,41.5\n';
    expect(readingsFromCsv(csv)).toEqual([
      { atMs: T('2026-03-01T08:00:00Z'), celsius: 5.1, humidityPercent: 40 },
      { atMs: T('2026-03-01T08:01:00Z'), celsius: 5.3 },
      { atMs: T('2026-03-01T08:02:00Z'), celsius: -0.5, humidityPercent: 41.5 },
    ]);
  });

  it.each([
    ['comma and decimal point', 'Timestamp,Temp_C\n2026-03-01T08:00:00Z,5.1\n2026-03-01T08:01:00Z,8.25', [5.1, 8.25]],
    ['semicolon and decimal comma', 'Date/Time;Temperature (°C)\n2026-03-01T08:00:00Z;5,1\n2026-03-01T08:01:00Z;8,25', [5.1, 8.25]],
    ['°F, converted', 'time,temperature_f\n2026-03-01T08:00:00Z,41\n2026-03-01T08:01:00Z,46.4', [5, 8]],
    ['quoted cells and a BOM', '\uFEFF"time","temperature"\n"2026-03-01T08:00:00Z","5.1"\n"2026-03-01T08:01:00Z","8.25"', [5.1, 8.25]],
  ])('reads %s', (_name, csv, celsius) => {
    expect(readingsFromCsv(csv).map((r) => r.celsius)).toEqual(celsius.map((c) => expect.closeTo(c, 9)));
  });

  it.each([
    ['no header', '', 'empty'],
    ['no time column', 'when,temperature\nx,1', 'no time column'],
    ['no temperature column', 'time,pressure\n2026-03-01T08:00:00Z,1', 'no temperature column'],
    ['a time without its offset (the zone would be a guess)', 'time,temperature\n2026-03-01T08:00:00,5', 'time malformed'],
    ['a value that is not a number', 'time,temperature\n2026-03-01T08:00:00Z,warm', 'not a number'],
    ['rows out of order', 'time,temperature\n2026-03-01T08:01:00Z,5\n2026-03-01T08:00:00Z,5', 'not ascending'],
    ['a Kelvin value in the °C column', 'time,temperature\n2026-03-01T08:00:00Z,278.15', 'implausible temperature'],
    ['only a header', 'time,temperature\n', 'empty'],
  ])('refuses %s (READINGS_INVALID)', (_name, csv, reason) => {
    expect(() => readingsFromCsv(csv)).toThrow(expect.objectContaining({ code: 'READINGS_INVALID', details: expect.objectContaining({ reason }) }));
  });

  it('names the line of a bad cell', () => {
    expect(() => readingsFromCsv('# x\ntime,temperature\n2026-03-01T08:00:00Z,5\n2026-03-01T08:01:00Z,?')).toThrow(expect.objectContaining({ details: expect.objectContaining({ line: 4 }) }));
  });

  it('any text is readings or a typed refusal; what it reads reads back from its own CSV (fast-check)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => {
      try {
        readingsFromCsv(text);
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
      }
    }), { numRuns: 500 });
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 600 }), fc.integer({ min: -300, max: 400 })), { minLength: 1, maxLength: 50 }), (rows) => {
      let t = T('2026-03-01T00:00:00Z');
      const want = rows.map(([step, tenths]) => ({ atMs: (t += step * 1000), celsius: tenths / 10 }));
      const csv = ['time,temperature', ...want.map((r) => `${new Date(r.atMs).toISOString()},${r.celsius}`)].join('\n');
      expect(readingsFromCsv(csv)).toEqual(want);
    }), { numRuns: 200 });
  });
});

const sensorEvent = (time: string, reports: unknown[]): EpcisEvent => ({
  type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'sensor_reporting', eventTime: time, eventTimeZoneOffset: '+00:00', epcList: [CASE.id],
  sensorElementList: [{ sensorMetadata: { time, deviceID: 'urn:epc:id:giai:0312345.TL7' }, sensorReport: reports }],
} as unknown as EpcisEvent);

describe('readingsFromEpcis', () => {
  it('takes temperature reports, in time order, with humidity of the same time, and the device', () => {
    const events = [
      sensorEvent('2026-03-01T08:01:00Z', [{ type: 'gs1:Temperature', value: 41, uom: 'FAH' }, { type: 'gs1:RelativeHumidity', value: 40, uom: 'A93' }]),
      sensorEvent('2026-03-01T08:00:00Z', [{ type: 'Temperature', value: 5 }, { type: 'gs1:Illuminance', value: 300 }]),
      sensorEvent('2026-03-01T08:02:00Z', [{ type: 'https://gs1.org/voc/Temperature', meanValue: 278.15, uom: 'KEL', time: '2026-03-01T08:02:30Z' }]),
    ];
    const got = readingsFromEpcis(events);
    expect(got.deviceId).toBe('urn:epc:id:giai:0312345.TL7');
    expect(got.readings).toEqual([
      { atMs: T('2026-03-01T08:00:00Z'), celsius: 5 },
      { atMs: T('2026-03-01T08:01:00Z'), celsius: expect.closeTo(5, 9), humidityPercent: 40 },
      { atMs: T('2026-03-01T08:02:30Z'), celsius: expect.closeTo(5, 9) },
    ]);
  });

  it('reads the same readings from EPCIS 2.0 XML through the XML reader', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2026-03-01T09:00:00Z">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2026-03-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
      <epcList><epc>${CASE.id}</epc></epcList><action>OBSERVE</action>
      <sensorElementList><sensorElement>
        <sensorMetadata time="2026-03-01T08:00:00Z" deviceID="urn:epc:id:giai:0312345.TL7"/>
        <sensorReport type="gs1:Temperature" value="5.5" uom="CEL"/>
        <sensorReport type="gs1:Temperature" value="9.5" uom="CEL" time="2026-03-01T08:10:00Z"/>
      </sensorElement></sensorElementList>
    </ObjectEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>`;
    expect(readingsFromEpcisDocument(readEpcisXml(xml).document).readings.map((r) => r.celsius)).toEqual([5.5, 9.5]);
    expect(readingsFromEpcisDocument(sensorEvent('2026-03-01T08:00:00Z', [{ type: 'gs1:Temperature', value: 4 }])).readings).toHaveLength(1);
    expect(() => readingsFromEpcisDocument({ hello: 1 })).toThrow(expect.objectContaining({ code: 'READINGS_INVALID' }));
  });

  it.each([
    ['no temperature at all', [sensorEvent('2026-03-01T08:00:00Z', [{ type: 'gs1:Illuminance', value: 1 }])], 'no temperature'],
    ['an unknown unit', [sensorEvent('2026-03-01T08:00:00Z', [{ type: 'gs1:Temperature', value: 1, uom: 'XYZ' }])], 'unit unknown'],
  ])('refuses %s', (_name, events, reason) => {
    expect(() => readingsFromEpcis(events)).toThrow(expect.objectContaining({ code: 'READINGS_INVALID', details: expect.objectContaining({ reason }) }));
  });
});

describe('readingsBatchSha256', () => {
  const batch: ReadingsBatch = { source: CASE, deviceId: 'TL-7', readings: [{ atMs: T('2026-03-01T08:00:00Z'), celsius: 5 }, { atMs: T('2026-03-01T08:01:00Z'), celsius: 5.2, humidityPercent: 40 }] };

  it('is stable, and changes with any reading, the source, the device or the salt', () => {
    const h = readingsBatchSha256(batch, SALT);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(readingsBatchSha256({ ...batch, readings: [...batch.readings] }, SALT)).toBe(h);
    const variants: ReadingsBatch[] = [
      { ...batch, readings: [batch.readings[0]!, { ...batch.readings[1]!, celsius: 5.3 }] },
      { ...batch, readings: [batch.readings[0]!] },
      { ...batch, source: { ...CASE, id: 'urn:epc:id:sscc:0312345.1000000002' } },
      { ...batch, deviceId: 'TL-8' },
    ];
    for (const v of variants) expect(readingsBatchSha256(v, SALT)).not.toBe(h);
    expect(readingsBatchSha256(batch, 'f'.repeat(32))).not.toBe(h);
  });

  it('refuses a short salt', () => {
    expect(() => readingsBatchSha256(batch, 'abc')).toThrow(expect.objectContaining({ code: 'READINGS_INVALID' }));
  });

  it('spans the first to the last reading', () => {
    expect(batchSpan(batch)).toEqual({ firstAt: '2026-03-01T08:00:00.000Z', lastAt: '2026-03-01T08:01:00.000Z' });
  });
});

describe('parseConditionSource', () => {
  it.each([
    [{ kind: 'shipment', id: 'tx-1' }, undefined],
    [{ kind: 'truck', id: 'x' }, 'source.kind'],
    [{ kind: 'location', id: '' }, 'source.id'],
    [{ kind: 'location', id: 'x', gln: 'y' }, 'source.gln'],
    ['x', 'source'],
    [{ kind: 'location', id: 'urn:epc:id:sgln:0356789.00000.FRIDGE1' }, undefined],
    [{ kind: 'location', id: 'back room' }, 'source.id'],
    [{ kind: 'location', id: '0356789000009' }, 'source.id'],
  ])('%j', (value, field) => {
    if (field === undefined) expect(parseConditionSource(value)).toEqual(value);
    else expect(() => parseConditionSource(value)).toThrow(expect.objectContaining({ code: 'READINGS_INVALID', details: expect.objectContaining({ field }) }));
  });

  it("a location's GLN is the SGLN its receipts name", () => {
    expect(parseConditionSource({ kind: 'location', id: '0356789000008' })).toEqual({ kind: 'location', id: 'urn:epc:id:sgln:0356789.00000.0' });
  });
});
