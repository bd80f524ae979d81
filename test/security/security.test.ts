import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { sgtinToEpcUrn, withCheckDigit } from '@pedigree/domain';
// The auth module alone: the package index pulls in NestJS, which Jest here cannot load as ESM.
import { sha256, USER_ROLES, UserRole } from '@pedigree/platform/auth';
import { key, MSP, Postgres, ROLES, Role, ROOT, Service } from '../services/support';

/**
 * The security matrix, automated. Rows already covered elsewhere are not repeated here:
 * - private Transaction Information through GraphQL by a third organisation: test/services/dscsa-story
 *   ("the manufacturer may not read the TI of a sale between distributor and dispenser");
 * - the same through the chaincode (GetTransactionInformation → TI_FORBIDDEN): test/chaincode/traceability.
 * Here: every mutation of every service, discovered by introspection so a new one cannot be
 * forgotten, REST EPCIS capture, the VRS responder and graphql-ws subscriptions, each called by
 * every role of every other organisation (by API key and by JWT) and by unauthenticated callers (no
 * credentials, unknown key, JWTs forged, expired, unsigned, for another audience or minted with
 * another organisation's key), all refused and nothing written — shown by a sentinel: an allowed
 * write made after the refused ones, waited for until the read model has it; GraphQL abuse and
 * callers over their rate refused before anything runs; a tampered read-model row found by the
 * reconciler; no private key or secret committed.
 */
const run = promisify(execFile);
const OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
// Full offset: a private copy of the system under a large offset collides with no one.
const PORTS: Record<Role, number> = { manufacturer: 5031 + OFFSET, distributor: 5032 + OFFSET, dispenser: 5033 + OFFSET };
const PG_PORT = 5431 + OFFSET;
const GTIN = '00312345678906';
const id = Date.now().toString(36).slice(-6);
const SERIAL = `SEC${id}`;
const db = (r: Role) => `security_${r}_${id}`;
/**
 * The services accept JWTs too, signed by each organisation's own key (ES256) and published in one
 * JWKS that says which organisation each key speaks for: the matrix covers both ways in.
 */
const ISSUER = 'https://idp.consortium.test';
const AUDIENCE = `pedigree-security-${id}`;
const JWKS_FILE = path.join(os.tmpdir(), `pedigree-security-jwks-${id}.json`);
interface SigningKey { readonly kid: string; readonly privateKey: CryptoKey }
const signing = {} as Record<Role, SigningKey>;
/** A key of nobody in the consortium, under a kid that is. */
let stranger: SigningKey;
async function jwt(org: Role, role: UserRole, o: { key?: SigningKey; exp?: number; aud?: string } = {}): Promise<string> {
  const k = o.key ?? signing[org];
  return new SignJWT({ org: MSP[org], role }).setProtectedHeader({ alg: 'ES256', kid: k.kid }).setSubject(`${org}-${role}`).setIssuer(ISSUER)
    .setAudience(o.aud ?? AUDIENCE).setExpirationTime(o.exp ?? Math.floor(Date.now() / 1000) + 3600).sign(k.privateKey);
}
/** A key of the dispenser that only the rate-limit test uses, so its budget is its own. */
const RATE_PROBE_KEY = `rate-probe-${id}`;
const RATE_LIMIT = 100;
const GLN: Record<Role, string> = { manufacturer: withCheckDigit('031234500001'), distributor: withCheckDigit('031234600001'), dispenser: withCheckDigit('031234700001') };

let pg: Postgres;
const services = {} as Record<Role, Service>;

