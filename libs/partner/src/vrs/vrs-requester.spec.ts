import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { GS, isDomainError, type VrsDirectoryEntry, type VrsRequest, type VrsResponse } from '@pedigree/domain';
import type { PartnerContext } from '../partner-context';
import { VrsRequestFailure, type VrsCallOptions, type VrsClient, type VrsExchange } from './vrs-client';
import { FileVrsDirectory, VrsRequester } from './vrs-requester';

/** The requester over fakes: what it sends, where, what it records, and what it answers. */
const GTIN = '00312345678906';
const OWN_GLNS = ['0345678000007', '0312346000010'];
const ACME: VrsDirectoryEntry = { prefix: '0312345', url: 'https://vrs.acme.example', form: 'digital-link', responderGLN: '0312345000004', name: 'Acme', apiKeyEnv: 'KEY_ACME' };

function setup(answer: (request: VrsRequest) => VrsExchange | Error, directory: VrsDirectoryEntry[] = [ACME]) {
  const inserted: unknown[][] = [];
  const sent: Array<{ responder: VrsDirectoryEntry; request: VrsRequest; options?: VrsCallOptions }> = [];
  const p = {
    org: 'DistributorMSP',
    reads: { optional: async () => ({ glns: OWN_GLNS, gln: OWN_GLNS[0] }) },
    readModel: { packs: { byIdentifier: async (_g: string, s: string) => (s === 'HELD1' ? { record: { lot: 'OWNLOT', expiry: '2031-01-31' } } : null) } },
    database: { dataSource: { query: async (_sql: string, params: unknown[]) => { inserted.push(params); return []; } } },
  } as unknown as PartnerContext;
  const client: VrsClient = {
    async verify(responder, request, options) {
      sent.push({ responder, request, options });
      const a = answer(request);
      if (a instanceof Error) throw a;
      return a;
    },
  };
  const requester = new VrsRequester(p, {
    directory: { responderFor: (gtin) => directory.find((d) => gtin.slice(1).startsWith(d.prefix)) },
    client, presenter: { present: async (aud) => `vp-for-${aud}` }, env: { KEY_ACME: 'secret-key' },
  });
  return { requester, inserted, sent };
}

const ok = (data: VrsResponse['data'], responderGLN = '0312345000004') => (request: VrsRequest): VrsExchange => ({
  httpStatus: 200, attempts: 1, response: { verificationTimestamp: '2026-12-01T15:00:00.000Z', responderGLN, corrUUID: request.corrUUID ?? null, data },
});

