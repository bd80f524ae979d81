import type { IsoDate } from '../time';
import type { OrgId, QuarantineReason } from '../lifecycle/records';
import type { GovernanceChange } from '../consortium/governance';
import type { ChaincodeContract } from './catalogue';
import type { ClockPolicy } from '../exceptions/exception-clock';
import type { Correction, ExceptionResolution } from '../exceptions/exception-lifecycle';
import type { Finding } from '../exceptions/receiving-checks';
import { COMMAND_AUTHORITY } from './catalogue';

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