beforeAll(async () => {
  const jwks: JWK[] = [];
  for (const r of ROLES) {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    signing[r] = { kid: `${r}-${id}`, privateKey };
    jwks.push({ ...(await exportJWK(publicKey)), kid: signing[r].kid, alg: 'ES256', org: MSP[r] } as JWK);
  }
  stranger = { kid: signing.dispenser.kid, privateKey: (await generateKeyPair('ES256')).privateKey };
  fs.writeFileSync(JWKS_FILE, JSON.stringify({ keys: jwks }));
  pg = await Postgres.start(`security-${id}`, PG_PORT);
  await Promise.all(ROLES.map(async (r) => {
    services[r] = new Service(r, pg.databaseUrl(db(r)), PORTS[r]);
    await services[r].start({
      LOG_LEVEL: 'warn', PEDIGREE_JWKS: JWKS_FILE, PEDIGREE_JWT_ISSUER: ISSUER, PEDIGREE_JWT_AUDIENCE: AUDIENCE,
      // The dispenser shows the rate limit: low enough to reach, well above what the matrix sends per principal.
      ...(r === 'dispenser' ? {
        PEDIGREE_RATE_LIMIT: String(RATE_LIMIT),
        PEDIGREE_API_KEYS: JSON.stringify([{ sha256: sha256(RATE_PROBE_KEY).toString('hex'), subject: 'rate-probe', org: MSP.dispenser, role: 'auditor' }]),
      } : {}),
    });
  }));
  // One real pack, so the tamper test has a row whose ledger state is known.
  const m = services.manufacturer;
  await m.ok(key('manufacturer', 'operator'), `mutation { registerProduct(ndc: "12345-678-90", name: "Amoxicillin 500 mg capsules", strength: "500 mg", dosageForm: "capsule", packSize: "30 capsules") { transactionId } }`);
  const { commissionPacks } = await m.ok<{ commissionPacks: { blockNumber: string } }>(key('manufacturer', 'operator'), `mutation { commissionPacks(gtin: "${GTIN}", lot: "SEC${id}", expiry: "2030-12-31", serials: ["${SERIAL}"]) { blockNumber } }`);
  // Each service replays the whole chain into its fresh read model: "nothing written" below is only
  // measurable once every projector has passed this block (a long-used ledger takes a while).
  for (const r of ROLES) {
    for (let i = 0; ; i++) {
      const [row] = await pg.query<{ b: string | null }>(db(r), `SELECT max("blockNumber") AS b FROM projector_checkpoint`);
      if (row.b !== null && BigInt(row.b) >= BigInt(commissionPacks.blockNumber)) break;
      if (i > 600) throw new Error(`the ${r} projector never reached block ${commissionPacks.blockNumber}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  }
}, 600_000);

afterAll(async () => {
  await Promise.all(ROLES.map((r) => services[r]?.kill('SIGTERM')));
  await pg?.stop();
  fs.rmSync(JWKS_FILE, { force: true });
});

async function projectedUpTo(r: Role, block: string): Promise<void> {
  for (let i = 0; ; i++) {
    const [row] = await pg.query<{ b: string | null }>(db(r), `SELECT max("blockNumber") AS b FROM projector_checkpoint`);
    if (row.b !== null && BigInt(row.b) >= BigInt(block)) return;
    if (i > 600) throw new Error(`the ${r} projector never reached block ${block}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

let sentinels = 0;
/**
 * An allowed write made after the refused ones, and waited for until the target's read model has
 * projected it (the manufacturer's also holds its pack): a refused call that had written anything
 * would be in an earlier block, so it would be there by now too. Its rows are left out of footprint().
 */
async function sentinel(target: Role): Promise<void> {
  const serial = `SENT${id}${sentinels++}`;
  const { commissionPacks } = await services.manufacturer.ok<{ commissionPacks: { blockNumber: string } }>(key('manufacturer', 'operator'),
    `mutation { commissionPacks(gtin: "${GTIN}", lot: "${serial}", expiry: "2030-12-31", serials: ["${serial}"]) { blockNumber } }`);
  await projectedUpTo(target, commissionPacks.blockNumber);
  if (target === 'manufacturer') expect(await pg.query(db(target), `SELECT 1 FROM packs WHERE lot = $1`, [serial])).toHaveLength(1);
}

/** Every way in, for a service of `target`: each role of each other organisation, then strangers. */
async function callersOf(target: Role): Promise<Array<{ who: string; headers: Record<string, string>; expect: 'FORBIDDEN' | 'UNAUTHENTICATED' }>> {
  const apiKey = (k: string) => ({ 'x-api-key': k });
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: signing[target].kid })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', org: MSP[target], role: 'admin', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.`;
  const other = ROLES.find((r) => r !== target) as Role;
  const callers: Array<{ who: string; headers: Record<string, string>; expect: 'FORBIDDEN' | 'UNAUTHENTICATED' }> = [];
  for (const org of ROLES.filter((r) => r !== target)) {
    for (const role of USER_ROLES) {
      callers.push({ who: `${org}/${role} (API key)`, headers: apiKey(key(org, role)), expect: 'FORBIDDEN' });
      callers.push({ who: `${org}/${role} (JWT)`, headers: bearer(await jwt(org, role)), expect: 'FORBIDDEN' });
    }
  }
  const forged = await new SignJWT({ org: MSP[target], role: 'admin' }).setProtectedHeader({ alg: 'ES256', kid: signing[other].kid }).setSubject('mallory')
    .setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1h').sign(signing[other].privateKey);
  callers.push(
    { who: 'no credentials', headers: {}, expect: 'UNAUTHENTICATED' },
    { who: 'unknown key', headers: apiKey(`forged-${id}`), expect: 'UNAUTHENTICATED' },
    { who: 'own admin JWT signed with a key the consortium does not know', headers: bearer(await jwt(target, 'admin', { key: stranger })), expect: 'UNAUTHENTICATED' },
    { who: `own admin JWT minted with ${other}'s key`, headers: bearer(forged), expect: 'UNAUTHENTICATED' },
    { who: 'own admin JWT, expired', headers: bearer(await jwt(target, 'admin', { exp: Math.floor(Date.now() / 1000) - 60 })), expect: 'UNAUTHENTICATED' },
    { who: 'own admin JWT for another audience', headers: bearer(await jwt(target, 'admin', { aud: 'another-system' })), expect: 'UNAUTHENTICATED' },
    { who: 'own admin JWT, alg none', headers: bearer(unsigned), expect: 'UNAUTHENTICATED' },
  );
  return callers;
}

interface TypeRef { kind: string; name: string | null; ofType: TypeRef | null }
interface Field { name: string; args: Array<{ name: string; type: TypeRef }>; type: TypeRef }

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';

type InputFields = Record<string, Array<{ name: string; type: TypeRef }>>;

/** A syntactically valid value for an argument type: the guard must refuse before any of it matters. */
function dummy(t: TypeRef, enums: Record<string, string[]>, inputs: InputFields = {}): string {
  if (t.kind === 'NON_NULL') return dummy(t.ofType as TypeRef, enums, inputs);
  if (t.kind === 'LIST') return `[${dummy(t.ofType as TypeRef, enums, inputs)}]`;
  if (t.kind === 'ENUM') return enums[t.name as string][0];
  // An input object with its required fields, so the document passes validation and reaches the guard.
  if (t.kind === 'INPUT_OBJECT') return `{ ${(inputs[t.name as string] ?? []).filter((f) => f.type.kind === 'NON_NULL').map((f) => `${f.name}: ${dummy(f.type, enums, inputs)}`).join(', ')} }`;
  switch (t.name) {
    case 'Int': case 'Float': return '1';
    case 'Boolean': return 'true';
    case 'JSON': return '{}';
    default: return JSON.stringify(t.name === 'String' || t.name === 'ID' ? sgtinToEpcUrn(GTIN, SERIAL) : 'x');
  }
}

function leaf(t: TypeRef): TypeRef {
  return t.ofType ? leaf(t.ofType) : t;
}

async function mutationsOf(s: Service, r: Role): Promise<string[]> {
  const schema = await s.ok<{ __schema: { mutationType: { fields: Field[] }; types: Array<{ name: string; kind: string; enumValues: Array<{ name: string }> | null; fields: Array<{ name: string; type: TypeRef }> | null; inputFields: Array<{ name: string; type: TypeRef }> | null }> } }>(key(r, 'admin'),
    `{ __schema { mutationType { fields { name args { name type { ${TYPE_REF} } } type { ${TYPE_REF} } } } types { name kind enumValues { name } fields { name type { ${TYPE_REF} } } inputFields { name type { ${TYPE_REF} } } } } }`);
  const enums = Object.fromEntries(schema.__schema.types.filter((t) => t.kind === 'ENUM').map((t) => [t.name, (t.enumValues ?? []).map((v) => v.name)]));
  const objects = Object.fromEntries(schema.__schema.types.map((t) => [t.name, t]));
  const inputs: InputFields = Object.fromEntries(schema.__schema.types.filter((t) => t.kind === 'INPUT_OBJECT').map((t) => [t.name, t.inputFields ?? []]));
  return schema.__schema.mutationType.fields.map((f) => {
    // Only required arguments: fewer chances for a validation error to answer before the guard.
    const args = f.args.filter((a) => a.type.kind === 'NON_NULL').map((a) => `${a.name}: ${dummy(a.type, enums, inputs)}`).join(', ');
    const out = leaf(f.type);
    const selection = out.kind === 'OBJECT' ? ` { ${(objects[out.name as string].fields ?? []).find((x) => leaf(x.type).kind === 'SCALAR')?.name ?? '__typename'} }` : '';
    return `${f.name}${args ? `(${args})` : ''}${selection}`;
  });
}

/** What a write would leave in a read model, less the sentinels' rows and the event-ID secret. */
async function footprint(r: Role): Promise<Record<string, number>> {
  const rows = await pg.query<{ t: string; n: string }>(db(r), `
    SELECT 'packs' AS t, count(*) AS n FROM packs WHERE lot NOT LIKE 'SENT%'
    UNION ALL SELECT 'trace_events', count(*) FROM trace_events WHERE coalesce(lot, '') NOT LIKE 'SENT%' AND subject NOT LIKE '%SENT${id}%'
    UNION ALL SELECT 'idempotency_keys', count(*) FROM idempotency_keys WHERE key NOT LIKE '#%' UNION ALL SELECT 'verifications', count(*) FROM verifications`);
  return Object.fromEntries(rows.map((x) => [x.t, Number(x.n)]));
}

describe('every mutation by every role of every other organisation, and by nobody', () => {
  it.each(ROLES)('on the %s service: all refused, nothing written', async (target) => {
    const s = services[target];
    const mutations = await mutationsOf(s, target);
    expect(mutations.length).toBeGreaterThan(5);
    const before = await footprint(target);
    const callers = await callersOf(target);
    const wrong: unknown[] = [];
    for (const c of callers) {
      for (const m of mutations) {
        const res = await fetch(`${s.url}/graphql`, {
          method: 'POST', headers: { 'content-type': 'application/json', ...c.headers },
          body: JSON.stringify({ query: `mutation { ${m} }` }),
        });
        const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ extensions?: { code?: string } }> };
        const code = body.errors?.[0]?.extensions?.code;
        const wrote = body.data && Object.values(body.data).some((v) => v !== null);
        if (code !== c.expect || wrote) wrong.push({ who: c.who, m, code });
      }
    }
    expect(wrong).toEqual([]);
    await sentinel(target);
    expect(await footprint(target)).toEqual(before);
  });
});

describe('REST EPCIS capture by every role of every other organisation, by nobody, and by own non-operators', () => {
  const doc = (serial: string) => ({
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: new Date().toISOString(),
    epcisBody: { eventList: [{
      type: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', disposition: 'active', eventTime: new Date().toISOString(), eventTimeZoneOffset: '+00:00',
      epcList: [sgtinToEpcUrn(GTIN, serial)], readPoint: { id: 'urn:epc:id:sgln:0312345.00001.0' },
      ilmd: { 'cbvmda:lotNumber': `EPC${id}`, 'cbvmda:itemExpirationDate': '2030-12-31' },
    }] },
  });
  it.each(ROLES)('on the %s service: all refused, nothing written', async (target) => {
    const s = services[target];
    const before = await footprint(target);
    const callers = [
      ...(await callersOf(target)),
      ...(['pharmacist', 'planner', 'auditor'] as const).map((role) => ({ who: `own ${role}`, headers: { 'x-api-key': key(target, role) }, expect: 'FORBIDDEN' as const })),
    ];
    const wrong: unknown[] = [];
    for (const [i, c] of callers.entries()) {
      const res = await fetch(`${s.url}/epcis/capture`, { method: 'POST', headers: { 'content-type': 'application/json', ...c.headers }, body: JSON.stringify(doc(`E${id}${target[0]}${i}`)) });
      const body = (await res.json()) as { error?: { code?: string }; captured?: number };
      const status = c.expect === 'FORBIDDEN' ? 403 : 401;
      if (res.status !== status || body.error?.code !== c.expect) wrong.push({ who: c.who, status: res.status, body });
    }
    expect(wrong).toEqual([]);
    await sentinel(target);
    expect(await footprint(target)).toEqual(before);
  });
});

describe('the VRS responder (manufacturer): registered partners, under their own GLN, only', () => {
  const vrsPath = (serial: string, reqGLN: string) => `/verify/gtin/${GTIN}/lot/SEC${id}/ser/${encodeURIComponent(serial)}?exp=301231&linkType=verificationService&context=dscsaSaleableReturn&reqGLN=${reqGLN}&corrUUID=sec-${id}`;
  it('refuses strangers, other roles and borrowed GLNs without writing; answers a partner under its own GLN', async () => {
    const m = services.manufacturer;
    const before = await footprint('manufacturer');
    const get = (p: string, headers: Record<string, string>) => fetch(`${m.url}${p}`, { headers });
    const refusals: Array<{ who: string; headers: Record<string, string>; reqGLN: string; status: number }> = [
      { who: 'no credentials', headers: {}, reqGLN: GLN.distributor, status: 401 },
      { who: 'unknown key', headers: { 'x-api-key': `forged-${id}` }, reqGLN: GLN.distributor, status: 401 },
      { who: 'expired JWT of the distributor', headers: { authorization: `Bearer ${await jwt('distributor', 'operator', { exp: Math.floor(Date.now() / 1000) - 60 })}` }, reqGLN: GLN.distributor, status: 401 },
      { who: 'distributor JWT minted with the dispenser\'s key', headers: { authorization: `Bearer ${await jwt('distributor', 'operator', { key: signing.dispenser })}` }, reqGLN: GLN.distributor, status: 401 },
      { who: 'distributor operator under the dispenser\'s GLN', headers: { 'x-api-key': key('distributor', 'operator') }, reqGLN: GLN.dispenser, status: 403 },
      { who: 'dispenser pharmacist under the distributor\'s GLN', headers: { 'x-api-key': key('dispenser', 'pharmacist') }, reqGLN: GLN.distributor, status: 403 },
      { who: 'distributor planner', headers: { 'x-api-key': key('distributor', 'planner') }, reqGLN: GLN.distributor, status: 403 },
      { who: 'distributor auditor', headers: { 'x-api-key': key('distributor', 'auditor') }, reqGLN: GLN.distributor, status: 403 },
      { who: 'distributor operator, reqGLN missing', headers: { 'x-api-key': key('distributor', 'operator') }, reqGLN: '', status: 400 },
    ];
    const wrong: unknown[] = [];
    for (const r of refusals) {
      const res = await get(vrsPath(SERIAL, r.reqGLN), r.headers);
      if (res.status !== r.status) wrong.push({ who: r.who, status: res.status, body: await res.text() });
    }
    expect(wrong).toEqual([]);
    // The sentinel is an answered request: VRS records it before it answers, so it is there now.
    const ok = await get(vrsPath(SERIAL, GLN.distributor), { 'x-api-key': key('distributor', 'operator') });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ corrUUID: `sec-${id}`, data: { verified: true } });
    const byJwt = await get(vrsPath(SERIAL, GLN.dispenser), { authorization: `Bearer ${await jwt('dispenser', 'pharmacist')}` });
    expect(byJwt.status).toBe(200);
    expect(await footprint('manufacturer')).toEqual({ ...before, verifications: before.verifications + 2 });
  });

  it('answers an unknown serial from the read model alone (no ledger query to probe with)', async () => {
    const res = await fetch(`${services.manufacturer.url}${vrsPath(`NONE${id}`, GLN.distributor)}`, { headers: { 'x-api-key': key('distributor', 'operator') } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ data: { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' } });
    const [row] = await pg.query<{ source: string }>(db('manufacturer'), `SELECT source FROM verifications WHERE serial = $1`, [`NONE${id}`]);
    expect(row.source).toBe('read-model');
  });
});

/** The graphql-transport-ws handshake by hand: what a socket with these connectionParams is told. */
async function connectSocket(url: string, params: Record<string, string>): Promise<{ acked: boolean; closeCode?: number; run?: (query: string) => Promise<unknown[]>; close: () => void }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const WebSocket = require('ws') as new (url: string, protocol: string) => { on(e: string, f: (...a: unknown[]) => void): void; send(d: string): void; close(): void };
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  const messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
  const waiters: Array<() => void> = [];
  let closeCode: number | undefined;
  ws.on('message', (d) => { messages.push(JSON.parse(String(d))); waiters.splice(0).forEach((w) => w()); });
  ws.on('close', (code) => { closeCode = code as number; waiters.splice(0).forEach((w) => w()); });
  const until = async (done: () => boolean) => { while (!done() && closeCode === undefined) await new Promise<void>((r) => waiters.push(r)); };
  await new Promise<void>((resolve, reject) => { ws.on('open', () => resolve()); ws.on('error', reject); });
  ws.send(JSON.stringify({ type: 'connection_init', payload: params }));
  await until(() => messages.some((m) => m.type === 'connection_ack'));
  const acked = messages.some((m) => m.type === 'connection_ack');
  let n = 0;
  const run = async (query: string) => {
    const sid = String(++n);
    ws.send(JSON.stringify({ type: 'subscribe', id: sid, payload: { query } }));
    await until(() => messages.some((m) => m.id === sid && (m.type === 'complete' || m.type === 'error')));
    return messages.filter((m) => m.id === sid).map((m) => m.payload);
  };
  return { acked, closeCode, run: acked ? run : undefined, close: () => ws.close() };
}

describe('graphql-ws subscriptions: authenticated when the socket connects', () => {
  it.each(ROLES)('on the %s service: every other organisation and every stranger is refused at connection', async (target) => {
    const wrong: unknown[] = [];
    for (const c of await callersOf(target)) {
      const params: Record<string, string> = {};
      if (c.headers['x-api-key']) params['x-api-key'] = c.headers['x-api-key'];
      if (c.headers.authorization) params.authorization = c.headers.authorization;
      const socket = await connectSocket(services[target].url, params);
      socket.close();
      if (socket.acked || socket.closeCode !== 4403) wrong.push({ who: c.who, acked: socket.acked, closeCode: socket.closeCode });
    }
    expect(wrong).toEqual([]);
  });

  it('a user of the service\'s own organisation connects and is answered (by key and by JWT)', async () => {
    const logins: Array<Record<string, string>> = [{ 'x-api-key': key('dispenser', 'auditor') }, { authorization: `Bearer ${await jwt('dispenser', 'planner')}` }];
    for (const params of logins) {
      const socket = await connectSocket(services.dispenser.url, params);
      expect(socket.acked).toBe(true);
      expect(await socket.run?.('{ serviceInfo { service } }')).toEqual([{ data: { serviceInfo: { service: 'dispenser' } } }]);
      socket.close();
    }
  });
});

describe('rate limits: a caller over its budget is refused before anything runs', () => {
  it('answers 429 RATE_LIMITED with Retry-After once the key has spent its budget, and executes nothing', async () => {
    const s = services.dispenser;
    const post = (query: string) => fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': RATE_PROBE_KEY }, body: JSON.stringify({ query }) });
    for (let i = 0; i < RATE_LIMIT; i++) expect((await post('{ __typename }')).status).toBe(200);
    const before = await executedOn(s);
    const refused = await post('{ packs(first: 1) { edges { node { epc } } } }');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED', retryable: true } }] });
    expect(await executedOn(s)).toBe(before);
    // The budget is the key's: another user of the same organisation, from the same address, is served.
    expect((await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key('dispenser', 'auditor') }, body: JSON.stringify({ query: '{ __typename }' }) })).status).toBe(200);
    // REST too: EPCIS under the same key.
    const epcis = await fetch(`${s.url}/epcis/events?epc=${encodeURIComponent(sgtinToEpcUrn(GTIN, SERIAL))}`, { headers: { 'x-api-key': RATE_PROBE_KEY } });
    expect(epcis.status).toBe(429);
    expect(await epcis.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    // And the routes that only look at credentials: no place to go on guessing.
    expect((await fetch(`${s.url}/metrics`, { headers: { 'x-api-key': RATE_PROBE_KEY } })).status).toBe(429);
    expect((await fetch(`${s.url}/health`, { headers: { 'x-api-key': RATE_PROBE_KEY } })).status).toBe(429);
    expect([200, 503]).toContain((await fetch(`${s.url}/health`)).status);
  });
});

