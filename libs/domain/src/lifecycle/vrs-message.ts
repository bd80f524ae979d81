import { DomainError } from '../errors';
import { decodeGs1Date, expiryToIsoDate, isoDateToYymmdd } from '../gs1/ai-value';
import { hasValidCheckDigit } from '../gs1/check-digit';
import { isCset82 } from '../gs1/charset';
import { normaliseGtin } from '../gs1/gtin';
import { isIsoDate, parseTimestamp, type IsoDate, type IsoTimestamp } from '../time';
import type { VerificationAdditionalInfo, VerificationFailureReason, VerificationOutcome } from './verification';

/**
 * The GS1 US Lightweight Messaging Standard for Verification of Product Identifiers (VRS), release
 * 1.3, as messages: what a requester sends, what a responder answers, pure and transport-free. The
 * HTTP side (routes, status codes, authentication) lives in @pedigree/partner.
 */

/** Every failure reason the standard enumerates (release 1.3), in its spelling. */
export const VRS_FAILURE_REASONS: readonly VerificationFailureReason[] = [
  'No_match_GTIN_Serial', 'No_match_GTIN_Serial_Lot', 'No_match_GTIN_Serial_Expiry', 'No_match_GTIN_Serial_Lot_Expiry',
  'Not_for_re-distribution', 'Manufacturer_policy', 'No_reason_provided',
];

/** additionalInfo values of release 1.3; release 1.0.2's lower-case `recalled` is read as `Recalled`. */
export const VRS_ADDITIONAL_INFO: readonly VerificationAdditionalInfo[] = ['Expired', 'ExpirationExtended', 'Recalled', 'Suspect', 'Illegitimate'];

/** The DSCSA verification contexts the US network uses: a saleable return before resale. */
export const VRS_CONTEXTS = ['dscsaSaleableReturn'] as const;
export type VrsContext = (typeof VRS_CONTEXTS)[number];

/** linkType spellings requesters send for the GS1 Web Vocabulary's verificationService. */
export const VRS_LINK_TYPES: readonly string[] = [
  'verificationService', 'gs1:verificationService', 'https://gs1.org/voc/verificationService', 'https://ref.gs1.org/voc/verificationService',
];

/** The version header of release 1.3 (mandatory there; a 1.2 requester sends none). */
export const VRS_VERSION_HEADER = 'GS1US-Version';
export const VRS_VERSION = '1.3.0';

/** The two URL forms: `/verify/gtin/…/lot/…/ser/…?exp=` and the Digital Link `/01/…/10/…/21/…?17=`. */
export type VrsUrlForm = 'verify' | 'digital-link';

export interface VrsRequest {
  readonly gtin: string;
  readonly lot: string;
  readonly serial: string;
  /** The expiry as sent (YYMMDD, day 00 = end of month), read as an ISO date. */
  readonly expiry?: IsoDate;
  /** The requester's GLN (mandatory). */
  readonly reqGLN: string;
  /** The requester's correlation ID, echoed in the answer. */
  readonly corrUUID?: string;
  readonly context?: VrsContext;
  readonly linkType?: string;
  /** Release 1.3: the requester attests it possesses or controls the product. */
  readonly ctrlPossessAtt?: boolean;
  /** Release 1.3: whom to contact about this request. */
  readonly email?: string;
  readonly telephone?: string;
  /** The GS1US-Version header, when one came. */
  readonly version?: string;
}

export interface VrsResponse {
  readonly verificationTimestamp: IsoTimestamp;
  readonly responderGLN: string | null;
  readonly corrUUID: string | null;
  readonly data: VerificationOutcome & { readonly additionalInfo?: VerificationAdditionalInfo };
}

