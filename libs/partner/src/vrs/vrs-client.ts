import { DomainError, readVrsResponse, vrsRequestPath, VRS_VERSION, VRS_VERSION_HEADER, type VrsDirectoryEntry, type VrsRequest, type VrsResponse } from '@pedigree/domain';
import { UpstreamError } from '@pedigree/platform/client-failure';
import { ATP_PRESENTATION_HEADER } from './atp-credential';

/**
 * The requester's side of VRS as a port: send one Lightweight Messaging request to a responder and
 * get its answer, or a typed failure. The HTTP adapter below is the only I/O.
 */

export type VrsFailureCode =
  /** Connection refused, DNS, TLS, reset: nothing answered. */
  | 'VRS_RESPONDER_UNREACHABLE'
  /** No answer within the deadline (each attempt), or the responder said 408/504. */
  | 'VRS_RESPONDER_TIMEOUT'
  /** 502/503 from the responder (or its VRS provider). */
  | 'VRS_RESPONDER_UNAVAILABLE'
  /** 200 with a body that is not a Lightweight Messaging answer, or a status the standard does not use. */
  | 'VRS_RESPONSE_MALFORMED'
  /** 401/403: the responder does not accept us as an authenticated trading partner (or our ATP credential). */
  | 'VRS_REFUSED'
  /** 404: the responder does not know the GTIN. */
  | 'VRS_GTIN_NOT_FOUND'
  /** 400: the responder found our request malformed. */
  | 'VRS_REQUEST_REJECTED';

/** What went wrong, typed; `retryable` says whether asking again later may help. */
export class VrsRequestFailure extends UpstreamError {
  constructor(readonly code: VrsFailureCode, message: string, readonly responderStatus: number | null, readonly attempts: number, retryable: boolean) {
    super(code, message, retryable, { responderStatus, attempts }, code === 'VRS_RESPONDER_TIMEOUT' ? 504 : 502);
  }
}

export interface VrsExchange {
  readonly response: VrsResponse & { readonly unknownAdditionalInfo?: string };
  readonly httpStatus: number;
  readonly attempts: number;
}

export interface VrsCallOptions {
  /** Extra headers for this responder (its API key for us). */
  readonly headers?: Readonly<Record<string, string>>;
  /** An ATP presentation to send with the request. */
  readonly presentation?: string;
}

export interface VrsClient {
  verify(responder: VrsDirectoryEntry, request: VrsRequest, options?: VrsCallOptions): Promise<VrsExchange>;
}

export interface HttpVrsClientOptions {
  /** Per attempt. */
  readonly timeoutMs?: number;
  /** Further attempts after a timeout, 408, 502, 503, 504 or a failed connection (never after an answer). */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Largest body read (a responder's answer is a few hundred bytes). */
  readonly maxBodyBytes?: number;
  readonly fetch?: typeof fetch;
}

const RETRYABLE_STATUS = new Set([408, 502, 503, 504]);

/** The adapter over fetch: a deadline per attempt, bounded retries, the body read strictly. */
export class HttpVrsClient implements VrsClient {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxBodyBytes: number;
  private readonly fetch: typeof fetch;

  constructor(options: HttpVrsClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.retries = options.retries ?? 1;
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
    this.fetch = options.fetch ?? fetch;
  }

