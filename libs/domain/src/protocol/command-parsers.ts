import { DomainError } from '../errors';
import { parseGovernanceChange } from '../consortium/governance';
import { isCset82 } from '../gs1/charset';
import type { QuarantineReason } from '../lifecycle/records';
import { assertClockPolicy, type ClockPolicy } from '../exceptions/exception-clock';
import type { Correction } from '../exceptions/exception-lifecycle';
import { RECEIVING_RULES, type Finding } from '../exceptions/receiving-checks';
import { ILLEGITIMATE_CLASSIFICATIONS, type InvestigationScope } from '../exceptions/investigation';
import { TRACING_KINDS, TRACING_REASONS } from '../exceptions/tracing-request';
import { parseStorageConditions, type StorageConditions } from '../coldchain/storage';
import { parseConditionSource } from '../coldchain/readings';
import type { ConditionSource } from '../coldchain/excursion';
import { parseTimestamp } from '../time';
import { assertIsoDate, type IsoDate } from '../time';
import { CAPTURE_TRANSACTIONS, MAX_CAPTURE_COMMANDS, type CapturePart, type CaptureTransaction, type Command, type LedgerCommandInputs, type LedgerCommandName, type InboundPack, type ReceiveCommand, type ReceiveInboundCommand, type ShipCommand } from './commands';
import { isValidGln } from '../gs1/gtin';

/**
 * The parser of every ledger command, declared once per field beside the command types
 * (commands.ts): the chaincode parses each transaction's argument with it before any rule runs, and
 * a client can check a command before sending it. The field table is typed against the command
 * interfaces: a field added to a command without a parser here, or marked optional here but
 * required there, does not compile. Unknown fields are refused, so a misspelt optional field is an
 * error rather than silently ignored.
 */

/** Reads one field's value (present, not undefined); throws COMMAND_INVALID naming the field. */
type Reader<V> = (value: unknown, field: string, transaction: LedgerCommandName) => V;

type Field<V> = undefined extends V ? { readonly optional: true; readonly read: Reader<NonNullable<V>> } : { readonly optional?: false; readonly read: Reader<V> };

/** The command's own fields (eventId and submittedBy are every command's, read first). */
type Body<C extends Command> = Omit<C, keyof Command>;
type Fields<C extends Command> = { readonly [F in keyof Body<C>]-?: Field<Body<C>[F]> };

/**
 * Whether a value can be a command's `submittedBy`: the identifier of a person, 1-200 printable
 * ASCII characters, not starting with a space. Services escape anything else before sending it.
 */
export function isPersonIdentifier(value: unknown): value is string {
  return typeof value === 'string' && /^[\x21-\x7e][\x20-\x7e]{0,199}$/.test(value);
}

/** Longest text field accepted: keeps proposals and write sets bounded. */
export const MAX_COMMAND_TEXT = 1024;

function invalid(transaction: LedgerCommandName, field: string, reason: string, message: string): DomainError {
  return new DomainError('COMMAND_INVALID', `${transaction}: ${field} ${message}`, { command: transaction, field, reason });
}

const text = (max = MAX_COMMAND_TEXT): Reader<string> => (value, field, transaction) => {
  if (typeof value !== 'string' || value.length === 0) throw invalid(transaction, field, `${field} not text`, 'must be a non-empty string');
  if (value.length > max) throw invalid(transaction, field, `${field} too long`, `is longer than ${max} characters`);
  return value;
};

/** A list of identifiers; how many, and whether they repeat, is each command's rule (requireList). */
const identifiers: Reader<readonly string[]> = (value, field, transaction) => {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalid(transaction, field, `${field} missing`, 'must be a non-empty list of strings');
  return value as string[];
};

const flag: Reader<boolean> = (value, field, transaction) => {
  if (typeof value !== 'boolean') throw invalid(transaction, field, `${field} not boolean`, 'must be true or false');
  return value;
};

/** A batch/lot number as GS1 AI (10) carries it: 1-20 characters of CSET 82, so it fits the pack's barcode. */
const lot: Reader<string> = (value, field, transaction) => {
  const v = text(20)(value, field, transaction);
  if (!isCset82(v)) throw invalid(transaction, field, `${field} not CSET 82`, 'has characters a GS1 barcode cannot carry (AI 10 is CSET 82)');
  return v;
};

const date: Reader<IsoDate> = (value, field) => assertIsoDate(value, field);

