import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GS, withCheckDigit } from '@pedigree/domain';
import { signJws } from '@pedigree/partner/vrs/atp-credential';
import { key, Postgres, runId, Service } from './support';

/**
 * VRS as the US network runs it, over HTTP on the real network: the distributor (requester) finds
 * responders in a lookup directory by GTIN prefix and verifies a returned pack
 * - with a member manufacturer's responder (the manufacturer service), presenting an ATP credential
 *   the manufacturer requires and checks, and
 * - with a manufacturer that is not on the ledger: a small GS1 US responder started here on loopback;
 * and gets a typed error, never "not verified", when a responder is unreachable, times out or
 * answers malformed. Every request is in the distributor's `vrs_requests`, every answered one in
 * the manufacturer's `verifications`.
 */
const OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
const GTIN = '00312345678906';
const NDC = '12345-678-90';
const LOT = `R${runId}`.slice(0, 20);
const serial = (n: number) => `R${runId}${n}`.slice(0, 20);
const DISTRIBUTOR_GLN = '0345678000007';
const ACME_GLN = '0312345000004';
/** Non-members' GTINs: company prefixes no consortium member holds. */
const gtinUnder = (prefix: string) => withCheckDigit(`0${prefix}${'1'.padStart(12 - prefix.length, '0')}`);
const OUTSIDER = { prefix: '0399999', gln: withCheckDigit('039999900000'), gtin: gtinUnder('0399999') };
const MALFORMED = { prefix: '0377777', gtin: gtinUnder('0377777') };
const SLOW = { prefix: '0366666', gtin: gtinUnder('0366666') };
const DOWN = { prefix: '0388888', gtin: gtinUnder('0388888') };
const UNLISTED = gtinUnder('0355555');

const scan = (gtin: string, s: string, lot = LOT, exp = '301231') => `01${gtin}17${exp}10${lot}${GS}21${s}`;

let pg: Postgres;
let manufacturer: Service;
let distributor: Service;
let outsider: http.Server;
let closedPort: number;
let dir: string;
const seenByOutsider: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];