/** Query parameters as an HTTP framework hands them over (a repeated parameter is an array). */
export type VrsQuery = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Parameters the standard defines; anything else is ignored, as the standard asks of responders. */
const KNOWN = new Set(['exp', '17', 'reqGLN', 'corrUUID', 'context', 'linkType', 'ctrlPossessAtt', 'email', 'telephone']);
const CORR_UUID = /^[\x21-\x7e]{1,64}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
const TELEPHONE = /^\+?[0-9 ().-]{3,30}$/;

function invalid(parameter: string, message: string): never {
  throw new DomainError('VRS_REQUEST_INVALID', message, { parameter, reason: message });
}

function single(query: VrsQuery, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') invalid(name, `${name} is given more than once`);
  return v;
}

/** A 13-digit GLN with its check digit, or the parameter's refusal. */
export function readGlnParameter(value: string | undefined, parameter = 'reqGLN'): string {
  if (value === undefined || value === '') invalid(parameter, `${parameter} (the requester's 13-digit GLN) is required`);
  if (!/^\d{13}$/.test(value)) invalid(parameter, `${parameter} must be 13 digits, got ${JSON.stringify(value)}`);
  if (!hasValidCheckDigit(value)) invalid(parameter, `${parameter} ${value} has a wrong check digit`);
  return value;
}

/** VRS carries expiry as YYMMDD (day 00 = end of month), read with the domain's AI 17 rules. */
export function readVrsExpiry(value: string, referenceDate: IsoDate, parameter = 'exp'): IsoDate {
  if (!/^\d{6}$/.test(value)) invalid(parameter, `${parameter} must be YYMMDD (6 digits), got ${JSON.stringify(value)}`);
  try {
    return expiryToIsoDate(decodeGs1Date('17', value, true, { referenceDate }));
  } catch (err) {
    return invalid(parameter, `${parameter} ${value} is not a date: ${(err as Error).message}`);
  }
}

/**
 * Reads a request as a responder receives it: the path's GTIN, lot and serial, the query, and the
 * version header. Throws VRS_REQUEST_INVALID naming the parameter. The expiry is `exp` on the
 * `/verify` form and `17` on the Digital Link form (either is read on either, but not both).
 */
export function readVrsRequest(
  input: { form: VrsUrlForm; gtin: string; lot: string; serial: string; query: VrsQuery; version?: string },
  referenceDate: IsoDate,
): VrsRequest {
  let gtin: string;
  try {
    gtin = normaliseGtin(input.gtin);
  } catch (err) {
    return invalid('gtin', (err as Error).message);
  }
  if (!hasValidCheckDigit(gtin)) invalid('gtin', `GTIN ${gtin} has a wrong check digit`);
  for (const [name, value] of [['lot', input.lot], ['ser', input.serial]] as const) {
    if (!value || value.length > 20 || !isCset82(value)) invalid(name, `${name} must be 1 to 20 characters of GS1 character set 82, got ${JSON.stringify(value)}`);
  }
  const q = input.query;
  const expParam = input.form === 'verify' ? 'exp' : '17';
  const otherParam = input.form === 'verify' ? '17' : 'exp';
  const expText = single(q, expParam) ?? single(q, otherParam);
  if (single(q, expParam) !== undefined && single(q, otherParam) !== undefined) invalid(otherParam, `expiry given twice (${expParam} and ${otherParam})`);
  const expiry = expText === undefined ? undefined : readVrsExpiry(expText, referenceDate, single(q, expParam) !== undefined ? expParam : otherParam);
  const reqGLN = readGlnParameter(single(q, 'reqGLN'));

  const corrUUID = single(q, 'corrUUID');
  if (corrUUID !== undefined && !CORR_UUID.test(corrUUID)) invalid('corrUUID', 'corrUUID must be 1 to 64 visible ASCII characters (a UUID)');
  const context = single(q, 'context');
  if (context !== undefined && !(VRS_CONTEXTS as readonly string[]).includes(context)) {
    invalid('context', `context ${JSON.stringify(context)} is not one of ${VRS_CONTEXTS.join(', ')}`);
  }
  const linkType = single(q, 'linkType');
  if (linkType !== undefined && !VRS_LINK_TYPES.includes(linkType)) invalid('linkType', `linkType ${JSON.stringify(linkType)} is not gs1:verificationService`);
  const possess = single(q, 'ctrlPossessAtt');
  if (possess !== undefined && possess !== 'true' && possess !== 'false') invalid('ctrlPossessAtt', 'ctrlPossessAtt must be true or false');
  const email = single(q, 'email');
  if (email !== undefined && !EMAIL.test(email)) invalid('email', `email ${JSON.stringify(email)} is not an e-mail address`);
  const telephone = single(q, 'telephone');
  if (telephone !== undefined && !TELEPHONE.test(telephone)) invalid('telephone', `telephone ${JSON.stringify(telephone)} is not a telephone number`);
  const version = input.version;
  if (version !== undefined && !/^1\.\d+(\.\d+)?$/.test(version)) invalid(VRS_VERSION_HEADER, `${VRS_VERSION_HEADER} ${JSON.stringify(version)} is not a 1.x release`);

  return {
    gtin, lot: input.lot, serial: input.serial, reqGLN,
    ...(expiry !== undefined ? { expiry } : {}),
    ...(corrUUID !== undefined ? { corrUUID } : {}),
    ...(context !== undefined ? { context: context as VrsContext } : {}),
    ...(linkType !== undefined ? { linkType } : {}),
    ...(possess !== undefined ? { ctrlPossessAtt: possess === 'true' } : {}),
    ...(email !== undefined ? { email } : {}),
    ...(telephone !== undefined ? { telephone } : {}),
    ...(version !== undefined ? { version } : {}),
  };
}