function oneOf<V extends string>(values: readonly V[]): Reader<V> {
  return (value, field, transaction) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) throw invalid(transaction, field, `${field} not allowed`, `must be one of ${values.join(', ')}`);
    return value as V;
  };
}

const statement: Reader<NonNullable<ShipCommand['statement']>> = (value, field, transaction) => {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(transaction, field, `${field} not an object`, 'must be an object { affirmed, legalNotice? }');
  const { affirmed, legalNotice, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length) throw invalid(transaction, `${field}.${Object.keys(rest)[0]}`, 'unknown field', 'is not a field of the Transaction Statement');
  return { affirmed: flag(affirmed, `${field}.affirmed`, transaction), ...(legalNotice === undefined ? {} : { legalNotice: text()(legalNotice, `${field}.legalNotice`, transaction) }) };
};

const QUARANTINE_REASONS: readonly QuarantineReason[] = ['suspect', 'illegitimate', 'no_pedigree_match', 'stolen', 'damaged', 'expired'];

/** The parts of a Capture: each a capturable command, parsed by its own fields. */
const captureParts: Reader<readonly CapturePart[]> = (value, field, transaction) => {
  if (!Array.isArray(value) || value.length === 0) throw invalid(transaction, field, `${field} missing`, 'must be a non-empty list of { transaction, command }');
  if (value.length > MAX_CAPTURE_COMMANDS) throw invalid(transaction, field, `${field} too many`, `lists ${value.length} commands; at most ${MAX_CAPTURE_COMMANDS} in one transaction`);
  return value.map((part: unknown, i): CapturePart => {
    const at = `${field}[${i}]`;
    if (!part || typeof part !== 'object' || Array.isArray(part)) throw invalid(transaction, at, `${at} not an object`, 'must be { transaction, command }');
    const { transaction: inner, command, ...rest } = part as Record<string, unknown>;
    if (Object.keys(rest).length) throw invalid(transaction, `${at}.${Object.keys(rest)[0]}`, 'unknown field', 'is not a field of a capture part');
    if (typeof inner !== 'string' || !(CAPTURE_TRANSACTIONS as readonly string[]).includes(inner)) {
      throw invalid(transaction, `${at}.transaction`, `${at}.transaction not capturable`, `must be one of ${CAPTURE_TRANSACTIONS.join(', ')}`);
    }
    try {
      return { transaction: inner, command: parseCommandValue(inner as CaptureTransaction, command) } as CapturePart;
    } catch (err) {
      // Name the part, so a document's author finds the event.
      if (err instanceof DomainError) throw new DomainError(err.code, `${at}: ${err.message}`, { ...err.details, part: i });
      throw err;
    }
  });
};

/** A plain JSON object whose keys are exactly among `keys` (each then read by the caller). */
function objectOf(value: unknown, field: string, transaction: LedgerCommandName, keys: readonly string[], what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(transaction, field, `${field} not an object`, `must be an object (${what})`);
  const extra = Object.keys(value).filter((k) => !keys.includes(k));
  if (extra.length) throw invalid(transaction, `${field}.${extra[0]}`, 'unknown field', `is not a field of ${what}`);
  return value as Record<string, unknown>;
}

const receiveHold: Reader<NonNullable<ReceiveCommand['hold']>> = (value, field, transaction) => {
  const v = objectOf(value, field, transaction, ['epcs', 'reason'], 'a receipt hold { epcs, reason }');
  return { epcs: identifiers(v.epcs, `${field}.epcs`, transaction), reason: oneOf(QUARANTINE_REASONS)(v.reason, `${field}.reason`, transaction) };
};

/** Most findings one RaiseExceptions carries. */
export const MAX_FINDINGS = 100;
const FINDING_KEYS = ['rule', 'shipmentId', 'seller', 'receiver', 'subjects', 'hold', 'evidence'] as const;

