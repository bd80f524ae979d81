import fc from 'fast-check';
import { DomainError } from '../errors';
import { withCheckDigit } from '../gs1/check-digit';
import {
  readVrsDirectory, readVrsRequest, readVrsResponse, unknownVrsParameters, vrsRequestPath, vrsResponderFor, vrsResponseBody, VRS_FAILURE_REASONS, type VrsQuery, type VrsUrlForm,
} from './vrs-message';

const GTIN = '00312345678906';
const GLN = '0345678000007';
const TODAY = '2026-12-01';
const base = { reqGLN: GLN, corrUUID: '9f1c6a1e-4f0b-4a7e-9d8e-1b2c3d4e5f60', context: 'dscsaSaleableReturn', linkType: 'gs1:verificationService' };
const read = (query: VrsQuery, form: VrsUrlForm = 'verify', extra: { gtin?: string; lot?: string; serial?: string; version?: string } = {}) =>
  readVrsRequest({ form, gtin: extra.gtin ?? GTIN, lot: extra.lot ?? 'L1', serial: extra.serial ?? 'S1', query, version: extra.version }, TODAY);
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof DomainError ? { code: err.code, parameter: err.details.parameter ?? err.details.field ?? err.details.at } : { code: 'not a DomainError' };
  }
  return undefined;
};