/** The parameters the standard defines that were sent but are not known (they are ignored, not refused). */
export function unknownVrsParameters(query: VrsQuery): string[] {
  return Object.keys(query).filter((k) => !KNOWN.has(k));
}

/** The path and query a requester sends, in either URL form (path segments percent-encoded). */
export function vrsRequestPath(request: VrsRequest, form: VrsUrlForm): string {
  const e = encodeURIComponent;
  const params = new URLSearchParams();
  if (request.expiry !== undefined) params.set(form === 'verify' ? 'exp' : '17', isoDateToYymmdd(request.expiry));
  params.set('linkType', request.linkType ?? 'verificationService');
  if (request.context !== undefined) params.set('context', request.context);
  params.set('reqGLN', request.reqGLN);
  if (request.corrUUID !== undefined) params.set('corrUUID', request.corrUUID);
  if (request.ctrlPossessAtt !== undefined) params.set('ctrlPossessAtt', String(request.ctrlPossessAtt));
  if (request.email !== undefined) params.set('email', request.email);
  if (request.telephone !== undefined) params.set('telephone', request.telephone);
  const path = form === 'verify'
    ? `/verify/gtin/${request.gtin}/lot/${e(request.lot)}/ser/${e(request.serial)}`
    : `/01/${request.gtin}/10/${e(request.lot)}/21/${e(request.serial)}`;
  return `${path}?${params.toString()}`;
}

/** The body of an HTTP 200 answer. */
export function vrsResponseBody(outcome: VerificationOutcome, responderGLN: string | null, corrUUID: string | undefined, at: IsoTimestamp): VrsResponse {
  return {
    verificationTimestamp: at,
    responderGLN,
    corrUUID: corrUUID ?? null,
    data: {
      verified: outcome.verified,
      ...(outcome.verificationFailureReason ? { verificationFailureReason: outcome.verificationFailureReason } : {}),
      ...(outcome.additionalInfo ? { additionalInfo: outcome.additionalInfo } : {}),
    },
  };
}

function malformed(field: string, message: string): never {
  throw new DomainError('VRS_RESPONSE_MALFORMED', message, { field, reason: message });
}

