import { DOMAIN_ERROR_CATEGORY, DomainError, DomainErrorCategory, DomainErrorCode } from '@pedigree/domain';
import { AccessError } from './auth';
import { RateLimitedError } from './rate-limit';

/**
 * The one place where failures become what a client sees. Services throw DomainError, LedgerError,
 * AccessError (or a ServiceError of their own); never a transport error. Every answer has a stable
 * `code`; a client retries only when `retryable` is true.
 */
export interface ClientFailure {
  readonly code: 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'LEDGER_UNAVAILABLE' | 'LEDGER_ERROR' | 'READ_MODEL_UNAVAILABLE' | 'UPSTREAM_FAILED' | 'RATE_LIMITED' | 'INTERNAL_SERVER_ERROR';
  readonly message: string;
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly domainCode?: string;
  readonly details?: unknown;
}

/** A refusal decided by the service itself (not the domain or the ledger), with a client-facing category. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(readonly category: DomainErrorCategory, readonly serviceCode: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

/**
 * Another organisation's system, called on the client's behalf, did not give a usable answer
 * (unreachable, timed out, refused us, or answered malformed): `UPSTREAM_FAILED`, HTTP 502 (504 for
 * a timeout), retryable when trying again may help.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(readonly serviceCode: string, message: string, readonly retryable: boolean, readonly details?: unknown, readonly httpStatus = 502) {
    super(message);
  }
}

const CATEGORY_TO_CODE: Record<DomainErrorCategory, ClientFailure['code']> = {
  BAD_INPUT: 'BAD_USER_INPUT', FORBIDDEN: 'FORBIDDEN', NOT_FOUND: 'NOT_FOUND', CONFLICT: 'CONFLICT', INTERNAL: 'INTERNAL_SERVER_ERROR',
};
const CODE_TO_STATUS: Record<ClientFailure['code'], number> = {
  BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, LEDGER_UNAVAILABLE: 503, LEDGER_ERROR: 502, READ_MODEL_UNAVAILABLE: 503, UPSTREAM_FAILED: 502, RATE_LIMITED: 429, INTERNAL_SERVER_ERROR: 500,
};

function failure(code: ClientFailure['code'], message: string, extra: Partial<ClientFailure> = {}): ClientFailure {
  return { code, message, httpStatus: CODE_TO_STATUS[code], retryable: false, ...extra };
}

export function classifyFailure(err: unknown): ClientFailure {
  if (err instanceof DomainError) {
    return failure(CATEGORY_TO_CODE[err.category], err.message, { domainCode: err.code, details: err.details });
  }
  if (err instanceof ServiceError) return failure(CATEGORY_TO_CODE[err.category], err.message, { domainCode: err.serviceCode, details: err.details });
  if (err instanceof UpstreamError) return failure('UPSTREAM_FAILED', err.message, { httpStatus: err.httpStatus, retryable: err.retryable, domainCode: err.serviceCode, details: err.details });
  if (err instanceof AccessError) return failure(err.reason, err.message);
  if (err instanceof RateLimitedError) return failure('RATE_LIMITED', err.message, { retryable: true, details: { retryAfterSeconds: err.retryAfterSeconds } });
  if (isLedgerFailure(err)) {
    if (err.kind === 'chaincode' && err.chaincodeCode) {
      // Chaincode codes are the domain's catalogue; a code outside it is the chaincode failing, not the
      // client asking wrongly: the client cannot fix it, so it must not read as a 400 (and its text may be internal).
      const category: DomainErrorCategory | undefined = DOMAIN_ERROR_CATEGORY[err.chaincodeCode as DomainErrorCode];
      if (!category || category === 'INTERNAL') return failure('INTERNAL_SERVER_ERROR', 'internal error', { domainCode: err.chaincodeCode });
      // The chaincode message is `CODE: text` from one peer; show the text once.
      const text = (err.details[0]?.message ?? err.message).replace(/^.*?\b[A-Z_]{3,}:\s*/, '');
      return failure(CATEGORY_TO_CODE[category], text, { domainCode: err.chaincodeCode, details: { suspect: /\[suspect\]/.test(err.message) || undefined } });
    }
    if (err.kind === 'unavailable' || err.kind === 'deadline') {
      return failure('LEDGER_UNAVAILABLE', `the ledger is unavailable (${err.stage}): try again`, { retryable: true, details: { stage: err.stage } });
    }
    if (err.kind === 'conflict') {
      return failure('CONFLICT', 'a concurrent change to the same records won: read again and retry', { retryable: true, domainCode: 'MVCC_CONFLICT', details: { stage: err.stage } });
    }
    return failure('LEDGER_ERROR', `the ledger refused the transaction (${err.kind} at ${err.stage})`, { details: { stage: err.stage, kind: err.kind } });
  }
  if (isDatabaseUnavailable(err)) {
    return failure('READ_MODEL_UNAVAILABLE', 'the read model database is unavailable: try again', { retryable: true });
  }
  if (isHttpException(err)) {
    const status = err.getStatus();
    const code: ClientFailure['code'] = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : status === 409 ? 'CONFLICT' : status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR';
    return failure(code, err.message);
  }
  return failure('INTERNAL_SERVER_ERROR', 'internal error');
}


/**
 * What the ledger adapter throws (@pedigree/ledger's LedgerError), recognised by shape: the platform
 * maps ledger failures without depending on the ledger adapter (and so on fabric-gateway), which
 * keeps services that never touch a ledger — the web server — free of it.
 */
export interface LedgerFailure extends Error {
  readonly name: 'LedgerError';
  readonly stage: string;
  readonly kind: 'chaincode' | 'unavailable' | 'deadline' | 'conflict' | 'denied' | 'policy' | 'invalid' | 'unknown';
  readonly chaincodeCode?: string;
  readonly details: ReadonlyArray<{ readonly message?: string }>;
}

export function isLedgerFailure(err: unknown): err is LedgerFailure {
  const e = err as Partial<LedgerFailure> | null;
  return err instanceof Error && e?.name === 'LedgerError' && typeof e.kind === 'string' && typeof e.stage === 'string' && Array.isArray(e.details);
}

/** Nest's HttpException, recognised by shape so this module stays free of Nest (unit-testable under Jest). */
export function isHttpException(err: unknown): err is Error & { getStatus(): number } {
  return err instanceof Error && typeof (err as { getStatus?: unknown }).getStatus === 'function';
}

/**
 * Postgres unreachable or restarting (connection refused/reset/terminated, SQLSTATE class 08 and
 * 57P0x admin/crash shutdown): the request may be retried once it is back. Found killing the
 * embedded server under load (test/faults): these surfaced as a non-retryable INTERNAL_SERVER_ERROR.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && (/^08/.test(code) || /^57P0[1-3]$/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(code))) return true;
  if (typeof e.message === 'string' && /Connection terminated|terminating connection|the database system is (starting up|shutting down|in recovery)/.test(e.message)) return true;
  return e.driverError !== undefined && e.driverError !== err && isDatabaseUnavailable(e.driverError);
}