/** Findings as the domain's checkReceipt makes them; the evidence is plain JSON with a summary (raiseException checks the rest). */
const findings: Reader<readonly Finding[]> = (value, field, transaction) => {
  if (!Array.isArray(value) || value.length === 0) throw invalid(transaction, field, `${field} missing`, 'must be a non-empty list of findings');
  if (value.length > MAX_FINDINGS) throw invalid(transaction, field, `${field} too many`, `lists ${value.length} findings; at most ${MAX_FINDINGS} in one transaction`);
  return value.map((f: unknown, i): Finding => {
    const at = `${field}[${i}]`;
    const v = objectOf(f, at, transaction, FINDING_KEYS, 'a receiving finding');
    const evidence = objectOf(v.evidence, `${at}.evidence`, transaction, Object.keys((v.evidence as object | null) ?? {}), 'evidence');
    text(2000)(evidence.summary, `${at}.evidence.summary`, transaction);
    return {
      rule: oneOf(RECEIVING_RULES)(v.rule, `${at}.rule`, transaction), shipmentId: text(256)(v.shipmentId, `${at}.shipmentId`, transaction),
      seller: text()(v.seller, `${at}.seller`, transaction), receiver: text()(v.receiver, `${at}.receiver`, transaction),
      subjects: identifiers(v.subjects, `${at}.subjects`, transaction), hold: identifiers(v.hold ?? [], `${at}.hold`, transaction), evidence: evidence as unknown as Finding['evidence'],
    };
  });
};

/** The seller's corrected data: only the parts the lifecycle knows (actOnException checks their content). */
const correction: Reader<Correction> = (value, field, transaction) => objectOf(value, field, transaction, ['contents', 'ti', 'packs'], 'a correction { contents?, ti?, packs? }') as Correction;

/** A receiver's clock settings: { timeZone?, graceBusinessDays?: { rule: days } } (assertClockPolicy checks the values). */
const clockPolicy: Reader<ClockPolicy> = (value, field, transaction) => {
  const v = objectOf(value, field, transaction, ['timeZone', 'graceBusinessDays'], 'a clock policy { timeZone?, graceBusinessDays? }');
  const grace = v.graceBusinessDays === undefined ? undefined : objectOf(v.graceBusinessDays, `${field}.graceBusinessDays`, transaction, RECEIVING_RULES, 'grace per rule code');
  return assertClockPolicy({ ...(v.timeZone === undefined ? {} : { timeZone: text(64)(v.timeZone, `${field}.timeZone`, transaction) }), ...(grace ? { graceBusinessDays: grace as ClockPolicy['graceBusinessDays'] } : {}) });
};

const sha256: Reader<string> = (value, field, transaction) => {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) throw invalid(transaction, field, `${field} not a SHA-256`, 'must be 64 lower-case hex digits');
  return value;
};

/** Another domain parser's refusal, as COMMAND_INVALID naming the field it names. */
function asCommandField<V>(parse: (value: unknown, field: string) => V): Reader<V> {
  return (value, field, transaction) => {
    try {
      return parse(value, field);
    } catch (err) {
      if (err instanceof DomainError) throw new DomainError('COMMAND_INVALID', `${transaction}: ${err.message}`, { command: transaction, field: err.details.field ?? field, reason: err.details.reason });
      throw err;
    }
  };
}

/** Storage conditions and sources, refused with COMMAND_INVALID naming the field (storage.maxCelsius, …) like every other field. */
const storage: Reader<StorageConditions> = asCommandField(parseStorageConditions);
const source: Reader<ConditionSource> = asCommandField(parseConditionSource);
const timestamp: Reader<string> = asCommandField((value, field) => {
  parseTimestamp(value, field);
  return value as string;
});

const count: Reader<number> = (value, field, transaction) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw invalid(transaction, field, `${field} not a count`, 'must be a whole number of at least 1');
  return value;
};


const gln: Reader<string> = (value, field, transaction) => {
  if (typeof value !== 'string' || !isValidGln(value)) throw invalid(transaction, field, `${field} not a GLN`, 'must be a 13-digit GLN with its check digit');
  return value;
};

/** Most packs one inbound receipt carries (MAX_IDS_PER_TX bounds identifiers in the chaincode as well). */
export const MAX_INBOUND_PACKS = 5000;

const inboundPacks: Reader<readonly InboundPack[]> = (value, field, transaction) => {
  if (!Array.isArray(value) || value.length === 0) throw invalid(transaction, field, `${field} missing`, 'must be a non-empty list of { epc, lot, expiry }');
  if (value.length > MAX_INBOUND_PACKS) throw invalid(transaction, field, `${field} too many`, `lists ${value.length} packs; at most ${MAX_INBOUND_PACKS} in one transaction`);
  return value.map((p: unknown, i): InboundPack => {
    const at = `${field}[${i}]`;
    const v = objectOf(p, at, transaction, ['epc', 'lot', 'expiry'], 'an inbound pack { epc, lot, expiry }');
    return { epc: text(256)(v.epc, `${at}.epc`, transaction), lot: lot(v.lot, `${at}.lot`, transaction), expiry: date(v.expiry, `${at}.expiry`, transaction) };
  });
};

