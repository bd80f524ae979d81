import { DomainError } from '@pedigree/domain';
import { LedgerError } from '@pedigree/ledger';
import { AccessError } from './auth';
import { classifyFailure } from './client-failure';
import { RateLimitedError } from './rate-limit';
import { healthReport, redactedHealthReport } from './service-health';

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
  it('maps a chaincode code no catalogue knows to a server error, never to bad input', () => {
    const f = classifyFailure(new LedgerError({ stage: 'endorse', kind: 'chaincode', chaincodeCode: 'WORLD_STATE_CORRUPT', message: 'WORLD_STATE_CORRUPT: key pack~x unreadable' }));
    expect(f).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, retryable: false, message: 'internal error' });
    expect(f.message).not.toContain('pack~x');
    expect(classifyFailure(new LedgerError({ stage: 'endorse', kind: 'chaincode', chaincodeCode: 'BATCH_TOO_LARGE', message: 'BATCH_TOO_LARGE: too many' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
  it('maps a refused rate to a retryable 429', () => {
    expect(classifyFailure(new RateLimitedError(7))).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, retryable: true, details: { retryAfterSeconds: 7 } });
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

describe('health for callers who did not authenticate', () => {
  it('keeps health and reason codes, drops details and raw error texts', async () => {
    const report = await healthReport('dispenser', [
      { name: 'database', check: async () => { throw new Error('connect ECONNREFUSED 10.1.2.3:5432 (password authentication failed for user "pedigree")'); } },
      { name: 'ledger', check: async () => ({ healthy: false, reason: 'LEDGER_UNREACHABLE', detail: 'peer0.manufacturer:7051 14 UNAVAILABLE' }) },
      { name: 'projector', check: async () => ({ healthy: true, detail: { blocksBehind: 0 } }) },
      { name: 'identities', check: async () => ({ healthy: true, reason: 'CERTIFICATE_EXPIRING', detail: [{ subject: 'CN=User1@acme.pedigree.local' }] }) },
    ]);
    expect(report.status).toBe('degraded');
    expect(report.checks.database).toMatchObject({ healthy: false, reason: 'CHECK_FAILED' });
    const open = redactedHealthReport(report);
    expect(open.checks).toEqual({ database: { healthy: false, reason: 'CHECK_FAILED' }, ledger: { healthy: false, reason: 'LEDGER_UNREACHABLE' }, projector: { healthy: true }, identities: { healthy: true, reason: 'CERTIFICATE_EXPIRING' } });
    expect(JSON.stringify(open)).not.toMatch(/ECONNREFUSED|peer0|password|User1/);
  });
});
