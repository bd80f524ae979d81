import WebSocket from 'ws';
import { epcUrnToDigitalLink, readEpcisXml, sgtinToEpcUrn } from '@pedigree/domain';
import { key, Postgres, runId, Service } from './support';

/**
 * The EPCIS 2.0 REST binding on the real network: POST /capture answering 202 with a capture job,
 * the job's outcome under rollback and proceed, 409 / 413 / 415, access per role, and GET /events
 * with the standard's parameters and nextPageToken pagination.
 */
const GTIN = '00312345678906';
const NDC = '12345-678-90';
const LOT = `R${runId}`.slice(0, 20);
const serial = (n: number) => `R${runId}${n}`.slice(0, 20);
const epc = (n: number) => sgtinToEpcUrn(GTIN, serial(n));
// Ports of their own, shifted by the whole offset (as the network's are), so this file never meets
// another suite's services nor another checkout's.
const offset = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
const SERVICE_PORT = 5181 + offset;
const PG_PORT = 5189 + offset;
const FILE_SIZE_LIMIT = 60_000;
const CAPTURE_LIMIT = 20;

let clock = Date.parse('2026-06-01T08:00:00Z');
const commission = (serials: number[], expiry = '2030-12-31') => ({
  type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', disposition: 'active',
  eventTime: new Date((clock += 60_000)).toISOString(), eventTimeZoneOffset: '+00:00',
  epcList: serials.map(epc), readPoint: { id: 'urn:epc:id:sgln:0312345.00001.0' },
  ilmd: { 'cbvmda:lotNumber': LOT, 'cbvmda:itemExpirationDate': expiry },
});
const document = (events: unknown[]) => ({
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0',
  creationDate: new Date().toISOString(), epcisBody: { eventList: events },
});

let pg: Postgres;
let m: Service;
const suiteStart = new Date(Date.now() - 5000).toISOString();
const operator = key('manufacturer', 'operator');
const auditor = key('manufacturer', 'auditor');

beforeAll(async () => {
  pg = await Postgres.start('e2e-epcis-rest', PG_PORT);
  m = new Service('manufacturer', pg.databaseUrl(`epcisrest_${runId}`), SERVICE_PORT);
  await m.start({ PEDIGREE_EPCIS_CAPTURE_LIMIT: String(CAPTURE_LIMIT), PEDIGREE_EPCIS_CAPTURE_FILE_SIZE_LIMIT: String(FILE_SIZE_LIMIT), PEDIGREE_EPCIS_MAX_SUBSCRIPTIONS: '2' });
  await m.ok(operator, `mutation { registerProduct(ndc: "${NDC}", name: "Amoxicillin 500 mg capsules", strength: "500 mg", dosageForm: "capsule", packSize: "30 capsules") { transactionId } }`);
}, 240_000);

afterAll(async () => {
  await m?.kill('SIGTERM');
  await pg?.stop();
});