const inboundContainers: Reader<NonNullable<ReceiveInboundCommand['containers']>> = (value, field, transaction) => {
  if (!Array.isArray(value)) throw invalid(transaction, field, `${field} not a list`, 'must be a list of { id, children }');
  if (value.length > MAX_INBOUND_PACKS) throw invalid(transaction, field, `${field} too many`, `lists ${value.length} containers; at most ${MAX_INBOUND_PACKS} in one transaction`);
  return value.map((c: unknown, i) => {
    const at = `${field}[${i}]`;
    const v = objectOf(c, at, transaction, ['id', 'children'], 'an inbound container { id, children }');
    return { id: text(256)(v.id, `${at}.id`, transaction), children: identifiers(v.children, `${at}.children`, transaction) };
  });
};

/** An investigation's scope: { kind: 'lot', gtin, lot } or { kind: 'packs', packs }. */
const investigationScope: Reader<InvestigationScope> = (value, field, transaction) => {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind === 'lot') {
    const v = objectOf(value, field, transaction, ['kind', 'gtin', 'lot'], 'a lot scope { kind, gtin, lot }');
    return { kind: 'lot', gtin: text(64)(v.gtin, `${field}.gtin`, transaction), lot: lot(v.lot, `${field}.lot`, transaction) };
  }
  if (kind === 'packs') {
    const v = objectOf(value, field, transaction, ['kind', 'packs'], 'a packs scope { kind, packs }');
    return { kind: 'packs', packs: identifiers(v.packs, `${field}.packs`, transaction) };
  }
  throw invalid(transaction, `${field}.kind`, `${field}.kind unknown`, "must be 'lot' or 'packs'");
};

const req = <V>(read: Reader<V>) => ({ read }) as const;
const opt = <V>(read: Reader<V>) => ({ optional: true, read }) as const;

const epcs = { epcs: req(identifiers) } as const;
const exceptionStep = { exceptionId: req(text(300)), receiver: opt(text()) } as const;
const investigationStep = { investigationId: req(text(300)), investigator: opt(text()) } as const;

export const COMMAND_FIELDS: { readonly [K in LedgerCommandName]: Fields<LedgerCommandInputs[K]> } = {
  RegisterProduct: { gtin: opt(text(64)), ndc: opt(text(64)), name: req(text()), strength: req(text()), dosageForm: req(text()), packSize: req(text()), storage: opt(storage) },
  Commission: { gtin: req(text(64)), lot: req(lot), expiry: req(date), serials: req(identifiers), site: opt(text()) },
  Pack: { parent: req(text()), children: req(identifiers), sealed: opt(flag) },
  Unpack: { parent: req(text()), children: opt(identifiers) },
  Ship: { to: req(text()), toSite: opt(text()), purpose: opt(oneOf(['sale', 'return'] as const)), epcs: req(identifiers), statement: opt(statement) },
  VoidShipping: epcs,
  Receive: { ...epcs, scanned: opt(identifiers), brokenSeals: opt(identifiers), site: opt(text()), underException: opt(flag), hold: opt(receiveHold) },
  ReceiveInbound: {
    sellerGln: req(gln), sellerName: opt(text(256)), receiverGln: req(gln), documentId: req(text(256)), documentSha256: req(sha256), bizTransaction: opt(text(512)),
    packs: req(inboundPacks), site: opt(text()), statement: req(statement), tiSha256: req(sha256), hold: opt(receiveHold), containers: opt(inboundContainers),
  },
  KeepInboundTi: { shipmentId: req(text(256)) },
  Dispense: { ...epcs, site: opt(text()) },
  Decommission: { ...epcs, reason: opt(text()) },
  Destroy: epcs,
  Quarantine: { ...epcs, reason: req(oneOf(QUARANTINE_REASONS)) },
  Release: epcs,
  VerifyReturn: { ...epcs, verified: req(flag) },
  RecallLot: { gtin: req(text(64)), lot: req(lot), recallId: req(text(256)) },
  ExtendExpiry: { gtin: req(text(64)), lot: req(lot), until: req(date) },
  // The change's own parser names the field it refuses (change.members[0].mspId, …).
  Propose: { change: req((value) => parseGovernanceChange(value)) },
  Approve: { proposalId: req(text(256)) },
  Capture: { commands: req(captureParts) },
  RaiseExceptions: { findings: req(findings), refer: opt(flag), evidenceSha256: opt(sha256), clock: opt(clockPolicy) },
  ReferException: exceptionStep,
  AnswerException: { ...exceptionStep, note: opt(text(2000)), correction: opt(correction) },
  ResolveException: { ...exceptionStep, resolution: req(oneOf(['correction', 'return', 'destruction'] as const)) },
  CloseException: exceptionStep,
  DecideExcursion: { receiver: req(text()), exceptionId: req(text(300)), decision: req(oneOf(['release', 'destroy'] as const)), stabilityDataRef: opt(text(512)), note: opt(text(2000)) },
  AnchorReadings: { source: req(source), batchSha256: req(sha256), readingCount: req(count), firstAt: req(timestamp), lastAt: req(timestamp), deviceId: opt(text(256)) },
  EscalateException: exceptionStep,
  OpenInvestigation: { scope: req(investigationScope), summary: req(text(2000)) },
  VerifyInvestigationPack: { ...investigationStep, pack: req(text(256)), outcome: req(oneOf(['genuine', 'not_genuine', 'inconclusive'] as const)), note: opt(text(2000)) },
  RecordInvestigationFinding: { ...investigationStep, text: req(text(2000)) },
  ClearInvestigation: investigationStep,
  DeclareIllegitimate: { ...investigationStep, classification: req(oneOf(ILLEGITIMATE_CLASSIFICATIONS)) },
  RecordFdaFiling: { ...investigationStep, incidentNumber: req(text(64)) },
  NotifyTradingPartners: { ...investigationStep, partners: req(identifiers) },
  RequestTermination: investigationStep,
  RequestTracing: { kind: req(oneOf(TRACING_KINDS)), epc: req(text(256)), reason: req(oneOf(TRACING_REASONS)), incidentNumber: opt(text(64)), test: opt(flag) },
  ReleaseTracing: { requester: req(text()), requestId: req(text(300)), shipmentIds: req(identifiers) },
};

