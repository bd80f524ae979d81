import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { applyCommand, verifyProductIdentifier, withCheckDigit, type PackCommand, type PackRecord, type VrsQuery } from '@pedigree/domain';
import { atpVerifierFromEnv, JwtAtpCredentialVerifier, signJws, type AtpCredentialVerifier } from './atp-credential';
import { acceptsJson, VrsResponder, type VrsAnsweredRequest, type VrsResponderPorts } from './vrs-responder';

/** The responder over an in-memory partner context: every answer and refusal the standard defines. */
const MFR = 'ManufacturerMSP';
const WHS = 'DistributorMSP';
const GTIN = '00312345678906';
const FOREIGN_GTIN = withCheckDigit('0035009000001');
const REQ_GLN = '0345678000007';
const RESPONDER_GLN = '0312345000004';
const T0 = '2026-03-02T09:00:00-05:00';

function pack(serial: string, over: { lot?: string; expiry?: string; then?: Array<[PackCommand, string]> } = {}): PackRecord {
  let p = applyCommand(undefined, { type: 'commission', gtin: GTIN, serial, lot: over.lot ?? 'L1', expiry: over.expiry ?? '2030-12-31', manufacturer: MFR }, MFR, T0);
  p = applyCommand(p, { type: 'ship', to: WHS }, MFR, T0);
  p = applyCommand(p, { type: 'receive' }, WHS, T0);
  for (const [command, by] of over.then ?? []) p = applyCommand(p, command, by, T0);
  return p;
}

const packs = new Map<string, PackRecord>([
  ['S-OK', pack('S-OK')],
  ['S-SUSPECT', pack('S-SUSPECT', { then: [[{ type: 'quarantine', reason: 'suspect' }, WHS]] })],
  ['S-ILLEGIT', pack('S-ILLEGIT', { then: [[{ type: 'quarantine', reason: 'illegitimate' }, WHS]] })],
  ['S-RECALLED', pack('S-RECALLED', { then: [[{ type: 'recall', recallId: 'R1' }, MFR]] })],
  ['S-EXPIRED', pack('S-EXPIRED', { expiry: '2026-06-30' })],
  ['S-EXTENDED', pack('S-EXTENDED', { expiry: '2026-06-30', then: [[{ type: 'extendExpiry', until: '2031-06-30' }, MFR]] })],
  ['S-DECOMMISSIONED', pack('S-DECOMMISSIONED', { then: [[{ type: 'decommission', reason: 'damaged' } as PackCommand, WHS]] })],
]);

const recorded: VrsAnsweredRequest[] = [];
const ports: VrsResponderPorts = {
  org: MFR,
  registeredGlns: async (org) => ({ [MFR]: [RESPONDER_GLN], [WHS]: [REQ_GLN, '0312346000010'] } as Record<string, string[]>)[org],
  product: async (gtin) => (gtin === GTIN ? { manufacturer: MFR } : gtin === FOREIGN_GTIN ? { manufacturer: 'OtherMSP' } : null),
  lookup: async (r) => ({ ...verifyProductIdentifier(r.gtin === GTIN ? packs.get(r.serial) : undefined, r, new Date().toISOString()), source: 'read-model' }),
  record: async (v) => { recorded.push(v); },
};

interface Answer { status: number; body: { data?: unknown; error?: unknown; [k: string]: unknown }; headers: Record<string, string> }

let requirePossession = false;
const responder = (atp: AtpCredentialVerifier = new JwtAtpCredentialVerifier({ issuers: [] })) => new VrsResponder(ports, atp, { get requirePossession() { return requirePossession; } });
const plain = responder();
const q = (over: Record<string, string | undefined> = {}): VrsQuery =>
  Object.fromEntries(Object.entries({ exp: '301231', reqGLN: REQ_GLN, corrUUID: 'corr-1', context: 'dscsaSaleableReturn', linkType: 'gs1:verificationService', ...over }).filter(([, v]) => v !== undefined)) as VrsQuery;

async function ask(serial: string, query: VrsQuery = q(), options: { lot?: string; gtin?: string; headers?: Record<string, string>; org?: string; form?: 'verify' | 'digital-link'; c?: VrsResponder } = {}): Promise<Answer> {
  const c = options.c ?? plain;
  return c.verify(options.form ?? 'verify', { gtin: options.gtin ?? GTIN, lot: options.lot ?? 'L1', serial }, { headers: options.headers ?? {}, query, caller: { org: options.org ?? WHS, subject: 'erp' } }) as Promise<Answer>;
}