/**
 * Reads a responder's HTTP 200 body, strictly where a wrong reading would matter: `verified` must be
 * a boolean, a failure reason one of the standard's, a negative answer must not carry none, and the
 * corrUUID must be the one sent (an answer to someone else's question is not an answer). A reason
 * with different case or `-`/`_` is read as the standard's (responders differ there); an unknown
 * additionalInfo is kept out rather than trusted.
 */
export function readVrsResponse(body: unknown, expected: { corrUUID?: string }): VrsResponse & { readonly unknownAdditionalInfo?: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) malformed('', 'the answer is not a JSON object');
  const b = body as Record<string, unknown>;
  const at = b.verificationTimestamp;
  if (typeof at !== 'string') malformed('verificationTimestamp', 'verificationTimestamp is missing');
  let timestamp: IsoTimestamp;
  try {
    timestamp = new Date(parseTimestamp(at, 'verificationTimestamp').epochMs).toISOString();
  } catch {
    return malformed('verificationTimestamp', `verificationTimestamp ${JSON.stringify(at)} is not an ISO 8601 date-time`);
  }
  const responderGLN = b.responderGLN ?? null;
  if (responderGLN !== null && (typeof responderGLN !== 'string' || !/^\d{13}$/.test(responderGLN))) malformed('responderGLN', 'responderGLN is not a 13-digit GLN');
  const corrUUID = b.corrUUID ?? null;
  if (corrUUID !== null && typeof corrUUID !== 'string') malformed('corrUUID', 'corrUUID is not a string');
  if (expected.corrUUID !== undefined && corrUUID !== expected.corrUUID) malformed('corrUUID', `corrUUID ${JSON.stringify(corrUUID)} is not the one sent (${expected.corrUUID})`);
  const data = b.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) malformed('data', 'data is missing');
  const d = data as Record<string, unknown>;
  if (typeof d.verified !== 'boolean') malformed('data.verified', 'data.verified is not a boolean');
  let reason: VerificationFailureReason | undefined;
  if (d.verificationFailureReason !== undefined && d.verificationFailureReason !== null) {
    const text = d.verificationFailureReason;
    if (typeof text !== 'string') malformed('data.verificationFailureReason', 'data.verificationFailureReason is not a string');
    const key = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
    reason = VRS_FAILURE_REASONS.find((r) => key(r) === key(text));
    if (!reason) malformed('data.verificationFailureReason', `verificationFailureReason ${JSON.stringify(text)} is not one the standard enumerates`);
  }
  if (d.verified && reason) malformed('data.verificationFailureReason', 'a verified answer carries a failure reason');
  let additionalInfo: VerificationAdditionalInfo | undefined;
  let unknownAdditionalInfo: string | undefined;
  if (d.additionalInfo !== undefined && d.additionalInfo !== null) {
    if (typeof d.additionalInfo !== 'string') malformed('data.additionalInfo', 'data.additionalInfo is not a string');
    const text = d.additionalInfo;
    additionalInfo = VRS_ADDITIONAL_INFO.find((v) => v.toLowerCase() === text.toLowerCase());
    if (!additionalInfo) unknownAdditionalInfo = text.slice(0, 200);
  }
  return {
    verificationTimestamp: timestamp, responderGLN: responderGLN as string | null, corrUUID: corrUUID as string | null,
    // A negative answer without a reason is read as the standard's catch-all rather than refused.
    data: { verified: d.verified, ...(d.verified ? {} : { verificationFailureReason: reason ?? 'No_reason_provided' }), ...(additionalInfo ? { additionalInfo } : {}) },
    ...(unknownAdditionalInfo !== undefined ? { unknownAdditionalInfo } : {}),
  };
}

