/**
 * One catalogue of failure codes for the whole domain. The API layer maps a code to a transport
 * error in one place (see `DOMAIN_ERROR_CATEGORY`), so services never invent HTTP/GraphQL errors and
 * clients can branch on a stable string instead of parsing messages.
 */
export const DomainErrorCode = {
  // --- scans and GS1 element strings -------------------------------------------------------------
  /** Input is not a GS1 element string, bracketed string or Digital Link at all. */
  SCAN_MALFORMED: 'SCAN_MALFORMED',
  /** A symbology identifier that does not carry GS1 data (e.g. `]d1`, plain Data Matrix). */
  SYMBOLOGY_UNSUPPORTED: 'SYMBOLOGY_UNSUPPORTED',
  /** Digits where an AI should start do not form a known Application Identifier. */
  AI_UNKNOWN: 'AI_UNKNOWN',
  /** An AI value breaks its length, character set or component format. */
  AI_INVALID: 'AI_INVALID',
  /** GS1 mod-10 check digit mismatch (GTIN, SSCC, GLN, ...). */
  CHECK_DIGIT: 'CHECK_DIGIT',
  /** Calendar-invalid date (month 13, 30 February, ...). */
  DATE_INVALID: 'DATE_INVALID',
  /** The same AI appears twice with different values. */
  AI_DUPLICATE: 'AI_DUPLICATE',
  /** An AI is present without an AI it requires, or with one it excludes (GS1 association rules). */
  AI_ASSOCIATION: 'AI_ASSOCIATION',
  /** A GS separator is missing and more than one reading of the data is plausible. */
  GS_AMBIGUOUS: 'GS_AMBIGUOUS',
  /** A GS1 Digital Link URI breaks the URI syntax rules (path order, primary key, encoding). */
  DIGITAL_LINK_INVALID: 'DIGITAL_LINK_INVALID',

  // --- identifiers ------------------------------------------------------------------------------
  /** GTIN/SSCC/GLN/serial fails its format (length, digits, characters). */
  IDENTIFIER_INVALID: 'IDENTIFIER_INVALID',
  /** EPC URN does not follow the EPC Tag Data Standard grammar. */
  EPC_URN_INVALID: 'EPC_URN_INVALID',
  /** Converting to an EPC URN needs the GS1 company prefix length and none could be derived. */
  COMPANY_PREFIX_REQUIRED: 'COMPANY_PREFIX_REQUIRED',
  /** NDC text is not a 10-digit NDC in one of the 4-4-2 / 5-3-2 / 5-4-1 patterns (or 11-digit 5-4-2). */
  NDC_INVALID: 'NDC_INVALID',
  /** GTIN -> NDC needs the segment pattern (master data); the domain refuses to guess. */
  NDC_PATTERN_REQUIRED: 'NDC_PATTERN_REQUIRED',
  /** A timestamp or date argument is not ISO 8601 in the form the domain requires. */
  TIME_INVALID: 'TIME_INVALID',

  // --- EPCIS --------------------------------------------------------------------------------------
  /** EPCIS event or document fails validation; `details.issues` lists every problem. */
  EPCIS_INVALID: 'EPCIS_INVALID',
  /** A bare bizStep/disposition/type that is not a CBV term. */
  VOCABULARY_UNKNOWN: 'VOCABULARY_UNKNOWN',
  /** An EPCIS XML document is not well-formed or not EPCIS 1.2/2.0 XML; `details` has line, column and element path. */
  EPCIS_XML_INVALID: 'EPCIS_XML_INVALID',
  /** The document carries something the target format cannot (e.g. sensor data or AssociationEvent in EPCIS 1.2 XML). */
  EPCIS_UNREPRESENTABLE: 'EPCIS_UNREPRESENTABLE',
  /** An EPCIS query parameter is unknown or malformed (QueryParameterException), or the result too large. */
  EPCIS_QUERY_INVALID: 'EPCIS_QUERY_INVALID',

  // --- verification (GS1 US Lightweight Messaging, VRS) -------------------------------------------
  /** A VRS request breaks the Lightweight Messaging standard; `details.parameter` names the parameter. */
  VRS_REQUEST_INVALID: 'VRS_REQUEST_INVALID',
  /** A responder's answer is not a Lightweight Messaging response (or echoes another corrUUID); `details.field`. */
  VRS_RESPONSE_MALFORMED: 'VRS_RESPONSE_MALFORMED',
  /** The lookup directory (GTIN prefix -> responder) is malformed; `details.at` points at the entry. */
  VRS_DIRECTORY_INVALID: 'VRS_DIRECTORY_INVALID',
  /** No responder is known for the GTIN (not in the lookup directory). */
  VRS_RESPONDER_UNKNOWN: 'VRS_RESPONDER_UNKNOWN',
  /** An ATP credential presentation was refused; `details.reason` is OCI's code (jwt_invalid, vc_exp_expired, ...). */
  ATP_CREDENTIAL_INVALID: 'ATP_CREDENTIAL_INVALID',

  // --- pack lifecycle -------------------------------------------------------------------------------
  /** A lifecycle command is malformed (missing addressee, unknown quarantine reason, ...). */
  COMMAND_INVALID: 'COMMAND_INVALID',
  /** The command is not allowed from the current state or overlay. */
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
  /** Only the current owner may do this (ship). */
  NOT_OWNER: 'NOT_OWNER',
  /** Only the addressee of the shipment may receive it. */
  NOT_ADDRESSEE: 'NOT_ADDRESSEE',
  /** Only the organisation in physical possession may do this (dispense, quarantine, pack ...). */
  NOT_CUSTODIAN: 'NOT_CUSTODIAN',
  /** Only the product's manufacturer may commission, recall or extend expiry. */
  NOT_MANUFACTURER: 'NOT_MANUFACTURER',
  /** The serial has no commissioning record. */
  NOT_COMMISSIONED: 'NOT_COMMISSIONED',
  /** The serial (or SSCC) already exists. */
  ALREADY_COMMISSIONED: 'ALREADY_COMMISSIONED',
  /** Aggregation request is structurally wrong (cycle, child already packed, unknown child ...). */
  AGGREGATION_INVALID: 'AGGREGATION_INVALID',
  /** Scanned contents differ from the recorded aggregation; the receipt is blocked. */
  AGGREGATION_MISMATCH: 'AGGREGATION_MISMATCH',
  /** A receiving exception or its correction is malformed (unknown rule, no evidence, bad correction). */
  EXCEPTION_INVALID: 'EXCEPTION_INVALID',
  /** The exception's state does not allow the step (answering a closed one, closing an open one). */
  EXCEPTION_TRANSITION: 'EXCEPTION_TRANSITION',
  /** The step is the other party's (the seller answers; the receiver raises, refers, resolves and closes). */
  EXCEPTION_PARTY: 'EXCEPTION_PARTY',
  /** A suspect-product investigation or one of its steps is malformed (no scope, unknown classification, bad incident number). */
  INVESTIGATION_INVALID: 'INVESTIGATION_INVALID',
  /** The investigation's state does not allow the step (clearing before the sample is verified, terminating before filing). */
  INVESTIGATION_TRANSITION: 'INVESTIGATION_TRANSITION',
  /** The step is another party's (determinations are the investigator's; holders verify their own stock). */
  INVESTIGATION_PARTY: 'INVESTIGATION_PARTY',
  /** A tracing request or release is malformed (unknown kind or reason, a TI that does not match its public hash). */
  TRACING_INVALID: 'TRACING_INVALID',
  /** The tracing request was already answered by this respondent. */
  TRACING_TRANSITION: 'TRACING_TRANSITION',
  /** The caller is not asked to answer the request, or may not read the release. */
  TRACING_PARTY: 'TRACING_PARTY',
  /** A business-day clock given an unknown time zone or a grace period out of range. */
  CLOCK_INVALID: 'CLOCK_INVALID',
  /** A value that must be stored deterministically cannot be (NaN, function, cycle ...). */
  NOT_SERIALISABLE: 'NOT_SERIALISABLE',

  // --- cold chain -------------------------------------------------------------------------------------
  /** A product's storage conditions are malformed (empty range, implausible temperature, unbounded budget). */
  STORAGE_CONDITIONS_INVALID: 'STORAGE_CONDITIONS_INVALID',
  /** Logger readings are malformed (unordered times, non-finite values, a CSV row that does not parse); `details` names the row. */
  READINGS_INVALID: 'READINGS_INVALID',
  /** A pack's custody history cannot be read as intervals (a container inside itself, nesting beyond any real load). */
  CUSTODY_HISTORY_INVALID: 'CUSTODY_HISTORY_INVALID',

  // --- ledger: registries, authority, time ---------------------------------------------------------
  /** The GTIN is not in the product registry (commission needs its manufacturer). */
  PRODUCT_UNKNOWN: 'PRODUCT_UNKNOWN',
  /** The organisation is not an admitted trading partner of the consortium. */
  PARTNER_UNKNOWN: 'PARTNER_UNKNOWN',
  /** The partner's licence (authorised trading partner status) has lapsed. */
  PARTNER_UNLICENSED: 'PARTNER_UNLICENSED',
  /** The caller's admitted roles do not include one this command needs (a wholesaler dispensing). */
  ROLE_FORBIDDEN: 'ROLE_FORBIDDEN',
  /** The GTIN lies under no GS1 company prefix the consortium assigned to the caller. */
  PREFIX_NOT_HELD: 'PREFIX_NOT_HELD',
  /** The site (GLN or SGLN) is not one the consortium admitted for the caller: a receipt names one of the receiver's own sites. */
  SITE_NOT_HELD: 'SITE_NOT_HELD',
  /** An inbound document from a non-member names a product under a member's company prefix or registry: the member commissions its own packs. */
  INBOUND_MEMBER_PRODUCT: 'INBOUND_MEMBER_PRODUCT',
  /** An inbound document's seller is a consortium member: members ship on the ledger, not by document. */
  INBOUND_FROM_MEMBER: 'INBOUND_FROM_MEMBER',
  /** An inbound document failed the receiving checks (structure, GS1 syntax, master data); nothing was recorded. */
  INBOUND_REFUSED: 'INBOUND_REFUSED',
  /** Governance: only an admin of a member organisation may propose or approve, once per proposal. */
  GOVERNANCE_FORBIDDEN: 'GOVERNANCE_FORBIDDEN',
  /** Governance: the proposal is unknown, already enacted, or the consortium is not founded yet. */
  GOVERNANCE_STATE: 'GOVERNANCE_STATE',
  /** The transaction is dated before the last change of a record it changes. */
  BACKDATED: 'BACKDATED',
  /** The proposal's timestamp is too far from the endorsing peer's clock. */
  CLOCK_SKEW: 'CLOCK_SKEW',
  /** The event ID was already used by the same organisation for a different command or content. */
  DUPLICATE_EVENT: 'DUPLICATE_EVENT',
  /** A record that a read asked for does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** Only the two trading partners of a shipment may read its Transaction Information. */
  TI_FORBIDDEN: 'TI_FORBIDDEN',

  // --- reads: pagination ------------------------------------------------------------------------------
  /** A page cursor that this API did not issue (or one from another list). */
  PAGE_CURSOR_INVALID: 'PAGE_CURSOR_INVALID',
  /** A page size outside 1..the list's maximum. */
  PAGE_SIZE_INVALID: 'PAGE_SIZE_INVALID',
  /** More identifiers in one transaction than the chaincode accepts (payload and write-set size). */
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  /** The chaincode failed for a reason that is not the caller's: a server error, never bad input. */
  INTERNAL: 'INTERNAL',
} as const;