/**
 * Parses one chaincode transaction's argument: a JSON object with the client's event ID, the
 * optional submitting person, and exactly the command's fields, each of its type.
 * @throws DomainError COMMAND_INVALID (with the field and the reason), TIME_INVALID for a malformed
 *   date, or the governance change's own code.
 */
export function parseLedgerCommand<K extends LedgerCommandName>(transaction: K, json: string): LedgerCommandInputs[K] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new DomainError('COMMAND_INVALID', `${transaction}: argument is not JSON`, { command: transaction, reason: 'not JSON' });
  }
  return parseCommandValue(transaction, value);
}

/** parseLedgerCommand over an already decoded value (a Capture's parts). */
export function parseCommandValue<K extends LedgerCommandName>(transaction: K, value: unknown): LedgerCommandInputs[K] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new DomainError('COMMAND_INVALID', `${transaction}: argument must be a JSON object`, { command: transaction, reason: 'not an object' });
  const { eventId, submittedBy, ...body } = value as Record<string, unknown>;
  if (typeof eventId !== 'string' || eventId.length === 0 || eventId.length > 256) {
    throw new DomainError('COMMAND_INVALID', `${transaction}: eventId (client event ID or EPCIS event hash ID, at most 256 characters) is required`, { command: transaction, reason: 'eventId missing' });
  }
  if (submittedBy !== undefined && !isPersonIdentifier(submittedBy)) {
    throw new DomainError('COMMAND_INVALID', `${transaction}: submittedBy must be the person's identifier, 1-200 printable characters`, { command: transaction, reason: 'submittedBy malformed' });
  }
  const fields: Record<string, { readonly optional?: boolean; readonly read: Reader<unknown> }> = COMMAND_FIELDS[transaction];
  const unknown = Object.keys(body).filter((f) => !Object.hasOwn(fields, f));
  if (unknown.length) throw invalid(transaction, unknown[0] as string, 'unknown field', `is not a field of ${transaction} (fields: ${Object.keys(fields).join(', ') || 'none'})`);
  const parsed: Record<string, unknown> = { eventId, ...(submittedBy === undefined ? {} : { submittedBy }) };
  for (const [field, spec] of Object.entries(fields)) {
    const v = body[field];
    if (v === undefined) {
      if (!spec.optional) throw invalid(transaction, field, `${field} missing`, 'is required');
      continue;
    }
    parsed[field] = spec.read(v, field, transaction);
  }
  // Every field was read by the parser COMMAND_FIELDS declares for this command's type.
  return parsed as unknown as LedgerCommandInputs[K];
}
