/**
 * @pedigree/domain — pure DSCSA / GS1 / EPCIS domain logic shared by the Fabric chaincode and the
 * NestJS apps. No I/O, no clock, no randomness: time always comes in as an argument.
 */

// Errors
export { DomainError, DomainErrorCode, DOMAIN_ERROR_CATEGORY, isDomainError, aiError } from './errors';
export type { DomainErrorCategory, DomainErrorDetails } from './errors';

// Time and deterministic storage
export { parseTimestamp, toUtcIsoString, isIsoDate, assertIsoDate, isValidCalendarDate, daysInMonth, TIME_ZONE_OFFSET_PATTERN } from './time';
export type { IsoDate, IsoTimestamp, ParsedTimestamp } from './time';
export { canonicalJson, type CanonicalCache } from './canonical-json';

// GS1 identifiers
export { gs1CheckDigit, hasValidCheckDigit, withCheckDigit } from './gs1/check-digit';
export { CSET82, CSET39, isCset82 } from './gs1/charset';
export {
  gtinCheckDigit,
  isValidGtin,
  normaliseGtin,
  gtinIndicator,
  withIndicator,
  normaliseSscc,
  isValidSscc,
  normaliseGln,
  isValidGln,
  assertSerialOrLot,
  sgtin,
} from './gs1/gtin';
export type { Gtin14, Sscc18, Gln13, Sgtin } from './gs1/gtin';
export {
  parseNdc,
  formatNdc,
  formatNdc11,
  ndcDigits,
  ndcToNdc11,
  ndcToGtin14,
  isNdcGtin,
  gtinToNdcDigits,
  gtinToNdc,
  gtinToNdc11,
  ndcCompanyPrefixLength,
  NDC_PATTERNS,
} from './gs1/ndc';
export type { Ndc, NdcPattern } from './gs1/ndc';
export {
  companyPrefixLengthFor,
  escapeEpcComponent,
  unescapeEpcComponent,
  sgtinToEpcUrn,
  lgtinToEpcClassUrn,
  ssccToEpcUrn,
  sglnToEpcUrn,
  pglnToEpcUrn,
  parseEpcUrn,
  formatEpcUrn,
  isEpcUrn,
} from './gs1/epc-urn';
export type { CompanyPrefixOptions, EpcIdentity } from './gs1/epc-urn';
export {
  DEFAULT_DIGITAL_LINK_HOST,
  parseDigitalLink,
  buildDigitalLink,
  canonicalDigitalLink,
  epcUrnToDigitalLink,
  digitalLinkToEpcUrn,
  encodeDigitalLinkValue,
  isDigitalLinkUri,
} from './gs1/digital-link';
export type { ParsedDigitalLink, DigitalLinkOptions, DigitalLinkParseOptions } from './gs1/digital-link';
export { compressDigitalLink, decompressDigitalLink, isCompressedDigitalLink, type DecompressedDigitalLink } from './gs1/digital-link-compression';
export { APPLICATION_IDENTIFIERS, aiDefinition, aiAt, DIGITAL_LINK_PRIMARY_KEYS, matchesAiPattern } from './gs1/application-identifiers';
export type { AiDefinition, AiComponent, ComponentCheck, DictionaryEntry, DictionaryComponent } from './gs1/application-identifiers';
export { checkAiAssociations, aiAssociationViolations } from './gs1/associations';
export { LINTERS, lint } from './gs1/linters';
export type { LintFailure, LintContext } from './gs1/linters';
export { SYNTAX_DICTIONARY_REVISION } from './gs1/syntax-dictionary.generated';
export { validateAiValue, decodeGs1Date, expiryToIsoDate, isoDateToYymmdd, resolveTwoDigitYear } from './gs1/ai-value';
export type { CenturyOptions, Gs1Date } from './gs1/ai-value';
export { toElementString, toBracketed } from './gs1/element-string';
export type { ElementStringOptions } from './gs1/element-string';

// Scans
export { parseScan, scanToDigitalLink, GS, DEFAULT_GS_SUBSTITUTES } from './scan/parse-scan';
export type { ParsedScan, ParseScanOptions, ScanForm, InferredSeparator } from './scan/parse-scan';

