import type { IsoDate } from '../time';
import type { OrgId, QuarantineReason } from '../lifecycle/records';
import type { GovernanceChange } from '../consortium/governance';
import type { ChaincodeContract } from './catalogue';
import type { ClockPolicy } from '../exceptions/exception-clock';
import type { Correction, ExceptionResolution } from '../exceptions/exception-lifecycle';
import type { Finding } from '../exceptions/receiving-checks';
import type { IllegitimateClassification, InvestigationScope, Verification } from '../exceptions/investigation';
import type { TracingKind, TracingReason } from '../exceptions/tracing-request';
import { COMMAND_AUTHORITY } from './catalogue';
import type { StorageConditions } from '../coldchain/storage';
import type { ConditionSource } from '../coldchain/excursion';
import type { IsoTimestamp } from '../time';

/**
 * The ledger protocol's write commands: one JSON argument per chaincode transaction, the same type
 * for the chaincode that parses it and every client that sends it (partner services, seed,
 * benches, tests). Each carries the client's event ID (a UUID, or the EPCIS event hash ID).
 */
export interface Command {
  readonly eventId: string;
  /**
   * The authenticated person who caused the command (21 CFR Part 11 attribution): the subject of
   * the API key or token the submitting organisation's service authenticated, attested by that
   * organisation's signature on the transaction. Not part of the event's identity: a retry by a
   * colleague with the same event ID is the same event.
   */
  readonly submittedBy?: string;
}

export interface RegisterProductCommand extends Command {
  readonly gtin?: string;
  /** Dashed NDC; the GTIN is derived from it (indicator 0) when gtin is not given. */
  readonly ndc?: string;
  readonly name: string;
  readonly strength: string;
  readonly dosageForm: string;
  readonly packSize: string;
  /** The labelled storage range and excursion budget (cold chain); kept when an update omits it. */
  readonly storage?: StorageConditions;
}
export interface CommissionCommand extends Command {
  readonly gtin: string;
  readonly lot: string;
  readonly expiry: IsoDate;
  readonly serials: readonly string[];
  readonly site?: string;
}
export interface PackCommandInput extends Command {
  /** SSCC (18 digits) or SSCC EPC URN of the case or pallet. */
  readonly parent: string;
  /** SGTIN URNs of packs, or SSCC URNs of cases going onto a pallet. */
  readonly children: readonly string[];
  /** Close the container after packing (default true): its contents may then be inferred. */
  readonly sealed?: boolean;
}
export interface UnpackCommandInput extends Command {
  readonly parent: string;
  readonly children?: readonly string[];
}
export interface ShipCommand extends Command {
  /** MSP ID of the addressee, an admitted, licensed trading partner. */
  readonly to: OrgId;
  readonly toSite?: string;
  readonly purpose?: 'sale' | 'return';
  /** Top-level EPCs: outermost container SSCCs and loose pack SGTINs. */
  readonly epcs: readonly string[];
  /** DSCSA Transaction Statement; required for a sale. */
  readonly statement?: { readonly affirmed: boolean; readonly legalNotice?: string };
}
export interface ReceiveCommand extends Command {
  readonly epcs: readonly string[];
  /** EPCs scanned at receipt; scanning any child of a container means all of its children must be scanned. */
  readonly scanned?: readonly string[];
  /** Containers found with a broken seal. */
  readonly brokenSeals?: readonly string[];
  readonly site?: string;
  /** Receive what arrived despite a mismatch (a receiving exception follows) instead of refusing. */
  readonly underException?: boolean;
  /** Received packs quarantined in the same transaction (held for the exceptions the receipt raises). */
  readonly hold?: { readonly epcs: readonly string[]; readonly reason: QuarantineReason };
}
export interface EpcsCommand extends Command {
  readonly epcs: readonly string[];
}
export interface DispenseCommand extends EpcsCommand {
  readonly site?: string;
}
export interface DecommissionCommand extends EpcsCommand {
  readonly reason?: string;
}
export interface QuarantineCommand extends EpcsCommand {
  readonly reason: QuarantineReason;
}
export interface VerifyReturnCommand extends EpcsCommand {
  readonly verified: boolean;
}
export interface RecallLotCommand extends Command {
  readonly gtin: string;
  readonly lot: string;
  readonly recallId: string;
}
export interface ExtendExpiryCommand extends Command {
  readonly gtin: string;
  readonly lot: string;
  readonly until: IsoDate;
}
export interface ProposeCommand extends Command {
  readonly change: GovernanceChange;
}
export interface ApproveCommand extends Command {
  readonly proposalId: string;
}

/**
 * Anchors one batch of logger readings kept off the ledger (cold chain): its salted SHA-256 with
 * the shipment, container or location it was recorded on, so either party can later prove what was
 * recorded. The readings and the salt stay in the organisation's own store.
 */
export interface AnchorReadingsCommand extends Command {
  readonly source: ConditionSource;
  readonly batchSha256: string;
  readonly readingCount: number;
  readonly firstAt: IsoTimestamp;
  readonly lastAt: IsoTimestamp;
  readonly deviceId?: string;
}