export type DomainErrorCode = (typeof DomainErrorCode)[keyof typeof DomainErrorCode];

/** Transport-neutral category so an API can map every code without a per-call switch. */
export type DomainErrorCategory = 'BAD_INPUT' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INTERNAL';

export const DOMAIN_ERROR_CATEGORY: Readonly<Record<DomainErrorCode, DomainErrorCategory>> = {
  SCAN_MALFORMED: 'BAD_INPUT',
  SYMBOLOGY_UNSUPPORTED: 'BAD_INPUT',
  AI_UNKNOWN: 'BAD_INPUT',
  AI_INVALID: 'BAD_INPUT',
  CHECK_DIGIT: 'BAD_INPUT',
  DATE_INVALID: 'BAD_INPUT',
  AI_DUPLICATE: 'BAD_INPUT',
  AI_ASSOCIATION: 'BAD_INPUT',
  GS_AMBIGUOUS: 'BAD_INPUT',
  DIGITAL_LINK_INVALID: 'BAD_INPUT',
  IDENTIFIER_INVALID: 'BAD_INPUT',
  EPC_URN_INVALID: 'BAD_INPUT',
  COMPANY_PREFIX_REQUIRED: 'BAD_INPUT',
  NDC_INVALID: 'BAD_INPUT',
  NDC_PATTERN_REQUIRED: 'BAD_INPUT',
  TIME_INVALID: 'BAD_INPUT',
  EPCIS_INVALID: 'BAD_INPUT',
  VOCABULARY_UNKNOWN: 'BAD_INPUT',
  EPCIS_XML_INVALID: 'BAD_INPUT',
  EPCIS_UNREPRESENTABLE: 'BAD_INPUT',
  EPCIS_QUERY_INVALID: 'BAD_INPUT',
  VRS_REQUEST_INVALID: 'BAD_INPUT',
  VRS_RESPONSE_MALFORMED: 'INTERNAL',
  VRS_DIRECTORY_INVALID: 'BAD_INPUT',
  VRS_RESPONDER_UNKNOWN: 'NOT_FOUND',
  ATP_CREDENTIAL_INVALID: 'FORBIDDEN',
  COMMAND_INVALID: 'BAD_INPUT',
  ILLEGAL_TRANSITION: 'CONFLICT',
  NOT_OWNER: 'FORBIDDEN',
  NOT_ADDRESSEE: 'FORBIDDEN',
  NOT_CUSTODIAN: 'FORBIDDEN',
  NOT_MANUFACTURER: 'FORBIDDEN',
  NOT_COMMISSIONED: 'NOT_FOUND',
  ALREADY_COMMISSIONED: 'CONFLICT',
  AGGREGATION_INVALID: 'BAD_INPUT',
  AGGREGATION_MISMATCH: 'CONFLICT',
  EXCEPTION_INVALID: 'BAD_INPUT',
  EXCEPTION_TRANSITION: 'CONFLICT',
  EXCEPTION_PARTY: 'FORBIDDEN',
  CLOCK_INVALID: 'BAD_INPUT',
  INVESTIGATION_INVALID: 'BAD_INPUT',
  INVESTIGATION_TRANSITION: 'CONFLICT',
  INVESTIGATION_PARTY: 'FORBIDDEN',
  TRACING_INVALID: 'BAD_INPUT',
  TRACING_TRANSITION: 'CONFLICT',
  TRACING_PARTY: 'FORBIDDEN',
  NOT_SERIALISABLE: 'BAD_INPUT',
  STORAGE_CONDITIONS_INVALID: 'BAD_INPUT',
  READINGS_INVALID: 'BAD_INPUT',
  CUSTODY_HISTORY_INVALID: 'CONFLICT',
  PRODUCT_UNKNOWN: 'NOT_FOUND',
  PARTNER_UNKNOWN: 'FORBIDDEN',
  PARTNER_UNLICENSED: 'FORBIDDEN',
  ROLE_FORBIDDEN: 'FORBIDDEN',
  PREFIX_NOT_HELD: 'FORBIDDEN',
  SITE_NOT_HELD: 'FORBIDDEN',
  INBOUND_MEMBER_PRODUCT: 'FORBIDDEN',
  INBOUND_FROM_MEMBER: 'FORBIDDEN',
  INBOUND_REFUSED: 'BAD_INPUT',
  GOVERNANCE_FORBIDDEN: 'FORBIDDEN',
  GOVERNANCE_STATE: 'CONFLICT',
  BACKDATED: 'CONFLICT',
  CLOCK_SKEW: 'BAD_INPUT',
  DUPLICATE_EVENT: 'CONFLICT',
  NOT_FOUND: 'NOT_FOUND',
  TI_FORBIDDEN: 'FORBIDDEN',
  PAGE_CURSOR_INVALID: 'BAD_INPUT',
  PAGE_SIZE_INVALID: 'BAD_INPUT',
  BATCH_TOO_LARGE: 'BAD_INPUT',
  INTERNAL: 'INTERNAL',
};

/** Structured context; `ai` and `reason` are set whenever a failure concerns one AI. */
export interface DomainErrorDetails {
  readonly ai?: string;
  readonly reason?: string;
  readonly [key: string]: unknown;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
  }

  get category(): DomainErrorCategory {
    return DOMAIN_ERROR_CATEGORY[this.code];
  }

  /** Plain-data form for logs, chaincode payloads and GraphQL extensions. */
  toJSON(): { code: DomainErrorCode; message: string; details: DomainErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isDomainError(value: unknown, code?: DomainErrorCode): value is DomainError {
  return value instanceof DomainError && (code === undefined || value.code === code);
}

/** Error for one AI: the message always starts with the AI so a scanner log line is self-explaining. */
export function aiError(code: DomainErrorCode, ai: string, reason: string, extra: Record<string, unknown> = {}): DomainError {
  return new DomainError(code, `AI (${ai}): ${reason}`, { ai, reason, ...extra });
}