// EPCIS 2.0 / CBV 2.0
export { EPCIS_CONTEXT, ACTIONS, EVENT_TYPES } from './epcis/events';
export type {
  Action,
  EventType,
  EpcisEvent,
  ObjectEvent,
  AggregationEvent,
  TransactionEvent,
  TransformationEvent,
  AssociationEvent,
  AnyEpcisEvent,
  EpcisDocument,
  BizTransaction,
  Source,
  Destination,
  QuantityElement,
  ErrorDeclaration,
  PersistentDisposition,
  SensorElement,
  SensorReport,
  Ilmd,
} from './epcis/events';
export {
  BIZ_STEPS,
  DISPOSITIONS,
  BIZ_TRANSACTION_TYPES,
  SOURCE_DESTINATION_TYPES,
  ERROR_REASONS,
  normaliseVocabulary,
  isStandardTerm,
  toWebVocabulary,
  toUrnVocabulary,
} from './epcis/vocabulary';
export type { BizStep, Disposition, BizTransactionType, SourceDestinationType, ErrorReason, VocabularyKind } from './epcis/vocabulary';
export {
  epcOf,
  bizTransactionUrn,
  commissionEvent,
  packEvent,
  unpackEvent,
  shipEvent,
  receiveEvent,
  returnShipEvent,
  returnReceiveEvent,
  voidShippingEvent,
  dispenseEvent,
  retailSellEvent,
  decommissionEvent,
  destroyEvent,
  quarantineEvent,
  releaseEvent,
  recallEvent,
  transactionEvent,
  QUARANTINE_DISPOSITION,
} from './epcis/builders';
export type {
  EpcRef,
  Party,
  EventInput,
  BuildOptions,
  CommissionInput,
  PackInput,
  UnpackInput,
  TransferInput,
  ObserveInput,
  RecallInput,
  TransactionInput,
} from './epcis/builders';
export { validateEpcisEvent, validateEpcisDocument, assertValidEpcisEvent, assertValidEpcisDocument, jsonPointer, MEASUREMENT_TYPES } from './epcis/validate';
export { epcUriProblem, isEpcUri, parseEpcUri, epcUriToCanonicalDigitalLink, canonicalDigitalLinkForHash, canonicalIdentifierForHash, EPC_ID_SCHEMES } from './epcis/epc-uri';
export type { EpcUri, EpcUriKind } from './epcis/epc-uri';
export type { ValidationIssue, ValidateOptions } from './epcis/validate';
export { computeEventHashId, eventHashPreString, hasConsistentEventId, sha256Hex, DEFAULT_NAMESPACES, contextNamespaces } from './epcis/event-hash';
export type { HashFunction, EventHashOptions } from './epcis/event-hash';
export { DSCSA_STEPS, dscsaStep, candidateSteps } from './epcis/dscsa-profile';
export { dscsaShipmentDocument, sgtinClassPattern } from './epcis/dscsa-export';
export type { DscsaShipmentExport, DscsaExportParty, DscsaExportProduct } from './epcis/dscsa-export';
export { gtinOfEpcClass, inboundShipmentOf, type InboundLoadFinding, type InboundPackLine, type InboundShipment } from './epcis/inbound-document';
export { CBV_XML_FORMATS, EPC_FORMATS, parseCbvXmlFormat, parseEpcFormat, withEpcFormat, type CbvXmlFormat, type EpcFormat } from './epcis/epc-format';
export {
  EpcisXmlReader, readEpcisXml, xmlHashOptions, epcisXmlChunks, writeEpcisXml, escapeXml, EPCIS_QUERY_NS, readAndValidateEpcisXml, dscsaHeaderOf,
  EPCIS_NS, SBDH_NS, GS1USHC_NS, CBVMDA_NS,
} from './epcis/xml';
export type { EpcisXmlReadOptions, EpcisXmlReadResult, XmlLocation, XmlOmission, EpcisXmlWriteOptions, EpcisXmlVersion, DscsaHeader, ValidatedEpcisXml, XmlValidationIssue } from './epcis/xml';
export type { DscsaStep, DscsaStepProfile, ProfileRequirement } from './epcis/dscsa-profile';
export { parseEpcisQuery, matchesEpcisQuery, runEpcisQuery, epcMatches } from './epcis/query';
export type { EpcisQuery, EpcisQueryParams } from './epcis/query';
export { advanceCaptureJob, startCaptureJob, CAPTURE_ERROR_BEHAVIOURS } from './epcis/capture-job';
export type { CaptureErrorBehaviour, CaptureJobState, CaptureJobStep, CaptureProblem } from './epcis/capture-job';