beforeEach(() => {
  recorded.length = 0;
  requirePossession = false;
});

describe('the VRS responder: one answer per failure reason', () => {
  it.each([
    ['genuine', 'S-OK', {}, { verified: true }],
    ['unknown serial: lot and expiry not looked at', 'S-NOSUCH', { lot: 'WRONG', exp: '991231' }, { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' }],
    ['wrong lot', 'S-OK', { lot: 'WRONG' }, { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' }],
    ['wrong expiry', 'S-OK', { exp: '301130' }, { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Expiry' }],
    ['wrong lot and expiry', 'S-OK', { lot: 'WRONG', exp: '301130' }, { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot_Expiry' }],
    ['quarantined as suspect', 'S-SUSPECT', {}, { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Suspect' }],
    ['quarantined as illegitimate', 'S-ILLEGIT', {}, { verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Illegitimate' }],
    ['decommissioned', 'S-DECOMMISSIONED', {}, { verified: false, verificationFailureReason: 'Not_for_re-distribution' }],
    ['recalled (genuine, must not be used)', 'S-RECALLED', {}, { verified: true, additionalInfo: 'Recalled' }],
    ['expired', 'S-EXPIRED', { exp: '260630' }, { verified: true, additionalInfo: 'Expired' }],
    ['expiry extended, asked with the printed date', 'S-EXTENDED', { exp: '260600' }, { verified: true, additionalInfo: 'ExpirationExtended' }],
    ['no expiry sent', 'S-OK', { exp: undefined }, { verified: true }],
  ] as const)('%s', async (_name, serial, over, data) => {
    const { lot, ...query } = over as { lot?: string; exp?: string };
    const a = await ask(serial, q(query), { lot });
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ verificationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), responderGLN: RESPONDER_GLN, corrUUID: 'corr-1', data });
    expect(a.headers['GS1US-Version']).toBe('1.3.0');
    expect(recorded).toHaveLength(1);
  });

  it('answers Manufacturer_policy to a requester that does not attest possession, when the policy asks for it', async () => {
    requirePossession = true;
    expect((await ask('S-OK')).body.data).toEqual({ verified: false, verificationFailureReason: 'Manufacturer_policy' });
    expect((await ask('S-OK', q({ ctrlPossessAtt: 'true' }))).body.data).toEqual({ verified: true });
  });

  it('answers the Digital Link form with AI 17 the same way, and records context and attestation', async () => {
    const a = await ask('S-OK', q({ exp: undefined, '17': '301231', ctrlPossessAtt: 'true', email: 'returns@continental.example' }), { form: 'digital-link' });
    expect(a.body.data).toEqual({ verified: true });
    expect(recorded[0].request.context).toBe('dscsaSaleableReturn');
    expect(recorded[0].attestation).toEqual({ ctrlPossessAtt: true, email: 'returns@continental.example' });
  });
});

describe('the VRS responder: refusals, in one shape, recording nothing', () => {
  it.each([
    ['reqGLN missing', 'S-OK', q({ reqGLN: undefined }), {}, 400, 'VRS_REQUEST_INVALID', 'reqGLN'],
    ['reqGLN with a wrong check digit', 'S-OK', q({ reqGLN: '0312346000015' }), {}, 400, 'VRS_REQUEST_INVALID', 'reqGLN'],
    ['exp malformed', 'S-OK', q({ exp: '3012' }), {}, 400, 'VRS_REQUEST_INVALID', 'exp'],
    ['an unknown context', 'S-OK', q({ context: 'curiosity' }), {}, 400, 'VRS_REQUEST_INVALID', 'context'],
    ['another linkType', 'S-OK', q({ linkType: 'gs1:pip' }), {}, 400, 'VRS_REQUEST_INVALID', 'linkType'],
    ['a GTIN with a wrong check digit', 'S-OK', q(), { gtin: '00312345678907' }, 400, 'VRS_REQUEST_INVALID', 'gtin'],
    ['a GLN not of the caller', 'S-OK', q({ reqGLN: '0356789000008' }), {}, 403, 'REQ_GLN_NOT_REGISTERED', 'reqGLN'],
    ['a caller not on the ledger', 'S-OK', q(), { org: 'StrangerMSP' }, 403, 'PARTNER_UNKNOWN', undefined],
    ["another manufacturer's GTIN", 'S-OK', q(), { gtin: FOREIGN_GTIN }, 404, 'GTIN_not_found', 'gtin'],
    ['an unknown GTIN', 'S-OK', q(), { gtin: withCheckDigit('0099999900001') }, 404, 'GTIN_not_found', 'gtin'],
    ['an Accept without JSON', 'S-OK', q(), { headers: { accept: 'application/xml' } }, 406, 'NOT_ACCEPTABLE', undefined],
  ] as const)('%s', async (_name, serial, query, options, status, domainCode, parameter) => {
    const a = await ask(serial, query, options as Parameters<typeof ask>[2]);
    expect(a.status).toBe(status);
    expect(a.body).toEqual({ corrUUID: 'corr-1', error: { code: expect.any(String), message: expect.any(String), retryable: false, domainCode, details: parameter ? expect.objectContaining({ parameter }) : expect.any(Object) } });
    expect(a.headers['GS1US-Version']).toBe('1.3.0');
    expect(recorded).toHaveLength(0);
  });

  it.each([
    ['nothing', undefined, true],
    ['application/json', 'application/json', true],
    ['*/*', '*/*', true],
    ['JSON among others', 'text/html, application/json;q=0.5', true],
    ['application/*', 'application/*', true],
    ['XML only', 'application/xml', false],
    ['JSON refused with q=0', 'application/json;q=0', false],
  ])('content negotiation: Accept %s', (_name, accept, ok) => {
    expect(acceptsJson(accept)).toBe(ok);
  });
});

describe('the VRS responder with an ATP credential presentation', () => {
  const issuer = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const holder = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const now = () => Math.floor(Date.now() / 1000);
  const vc = (gln = REQ_GLN) => signJws({}, {
    iss: 'did:web:issuer.example', sub: 'did:web:continental.example', jti: 'urn:uuid:c1', exp: now() + 3600, cnf: { jwk: holder.publicKey.export({ format: 'jwk' }) },
    vc: { type: ['VerifiableCredential', 'DSCSAATPCredential'], credentialSubject: { gln } },
  }, issuer.privateKey.export({ format: 'jwk' }));
  const vp = (credential = vc()) => signJws({}, { iss: 'did:web:continental.example', aud: RESPONDER_GLN, iat: now(), vp: { verifiableCredential: [credential] } }, holder.privateKey.export({ format: 'jwk' }));

  function withConfig(required: boolean): VrsResponder {
    const dir = mkdtempSync(path.join(tmpdir(), 'vrs-atp-'));
    const file = path.join(dir, 'atp.json');
    writeFileSync(file, JSON.stringify({ issuers: [{ id: 'did:web:issuer.example', jwk: issuer.publicKey.export({ format: 'jwk' }) }], required }));
    process.env.PEDIGREE_VRS_ATP_CONFIG = file;
    try {
      return responder(atpVerifierFromEnv());
    } finally {
      delete process.env.PEDIGREE_VRS_ATP_CONFIG;
    }
  }
  const optional = withConfig(false);
  const required = withConfig(true);

  it.each([
    ['none, none required', optional, undefined, 200, undefined],
    ['a good one', optional, vp(), 200, undefined],
    ['a good one where one is required', required, vp(), 200, undefined],
    ['none where one is required', required, undefined, 401, 'vp_required'],
    ['a malformed one', optional, 'garbage', 403, 'jwt_invalid'],
    ['one for another GLN', optional, vp(vc('0312346000010')), 403, 'gln_mismatch'],
  ] as const)('%s', async (_name, c, presentation, status, reason) => {
    const a = await ask('S-OK', q(), { c, headers: presentation ? { 'x-atp-presentation': presentation } : {} });
    expect(a.status).toBe(status);
    if (reason) {
      expect(a.body.error).toMatchObject({ domainCode: 'ATP_CREDENTIAL_INVALID', details: { reason } });
      expect(recorded).toHaveLength(0);
    } else {
      expect(recorded).toHaveLength(1);
      if (presentation) expect(recorded[0].attestation.atp).toMatchObject({ issuer: 'did:web:issuer.example', credentialId: 'urn:uuid:c1' });
    }
  });
});
