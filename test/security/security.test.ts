import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { sgtinToEpcUrn } from '@pedigree/domain';
// The auth module alone: the package index pulls in NestJS, which Jest here cannot load as ESM.
import { signJwt, USER_ROLES, UserRole } from '@pedigree/platform/auth';
import { key, MSP, Postgres, ROLES, Role, ROOT, Service } from '../services/support';

/**
 * The security matrix, automated. Rows already covered elsewhere are not repeated here:
 * - private Transaction Information through GraphQL by a third organisation: test/services/dscsa-story
 *   ("the manufacturer may not read the TI of a sale between distributor and dispenser");
 * - the same through the chaincode (GetTransactionInformation → TI_FORBIDDEN): test/chaincode/traceability.
 * Here: every mutation of every service, discovered by introspection so a new one cannot be
 * forgotten, called by every role of every other organisation (by API key and by JWT) and by
 * unauthenticated callers (no credentials, unknown key, forged, expired and unsigned JWTs), all
 * refused and nothing written; GraphQL abuse refused before it costs; a tampered read-model row found
 * by the reconciler; no private key or secret committed.
 */
const run = promisify(execFile);
const OFFSET = Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
// Full offset (not % 1000): a private copy of the system under a large offset collides with no one.
const PORTS: Record<Role, number> = { manufacturer: 5031 + OFFSET, distributor: 5032 + OFFSET, dispenser: 5033 + OFFSET };
const PG_PORT = 5431 + OFFSET;
const GTIN = '00312345678906';
const id = Date.now().toString(36).slice(-6);
const SERIAL = `SEC${id}`;
const db = (r: Role) => `security_${r}_${id}`;
/** The services accept HS256 JWTs too (PEDIGREE_JWT_SECRET): the matrix covers both ways in. */
const JWT_SECRET = `security-jwt-${id}-0123456789abcdef`;
const jwt = (org: Role, role: UserRole, secret = JWT_SECRET, exp = Math.floor(Date.now() / 1000) + 3600) => signJwt({ sub: `${org}-${role}`, org: MSP[org], role, exp }, secret);

let pg: Postgres;
const services = {} as Record<Role, Service>;

beforeAll(async () => {
  pg = await Postgres.start(`security-${id}`, PG_PORT);
  await Promise.all(ROLES.map(async (r) => {
    services[r] = new Service(r, pg.databaseUrl(db(r)), PORTS[r]);
    await services[r].start({ LOG_LEVEL: 'warn', PEDIGREE_JWT_SECRET: JWT_SECRET });
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
});

interface TypeRef { kind: string; name: string | null; ofType: TypeRef | null }
interface Field { name: string; args: Array<{ name: string; type: TypeRef }>; type: TypeRef }

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';

/** A syntactically valid value for an argument type: the guard must refuse before any of it matters. */
function dummy(t: TypeRef, enums: Record<string, string[]>): string {
  if (t.kind === 'NON_NULL') return dummy(t.ofType as TypeRef, enums);
  if (t.kind === 'LIST') return `[${dummy(t.ofType as TypeRef, enums)}]`;
  if (t.kind === 'ENUM') return enums[t.name as string][0];
  if (t.kind === 'INPUT_OBJECT') return '{}';
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
  const schema = await s.ok<{ __schema: { mutationType: { fields: Field[] }; types: Array<{ name: string; kind: string; enumValues: Array<{ name: string }> | null; fields: Array<{ name: string; type: TypeRef }> | null }> } }>(key(r, 'admin'),
    `{ __schema { mutationType { fields { name args { name type { ${TYPE_REF} } } type { ${TYPE_REF} } } } types { name kind enumValues { name } fields { name type { ${TYPE_REF} } } } } }`);
  const enums = Object.fromEntries(schema.__schema.types.filter((t) => t.kind === 'ENUM').map((t) => [t.name, (t.enumValues ?? []).map((v) => v.name)]));
  const objects = Object.fromEntries(schema.__schema.types.map((t) => [t.name, t]));
  return schema.__schema.mutationType.fields.map((f) => {
    // Only required arguments: fewer chances for a validation error to answer before the guard.
    const args = f.args.filter((a) => a.type.kind === 'NON_NULL').map((a) => `${a.name}: ${dummy(a.type, enums)}`).join(', ');
    const out = leaf(f.type);
    const selection = out.kind === 'OBJECT' ? ` { ${(objects[out.name as string].fields ?? []).find((x) => leaf(x.type).kind === 'SCALAR')?.name ?? '__typename'} }` : '';
    return `${f.name}${args ? `(${args})` : ''}${selection}`;
  });
}

async function footprint(r: Role): Promise<Record<string, number>> {
  const rows = await pg.query<{ t: string; n: string }>(db(r), `
    SELECT 'packs' AS t, count(*) AS n FROM packs UNION ALL SELECT 'trace_events', count(*) FROM trace_events
    UNION ALL SELECT 'idempotency_keys', count(*) FROM idempotency_keys UNION ALL SELECT 'verifications', count(*) FROM verifications`);
  return Object.fromEntries(rows.map((x) => [x.t, Number(x.n)]));
}

describe('every mutation by every role of every other organisation, and by nobody', () => {
  it.each(ROLES)('on the %s service: all refused, nothing written', async (target) => {
    const s = services[target];
    const mutations = await mutationsOf(s, target);
    expect(mutations.length).toBeGreaterThan(5);
    const before = await footprint(target);
    const apiKey = (k: string) => ({ 'x-api-key': k });
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', org: MSP[target], role: 'admin' })).toString('base64url')}.`;
    const callers: Array<{ who: string; headers: Record<string, string>; expect: string }> = [
      ...ROLES.filter((r) => r !== target).flatMap((org) => USER_ROLES.flatMap((role) => [
        { who: `${org}/${role} (API key)`, headers: apiKey(key(org, role)), expect: 'FORBIDDEN' },
        { who: `${org}/${role} (JWT)`, headers: bearer(jwt(org, role)), expect: 'FORBIDDEN' },
      ])),
      { who: 'no credentials', headers: {}, expect: 'UNAUTHENTICATED' },
      { who: 'unknown key', headers: apiKey(`forged-${id}`), expect: 'UNAUTHENTICATED' },
      { who: 'own admin JWT signed with another secret', headers: bearer(jwt(target, 'admin', 'not-the-secret')), expect: 'UNAUTHENTICATED' },
      { who: 'own admin JWT, expired', headers: bearer(jwt(target, 'admin', JWT_SECRET, Math.floor(Date.now() / 1000) - 60)), expect: 'UNAUTHENTICATED' },
      { who: 'own admin JWT, alg none', headers: bearer(unsigned), expect: 'UNAUTHENTICATED' },
    ];
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
    // A ledger write would have been projected (the service waits for its own projector).
    await new Promise((r) => setTimeout(r, 1000));
    expect(await footprint(target)).toEqual(before);
  });
});

it('a valid JWT of the service\'s own organisation is accepted (the refusals above are not a broken JWT path)', async () => {
  const res = await fetch(`${services.dispenser.url}/graphql`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt('dispenser', 'auditor')}` },
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
  const metric = async (name: string, labels: string): Promise<number> => {
    const text = await (await fetch(`${services.dispenser.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  const executed = () => metric('pedigree_graphql_operations_total', 'outcome="executed"');
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
  const reconcile = () => run(process.execPath, [cli, 'reconcile', '--role', 'manufacturer'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: pg.databaseUrl(db('manufacturer')) } })
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
});

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