/** A non-member manufacturer's GS1 US responder (the /verify form), scripted by GTIN prefix. */
function startOutsider(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    seenByOutsider.push({ url: req.url ?? '', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/verify\/gtin\/(\d{14})\/lot\/([^/]+)\/ser\/([^/]+)$/.exec(url.pathname);
    if (!m) return void res.writeHead(404).end();
    const [, gtin, lot, ser] = m;
    if (gtin === SLOW.gtin) return; // never answers
    if (gtin === MALFORMED.gtin) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ verified: 'maybe' }));
    if (url.searchParams.get('reqGLN') !== DISTRIBUTOR_GLN) return void res.writeHead(403).end();
    const data = decodeURIComponent(ser) !== 'GOOD1' ? { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' }
      : decodeURIComponent(lot) !== 'OUT1' ? { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' }
        : { verified: true, additionalInfo: 'Recalled' };
    res.writeHead(200, { 'content-type': 'application/json', 'GS1US-Version': '1.3.0' });
    res.end(JSON.stringify({ verificationTimestamp: new Date().toISOString(), responderGLN: OUTSIDER.gln, corrUUID: url.searchParams.get('corrUUID'), data }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A port nothing listens on: bound, noted, released. */
function freePort(): Promise<number> {
  const s = http.createServer();
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => {
    const { port } = s.address() as AddressInfo;
    s.close(() => resolve(port));
  }));
}

// The ATP world: an issuer the manufacturer trusts, the distributor's credential for its GLN, its holder key.
const issuer = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
const holder = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
const ISSUER = 'did:web:atp-issuer.example';
const credential = (gln = DISTRIBUTOR_GLN) => signJws({ typ: 'JWT' }, {
  iss: ISSUER, sub: 'did:web:continental.example', jti: `urn:uuid:${randomUUID()}`, nbf: Math.floor(Date.now() / 1000) - 60, exp: Math.floor(Date.now() / 1000) + 86_400,
  cnf: { jwk: holder.publicKey.export({ format: 'jwk' }) },
  vc: { type: ['VerifiableCredential', 'DSCSAATPCredential'], credentialSubject: { id: 'did:web:continental.example', gln } },
}, issuer.privateKey.export({ format: 'jwk' }));
const presentation = (gln?: string) => signJws({ typ: 'JWT' }, {
  iss: 'did:web:continental.example', aud: ACME_GLN, iat: Math.floor(Date.now() / 1000), vp: { type: ['VerifiablePresentation'], verifiableCredential: [credential(gln)] },
}, holder.privateKey.export({ format: 'jwk' }));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vrs-test-'));
  outsider = await startOutsider();
  closedPort = await freePort();
  pg = await Postgres.start('e2e-vrs', 5481 + OFFSET); // no other test file uses 5481, 5071-5072 (fetch refuses 5060-5061, SIP)
  manufacturer = new Service('manufacturer', pg.databaseUrl(`vrs_m_${runId}`), 5071 + OFFSET);
  distributor = new Service('distributor', pg.databaseUrl(`vrs_d_${runId}`), 5072 + OFFSET);

  writeFileSync(path.join(dir, 'atp-trust.json'), JSON.stringify({ issuers: [{ id: ISSUER, jwk: issuer.publicKey.export({ format: 'jwk' }) }], required: true }));
  writeFileSync(path.join(dir, 'atp-holder.json'), JSON.stringify({ credential: credential(), holderKey: holder.privateKey.export({ format: 'jwk' }), holder: 'did:web:continental.example' }));
  writeFileSync(path.join(dir, 'directory.json'), JSON.stringify({
    responders: [
      { prefix: '0312345', url: manufacturer.url, form: 'digital-link', responderGLN: ACME_GLN, name: 'Acme Pharma (member)', apiKeyEnv: 'PEDIGREE_VRS_KEY_ACME' },
      { prefix: OUTSIDER.prefix, url: `http://127.0.0.1:${(outsider.address() as AddressInfo).port}`, form: 'verify', responderGLN: OUTSIDER.gln, name: 'Outsider Labs (not on the ledger)' },
      { prefix: MALFORMED.prefix, url: `http://127.0.0.1:${(outsider.address() as AddressInfo).port}`, form: 'verify' },
      { prefix: SLOW.prefix, url: `http://127.0.0.1:${(outsider.address() as AddressInfo).port}`, form: 'verify' },
      { prefix: DOWN.prefix, url: `http://127.0.0.1:${closedPort}`, form: 'verify' },
    ],
  }));

  await manufacturer.start({ PEDIGREE_VRS_ATP_CONFIG: path.join(dir, 'atp-trust.json') });
  await distributor.start({
    PEDIGREE_VRS_DIRECTORY: path.join(dir, 'directory.json'), PEDIGREE_VRS_ATP_HOLDER: path.join(dir, 'atp-holder.json'),
    // The key the manufacturer issued the distributor's VRS (a demo key here), named by the directory.
    PEDIGREE_VRS_KEY_ACME: key('distributor', 'operator'), PEDIGREE_VRS_TIMEOUT_MS: '800', PEDIGREE_VRS_RETRIES: '1',
  });

  await manufacturer.ok(key('manufacturer', 'operator'), `mutation { registerProduct(ndc: "${NDC}", name: "Amoxicillin 500 mg capsules", strength: "500 mg", dosageForm: "capsule", packSize: "30 capsules") { transactionId } }`);
  const commissioned = await manufacturer.ok<{ commissionPacks: { readModelUpdated: boolean } }>(key('manufacturer', 'operator'),
    `mutation($s: [String!]!) { commissionPacks(gtin: "${GTIN}", lot: "${LOT}", expiry: "2030-12-31", serials: $s) { readModelUpdated } }`, { s: [1, 2].map(serial) });
  expect(commissioned.commissionPacks.readModelUpdated).toBe(true);
}, 300_000);

