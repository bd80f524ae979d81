import type { Response } from 'express';

/** Problem JSON of the REST binding (no framework here: the Nest filter is problem.ts). */
import { CBV_XML_FORMATS, CBVMDA_NS, DomainError, EPC_FORMATS, GS1USHC_NS, isDomainError } from '@pedigree/domain';
import { AccessError } from '@pedigree/platform/auth';
import { classifyFailure } from '@pedigree/platform/client-failure';

/** What this binding speaks, as the standard's discovery headers say it. */
export const EPCIS_VERSION_HEADERS: Readonly<Record<string, string>> = {
  'GS1-EPCIS-Version': '2.0.0',
  'GS1-CBV-Version': '2.0.0',
  'GS1-EPCIS-Min': '1.2.0',
  'GS1-EPCIS-Max': '2.0.0',
  'GS1-CBV-Min': '1.2.0',
  'GS1-CBV-Max': '2.0.0',
  // The extension vocabularies events carry here: the GS1 US healthcare fields and CBV master data.
  'GS1-Extensions': `gs1ushc=${GS1USHC_NS}, cbvmda=${CBVMDA_NS}`,
  // Discovery (OPTIONS) announces the request header values this repository honours.
  'GS1-EPC-Format': EPC_FORMATS.join(', '),
  'GS1-CBV-XML-Format': CBV_XML_FORMATS.join(', '),
  'GS1-Vendor-Version': 'pedigree-epcis-rest-1',
};

/** What OPTIONS answers beyond every answer's three headers (the OpenAPI's 204 discovery responses). */
const DISCOVERY_HEADERS = ['GS1-EPCIS-Min', 'GS1-EPCIS-Max', 'GS1-CBV-Min', 'GS1-CBV-Max', 'GS1-EPC-Format', 'GS1-CBV-XML-Format', 'GS1-Vendor-Version'];

/** The headers every answer of the binding carries (OPTIONS adds the rest of EPCIS_VERSION_HEADERS). */
export function setEpcisHeaders(res: Response, all = false): void {
  for (const name of ['GS1-EPCIS-Version', 'GS1-CBV-Version', 'GS1-Extensions', ...(all ? DISCOVERY_HEADERS : [])]) {
    res.setHeader(name, EPCIS_VERSION_HEADERS[name] as string);
  }
}

/** An EPCIS exception as RFC 7807 problem JSON (`type` is `epcisException:<Name>`). */
export class EpcisProblem extends Error {
  override readonly name = 'EpcisProblem';
  constructor(
    readonly status: number,
    readonly exception: string,
    readonly title: string,
    readonly detail?: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail ?? title);
  }

  body(instance?: string): Record<string, unknown> {
    return { type: `epcisException:${this.exception}`, title: this.title, status: this.status, ...(this.detail ? { detail: this.detail } : {}), ...(instance ? { instance } : {}), ...this.extra };
  }
}


/** Any failure of a binding route as the standard's problem JSON; access refusals as SecurityException. */
export function problemOf(err: unknown, log: (failure: unknown) => void = () => {}): EpcisProblem {
  if (err instanceof EpcisProblem) return err;
  if (err instanceof AccessError) {
    return err.reason === 'UNAUTHENTICATED'
      ? new EpcisProblem(401, 'SecurityException', 'Authentication required', err.message)
      : new EpcisProblem(403, 'SecurityException', 'Not allowed', err.message);
  }
  if (isDomainError(err, 'EPCIS_QUERY_INVALID')) {
    const details = (err as DomainError).details as { reason?: string; parameter?: string };
    return details.reason === 'QueryTooLargeException'
      ? new EpcisProblem(413, 'QueryTooLargeException', 'The query matches too many events', err.message, {}, { parameter: details.parameter })
      : new EpcisProblem(400, 'QueryParameterException', 'Invalid query parameter', err.message, {}, { parameter: details.parameter });
  }
  if (typeof (err as { getStatus?: unknown } | null)?.getStatus === 'function' && (err as { getStatus(): number }).getStatus() === 404) return new EpcisProblem(404, 'NoSuchResourceException', 'No such resource', (err as Error).message);
  const f = classifyFailure(err);
  if (f.httpStatus >= 500) {
    log(err);
    return new EpcisProblem(f.httpStatus, 'ImplementationException', 'The EPCIS repository could not answer', f.message, {}, { retryable: f.retryable });
  }
  if (f.httpStatus === 404) return new EpcisProblem(404, 'NoSuchResourceException', 'No such resource', f.message);
  return new EpcisProblem(f.httpStatus, 'ValidationException', 'Invalid request', f.message, {}, { ...(f.domainCode ? { code: f.domainCode } : {}), ...(f.details !== undefined ? { details: f.details } : {}) });
}

