import { parse, specifiedRules, validate, buildSchema } from 'graphql';
import { DomainError } from '@pedigree/domain';
import { LedgerError } from '@pedigree/ledger';
import { AccessError, Authenticator, demoApiKeys, signJwt, verifyJwt } from './auth';
import { classifyFailure } from './client-failure';
import { queryLimitRules } from './query-limits';

const auth = new Authenticator({ modes: new Set(['api-key', 'jwt']), apiKeys: demoApiKeys(), jwtSecret: 's3cret' }, 'DispenserMSP');

describe('authentication', () => {
  it('admits a key of its own organisation with its role', () => {
    expect(auth.authenticate({ 'x-api-key': 'demo-dispenser-pharmacist' })).toMatchObject({ org: 'DispenserMSP', role: 'pharmacist', via: 'api-key' });
  });
  it('refuses a key of another organisation as FORBIDDEN and an unknown key as UNAUTHENTICATED', () => {
    expect(() => auth.authenticate({ 'x-api-key': 'demo-manufacturer-admin' })).toThrow(expect.objectContaining({ reason: 'FORBIDDEN' }));
    expect(() => auth.authenticate({ 'x-api-key': 'nope' })).toThrow(expect.objectContaining({ reason: 'UNAUTHENTICATED' }));
    expect(() => auth.authenticate({})).toThrow(expect.objectContaining({ reason: 'UNAUTHENTICATED' }));
  });
  it('verifies HS256 JWTs and refuses tampered, expired and alg-swapped ones', () => {
    const token = signJwt({ sub: 'ann', org: 'DispenserMSP', role: 'pharmacist' }, 's3cret');
    expect(auth.authenticate({ authorization: `Bearer ${token}` })).toMatchObject({ subject: 'ann', via: 'jwt' });
    expect(() => verifyJwt(token, 'other')).toThrow(AccessError);
    expect(() => verifyJwt(signJwt({ sub: 'a', org: 'DispenserMSP', role: 'admin', exp: 10 }, 's3cret'), 's3cret', 20)).toThrow(/expired/);
    const [, payload, sig] = token.split('.');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.${sig}`;
    expect(() => verifyJwt(none, 's3cret')).toThrow(AccessError);
  });
});

describe('error mapping', () => {
  it('maps domain, ledger and access failures to stable codes', () => {
    expect(classifyFailure(new DomainError('GS_AMBIGUOUS', 'x'))).toMatchObject({ code: 'BAD_USER_INPUT', domainCode: 'GS_AMBIGUOUS', httpStatus: 400 });
    expect(classifyFailure(new DomainError('NOT_CUSTODIAN', 'x'))).toMatchObject({ code: 'FORBIDDEN' });
    expect(classifyFailure(new LedgerError({ stage: 'endorse', kind: 'chaincode', chaincodeCode: 'ILLEGAL_TRANSITION', message: 'ILLEGAL_TRANSITION: already dispensed [suspect]' })))
      .toMatchObject({ code: 'CONFLICT', domainCode: 'ILLEGAL_TRANSITION', details: { suspect: true } });
    expect(classifyFailure(new LedgerError({ stage: 'submit', kind: 'unavailable', message: 'down' }))).toMatchObject({ code: 'LEDGER_UNAVAILABLE', retryable: true, httpStatus: 503 });
    expect(classifyFailure(new LedgerError({ stage: 'commit', kind: 'conflict', message: 'mvcc' }))).toMatchObject({ code: 'CONFLICT', retryable: true });
    expect(classifyFailure(new AccessError('FORBIDDEN', 'no'))).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
    expect(classifyFailure(new Error('secret detail'))).toEqual(expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR', message: 'internal error' }));
  });
});

describe('query limits', () => {
  const schema = buildSchema(`type Q { a(first: Int): [Q!]! n: Int } schema { query: Q }`);
  const errors = (q: string) => validate(schema, parse(q), [...specifiedRules, ...queryLimitRules({ maxDepth: 4, maxAliases: 2, maxCost: 500, maxBatch: 10 })]).map((e) => e.extensions.limit);
  it('passes a small query and refuses depth, alias and cost abuse', () => {
    expect(errors('{ a { n } }')).toEqual([]);
    expect(errors('{ a { a { a { a { n } } } } }')).toContain('depth');
    expect(errors('{ x: n y: n z: n }')).toContain('aliases');
    expect(errors('{ a(first: 100) { a(first: 100) { n } } }')).toContain('cost');
  });
});

describe('read model outage', () => {
  it('maps Postgres connection failures to a retryable READ_MODEL_UNAVAILABLE, other database errors stay internal', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(classifyFailure(refused)).toMatchObject({ code: 'READ_MODEL_UNAVAILABLE', retryable: true, httpStatus: 503 });
    expect(classifyFailure(Object.assign(new Error('query failed'), { driverError: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }) })))
      .toMatchObject({ code: 'READ_MODEL_UNAVAILABLE', retryable: true });
    expect(classifyFailure(new Error('Connection terminated unexpectedly'))).toMatchObject({ code: 'READ_MODEL_UNAVAILABLE' });
    expect(classifyFailure(Object.assign(new Error('syntax error'), { code: '42601' }))).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', retryable: false });
  });
});