// Cold chain: storage conditions and excursions
export { parseStorageConditions, formatStorageRange, formatHumidityRange, DEFAULT_ACTIVATION_ENERGY_KJ_PER_MOL } from './coldchain/storage';
export type { StorageConditions, ExcursionBudget, HumidityConditions } from './coldchain/storage';
export {
  seriesExposure, meanKineticTemperature, packExposure, assessExposure, assertReadings, exposureCache, sourceKey, storageOptions, temperatureRange, humidityRange, DEFAULT_MAX_GAP_MINUTES,
} from './coldchain/excursion';
export type {
  Reading, Range, ExcursionOptions, Excursion, SeriesExposure, PackExposure, PackInterval, ConditionSource, ConditionSourceKind, ExposureCache, BudgetBreach, ExcursionVerdict,
} from './coldchain/excursion';
export {
  readingsFromCsv, readingsFromEpcis, readingsFromEpcisDocument, readingsBatchSha256, batchSpan, temperatureSeries, humiditySeries, assertLoggerReadings, parseConditionSource,
  CONDITION_SOURCE_KINDS, MAX_READINGS_PER_BATCH,
} from './coldchain/readings';
export type { LoggerReading, ReadingsBatch } from './coldchain/readings';
export { checkShipmentConditions, summariseExcursions, excursionHold } from './coldchain/excursion-findings';
export type { ExcursionSummary, ExcursionEvidence, ExcursionHold, HumidityExcursionSummary, ShipmentConditionsInput, PackConditions } from './coldchain/excursion-findings';
export { custodyIntervals, custodySteps, legConditions } from './coldchain/custody';
export { exceptionViewers, exceptionGtins } from './coldchain/excursion-viewers';
export type { CustodyStep, CustodySteps, LegConditions } from './coldchain/custody';

// Pack lifecycle
export { actorOf, lookupFrom, PACK_STATUSES, TERMINAL_STATUSES } from './lifecycle/records';
export type {
  OrgId,
  Actor,
  ActorRef,
  PackStatus,
  Overlay,
  QuarantineReason,
  Shipment,
  PackRecord,
  ContainerStatus,
  ContainerRecord,
  TraceRecord,
  RecordLookup,
  CarriedCommand,
} from './lifecycle/records';
export type {
  ProductRecord,
  ReadingsAnchorRecord,
  ExcursionDecisionRecord,
  PartnerRole,
  Licence,
  Address,
  PartnerRecord,
  ShipmentRecord,
  EventReceipt,
  ChaincodeEventType,
  TraceabilityEvent,
  TraceabilityBatchEvent,
  CaptureResult,
  WriteResult,
} from './lifecycle/ledger-records';
export { TRANSITIONS, OVERLAY_RULES, UNDO_WINDOW_DAYS, rulesFor, AT_REST } from './lifecycle/transitions';
export type { PackCommand, PackCommandType, Role, GuardName, Target, TransitionRule, OverlayRule, OverlayException } from './lifecycle/transitions';
export { applyCommand, replayCommand, commissionPack, effectiveExpiry, isExpired, packOverlays, packHolds, isSellable, isSellableAtRest, allowedCommands } from './lifecycle/pack-machine';
export {
  containerId,
  aggregate,
  disaggregate,
  breakSeal,
  sealContainer,
  shipContainer,
  voidContainerShipment,
  receiveContainer,
  confirmContents,
  descendantIds,
  applyToContents,
  isPack,
  isContainer,
} from './lifecycle/aggregation';
export { carriedView, containerView, containersOfChange, inheritCarried, storedWrites, viewOf } from './lifecycle/carriage';
export type { CarriedChange } from './lifecycle/carriage';
export type { AggregationResult, ReceiptResult, Mismatch, ContainerRef, AggregateInput, DisaggregateInput, ShipContainerInput, ReceiveContainerInput } from './lifecycle/aggregation';
export { verifyProductIdentifier, suspectSampleSize, illegitimateNotificationDue } from './lifecycle/verification';
export { recordConcerns } from './lifecycle/visibility';
export { assertAddressedTo, assertNotMemberProduct, assertSellerNotMember, inboundContainers, inboundPack, isNonMemberParty, type InboundContainerInput, nonMemberParty, type InboundPackInput, type MemberClaim } from './lifecycle/inbound';
export type { VerificationRequest, VerificationOutcome, VerificationFailureReason, VerificationAdditionalInfo } from './lifecycle/verification';
export {
  VRS_FAILURE_REASONS, VRS_ADDITIONAL_INFO, VRS_CONTEXTS, VRS_LINK_TYPES, VRS_VERSION_HEADER, VRS_VERSION, readVrsRequest, readVrsExpiry, readGlnParameter,
  unknownVrsParameters, vrsRequestPath, vrsResponseBody, readVrsResponse, readVrsDirectory, vrsResponderFor, assertVrsExpiry,
} from './lifecycle/vrs-message';
export type { VrsRequest, VrsResponse, VrsQuery, VrsUrlForm, VrsContext, VrsDirectoryEntry } from './lifecycle/vrs-message';

