// Nest ships only ES modules, which this Jest does not load: its decorators become no-ops here (the
// routes themselves are exercised over HTTP in test/services/epcis-rest.test.ts).
jest.mock('@nestjs/common', () => new Proxy({}, {
  get: (_t, name) => (name === 'Logger' ? class { error(): void {} } : name === '__esModule' ? false : () => () => undefined),
}));
jest.mock('@nestjs/graphql', () => ({}));
jest.mock('@pedigree/platform', () => ({ Roles: () => () => undefined }));

import { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import type { PartnerContext } from '../partner-context';
import { EpcisCaptureController } from './capture.controller';
import type { EpcisCaptureJobs } from './capture-jobs';
import { eventAnswerFormat } from './media-type';
import { EpcisProblem } from './problem';
import { EpcisQueryController } from './query.controller';

/**
 * The binding's answers checked against GS1's EPCIS 2.0 OpenAPI (REST Bindings/openapi.yaml), row by
 * row, on the controllers with the ledger and the read model stubbed: status codes, the discovery
 * headers, Location, and the problem body's type. What needs the network is in
 * test/services/epcis-rest.test.ts. docs/epcis-rest.md has the conformance table these rows back.
 */
class FakeResponse {
  readonly headers: Record<string, string> = {};
  setHeader(name: string, value: string): this {
    this.headers[name.toLowerCase()] = String(value);
    return this;
  }
}

const XML_12 = `<?xml version="1.0"?><epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2" creationDate="2026-03-01T09:00:00Z">
<EPCISBody><EventList><ObjectEvent><eventTime>2026-03-01T08:00:00.000-05:00</eventTime><eventTimeZoneOffset>-05:00</eventTimeZoneOffset>
<epcList><epc>urn:epc:id:sgtin:0312345.012345.1001</epc></epcList><action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep></ObjectEvent>
</EventList><extension><batchRef>B-1</batchRef></extension></EPCISBody></epcis:EPCISDocument>`;

function request(body: string, headers: Record<string, string>): Request {
  return Object.assign(Readable.from([body]), { headers, body: undefined }) as unknown as Request;
}

function captureController(): { controller: EpcisCaptureController; run: jest.Mock } {
  const run = jest.fn();
  const jobs = {
    repository: { createUnlessCaptured: jest.fn(async () => ({ created: true })), list: jest.fn(async () => []), get: jest.fn(async () => null) },
    run,
  } as unknown as EpcisCaptureJobs;
  return { controller: new EpcisCaptureController(jobs), run };
}

const queryController = (): EpcisQueryController => new EpcisQueryController({ database: { dataSource: {} } } as unknown as PartnerContext);

const DISCOVERY = ['gs1-epcis-version', 'gs1-epcis-min', 'gs1-epcis-max', 'gs1-cbv-version', 'gs1-cbv-min', 'gs1-cbv-max', 'gs1-epc-format', 'gs1-cbv-xml-format', 'gs1-extensions', 'gs1-vendor-version'];

describe('OPTIONS answers the OpenAPI discovery headers and Allow', () => {
  it.each<[string, (res: Response) => void, string, string[]]>([
    ['OPTIONS / (204DefaultDiscoveryResponse)', (res) => queryController().options(res), 'OPTIONS, GET', []],
    ['OPTIONS /events', (res) => queryController().options(res), 'OPTIONS, GET', []],
    ['OPTIONS /queries (204WritableResourcesDiscovery)', (res) => queryController().queriesOptions(res), 'OPTIONS, GET, POST', []],
    ['OPTIONS /queries/{queryName} (204RemovableResourcesDiscovery)', (res) => queryController().queryOptions(res), 'OPTIONS, GET, DELETE', []],
    ['OPTIONS /capture (204CaptureEndpointDiscovery)', (res) => captureController().controller.captureOptions(res), 'OPTIONS, POST, GET',
      ['gs1-epcis-capture-limit', 'gs1-epcis-capture-file-size-limit', 'gs1-capture-error-behaviour']],
    ['OPTIONS /capture/{captureID}', (res) => captureController().controller.jobOptions(res), 'OPTIONS, GET', []],
  ])('%s', (_route, call, allow, extra) => {
    const res = new FakeResponse();
    call(res as unknown as Response);
    expect(res.headers['allow']).toBe(allow);
    for (const name of [...DISCOVERY, ...extra]) expect(res.headers).toHaveProperty([name]);
    expect(res.headers['gs1-epc-format']).toContain('Never_Translates');
  });
});

describe('GET / lists the top-level resources (200SupportedTopLevel)', () => {
  it('as a Collection of the nine resources, with the version headers', () => {
    const res = new FakeResponse();
    const body = queryController().topLevel(res as unknown as Response) as { type: string; member: string[] };
    expect(body.type).toBe('Collection');
    expect(body.member.sort()).toEqual(['bizLocations', 'bizSteps', 'capture', 'dispositions', 'epcs', 'eventTypes', 'events', 'queries', 'readPoints']);
    expect(res.headers['gs1-epcis-version']).toBe('2.0.0');
  });
});

describe('POST /capture', () => {
  it('202: Location of the capture job, the version headers, and what XML carried with no 2.0 form named in x-epcis-omitted', async () => {
    const { controller, run } = captureController();
    const res = new FakeResponse();
    await controller.capture(request(XML_12, { 'content-type': 'application/xml' }) as never, res as unknown as Response);
    expect(res.headers['location']).toMatch(/^\/capture\/[0-9a-f-]{36}$/);
    expect(res.headers['gs1-epcis-version']).toBe('2.0.0');
    expect(res.headers['gs1-cbv-version']).toBe('2.0.0');
    expect(res.headers['gs1-extensions']).toContain('gs1ushc=');
    expect(res.headers['x-epcis-omitted']).toBe('/EPCISDocument/EPCISBody/extension');
    expect(run).toHaveBeenCalledTimes(1);
  });

  it.each<[string, Record<string, string>, string, number, string]>([
    ['415 for a media type the OpenAPI does not list', { 'content-type': 'text/csv' }, 'a,b', 415, 'UnsupportedMediaTypeException'],
    ['400 for a body that is not JSON', { 'content-type': 'application/json' }, '{', 400, 'ValidationException'],
    ['400 for JSON that is no EPCIS document', { 'content-type': 'application/ld+json' }, '{"type":"Nope"}', 400, 'ValidationException'],
    ['400 for a GS1-Capture-Error-Behaviour outside rollback/proceed', { 'content-type': 'application/xml', 'gs1-capture-error-behaviour': 'all' }, XML_12, 400, 'ValidationException'],
    ['406 for a GS1-EPCIS-Version this repository does not capture', { 'content-type': 'application/xml', 'gs1-epcis-version': '3.0.0' }, XML_12, 406, 'NotAcceptableException'],
    ['406 for a GS1-CBV-Version this repository does not capture', { 'content-type': 'application/xml', 'gs1-cbv-version': '2.1' }, XML_12, 406, 'NotAcceptableException'],
    ['413 for a Content-Length over GS1-EPCIS-Capture-File-Size-Limit', { 'content-type': 'application/xml', 'content-length': String(1024 ** 4) }, XML_12, 413, 'CaptureLimitExceededException'],
  ])('%s', async (_name, headers, body, status, exception) => {
    const { controller, run } = captureController();
    const err = await controller.capture(request(body, headers) as never, new FakeResponse() as unknown as Response).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EpcisProblem);
    expect((err as EpcisProblem).status).toBe(status);
    expect((err as EpcisProblem).body('/capture')).toMatchObject({ type: `epcisException:${exception}`, title: expect.any(String), status, instance: '/capture' });
    if (status === 413) expect((err as EpcisProblem).headers).toHaveProperty(['GS1-EPCIS-Capture-Limit']);
    if (status === 415) expect((err as EpcisProblem).headers).toHaveProperty(['Accept-Post']);
    expect(run).not.toHaveBeenCalled();
  });
});