/**
 * The manufacturer's decision on a temperature_excursion exception (cold chain): release the held
 * packs on the strength of stability data, or destroy them. Recorded once; the holder then resolves
 * and closes the exception accordingly.
 */
export interface DecideExcursionCommand extends Command {
  /** The exception's receiver (the holder) and its ID. */
  readonly receiver: OrgId;
  readonly exceptionId: string;
  readonly decision: ExcursionDecision;
  /** Release: the stability data that supports it (study, report or document reference). */
  readonly stabilityDataRef?: string;
  readonly note?: string;
}
export type ExcursionDecision = 'release' | 'destroy';

/** One pack of an inbound shipment, as the non-member seller's document describes it. */
export interface InboundPack {
  /** SGTIN EPC URN. */
  readonly epc: string;
  readonly lot: string;
  readonly expiry: IsoDate;
}

/**
 * A shipment from a trading partner that is not a consortium member, received by the caller from
 * the EPCIS document the seller sent (GS1 US DSCSA guideline): its packs start their life on the
 * ledger here, owned and held by the caller. Only for GTINs outside every member's company prefix:
 * a member's product is commissioned by the member, never claimed from a document. The document's
 * SHA-256 and the salted SHA-256 of the Transaction Information are public; the TI itself is kept
 * afterwards in the caller's own implicit collection (KeepInboundTi), so no other endorser sees it.
 */
export interface ReceiveInboundCommand extends Command {
  /** GLN of the seller (SBDH Sender); not a member's. */
  readonly sellerGln: string;
  readonly sellerName?: string;
  /** GLN the document is addressed to (SBDH Receiver): one of the caller's admitted GLNs. */
  readonly receiverGln: string;
  /** The document's own identifier (SBDH InstanceIdentifier). */
  readonly documentId: string;
  /** SHA-256 of the document's bytes as received. */
  readonly documentSha256: string;
  /** The seller's despatch advice or invoice reference, when the document carries one. */
  readonly bizTransaction?: string;
  readonly packs: readonly InboundPack[];
  readonly site?: string;
  /** The Transaction Statement as the seller affirmed it in the document (§581(27)). */
  readonly statement: { readonly affirmed: boolean; readonly legalNotice?: string };
  /** Salted SHA-256 of the Transaction Information the receiver keeps privately. */
  readonly tiSha256: string;
  /**
   * Packs held (quarantined) in this same transaction for the receiving exceptions raised next:
   * what arrived under a finding is never sellable, not even between the receipt and the raise.
   */
  readonly hold?: ReceiveCommand['hold'];
  /** The load's containers (SSCC) with their direct children, from the document's packing events. */
  readonly containers?: ReadonlyArray<{ readonly id: string; readonly children: readonly string[] }>;
}

/** The receiver keeps an inbound shipment's TI (transient `ti`) in its own implicit collection. */
export interface KeepInboundTiCommand extends Command {
  /** The ReceiveInbound event ID (the inbound shipment's ID). */
  readonly shipmentId: string;
}

/** The receiver raises the findings of one shipment's receipt (domain checkReceipt) as exceptions. */
export interface RaiseExceptionsCommand extends Command {
  readonly findings: readonly Finding[];
  /** Refer them to the seller at once (waiting_on_partner). */
  readonly refer?: boolean;
  /** SHA-256 of private evidence kept off the ledger. */
  readonly evidenceSha256?: string;
  /** The receiver's clock settings (site time zone, grace per rule); each rule's default otherwise. */
  readonly clock?: ClockPolicy;
}
/** A step on one exception; the receiver is the caller except for the seller's answer. */
export interface ExceptionStepCommand extends Command {
  readonly exceptionId: string;
  /** The exception's receiver (its key); defaults to the caller. */
  readonly receiver?: OrgId;
}
export interface AnswerExceptionCommand extends ExceptionStepCommand {
  readonly note?: string;
  readonly correction?: Correction;
}
export interface ResolveExceptionCommand extends ExceptionStepCommand {
  readonly resolution: ExceptionResolution;
}

/** Opens a suspect-product investigation on a lot or on packs: every holder's stock of it is held. */
export interface OpenInvestigationCommand extends Command {
  readonly scope: InvestigationScope;
  readonly summary: string;
}
/** A step on one investigation; the investigator is the caller unless a holder names it. */
export interface InvestigationStepCommand extends Command {
  readonly investigationId: string;
  /** The investigation's investigator (its key); defaults to the caller. */
  readonly investigator?: OrgId;
}
export interface VerifyInvestigationPackCommand extends InvestigationStepCommand {
  readonly pack: string;
  readonly outcome: Verification['outcome'];
  readonly note?: string;
}
export interface RecordInvestigationFindingCommand extends InvestigationStepCommand {
  readonly text: string;
}
export interface DeclareIllegitimateCommand extends InvestigationStepCommand {
  readonly classification: IllegitimateClassification;
}
export interface RecordFdaFilingCommand extends InvestigationStepCommand {
  readonly incidentNumber: string;
}
export interface NotifyTradingPartnersCommand extends InvestigationStepCommand {
  readonly partners: readonly OrgId[];
}