const capture = (body: unknown, headers: Record<string, string> = {}, apiKey = operator) =>
  fetch(`${m.url}/capture`, { method: 'POST', headers: { 'content-type': 'application/ld+json', 'x-api-key': apiKey, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const get = (path: string, apiKey = auditor) => fetch(`${m.url}${path}`, { headers: { 'x-api-key': apiKey } });

interface Job { captureID: string; running: boolean; success: boolean; captureErrorBehaviour: string; recordedCount: number; eventCount: number; errors: Array<{ type: string; eventIndex?: number; detail?: string; instance?: string }> }

async function finished(location: string): Promise<Job> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const job = (await (await get(location)).json()) as Job;
    if (!job.running) return job;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`capture job ${location} still running`);
}

async function captured(body: unknown, headers: Record<string, string> = {}): Promise<Job> {
  const res = await capture(body, headers);
  expect(res.status).toBe(202);
  return finished(String(res.headers.get('location')));
}

type QueryDocument = { type: string; epcisBody: { queryResults: { resultsBody: { eventList: Array<Record<string, unknown>> } } } };
const eventsOf = async (res: Response) => ((await res.json()) as QueryDocument).epcisBody.queryResults.resultsBody.eventList;

describe('EPCIS 2.0 REST binding: capture', () => {
  let first: ReturnType<typeof document>;

  it('answers 202 with the Location of a capture job that records the document (rollback by default)', async () => {
    first = document([commission([1, 2]), commission([3, 4])]);
    const res = await capture(first);
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toMatch(/^\/capture\/[0-9a-f-]{36}$/);
    expect(res.headers.get('gs1-epcis-version')).toBe('2.0.0');
    expect(res.headers.get('gs1-cbv-version')).toBe('2.0.0');
    expect(res.headers.get('gs1-extensions')).toContain('gs1ushc=');
    const job = await finished(String(res.headers.get('location')));
    expect(job).toMatchObject({ running: false, success: true, captureErrorBehaviour: 'rollback', eventCount: 2, recordedCount: 2, errors: [] });
  });

  it('refuses the same document again with 409 ResourceAlreadyExistsException', async () => {
    const res = await capture(first);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ type: 'epcisException:ResourceAlreadyExistsException', status: 409 });
  });

  it('rollback: one invalid event and nothing is recorded', async () => {
    const job = await captured(document([commission([5]), commission([6], '2030-02-31')]));
    expect(job).toMatchObject({ running: false, success: false, captureErrorBehaviour: 'rollback', recordedCount: 0 });
    expect(job.errors).toEqual([expect.objectContaining({ type: 'epcisException:ValidationException', eventIndex: 1, instance: 'epcisBody.eventList[1]' })]);
    expect(await eventsOf(await get(`/events?MATCH_epc=${encodeURIComponent(epc(5))}`))).toEqual([]);
  });

  it('proceed: the valid events are recorded, the invalid one listed', async () => {
    const job = await captured(document([commission([7]), commission([8], '2030-02-31')]), { 'GS1-Capture-Error-Behaviour': 'proceed' });
    expect(job).toMatchObject({ running: false, success: false, captureErrorBehaviour: 'proceed', recordedCount: 1 });
    expect(job.errors.map((e) => e.eventIndex)).toEqual([1]);
    const events = await eventsOf(await get(`/events?MATCH_epc=${encodeURIComponent(epc(7))}`));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ObjectEvent', bizStep: expect.stringMatching(/commissioning/) });
  });

  it('rollback: a ledger refusal of one event records none of the document (one ledger transaction)', async () => {
    // Serial 1 is commissioned already: the chaincode refuses the second event, so the first is not recorded either.
    const job = await captured(document([commission([9]), commission([1])]));
    expect(job).toMatchObject({ running: false, success: false, recordedCount: 0 });
    expect(job.errors).toEqual([expect.objectContaining({ eventIndex: 1, detail: expect.stringMatching(/Nothing of the document was recorded/) })]);
    expect(await eventsOf(await get(`/events?MATCH_epc=${encodeURIComponent(epc(9))}`))).toEqual([]);
  });

  it('proceed: a ledger refusal of one event leaves the others recorded', async () => {
    const job = await captured(document([commission([1]), commission([10])]), { 'GS1-Capture-Error-Behaviour': 'proceed' });
    expect(job).toMatchObject({ running: false, success: false, recordedCount: 1 });
    expect(job.errors).toEqual([expect.objectContaining({ eventIndex: 0, type: 'epcisException:ValidationException' })]);
    expect(await eventsOf(await get(`/events?MATCH_epc=${encodeURIComponent(epc(10))}`))).toHaveLength(1);
  });

  it('413 above the event count and the size limits, with the limits in headers', async () => {
    const many = await capture(document(Array.from({ length: CAPTURE_LIMIT + 1 }, (_, i) => commission([100 + i]))));
    expect(many.status).toBe(413);
    expect(many.headers.get('gs1-epcis-capture-limit')).toBe(String(CAPTURE_LIMIT));
    expect(await many.json()).toMatchObject({ type: 'epcisException:CaptureLimitExceededException', status: 413 });
    const big = await capture(JSON.stringify({ ...document([commission([200])]), 'example:padding': 'x'.repeat(FILE_SIZE_LIMIT) }), { 'content-type': 'application/json' });
    expect(big.status).toBe(413);
    expect(big.headers.get('gs1-epcis-capture-file-size-limit')).toBe(String(FILE_SIZE_LIMIT));
  });

  it('415 for a media type it does not capture; 400 for a body that is not an EPCIS document', async () => {
    const plain = await capture('hello', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({ type: 'epcisException:UnsupportedMediaTypeException' });
    const notJson = await capture('{"type":', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    const badBehaviour = await capture(document([commission([201])]), { 'GS1-Capture-Error-Behaviour': 'sometimes' });
    expect(badBehaviour.status).toBe(400);
  });

  it('capture is for operators; jobs are listed newest first with pagination', async () => {
    expect((await capture(document([commission([202])]), {}, auditor)).status).toBe(403);
    expect((await fetch(`${m.url}/capture`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
    const page1 = await get('/capture?perPage=2');
    const jobs1 = (await page1.json()) as Job[];
    expect(jobs1).toHaveLength(2);
    const link = page1.headers.get('link');
    expect(link).toMatch(/^<\/capture\?perPage=2&nextPageToken=[^>]+>; rel="next"$/);
    const jobs2 = (await (await get(String(/<([^>]+)>/.exec(String(link))?.[1]))).json()) as Job[];
    expect(jobs2.length).toBeGreaterThan(0);
    expect(jobs2.map((j) => j.captureID)).not.toContain(jobs1[0]?.captureID);
    const options = await fetch(`${m.url}/capture`, { method: 'OPTIONS', headers: { 'x-api-key': operator } });
    expect(options.status).toBe(204);
    expect(options.headers.get('gs1-capture-error-behaviour')).toBe('all');
    expect(options.headers.get('allow')).toBe('OPTIONS, POST, GET');
  });
});

describe('the synchronous routes under /epcis', () => {
  it('keep answering as before beside the binding', async () => {
    const res = await fetch(`${m.url}/epcis/capture`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': operator }, body: JSON.stringify(document([commission([300])])) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ captured: 1 });
    const events = await fetch(`${m.url}/epcis/events?epc=${encodeURIComponent(epc(300))}`, { headers: { 'x-api-key': auditor } });
    expect(((await events.json()) as { epcisBody: { eventList: unknown[] } }).epcisBody.eventList).toHaveLength(1);
  });
});

describe('EPCIS 2.0 REST binding: query', () => {
  it('GET /events with the standard parameters, paged by nextPageToken and a Link header', async () => {
    const q = `eventType=ObjectEvent&EQ_bizStep=${encodeURIComponent('urn:epcglobal:cbv:bizstep:commissioning')}&MATCH_epc=${encodeURIComponent(`urn:epc:idpat:sgtin:0312345.067890.*`)}&GE_eventTime=2026-06-01T00:00:00Z&perPage=2`;
    const page1 = await get(`/events?${q}`);
    expect(page1.status).toBe(200);
    const events1 = await eventsOf(page1);
    expect(events1).toHaveLength(2);
    const link = page1.headers.get('link');
    expect(link).toMatch(/rel="next"$/);
    const seen = new Set(events1.map((e) => String(e['eventID'])));
    let next: string | undefined = /<([^>]+)>/.exec(String(link))?.[1];
    while (next) {
      const page = await get(next);
      for (const e of await eventsOf(page)) {
        expect(seen.has(String(e['eventID']))).toBe(false);
        seen.add(String(e['eventID']));
      }
      next = /<([^>]+)>/.exec(String(page.headers.get('link') ?? ''))?.[1];
    }
    // This suite's commissionings on this ledger: [1,2], [3,4], [7], [10] (and other suites' of the same prefix).
    expect(seen.size).toBeGreaterThanOrEqual(4);
    const mine = await eventsOf(await get(`/events?MATCH_anyEPC=${encodeURIComponent(epc(3))}`));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.['recordTime']).toEqual(expect.any(String));
    expect(await eventsOf(await get(`/events?MATCH_epc=${encodeURIComponent(epc(1))}&LT_eventTime=2000-01-01T00:00:00Z`))).toEqual([]);
    expect(await eventsOf(await get(`/epcs/${encodeURIComponent(epc(7))}/events`))).toHaveLength(1);
    expect(await eventsOf(await get(`/eventTypes/AggregationEvent/events?MATCH_anyEPC=${encodeURIComponent(epc(7))}`))).toEqual([]);
  });

  it('answers query errors with problem JSON: 400 QueryParameterException, a token of another query refused', async () => {
    const bad = await get('/events?EQ_bizStp=shipping');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await bad.json()).toMatchObject({ type: 'epcisException:QueryParameterException', status: 400, parameter: 'EQ_bizStp' });
    const page1 = await get('/events?eventType=ObjectEvent&perPage=1');
    const token = /nextPageToken=([^&>]+)/.exec(String(page1.headers.get('link')))?.[1];
    const other = await get(`/events?eventType=AggregationEvent&perPage=1&nextPageToken=${token}`);
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ parameter: 'nextPageToken' });
    const csv = await fetch(`${m.url}/events`, { headers: { 'x-api-key': auditor, accept: 'text/csv' } });
    expect(csv.status).toBe(406);
    const format = await fetch(`${m.url}/events`, { headers: { 'x-api-key': auditor, 'GS1-EPC-Format': 'Sometimes' } });
    expect(format.status).toBe(400);
    expect(await format.json()).toMatchObject({ type: 'epcisException:QueryParameterException', parameter: 'GS1-EPC-Format' });
    const tooMany = await get('/events?eventType=ObjectEvent&maxEventCount=1');
    expect(tooMany.status).toBe(413);
  });

  it('answers EPCIS 2.0 XML by Accept, and spells EPCs as GS1-EPC-Format asks', async () => {
    const query = `/events?MATCH_anyEPC=${encodeURIComponent(epc(3))}`;
    const xml = await fetch(`${m.url}${query}`, { headers: { 'x-api-key': auditor, accept: 'application/xml' } });
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toMatch(/^application\/xml/);
    const text = await xml.text();
    expect(text).toMatch(/<epcisq:EPCISQueryDocument [^>]*xmlns:epcisq="urn:epcglobal:epcis-query:xsd:2"/);
    expect(text).toMatch(/<queryName>SimpleEventQuery<\/queryName>\s*<resultsBody>\s*<EventList>\s*<(ObjectEvent|AggregationEvent)>/);
    // No GS1-EPC-Format: GS1 Digital Links, the binding's default, and the answer says so.
    expect(xml.headers.get('gs1-epc-format')).toBe('Always_GS1_Digital_Link');
    expect(text).toContain(epcUrnToDigitalLink(epc(3)));
    const dl = await fetch(`${m.url}${query}`, { headers: { 'x-api-key': auditor, 'GS1-EPC-Format': 'Always_GS1_Digital_Link' } });
    expect(dl.headers.get('gs1-epc-format')).toBe('Always_GS1_Digital_Link');
    const [event] = await eventsOf(dl);
    const ids = [...((event?.['epcList'] ?? []) as string[]), ...((event?.['childEPCs'] ?? []) as string[])];
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toMatch(/^https:\/\/id\.gs1\.org\/(01|00)\//);
    const urn = await eventsOf(await fetch(`${m.url}${query}`, { headers: { 'x-api-key': auditor, 'GS1-EPC-Format': 'Always_EPC_URN' } }));
    expect([...((urn[0]?.['epcList'] ?? []) as string[]), ...((urn[0]?.['childEPCs'] ?? []) as string[])]).toContain(epc(3));
  });

  it('answers EPCIS 1.2 XML by GS1-EPCIS-Version, CBV terms as GS1-CBV-XML-Format asks, and refuses versions it does not speak', async () => {
    const query = `/events?MATCH_anyEPC=${encodeURIComponent(epc(3))}`;
    const asJson = await eventsOf(await get(query));
    const v12 = await fetch(`${m.url}${query}`, { headers: { 'x-api-key': auditor, 'GS1-EPCIS-Version': '1.2.0' } });
    expect(v12.status).toBe(200);
    expect(v12.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(v12.headers.get('gs1-epcis-version')).toBe('1.2.0');
    expect(v12.headers.get('gs1-cbv-xml-format')).toBe('No_Preference');
    const text = await v12.text();
    expect(text).toMatch(/<epcisq:EPCISQueryDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" xmlns:epcisq="urn:epcglobal:epcis-query:xsd:1"/);
    expect(text).toMatch(/<bizStep>urn:epcglobal:cbv:bizstep:commissioning<\/bizStep>/);
    // The 1.2 answer's events, read as an EPCIS 1.2 document, are the JSON-LD answer's.
    const body = text.replace(/^[\s\S]*?<EventList>/, '<EventList>').replace(/<\/EventList>[\s\S]*$/, '</EventList>');
    const read = readEpcisXml(`<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" xmlns:cbvmda="urn:epcglobal:cbv:mda" schemaVersion="1.2" creationDate="2026-01-01T00:00:00Z"><EPCISBody>${body}</EPCISBody></epcis:EPCISDocument>`);
    expect((read.document['epcisBody'] as { eventList: unknown[] }).eventList.map((e) => (e as { eventID?: string }).eventID)).toEqual(asJson.map((e) => e['eventID']));
    const web = await fetch(`${m.url}${query}`, { headers: { 'x-api-key': auditor, accept: 'application/xml', 'GS1-CBV-XML-Format': 'Always_Web_URI' } });
    expect(web.headers.get('gs1-cbv-xml-format')).toBe('Always_Web_URI');
    const webText = await web.text();
    expect(webText).toMatch(/<bizStep>https:\/\/ref\.gs1\.org\/cbv\/BizStep-commissioning<\/bizStep>/);
    expect(webText).not.toMatch(/urn:epcglobal:cbv:bizstep:/);
    for (const [headers, status, type] of [
      [{ 'GS1-EPCIS-Version': '1.1.0' }, 406, 'NotAcceptableException'],
      [{ 'GS1-EPCIS-Version': '1.2.0', accept: 'application/ld+json' }, 406, 'NotAcceptableException'],
      [{ 'GS1-CBV-XML-Format': 'Sometimes' }, 400, 'QueryParameterException'],
    ] as const) {
      const res = await fetch(`${m.url}${query}`, { headers: { 'x-api-key': auditor, ...headers } });
      expect(res.status).toBe(status);
      expect(((await res.json()) as { type: string }).type).toBe(`epcisException:${type}`);
    }
  });

  it('lists the top-level resources: eventTypes, bizSteps, readPoints, epcs', async () => {
    expect(await (await get('/eventTypes')).json()).toMatchObject({ type: 'Collection', member: expect.arrayContaining(['ObjectEvent', 'AggregationEvent']) });
    expect(((await (await get('/bizSteps?perPage=1000')).json()) as { member: string[] }).member.some((s) => /commissioning/.test(s))).toBe(true);
    // The ledger's events carry no read point of the captured document: an empty, well-formed collection.
    const readPoints = (await (await get('/readPoints')).json()) as { type: string; member: unknown };
    expect(readPoints.type).toBe('Collection');
    expect(Array.isArray(readPoints.member)).toBe(true);
    const epcs = await get('/epcs?perPage=1');
    expect(((await epcs.json()) as { member: string[] }).member).toHaveLength(1);
    expect(epcs.headers.get('link')).toMatch(/rel="next"/);
    expect((await get('/eventTypes/MagicEvent')).status).toBe(404);
  });

  it('is for authenticated readers only', async () => {
    expect((await fetch(`${m.url}/events`)).status).toBe(401);
  });

  // Rows of the conformance table in docs/epcis-rest.md that need the routes themselves (the rest are
  // libs/partner/src/epcis-rest/conformance.spec.ts on the controllers).
  it('answers discovery as GS1\'s OpenAPI lays it out: OPTIONS / and GET /, Allow per resource, POST /events 501, 406 outside 1.2-2.0', async () => {
    const send = (path: string, method: string, headers: Record<string, string> = {}) => fetch(`${m.url}${path}`, { method, headers: { 'x-api-key': operator, ...headers } });
    const root = await send('/', 'OPTIONS');
    expect(root.status).toBe(204);
    expect(root.headers.get('gs1-epcis-max')).toBe('2.0.0');
    expect(root.headers.get('gs1-epc-format')).toContain('Always_GS1_Digital_Link');
    expect(await (await send('/', 'GET')).json()).toMatchObject({ type: 'Collection', member: expect.arrayContaining(['capture', 'events', 'queries']) });
    expect((await send('/queries/any', 'OPTIONS')).headers.get('allow')).toBe('OPTIONS, GET, DELETE');
    const one = await send('/events', 'POST', { 'content-type': 'application/json' });
    expect(one.status).toBe(501);
    expect(one.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await one.json()).toMatchObject({ type: 'epcisException:ImplementationException', status: 501 });
    const tooNew = await send('/events', 'GET', { 'GS1-EPCIS-Min': '2.1.0' });
    expect(tooNew.status).toBe(406);
    expect((await capture(document([commission([300])]), { 'GS1-EPCIS-Version': '3.0.0' })).status).toBe(406);
  });

  it('names in x-epcis-omitted what a captured XML document carried with no EPCIS 2.0 field', async () => {
    const xml = `<?xml version="1.0"?><epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2" creationDate="2026-06-01T00:00:00Z"><EPCISBody><EventList>
<ObjectEvent><eventTime>2026-06-01T09:00:00.000Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList><epc>${epc(301)}</epc></epcList><action>OBSERVE</action>
<bizStep>urn:epcglobal:cbv:bizstep:inspecting</bizStep></ObjectEvent></EventList><extension><carrierNote>n</carrierNote></extension></EPCISBody><extension><batchRef>B-1</batchRef></extension></epcis:EPCISDocument>`;
    const res = await capture(xml, { 'content-type': 'application/xml' });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-epcis-omitted')).toBe('/EPCISDocument/EPCISBody/extension, /EPCISDocument/extension');
  });
});

describe('EPCIS 2.0 REST binding: named queries and WebSocket subscriptions', () => {
  const name = `commissioned-${runId}`;
  const body = (query: unknown) => JSON.stringify({ name, query });
  const post = (text: string, apiKey = auditor) => fetch(`${m.url}/queries`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: text });

  it('creates a named query (201), refuses the name twice (409) and an invalid query (400), runs it', async () => {
    const created = await post(body({ eventType: ['ObjectEvent'], EQ_bizStep: ['commissioning'], MATCH_epc: [`urn:epc:idpat:sgtin:0312345.067890.*`] }));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/queries/${name}`);
    expect((await post(body({ eventType: ['ObjectEvent'] }))).status).toBe(409);
    const invalid = await fetch(`${m.url}/queries`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': auditor }, body: JSON.stringify({ name: `${name}-bad`, query: { EQ_bizStp: 'shipping' } }) });
    expect(invalid.status).toBe(400);
    expect(await (await get(`/queries/${name}`)).json()).toMatchObject({ name, query: { eventType: ['ObjectEvent'] } });
    const page = await get(`/queries/${name}/events?perPage=1`);
    expect(await eventsOf(page)).toHaveLength(1);
    expect(page.headers.get('link')).toMatch(/rel="next"/);
  });

  const open = (path: string, headers: Record<string, string>) => new Promise<{ ws?: WebSocket; status?: number }>((resolve) => {
    const ws = new WebSocket(`${m.url.replace('http', 'ws')}${path}`, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.once('error', () => resolve({}));
  });

  it('refuses a subscription without credentials (401), without stream=true or with a schedule (400), of an unknown query (404)', async () => {
    expect((await open(`/queries/${name}/events?stream=true`, {})).status).toBe(401);
    expect((await open(`/queries/${name}/events`, { 'x-api-key': auditor })).status).toBe(400);
    expect((await open(`/queries/${name}/events?minute=5&hour=1`, { 'x-api-key': auditor })).status).toBe(400);
    expect((await open(`/queries/nothing-${runId}/events?stream=true`, { 'x-api-key': auditor })).status).toBe(404);
  });

  it('streams each newly recorded event the query matches to the subscriber', async () => {
    const { ws } = await open(`/queries/${name}/events?stream=true`, { 'x-api-key': auditor });
    expect(ws).toBeDefined();
    const received = new Promise<QueryDocument & { epcisBody: { queryResults: { queryName: string; subscriptionID: string } } }>((resolve) => ws?.once('message', (data) => resolve(JSON.parse(String(data)))));
    await captured(document([commission([400])]));
    const doc = await received;
    ws?.close();
    expect(doc.type).toBe('EPCISQueryDocument');
    expect(doc.epcisBody.queryResults.queryName).toBe(name);
    expect(doc.epcisBody.queryResults.subscriptionID).toMatch(/^[0-9a-f-]{36}$/);
    expect(doc.epcisBody.queryResults.resultsBody.eventList).toEqual([expect.objectContaining({ type: 'ObjectEvent', epcList: [epcUrnToDigitalLink(epc(400))] })]);
  });

  it('streams EPCIS 1.2 XML (or 2.0 XML) text messages when the upgrade asks for them', async () => {
    const { ws } = await open(`/queries/${name}/events?stream=true`, { 'x-api-key': auditor, 'GS1-EPCIS-Version': '1.2.0', 'GS1-CBV-XML-Format': 'Always_URN' });
    expect(ws).toBeDefined();
    const received = new Promise<string>((resolve) => ws?.once('message', (data) => resolve(String(data))));
    await captured(document([commission([401])]));
    const text = await received;
    ws?.close();
    expect(text).toMatch(/^<\?xml[\s\S]*<epcisq:EPCISQueryDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1"/);
    expect(text).toMatch(new RegExp(`<queryName>${name}</queryName>\\s*<subscriptionID>[0-9a-f-]{36}</subscriptionID>`));
    expect(text).toContain(`<epc>${epc(401)}</epc>`);
    expect((await open(`/queries/${name}/events?stream=true`, { 'x-api-key': auditor, 'GS1-EPCIS-Version': '3.0.0' })).status).toBe(406);
  });

  it('keeps at most PEDIGREE_EPCIS_MAX_SUBSCRIPTIONS open (503 beyond)', async () => {
    await new Promise((r) => setTimeout(r, 500)); // the sockets of the tests before are closed
    const opened = [await open(`/queries/${name}/events?stream=true`, { 'x-api-key': auditor }), await open(`/queries/${name}/events?stream=true`, { 'x-api-key': auditor })];
    expect(opened.every((o) => o.ws)).toBe(true);
    expect((await open(`/queries/${name}/events?stream=true`, { 'x-api-key': auditor })).status).toBe(503);
    await Promise.all(opened.map((o) => new Promise((r) => { o.ws?.once('close', r); o.ws?.close(); })));
  });

  it('with initialRecordTime, first sends what was recorded since then', async () => {
    const { ws } = await open(`/queries/${name}/events?stream=true&initialRecordTime=${encodeURIComponent(suiteStart)}`, { 'x-api-key': auditor, 'GS1-EPC-Format': 'Always_EPC_URN' });
    expect(ws).toBeDefined();
    const first = await new Promise<QueryDocument>((resolve) => ws?.once('message', (data) => resolve(JSON.parse(String(data)))));
    ws?.close();
    const epcs = first.epcisBody.queryResults.resultsBody.eventList.flatMap((e) => e['epcList'] as string[]);
    expect(epcs).toEqual(expect.arrayContaining([epc(1), epc(3), epc(7), epc(10), epc(400), epc(401)]));
    expect(epcs).not.toContain(epc(5)); // the rolled-back documents recorded nothing
    expect(epcs).not.toContain(epc(9));
  });
});