describe('POST /events (synchronous single-event capture)', () => {
  it('is 501 ImplementationException naming where single events are captured', () => {
    expect(() => queryController().captureOne()).toThrow(expect.objectContaining({ status: 501, exception: 'ImplementationException' }));
  });
});

describe('GS1-EPCIS-Min/Max and GS1-CBV-Min/Max on a query: 406 when they do not meet 1.2.0–2.0.0', () => {
  it.each<[Record<string, string>, number | 'ok']>([
    [{ 'gs1-epcis-min': '1.0.0', 'gs1-epcis-max': '2.0.0' }, 'ok'],
    [{ 'gs1-epcis-min': '2.0' }, 'ok'],
    [{ 'gs1-cbv-max': '1.2.0' }, 'ok'],
    [{ 'gs1-epcis-min': '2.1.0' }, 406],
    [{ 'gs1-epcis-max': '1.1' }, 406],
    [{ 'gs1-cbv-min': '3' }, 406],
    [{ 'gs1-epcis-min': '2.0.0', 'gs1-epcis-max': '1.2.0' }, 406],
    [{ 'gs1-epcis-min': 'latest' }, 406],
  ])('%j -> %s', (headers, expected) => {
    if (expected === 'ok') expect(() => eventAnswerFormat(headers)).not.toThrow();
    else expect(() => eventAnswerFormat(headers)).toThrow(expect.objectContaining({ status: expected, exception: 'NotAcceptableException' }));
  });

  it.each(['Never_Translates', 'never_translates'])('GS1-EPC-Format and GS1-CBV-XML-Format take the OpenAPI\'s fourth value %s', (value) => {
    expect(eventAnswerFormat({ 'gs1-epc-format': value, 'gs1-cbv-xml-format': value, accept: 'application/xml' })).toMatchObject({ epc: 'Never_Translates', cbv: 'Never_Translates' });
  });
});