/** Asks the pack's trail for its history; TI requests are answered by each owner for its own sales. */
export interface RequestTracingCommand extends Command {
  readonly kind: TracingKind;
  readonly epc: string;
  readonly reason: TracingReason;
  readonly incidentNumber?: string;
  readonly test?: boolean;
}
/** A respondent releases the TI of its own shipments of the pack (transient `ti`: { shipmentId: TI bytes }) to the requester only. */
export interface ReleaseTracingCommand extends Command {
  readonly requester: OrgId;
  readonly requestId: string;
  readonly shipmentIds: readonly string[];
}

/**
 * The commands an EPCIS document's events map to, which one Capture transaction may carry together
 * (Ship is not among them: its Transaction Information travels as the transaction's transient data).
 */
export const CAPTURE_TRANSACTIONS = ['Commission', 'Pack', 'Unpack', 'Receive', 'Dispense', 'Decommission', 'Destroy'] as const;
export type CaptureTransaction = (typeof CAPTURE_TRANSACTIONS)[number];

/** One command of a Capture, with its own event ID (the EPCIS event's eventID or hash). */
export type CapturePart = { readonly [K in CaptureTransaction]: { readonly transaction: K; readonly command: CaptureCommandInputs[K] } }[CaptureTransaction];
type CaptureCommandInputs = Pick<LedgerCommandInputs, CaptureTransaction>;

/** Most commands one Capture carries; MAX_IDS_PER_TX bounds the identifiers they name in total. */
export const MAX_CAPTURE_COMMANDS = 1000;

/**
 * A whole EPCIS document recorded in one transaction: every command applies, in order, over the
 * state the earlier ones left, or none does. Each keeps its own event ID, receipt and roles; a
 * part already recorded answers as a duplicate and writes nothing.
 */
export interface CaptureCommand extends Command {
  readonly commands: readonly CapturePart[];
}

/** Each chaincode write and its command type. */
export interface LedgerCommandInputs {
  readonly RegisterProduct: RegisterProductCommand;
  readonly Commission: CommissionCommand;
  readonly Pack: PackCommandInput;
  readonly Unpack: UnpackCommandInput;
  readonly Ship: ShipCommand;
  readonly VoidShipping: EpcsCommand;
  readonly Receive: ReceiveCommand;
  readonly ReceiveInbound: ReceiveInboundCommand;
  readonly KeepInboundTi: KeepInboundTiCommand;
  readonly Dispense: DispenseCommand;
  readonly Decommission: DecommissionCommand;
  readonly Destroy: EpcsCommand;
  readonly Quarantine: QuarantineCommand;
  readonly Release: EpcsCommand;
  readonly VerifyReturn: VerifyReturnCommand;
  readonly RecallLot: RecallLotCommand;
  readonly ExtendExpiry: ExtendExpiryCommand;
  readonly Propose: ProposeCommand;
  readonly Approve: ApproveCommand;
  readonly RaiseExceptions: RaiseExceptionsCommand;
  readonly ReferException: ExceptionStepCommand;
  readonly AnswerException: AnswerExceptionCommand;
  readonly ResolveException: ResolveExceptionCommand;
  readonly CloseException: ExceptionStepCommand;
  readonly EscalateException: ExceptionStepCommand;
  readonly Capture: CaptureCommand;
  readonly AnchorReadings: AnchorReadingsCommand;
  readonly DecideExcursion: DecideExcursionCommand;
  readonly OpenInvestigation: OpenInvestigationCommand;
  readonly VerifyInvestigationPack: VerifyInvestigationPackCommand;
  readonly RecordInvestigationFinding: RecordInvestigationFindingCommand;
  readonly ClearInvestigation: InvestigationStepCommand;
  readonly DeclareIllegitimate: DeclareIllegitimateCommand;
  readonly RecordFdaFiling: RecordFdaFilingCommand;
  readonly NotifyTradingPartners: NotifyTradingPartnersCommand;
  readonly RequestTermination: InvestigationStepCommand;
  readonly RequestTracing: RequestTracingCommand;
  readonly ReleaseTracing: ReleaseTracingCommand;
}
export type LedgerCommandName = keyof LedgerCommandInputs;

/** The contract a command is sent to, from the authority catalogue: callers never spell it. */
export function contractOf(transaction: LedgerCommandName): ChaincodeContract {
  const entry = COMMAND_AUTHORITY.find((c) => c.transaction === transaction);
  if (!entry) throw new Error(`no catalogue entry for ${transaction}`);
  return entry.contract;
}

/** The transient key that carries a shipment's Transaction Information (Ship). */
export const TI_TRANSIENT_KEY = 'ti';