/** One entry of the lookup directory: who answers for GTINs under a company prefix, and how. */
export interface VrsDirectoryEntry {
  /** GS1 company prefix (6 to 12 digits) as it appears after the GTIN-14's indicator digit. */
  readonly prefix: string;
  readonly url: string;
  readonly form: VrsUrlForm;
  readonly responderGLN?: string;
  readonly name?: string;
  /** The environment variable holding the API key this responder issued us (never the key itself). */
  readonly apiKeyEnv?: string;
}

function directoryInvalid(at: string, message: string): never {
  throw new DomainError('VRS_DIRECTORY_INVALID', `${at}: ${message}`, { at, reason: message });
}

/**
 * Reads a lookup directory document `{ "responders": [ { prefix, url, form?, responderGLN?, name?,
 * apiKeyEnv? } ] }` (standing in for the GS1 US Lookup Directory). Two entries for one prefix are refused.
 */
export function readVrsDirectory(value: unknown): VrsDirectoryEntry[] {
  if (value === null || typeof value !== 'object' || !Array.isArray((value as { responders?: unknown }).responders)) directoryInvalid('$', 'expected { "responders": [ … ] }');
  const seen = new Set<string>();
  return ((value as { responders: unknown[] }).responders).map((raw, i) => {
    const at = `$.responders[${i}]`;
    if (raw === null || typeof raw !== 'object') directoryInvalid(at, 'not an object');
    const r = raw as Record<string, unknown>;
    if (typeof r.prefix !== 'string' || !/^\d{6,12}$/.test(r.prefix)) directoryInvalid(`${at}.prefix`, 'a GS1 company prefix of 6 to 12 digits is required');
    if (seen.has(r.prefix)) directoryInvalid(`${at}.prefix`, `prefix ${r.prefix} is listed twice`);
    seen.add(r.prefix);
    let url: URL;
    try {
      url = new URL(String(r.url));
    } catch {
      return directoryInvalid(`${at}.url`, `${JSON.stringify(r.url)} is not an absolute URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') directoryInvalid(`${at}.url`, 'only http(s) responders are supported');
    const form = r.form ?? 'digital-link';
    if (form !== 'verify' && form !== 'digital-link') directoryInvalid(`${at}.form`, 'form is verify or digital-link');
    if (r.responderGLN !== undefined && (typeof r.responderGLN !== 'string' || !/^\d{13}$/.test(r.responderGLN) || !hasValidCheckDigit(r.responderGLN))) {
      directoryInvalid(`${at}.responderGLN`, 'not a GLN');
    }
    if (r.apiKeyEnv !== undefined && (typeof r.apiKeyEnv !== 'string' || !/^[A-Z_][A-Z0-9_]*$/.test(r.apiKeyEnv))) directoryInvalid(`${at}.apiKeyEnv`, 'an environment variable name is expected');
    return {
      prefix: r.prefix, url: url.toString().replace(/\/$/, ''), form,
      ...(r.responderGLN !== undefined ? { responderGLN: r.responderGLN as string } : {}),
      ...(typeof r.name === 'string' ? { name: r.name } : {}),
      ...(r.apiKeyEnv !== undefined ? { apiKeyEnv: r.apiKeyEnv as string } : {}),
    };
  });
}

/** The responder for a GTIN: the longest company prefix that matches; undefined when none does. */
export function vrsResponderFor(directory: readonly VrsDirectoryEntry[], gtin: string): VrsDirectoryEntry | undefined {
  const body = normaliseGtin(gtin).slice(1, 13);
  let best: VrsDirectoryEntry | undefined;
  for (const entry of directory) if (body.startsWith(entry.prefix) && (!best || entry.prefix.length > best.prefix.length)) best = entry;
  return best;
}

/** Whether an ISO date is one (guards the expiry a requester hands in). */
export function assertVrsExpiry(expiry: string | undefined): IsoDate | undefined {
  if (expiry === undefined) return undefined;
  if (!isIsoDate(expiry)) invalid('exp', `expiry ${JSON.stringify(expiry)} is not an ISO date (YYYY-MM-DD)`);
  return expiry;
}