/** The service's own count of operations that reached execution (pedigree_graphql_operations_total). */
async function executedOn(s: Service): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`, { headers: { 'x-api-key': key(s.role, 'auditor') } })).text();
  const line = text.split('\n').find((l) => l.startsWith('pedigree_graphql_operations_total{outcome="executed"}'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('/health and /metrics to callers who did not authenticate', () => {
  it('/health shows health and reason codes, no details; the service\'s own users see the details', async () => {
    const open = (await (await fetch(`${services.dispenser.url}/health`)).json()) as { checks: Record<string, Record<string, unknown>> };
    for (const c of Object.values(open.checks)) expect(Object.keys(c).filter((k) => k !== 'healthy' && k !== 'reason')).toEqual([]);
    const own = (await (await fetch(`${services.dispenser.url}/health`, { headers: { 'x-api-key': key('dispenser', 'auditor') } })).json()) as { checks: Record<string, Record<string, unknown>> };
    expect(own.checks.projector.detail).toBeDefined();
    // Certificate expiry of each identity the service signs and connects with (issued by its CA).
    expect(own.checks.identities).toMatchObject({ healthy: true, detail: expect.arrayContaining([expect.objectContaining({ identity: 'User1', notAfter: expect.any(String) })]) });
    expect(open.checks.identities).toMatchObject({ healthy: true });
    const other = (await (await fetch(`${services.dispenser.url}/health`, { headers: { 'x-api-key': key('manufacturer', 'admin') } })).json()) as { checks: Record<string, Record<string, unknown>> };
    expect(other.checks.projector.detail).toBeUndefined();
  });

  it('/metrics needs an admin or auditor of the organisation', async () => {
    expect((await fetch(`${services.dispenser.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${services.dispenser.url}/metrics`, { headers: { 'x-api-key': key('dispenser', 'pharmacist') } })).status).toBe(403);
    expect((await fetch(`${services.dispenser.url}/metrics`, { headers: { 'x-api-key': key('manufacturer', 'admin') } })).status).toBe(403);
    expect(await (await fetch(`${services.dispenser.url}/metrics`, { headers: { 'x-api-key': key('dispenser', 'auditor') } })).text()).toContain('pedigree_graphql_operations_total');
  });
});

it('a valid JWT of the service\'s own organisation is accepted (the refusals above are not a broken JWT path)', async () => {
  const res = await fetch(`${services.dispenser.url}/graphql`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await jwt('dispenser', 'auditor')}` },
    body: JSON.stringify({ query: '{ packs(first: 1) { edges { node { epc } } } }' }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  expect(body.data).toBeDefined();
});