describe('VrsRequester', () => {
  it('asks the listed responder with a fresh corrUUID, its API key and an ATP presentation for its GLN, and records the answer', async () => {
    const { requester, inserted, sent } = setup(ok({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' }));
    const a = await requester.verify({ scan: `01${GTIN}1730123110L1${GS}21S1` }, 'erp');
    expect(sent[0].request).toMatchObject({ gtin: GTIN, serial: 'S1', lot: 'L1', expiry: '2030-12-31', reqGLN: OWN_GLNS[0], context: 'dscsaSaleableReturn', linkType: 'verificationService' });
    expect(sent[0].request.corrUUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[0].options).toEqual({ headers: { 'x-api-key': 'secret-key' }, presentation: 'vp-for-0312345000004' });
    expect(a).toMatchObject({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot', responder: ACME.url, responderName: 'Acme', atpPresented: true, corrUUID: sent[0].request.corrUUID });
    expect(inserted).toHaveLength(1);
    expect(inserted[0]).toContain('answered');
  });

  it.each([
    ['lot and expiry from the scan', `01${GTIN}17301231102A${GS}21S1`, {}, { lot: '2A', expiry: '2030-12-31' }],
    ['given ones over the scan', `01${GTIN}17301231102A${GS}21S1`, { lot: 'GIVEN', expiry: '2032-02-29' }, { lot: 'GIVEN', expiry: '2032-02-29' }],
    ["the organisation's own record when the scan has none", `urn:epc:id:sgtin:0312345.067890.HELD1`, {}, { lot: 'OWNLOT', expiry: '2031-01-31' }],
    ['another registered GLN when asked', `01${GTIN}10L1${GS}21S1`, { reqGLN: OWN_GLNS[1] }, { reqGLN: OWN_GLNS[1] }],
  ])('%s', async (_name, scan, extra, expected) => {
    const { requester, sent } = setup(ok({ verified: true }));
    await requester.verify({ scan, ...extra }, 'erp');
    expect(sent[0].request).toMatchObject(expected);
  });

  it.each([
    ['no serial in the scan', { scan: `01${GTIN}10L1` }, 'SCAN_MALFORMED'],
    ['an SSCC', { scan: 'urn:epc:id:sscc:0312345.1000000001' }, 'IDENTIFIER_INVALID'],
    ['no lot anywhere', { scan: `urn:epc:id:sgtin:0312345.067890.UNKNOWN` }, 'VRS_REQUEST_INVALID'],
    ['a reqGLN not ours', { scan: `01${GTIN}10L1${GS}21S1`, reqGLN: '0356789000008' }, 'VRS_REQUEST_INVALID'],
    ['an unknown context', { scan: `01${GTIN}10L1${GS}21S1`, context: 'curiosity' }, 'VRS_REQUEST_INVALID'],
    ['an expiry that is not a date', { scan: `01${GTIN}10L1${GS}21S1`, expiry: '2030-02-30' }, 'VRS_REQUEST_INVALID'],
  ])('refuses %s before sending or recording anything', async (_name, input, code) => {
    const { requester, sent, inserted } = setup(ok({ verified: true }));
    const err = await requester.verify(input, 'erp').then(() => undefined, (e: unknown) => e);
    expect(isDomainError(err) && err.code).toBe(code);
    expect(sent).toHaveLength(0);
    expect(inserted).toHaveLength(0);
  });

  it('records a GTIN no responder is listed for as failed, and says so (VRS_RESPONDER_UNKNOWN)', async () => {
    const { requester, inserted, sent } = setup(ok({ verified: true }), []);
    const err = await requester.verify({ scan: `01${GTIN}10L1${GS}21S1` }, 'erp').then(() => undefined, (e: unknown) => e);
    expect(isDomainError(err, 'VRS_RESPONDER_UNKNOWN')).toBe(true);
    expect(sent).toHaveLength(0);
    expect(inserted[0]).toEqual(expect.arrayContaining(['failed', 'VRS_RESPONDER_UNKNOWN']));
  });

  it.each([
    ['unreachable', new VrsRequestFailure('VRS_RESPONDER_UNREACHABLE', 'ECONNREFUSED', null, 2, true), 'VRS_RESPONDER_UNREACHABLE'],
    ['malformed', new VrsRequestFailure('VRS_RESPONSE_MALFORMED', 'not JSON', 200, 1, false), 'VRS_RESPONSE_MALFORMED'],
  ])('records a responder %s as failed and throws the typed failure', async (_name, failure, code) => {
    const { requester, inserted } = setup(() => failure);
    await expect(requester.verify({ scan: `01${GTIN}10L1${GS}21S1` }, 'erp')).rejects.toBe(failure);
    expect(inserted[0]).toEqual(expect.arrayContaining(['failed', code]));
  });

  it('an answer under another GLN than the directory lists is malformed, not an answer', async () => {
    const { requester, inserted } = setup(ok({ verified: true }, '0399999000005'));
    await expect(requester.verify({ scan: `01${GTIN}10L1${GS}21S1` }, 'erp')).rejects.toMatchObject({ code: 'VRS_RESPONSE_MALFORMED' });
    expect(inserted[0]).toEqual(expect.arrayContaining(['failed', 'VRS_RESPONSE_MALFORMED']));
  });
});

describe('FileVrsDirectory', () => {
  const file = () => `${fs.mkdtempSync(`${tmpdir()}/vrs-dir-`)}/directory.json`;
  const write = (f: string, body: string, mtime: number) => {
    fs.writeFileSync(f, body);
    fs.utimesSync(f, mtime, mtime);
  };

  it('refuses to start on a malformed file, naming the entry', () => {
    const f = file();
    write(f, JSON.stringify({ responders: [{ prefix: '12', url: 'https://x' }] }), 1000);
    expect(() => new FileVrsDirectory(f)).toThrow(/responders\[0\]\.prefix/);
  });

  it('routes a responder added later, and keeps the last good directory when the file breaks', () => {
    const f = file();
    const warnings: string[] = [];
    write(f, JSON.stringify({ responders: [ACME] }), 1000);
    const d = new FileVrsDirectory(f, (m) => warnings.push(m));
    expect(d.responderFor(GTIN)?.url).toBe(ACME.url);
    write(f, JSON.stringify({ responders: [{ ...ACME, url: 'https://new.acme.example' }] }), 2000);
    expect(d.responderFor(GTIN)?.url).toBe('https://new.acme.example');
    write(f, '{ broken', 3000);
    expect(d.responderFor(GTIN)?.url).toBe('https://new.acme.example');
    expect(d.responderFor(GTIN)?.url).toBe('https://new.acme.example');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not JSON.*last good lookup directory \(1 responders\)/);
  });
});