describe('readVrsRequest (the responder reads a Lightweight Messaging request)', () => {
  it('reads every parameter of release 1.3 on the /verify form', () => {
    expect(read({ ...base, exp: '301231', ctrlPossessAtt: 'true', email: 'returns@example.com', telephone: '+1 555 0100' }, 'verify', { version: '1.3.0' })).toEqual({
      gtin: GTIN, lot: 'L1', serial: 'S1', expiry: '2030-12-31', reqGLN: GLN, corrUUID: base.corrUUID, context: 'dscsaSaleableReturn',
      linkType: 'gs1:verificationService', ctrlPossessAtt: true, email: 'returns@example.com', telephone: '+1 555 0100', version: '1.3.0',
    });
  });

  it.each([
    ['verify form, exp', 'verify', { exp: '301200' }, '2030-12-31'],
    ['Digital Link form, 17', 'digital-link', { '17': '300615' }, '2030-06-15'],
    ['Digital Link form with exp (tolerated)', 'digital-link', { exp: '300615' }, '2030-06-15'],
    ['no expiry', 'verify', {}, undefined],
  ] as const)('%s', (_name, form, q, expiry) => {
    expect(read({ ...base, ...q }, form).expiry).toBe(expiry);
  });

  it('normalises a GTIN-13 to GTIN-14', () => {
    expect(read(base, 'verify', { gtin: '0312345678906' }).gtin).toBe(GTIN);
  });

  it.each([
    ['reqGLN missing', { ...base, reqGLN: undefined }, {}, 'reqGLN'],
    ['reqGLN empty', { ...base, reqGLN: '' }, {}, 'reqGLN'],
    ['reqGLN 12 digits', { ...base, reqGLN: '034567800000' }, {}, 'reqGLN'],
    ['reqGLN check digit', { ...base, reqGLN: '0345678000008' }, {}, 'reqGLN'],
    ['reqGLN twice', { ...base, reqGLN: [GLN, GLN] }, {}, 'reqGLN'],
    ['exp not 6 digits', { ...base, exp: '20301231' }, {}, 'exp'],
    ['exp month 13', { ...base, exp: '301301' }, {}, 'exp'],
    ['exp and 17 both', { ...base, exp: '301231', '17': '301231' }, {}, '17'],
    ['unknown context', { ...base, context: 'dscsaSomethingElse' }, {}, 'context'],
    ['wrong linkType', { ...base, linkType: 'gs1:pip' }, {}, 'linkType'],
    ['corrUUID with a space', { ...base, corrUUID: 'a b' }, {}, 'corrUUID'],
    ['corrUUID too long', { ...base, corrUUID: 'x'.repeat(65) }, {}, 'corrUUID'],
    ['ctrlPossessAtt not boolean', { ...base, ctrlPossessAtt: 'yes' }, {}, 'ctrlPossessAtt'],
    ['email', { ...base, email: 'not-an-address' }, {}, 'email'],
    ['telephone', { ...base, telephone: 'call me' }, {}, 'telephone'],
    ['GTIN letters', base, { gtin: '0031234567890X' }, 'gtin'],
    ['GTIN check digit', base, { gtin: '00312345678907' }, 'gtin'],
    ['lot too long', base, { lot: 'L'.repeat(21) }, 'lot'],
    ['serial outside CSET 82', base, { serial: 'S 1' }, 'ser'],
    ['version 2.x', base, { version: '2.0.0' }, 'GS1US-Version'],
  ] as const)('refuses %s with VRS_REQUEST_INVALID naming the parameter', (_name, q, extra, parameter) => {
    expect(refusal(() => read(q as VrsQuery, 'verify', extra))).toEqual({ code: 'VRS_REQUEST_INVALID', parameter });
  });

  it('ignores parameters the standard does not define, and says which', () => {
    expect(read({ ...base, foo: 'bar' }).reqGLN).toBe(GLN);
    expect(unknownVrsParameters({ ...base, foo: 'bar' })).toEqual(['foo']);
  });

  it('a request built by vrsRequestPath reads back as sent, in both forms (property)', () => {
    // `.` and `..` alone are dot segments a URL removes: no path can carry them (a GS1 serial of its own kind).
    const cset82 = fc.stringMatching(/^[A-Za-z0-9!"%&'()*+,\-./:;<=>?_]{1,20}$/).filter((v) => v !== '.' && v !== '..');
    fc.assert(fc.property(cset82, cset82, fc.constantFrom<VrsUrlForm>('verify', 'digital-link'), fc.integer({ min: 0, max: 3000 }), fc.uuid(), (lot, serial, form, days, corr) => {
      const expiry = new Date(Date.UTC(2027, 0, 1) + days * 86_400_000).toISOString().slice(0, 10);
      const sent = { gtin: GTIN, lot, serial, expiry, reqGLN: GLN, corrUUID: corr, context: 'dscsaSaleableReturn' as const, linkType: 'verificationService' };
      const url = new URL(`http://responder${vrsRequestPath(sent, form)}`);
      const segments = url.pathname.split('/').map(decodeURIComponent);
      const [gtin, l, s] = form === 'verify' ? [segments[3], segments[5], segments[7]] : [segments[2], segments[4], segments[6]];
      const query = Object.fromEntries(url.searchParams.entries());
      expect(readVrsRequest({ form, gtin, lot: l, serial: s, query }, TODAY)).toEqual(sent);
    }), { numRuns: 200 });
  });
});

describe('vrsResponseBody and readVrsResponse (the answer, both ways)', () => {
  const at = '2026-12-01T15:00:00.000Z';
  it('answers the standard shape and echoes corrUUID', () => {
    expect(vrsResponseBody({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot', additionalInfo: 'Recalled' }, '0312345000004', 'c1', at)).toEqual({
      verificationTimestamp: at, responderGLN: '0312345000004', corrUUID: 'c1', data: { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot', additionalInfo: 'Recalled' },
    });
    expect(vrsResponseBody({ verified: true }, null, undefined, at)).toEqual({ verificationTimestamp: at, responderGLN: null, corrUUID: null, data: { verified: true } });
  });

  it.each(VRS_FAILURE_REASONS.map((r) => [r]))('reads the failure reason %s as sent', (reason) => {
    expect(readVrsResponse(vrsResponseBody({ verified: false, verificationFailureReason: reason }, null, 'c1', at), { corrUUID: 'c1' }).data.verificationFailureReason).toBe(reason);
  });

  it.each([
    ['other case and separators', 'no-match-gtin-serial-lot', 'No_match_GTIN_Serial_Lot'],
    ['Not_for_re_distribution', 'Not_for_re_distribution', 'Not_for_re-distribution'],
    ['none on a negative answer', undefined, 'No_reason_provided'],
  ])('reads a failure reason given as %s', (_name, sent, read) => {
    expect(readVrsResponse({ verificationTimestamp: at, corrUUID: 'c1', data: { verified: false, verificationFailureReason: sent } }, { corrUUID: 'c1' }).data.verificationFailureReason).toBe(read);
  });

  it('reads release 1.0.2 additionalInfo "recalled", keeps an unknown one out', () => {
    expect(readVrsResponse({ verificationTimestamp: at, data: { verified: true, additionalInfo: 'recalled' } }, {}).data.additionalInfo).toBe('Recalled');
    const r = readVrsResponse({ verificationTimestamp: at, data: { verified: true, additionalInfo: 'Shiny' } }, {});
    expect(r.data.additionalInfo).toBeUndefined();
    expect(r.unknownAdditionalInfo).toBe('Shiny');
  });

  it.each([
    ['not an object', [], ''],
    ['no timestamp', { data: { verified: true } }, 'verificationTimestamp'],
    ['timestamp not ISO', { verificationTimestamp: 'yesterday', data: { verified: true } }, 'verificationTimestamp'],
    ['responderGLN not a GLN', { verificationTimestamp: at, responderGLN: '12', data: { verified: true } }, 'responderGLN'],
    ['another corrUUID', { verificationTimestamp: at, corrUUID: 'c2', data: { verified: true } }, 'corrUUID'],
    ['no corrUUID echoed', { verificationTimestamp: at, data: { verified: true } }, 'corrUUID'],
    ['no data', { verificationTimestamp: at, corrUUID: 'c1' }, 'data'],
    ['verified a string', { verificationTimestamp: at, corrUUID: 'c1', data: { verified: 'true' } }, 'data.verified'],
    ['unknown reason', { verificationTimestamp: at, corrUUID: 'c1', data: { verified: false, verificationFailureReason: 'Looks_fake' } }, 'data.verificationFailureReason'],
    ['verified with a reason', { verificationTimestamp: at, corrUUID: 'c1', data: { verified: true, verificationFailureReason: 'No_match_GTIN_Serial' } }, 'data.verificationFailureReason'],
  ])('refuses an answer with %s as VRS_RESPONSE_MALFORMED', (_name, body, field) => {
    expect(refusal(() => readVrsResponse(body, { corrUUID: 'c1' }))).toEqual({ code: 'VRS_RESPONSE_MALFORMED', parameter: field });
  });
});

describe('the lookup directory', () => {
  const directory = readVrsDirectory({
    responders: [
      { prefix: '0312345', url: 'https://vrs.acme.example/', name: 'Acme', apiKeyEnv: 'VRS_KEY_ACME' },
      { prefix: '031234567', url: 'http://127.0.0.1:9000', form: 'verify', responderGLN: withCheckDigit('031234600002') },
      { prefix: '0350090', url: 'https://vrs.other.example/base' },
    ],
  });

  it.each([
    ['the longest prefix wins', '00312345678906', 'http://127.0.0.1:9000'],
    ['a shorter prefix', withCheckDigit('0031234511111'), 'https://vrs.acme.example'],
    ['a URL with a base path', withCheckDigit('1035009000001'), 'https://vrs.other.example/base'],
  ])('%s', (_name, gtin, url) => {
    expect(vrsResponderFor(directory, gtin)?.url).toBe(url);
  });

  it('answers undefined for a GTIN no responder is listed for', () => {
    expect(vrsResponderFor(directory, withCheckDigit('0099999900001'))).toBeUndefined();
  });

  it.each([
    ['not a document', [], '$'],
    ['a short prefix', { responders: [{ prefix: '123', url: 'https://x' }] }, '$.responders[0].prefix'],
    ['a prefix twice', { responders: [{ prefix: '0312345', url: 'https://x' }, { prefix: '0312345', url: 'https://y' }] }, '$.responders[1].prefix'],
    ['a relative URL', { responders: [{ prefix: '0312345', url: '/vrs' }] }, '$.responders[0].url'],
    ['an ftp URL', { responders: [{ prefix: '0312345', url: 'ftp://x' }] }, '$.responders[0].url'],
    ['an unknown form', { responders: [{ prefix: '0312345', url: 'https://x', form: 'soap' }] }, '$.responders[0].form'],
    ['a bad GLN', { responders: [{ prefix: '0312345', url: 'https://x', responderGLN: '0312345000005' }] }, '$.responders[0].responderGLN'],
    ['a key instead of a variable name', { responders: [{ prefix: '0312345', url: 'https://x', apiKeyEnv: 'demo-key' }] }, '$.responders[0].apiKeyEnv'],
  ])('refuses %s with VRS_DIRECTORY_INVALID', (_name, doc, at) => {
    expect(refusal(() => readVrsDirectory(doc))).toEqual({ code: 'VRS_DIRECTORY_INVALID', parameter: at });
  });
});