describe('GraphQL abuse is refused before it costs', () => {
  // "Before it costs" is shown by where the refusal happens, not by a clock: the service counts
  // operations that reached execution (pedigree_graphql_operations_total) and HTTP answers by
  // status; an abusive request must leave the executed count as it was.
  const executed = () => executedOn(services.dispenser);
  const post = async (body: unknown) => {
    const before = await executed();
    const res = await fetch(`${services.dispenser.url}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key('dispenser', 'auditor') }, body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, executed: (await executed()) - before };
  };

  it('a legal query is executed (the counter the refusals below rely on works)', async () => {
    const r = await post({ query: '{ __typename }' });
    expect(r.text).toContain('"data"');
    expect(r.executed).toBe(1);
  });

  it('deep nesting', async () => {
    // 300 levels of introspection types: legal GraphQL, absurd depth.
    let q = 'name';
    for (let i = 0; i < 300; i++) q = `ofType { ${q} }`;
    q = `__schema { types { fields { type { ${q} } } } }`;
    const r = await post({ query: `{ ${q} }` });
    expect(r.text).toMatch(/QUERY_TOO_COMPLEX|nests|depth|GRAPHQL_VALIDATION_FAILED/);
    expect(r.text).not.toMatch(/"data":\{/);
    expect(r.executed).toBe(0);
  });

  it('thousands of aliases', async () => {
    // Small enough to pass the body size limit, so the alias rule itself is what refuses it.
    const q = Array.from({ length: 3000 }, (_, i) => `a${i}: __typename`).join(' ');
    const r = await post({ query: `{ ${q} }` });
    expect(r.text).toMatch(/"limit":"aliases"/);
    expect(r.executed).toBe(0);
  });

  it('a huge batch', async () => {
    const r = await post(Array.from({ length: 2000 }, () => ({ query: '{ __typename }' })));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/operations per batch/);
    expect(r.executed).toBe(0);
  });

  it('an expensive page', async () => {
    const r = await post({ query: '{ packs(first: 100000) { edges { node { epc status lot } } } }' });
    expect(r.text).toMatch(/"limit":"cost"/);
    expect(r.text).not.toMatch(/"data":\{/);
    expect(r.executed).toBe(0);
  });

  it('an expensive page asked for in a variable (costed at its value, not at a guess)', async () => {
    const r = await post({ query: 'query($n: Int) { packs(first: $n) { edges { node { epc status lot } } } }', variables: { n: 100000 } });
    expect(r.text).toMatch(/"limit":"cost"/);
    expect(r.executed).toBe(0);
  });

  it('aliases spread over the operations of a batch (counted together)', async () => {
    const each = `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const r = await post(Array.from({ length: 10 }, () => ({ query: each })));
    expect(r.text).toMatch(/"limit":"aliases"/);
    expect(r.executed).toBe(0);
  });

  it('a request body too large is refused before it is parsed', async () => {
    const r = await post({ query: `{ ${Array.from({ length: 50_000 }, (_, i) => `a${i}: __typename`).join(' ')} }` });
    expect([400, 413]).toContain(r.status);
    expect(r.text).toMatch(/too large/);
    expect(r.executed).toBe(0);
  });
});