afterAll(async () => {
  for (const s of [manufacturer, distributor]) await s?.kill('SIGTERM');
  await pg?.stop();
  await new Promise((r) => outsider?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ANSWER = 'corrUUID gtin serial lot expiry context reqGLN responder responderName responderGLN verified verificationFailureReason additionalInfo verificationTimestamp attempts atpPresented';
const verify = (s: string) => distributor.gql<{ verifyWithManufacturer: Record<string, unknown> }>(key('distributor', 'operator'),
  `mutation($s: String!) { verifyWithManufacturer(scan: $s) { ${ANSWER} } }`, { s });
const answer = async (s: string) => {
  const r = await verify(s);
  if (r.errors?.length || !r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.verifyWithManufacturer;
};

describe('VRS requester (distributor) and responders', () => {
  it('verifies a returned pack with a member manufacturer, presenting the ATP credential it requires', async () => {
    const a = await answer(scan(GTIN, serial(1)));
    expect(a).toMatchObject({
      gtin: GTIN, serial: serial(1), lot: LOT, expiry: '2030-12-31', context: 'dscsaSaleableReturn', reqGLN: DISTRIBUTOR_GLN, responder: manufacturer.url,
      responderName: 'Acme Pharma (member)', responderGLN: ACME_GLN, verified: true, verificationFailureReason: null, attempts: 1, atpPresented: true,
    });
    expect(a.corrUUID).toMatch(/^[0-9a-f-]{36}$/);
    // The manufacturer recorded the request it answered under the same corrUUID, with the credential it checked.
    const [row] = await pg.query<{ verified: boolean; requester: string; context: string; attestation: { atp?: { issuer: string } } }>(`vrs_m_${runId}`,
      `SELECT verified, requester, context, attestation FROM verifications WHERE "correlationId" = $1`, [a.corrUUID]);
    expect(row).toMatchObject({ verified: true, context: 'dscsaSaleableReturn', attestation: { atp: { issuer: ISSUER } } });
    expect(row.requester).toMatch(new RegExp(`^gln:${DISTRIBUTOR_GLN} DistributorMSP/`));
  });

  it.each([
    ['a wrong lot', () => scan(GTIN, serial(2), 'WRONGLOT'), 'No_match_GTIN_Serial_Lot'],
    ['a wrong expiry', () => scan(GTIN, serial(2), LOT, '301130'), 'No_match_GTIN_Serial_Expiry'],
    ['a serial never commissioned', () => scan(GTIN, `N${runId}`.slice(0, 20)), 'No_match_GTIN_Serial'],
  ])('the member manufacturer answers %s as %s', async (_name, s, reason) => {
    expect(await answer(s())).toMatchObject({ verified: false, verificationFailureReason: reason });
  });

  it('the member responder refuses a request without the required presentation (401) and one for another GLN (403), recording neither', async () => {
    const url = `${manufacturer.url}/01/${GTIN}/10/${LOT}/21/${serial(1)}?17=301231&linkType=gs1:verificationService&context=dscsaSaleableReturn&reqGLN=${DISTRIBUTOR_GLN}&corrUUID=${runId}-direct`;
    const headers = { 'x-api-key': key('distributor', 'operator') };
    const none = await fetch(url, { headers });
    expect(none.status).toBe(401);
    expect(none.headers.get('gs1us-version')).toBe('1.3.0');
    expect(await none.json()).toMatchObject({ corrUUID: `${runId}-direct`, error: { domainCode: 'ATP_CREDENTIAL_INVALID', details: { reason: 'vp_required' } } });
    const other = await fetch(url, { headers: { ...headers, 'x-atp-presentation': presentation('0312346000010') } });
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: { details: { reason: 'gln_mismatch' } } });
    const good = await fetch(url, { headers: { ...headers, 'x-atp-presentation': presentation() } });
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ responderGLN: ACME_GLN, corrUUID: `${runId}-direct`, data: { verified: true } });
    const rows = await pg.query<{ n: string }>(`vrs_m_${runId}`, `SELECT count(*) AS n FROM verifications WHERE "correlationId" = $1`, [`${runId}-direct`]);
    expect(Number(rows[0].n)).toBe(1);
    expect((await fetch(`${manufacturer.url}/checkConnectivity?gtin=${GTIN}&reqGLN=${DISTRIBUTOR_GLN}`, { headers: { ...headers, 'x-atp-presentation': presentation() } })).status).toBe(200);
  });

  it('verifies with a manufacturer that is not on the ledger, at the responder the directory lists', async () => {
    const good = await answer(scan(OUTSIDER.gtin, 'GOOD1', 'OUT1'));
    expect(good).toMatchObject({ verified: true, additionalInfo: 'Recalled', responderGLN: OUTSIDER.gln, responderName: 'Outsider Labs (not on the ledger)' });
    const seen = seenByOutsider[seenByOutsider.length - 1];
    const url = new URL(seen.url, 'http://x');
    expect(url.pathname).toBe(`/verify/gtin/${OUTSIDER.gtin}/lot/OUT1/ser/GOOD1`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ exp: '301231', linkType: 'verificationService', context: 'dscsaSaleableReturn', reqGLN: DISTRIBUTOR_GLN, corrUUID: good.corrUUID });
    expect(seen.headers['gs1us-version']).toBe('1.3.0');
    expect(seen.headers['x-atp-presentation']).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await answer(scan(OUTSIDER.gtin, 'GOOD1', 'OTHERLOT'))).toMatchObject({ verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' });
  });

  it.each([
    ['unreachable', () => DOWN.gtin, 'UPSTREAM_FAILED', 'VRS_RESPONDER_UNREACHABLE', true],
    ['answering malformed', () => MALFORMED.gtin, 'UPSTREAM_FAILED', 'VRS_RESPONSE_MALFORMED', false],
    ['never answering (deadline, one retry)', () => SLOW.gtin, 'UPSTREAM_FAILED', 'VRS_RESPONDER_TIMEOUT', true],
    ['not in the lookup directory', () => UNLISTED, 'NOT_FOUND', 'VRS_RESPONDER_UNKNOWN', false],
  ])('a responder %s is a typed error, never "not verified"', async (_name, gtin, code, domainCode, retryable) => {
    const r = await verify(scan(gtin(), 'GOOD1', 'OUT1'));
    expect(r.data?.verifyWithManufacturer ?? null).toBeNull();
    expect(r.errors?.[0].extensions).toMatchObject({ code, domainCode, retryable });
  });

  it('records every request, answered or failed, in the requester\'s read model', async () => {
    const log = await distributor.ok<{ vrsRequests: Array<{ gtin: string; status: string; verified: boolean | null; errorCode: string | null; attempts: number }> }>(key('distributor', 'auditor'),
      `{ vrsRequests(first: 100) { gtin status verified errorCode attempts corrUUID } }`);
    const byGtin = (g: string) => log.vrsRequests.filter((r) => r.gtin === g);
    expect(byGtin(GTIN).map((r) => r.status)).toEqual(['answered', 'answered', 'answered', 'answered']);
    expect(byGtin(OUTSIDER.gtin)).toHaveLength(2);
    expect(byGtin(DOWN.gtin)).toMatchObject([{ status: 'failed', verified: null, errorCode: 'VRS_RESPONDER_UNREACHABLE', attempts: 2 }]);
    expect(byGtin(SLOW.gtin)).toMatchObject([{ status: 'failed', errorCode: 'VRS_RESPONDER_TIMEOUT', attempts: 2 }]);
    expect(byGtin(MALFORMED.gtin)).toMatchObject([{ status: 'failed', errorCode: 'VRS_RESPONSE_MALFORMED', attempts: 1 }]);
    expect(byGtin(UNLISTED)).toMatchObject([{ status: 'failed', errorCode: 'VRS_RESPONDER_UNKNOWN', attempts: 0 }]);
    const [{ n }] = await pg.query<{ n: string }>(`vrs_d_${runId}`, `SELECT count(*) AS n FROM vrs_requests`);
    expect(Number(n)).toBe(log.vrsRequests.length);
  });

  it('a bad scan or context changes nothing and is BAD_USER_INPUT', async () => {
    const before = (await pg.query<{ n: string }>(`vrs_d_${runId}`, `SELECT count(*) AS n FROM vrs_requests`))[0].n;
    const r = await verify(`01${GTIN}`);
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const c = await distributor.gql(key('distributor', 'operator'), `mutation($s: String!) { verifyWithManufacturer(scan: $s, context: "curiosity") { verified } }`, { s: scan(GTIN, serial(1)) });
    expect(c.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', domainCode: 'VRS_REQUEST_INVALID' });
    expect((await pg.query<{ n: string }>(`vrs_d_${runId}`, `SELECT count(*) AS n FROM vrs_requests`))[0].n).toBe(before);
  });
});