  async verify(responder: VrsDirectoryEntry, request: VrsRequest, options: VrsCallOptions = {}): Promise<VrsExchange> {
    const url = `${responder.url}${vrsRequestPath(request, responder.form)}`;
    const headers: Record<string, string> = { accept: 'application/json', [VRS_VERSION_HEADER]: VRS_VERSION, ...options.headers };
    if (options.presentation) headers[ATP_PRESENTATION_HEADER] = options.presentation;
    let last: VrsRequestFailure | undefined;
    for (let attempt = 1; attempt <= this.retries + 1; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, this.retryDelayMs * (attempt - 1)));
      try {
        return await this.once(url, headers, request, attempt);
      } catch (err) {
        if (!(err instanceof VrsRequestFailure)) throw err;
        last = err;
        if (!err.retryable) throw err;
      }
    }
    throw last as VrsRequestFailure;
  }

  private async once(url: string, headers: Record<string, string>, request: VrsRequest, attempt: number): Promise<VrsExchange> {
    let res: Response;
    try {
      res = await this.fetch(url, { headers, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      throw timedOut
        ? new VrsRequestFailure('VRS_RESPONDER_TIMEOUT', `the responder did not answer within ${this.timeoutMs} ms`, null, attempt, true)
        : new VrsRequestFailure('VRS_RESPONDER_UNREACHABLE', `the responder cannot be reached: ${causeOf(err)}`, null, attempt, true);
    }
    let text: string;
    try {
      text = await readCapped(res, this.maxBodyBytes);
    } catch (err) {
      if (err instanceof VrsRequestFailure) throw new VrsRequestFailure(err.code, err.message, res.status, attempt, err.retryable);
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      throw new VrsRequestFailure(timedOut ? 'VRS_RESPONDER_TIMEOUT' : 'VRS_RESPONDER_UNREACHABLE', `the responder's answer broke off: ${causeOf(err)}`, res.status, attempt, true);
    }
    if (res.status !== 200) throw statusFailure(res.status, text, attempt);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new VrsRequestFailure('VRS_RESPONSE_MALFORMED', 'the responder answered 200 with a body that is not JSON', 200, attempt, false);
    }
    try {
      return { response: readVrsResponse(body, { corrUUID: request.corrUUID }), httpStatus: 200, attempts: attempt };
    } catch (err) {
      if (err instanceof DomainError) throw new VrsRequestFailure('VRS_RESPONSE_MALFORMED', err.message, 200, attempt, false);
      throw err;
    }
  }
}

function statusFailure(status: number, body: string, attempt: number): VrsRequestFailure {
  const said = messageOf(body);
  const suffix = said ? `: ${said}` : '';
  if (status === 400) return new VrsRequestFailure('VRS_REQUEST_REJECTED', `the responder found the request malformed${suffix}`, status, attempt, false);
  if (status === 401 || status === 403) return new VrsRequestFailure('VRS_REFUSED', `the responder refused us (${status})${suffix}`, status, attempt, false);
  if (status === 404) return new VrsRequestFailure('VRS_GTIN_NOT_FOUND', `the responder does not know the GTIN${suffix}`, status, attempt, false);
  if (status === 408 || status === 504) return new VrsRequestFailure('VRS_RESPONDER_TIMEOUT', `the responder timed out (${status})${suffix}`, status, attempt, true);
  if (RETRYABLE_STATUS.has(status)) return new VrsRequestFailure('VRS_RESPONDER_UNAVAILABLE', `the responder is unavailable (${status})${suffix}`, status, attempt, true);
  return new VrsRequestFailure('VRS_RESPONSE_MALFORMED', `the responder answered HTTP ${status}, which the standard does not use`, status, attempt, status >= 500);
}

/** A responder's own words, from either error shape in use (`{error: {message}}` or `{error: "…"}`), cut short. */
function messageOf(body: string): string {
  try {
    const b = JSON.parse(body) as { error?: unknown; message?: unknown };
    const e = b.error;
    const text = typeof e === 'string' ? e : typeof (e as { message?: unknown })?.message === 'string' ? (e as { message: string }).message : typeof b.message === 'string' ? b.message : '';
    return text.slice(0, 300);
  } catch {
    return '';
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

async function readCapped(res: Response, max: number): Promise<string> {
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > max) throw new VrsRequestFailure('VRS_RESPONSE_MALFORMED', `the answer is ${length} bytes, more than ${max}`, res.status, 1, false);
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new VrsRequestFailure('VRS_RESPONSE_MALFORMED', `the answer is more than ${max} bytes`, res.status, 1, false);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