it('the reconciler finds a tampered read-model row', async () => {
  const cli = path.join(ROOT, 'dist/libs/readmodel/src/cli/readmodel.js');
  const epc = sgtinToEpcUrn(GTIN, SERIAL);
  const reconcile = () => run(process.execPath, [cli, 'reconcile', '--role', 'manufacturer', '--org', 'ManufacturerMSP'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: pg.databaseUrl(db('manufacturer')) } })
    .then((r) => ({ code: 0, out: r.stdout }), (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }));
  const clean = await reconcile();
  expect(clean.out).not.toContain(epc);
  // Someone with database access marks the pack dispensed (hiding it from a recall, say).
  await pg.query(db('manufacturer'), `UPDATE packs SET record = jsonb_set(record::jsonb, '{status}', '"dispensed"') WHERE id = $1`, [epc]);
  const tampered = await reconcile();
  expect(tampered.code).toBe(1);
  const found = tampered.out.trim().split('\n').map((l) => JSON.parse(l) as { id?: string; problem?: string; fields?: string[] }).find((d) => d.id === epc);
  expect(found).toMatchObject({ id: epc, problem: 'differs' });
  expect(found?.fields).toContain('status');
  // Two reconciles of the whole read model against the ledger: minutes once the chain holds a few thousand packs on a loaded machine.
}, 600_000);

describe('no secret in the repository', () => {
  const PATTERNS: Array<[string, RegExp]> = [
    ['PEM private key', /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/],
    ['AWS access key', /\bAKIA[0-9A-Z]{16}\b/],
    ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
    ['Slack token', /\bxox[baprs]-[A-Za-z0-9-]{10,}\b/],
  ];

  it('no committed file holds a private key or a known token format; crypto material stays ignored', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT }).toString().split('\0').filter(Boolean);
    const found: string[] = [];
    for (const f of files) {
      if (/(^|\/)(priv_sk|.*_sk|.*\.key)$/.test(f)) found.push(`${f}: private key file name`);
      let text: string;
      try {
        const full = path.join(ROOT, f);
        if (fs.statSync(full).size > 5_000_000) continue;
        text = fs.readFileSync(full, 'latin1');
      } catch { continue; }
      for (const [name, re] of PATTERNS) if (re.test(text) && !f.startsWith('test/security/')) found.push(`${f}: ${name}`);
    }
    expect(found).toEqual([]);
    // The generated crypto folder is ignored, wherever the network home is.
    expect(execFileSync('git', ['check-ignore', '.network/crypto/x'], { cwd: ROOT }).toString().trim()).toBe('.network/crypto/x');
  });
});