// Receiving checks and exceptions between members
export { RECEIVING_RULES, isReceivingRule, checkReceipt } from './exceptions/receiving-checks';
export type { ReceivingRule, ShippedPack, ShippedContainer, TiLine, ShipmentAsShipped, ScannedPack, LedgerPackView, ReceiptAsFound, FindingEvidence, Finding } from './exceptions/receiving-checks';
export { EXCEPTION_STATES, OPEN_EXCEPTION_STATES, isOpenException, raiseException, actOnException, recheck, exceptionAgeSeconds, holdReason } from './exceptions/exception-lifecycle';
export type { ExceptionState, ExceptionResolution, Correction, LedgerNow, ExceptionAnswer, ExceptionStep, ExceptionRecord, ExceptionAction, RaiseInput } from './exceptions/exception-lifecycle';
export { EXCEPTION_CLOCKS, startClock, assertClockPolicy, clockOf, readClock } from './exceptions/exception-clock';
export type { ClockExpiry, RuleClock, ClockPolicy, ExceptionClock, ClockReading } from './exceptions/exception-clock';
export { DEFAULT_TIME_ZONE, MAX_GRACE_BUSINESS_DAYS, usFederalHolidays, businessCalendar, localDateOf, isBusinessDay, businessDaysBetween, businessDeadline } from './exceptions/business-clock';
export type { BusinessCalendar } from './exceptions/business-clock';
export { tracingResponseDue, tracingBusinessDays } from './exceptions/tracing-deadline';
export { TRACING_KINDS, TRACING_REASONS, requestTracing, releaseTracing, tracingStatus } from './exceptions/tracing-request';
export type { TracingKind, TracingReason, TracingRespondent, TracingRelease, TracingRequestRecord, TracingRequestInput } from './exceptions/tracing-request';
export { INVESTIGATION_STATES, ILLEGITIMATE_CLASSIFICATIONS, openInvestigation, actOnInvestigation, verifiedPacks, noticesOverdue, form3911 } from './exceptions/investigation';
export { withInvestigationHold, holdsOfInvestigation, placeInvestigationHold, liftInvestigationHold } from './exceptions/investigation-hold';
export type { InvestigationHoldRecord, InvestigationHoldEntry, PackInvestigationHold } from './exceptions/investigation-hold';
export type { InvestigationState, InvestigationScope, IllegitimateClassification, Verification, InvestigationStep, InvestigationRecord, OpenInvestigationInput, InvestigationAction, Form3911 } from './exceptions/investigation';

// Lot-level decisions, consortium governance, the authority catalogue
export { withLotStatus, recallLot, extendLotExpiry, assertNotBackdated } from './lifecycle/lot-status';
export type { LotStatusRecord, RecallLotDecision, ExtendLotExpiryDecision } from './lifecycle/lot-status';
export { PARTNER_ROLES, majority, parseGovernanceChange, propose, approve, enactedOnProposal, assertDisjointPrefixes, gtinPrefixCandidates } from './consortium/governance';
export { parseSite, receivingSite, assertSiteOf } from './consortium/sites';
export type { Site } from './consortium/sites';
export type { PartnerAdmission, PrefixAssignment, GovernanceChange, GovernanceChangeKind, ConsortiumRecord, PrefixRecord, ProposalRecord } from './consortium/governance';
export { COMMAND_AUTHORITY, COMMAND_KEYS, commandAuthority, authorityMatrixMarkdown } from './protocol/catalogue';
export type { CommandAuthority, ChaincodeContract, CommandKeys, LedgerKey } from './protocol/catalogue';
export { contractOf, TI_TRANSIENT_KEY, CAPTURE_TRANSACTIONS, MAX_CAPTURE_COMMANDS } from './protocol/commands';
export { COMMAND_FIELDS, isPersonIdentifier, MAX_COMMAND_TEXT, parseLedgerCommand } from './protocol/command-parsers';
export { CAPTURE_TRANSACTION_OF_STEP, captureStepOf } from './protocol/capture-steps';
export type {
  Command, LedgerCommandInputs, LedgerCommandName, RegisterProductCommand, AnchorReadingsCommand, DecideExcursionCommand, ExcursionDecision, CommissionCommand, PackCommandInput, UnpackCommandInput, ShipCommand, ReceiveCommand, ReceiveInboundCommand, KeepInboundTiCommand, InboundPack,
  EpcsCommand, DispenseCommand, DecommissionCommand, QuarantineCommand, VerifyReturnCommand, RecallLotCommand, ExtendExpiryCommand, ProposeCommand, ApproveCommand, CaptureCommand, CapturePart, CaptureTransaction,
  RaiseExceptionsCommand, ExceptionStepCommand, AnswerExceptionCommand, ResolveExceptionCommand,
} from './protocol/commands';
