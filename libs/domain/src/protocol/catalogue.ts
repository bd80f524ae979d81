import type { ChaincodeEventType, PartnerRole } from '../lifecycle/ledger-records';
import type { LedgerCommandName } from './commands';

/**
 * The ledger protocol's authority catalogue: for every chaincode write, who may call it (the
 * partner roles the consortium admitted the caller for, and the caller's relation to the records),
 * and what endorsement its writes need. The chaincode enforces `roles` from here before any rule
 * runs; docs/authority.md is generated from it (`npm run -s docs:authority`), so the matrix a
 * reviewer reads is the one the ledger applies.
 */
export type ChaincodeContract = 'traceability' | 'masterdata' | 'governance' | 'forecast' | 'exceptions' | 'coldchain' | 'investigations' | 'tracing';

export interface CommandAuthority {
  readonly transaction: string;
  readonly contract: ChaincodeContract;
  /** The chaincode event it emits (its receipt type). */
  readonly event: ChaincodeEventType | 'forecastAnchored' | 'capture' | 'inboundTiKept';
  /** Partner roles that may call it; `member` = any admitted partner; `admin` = an admin of a member organisation. */
  readonly roles: readonly PartnerRole[] | 'member' | 'admin';
  /** The caller's relation to the records the domain checks (owner, custodian, addressee, …). */
  readonly relation: string;
  /** What the written keys need from the peers, beyond the chaincode's MAJORITY for new keys. */
  readonly endorsement: string;
}

const TRADERS: readonly PartnerRole[] = ['manufacturer', 'repackager', 'wholesaler', 'dispenser', '3pl'];
const MAKERS: readonly PartnerRole[] = ['manufacturer', 'repackager'];
const AT_REST = "owner's peer AND another member's peer";
const IN_TRANSIT = "(shipper's OR addressee's peer) AND another member's peer";
const EXCEPTION = "exception record: (receiver's OR seller's peer) AND another member's peer";
const INVESTIGATION = "investigation record: (investigator's OR a holder's peer) AND another member's peer";
const INVESTIGATOR = 'investigator of the investigation';

export const COMMAND_AUTHORITY: readonly CommandAuthority[] = [
  { transaction: 'Propose', contract: 'governance', event: 'governanceProposed', roles: 'admin', relation: 'member of the electorate (a founder, before founding)', endorsement: 'MAJORITY of members' },
  { transaction: 'Approve', contract: 'governance', event: 'governanceApproved', roles: 'admin', relation: 'member of the proposal\'s electorate, once', endorsement: 'MAJORITY of members' },
  { transaction: 'RegisterProduct', contract: 'masterdata', event: 'productRegistered', roles: MAKERS, relation: 'holder of the GTIN\'s GS1 company prefix', endorsement: "manufacturer's peer AND another member's peer" },
  { transaction: 'Commission', contract: 'traceability', event: 'commission', roles: MAKERS, relation: 'manufacturer of the GTIN', endorsement: 'MAJORITY (new keys); then ' + AT_REST },
  { transaction: 'Pack', contract: 'traceability', event: 'pack', roles: TRADERS, relation: 'custodian of every child', endorsement: AT_REST },
  { transaction: 'Unpack', contract: 'traceability', event: 'unpack', roles: TRADERS, relation: 'custodian of the container', endorsement: AT_REST },
  { transaction: 'Ship', contract: 'traceability', event: 'ship', roles: TRADERS, relation: 'owner; addressee an authorised partner', endorsement: AT_REST + '; the shipment record MAJORITY' },
  { transaction: 'VoidShipping', contract: 'traceability', event: 'voidShipping', roles: TRADERS, relation: 'shipper', endorsement: IN_TRANSIT },
  { transaction: 'Receive', contract: 'traceability', event: 'receive', roles: TRADERS, relation: "addressee; the receipt's site (default its first) one of the caller's admitted sites", endorsement: IN_TRANSIT },
  { transaction: 'ReceiveInbound', contract: 'traceability', event: 'receive', roles: TRADERS, relation: "addressee of the non-member's document (its SBDH Receiver is one of the caller's GLNs); seller no member's GLN; every GTIN outside every member's company prefix and product registry; every serial and SSCC new; the load's aggregation adds up", endorsement: 'MAJORITY (new keys); then ' + AT_REST },
  { transaction: 'KeepInboundTi', contract: 'traceability', event: 'inboundTiKept', roles: TRADERS, relation: 'receiver of the inbound shipment, on its own peer; the TI must match the public salted hash', endorsement: "the caller's implicit collection only (its own peer): no other endorser sees the TI" },
  { transaction: 'Dispense', contract: 'traceability', event: 'dispense', roles: ['dispenser'], relation: 'custodian', endorsement: AT_REST },
  { transaction: 'Decommission', contract: 'traceability', event: 'decommission', roles: TRADERS, relation: 'custodian', endorsement: AT_REST },
  { transaction: 'Destroy', contract: 'traceability', event: 'destroy', roles: TRADERS, relation: 'custodian', endorsement: AT_REST },
  { transaction: 'Quarantine', contract: 'traceability', event: 'quarantine', roles: TRADERS, relation: 'custodian', endorsement: AT_REST },
  { transaction: 'Release', contract: 'traceability', event: 'release', roles: TRADERS, relation: 'custodian', endorsement: AT_REST },
  { transaction: 'VerifyReturn', contract: 'traceability', event: 'verifyReturn', roles: TRADERS, relation: 'custodian of a returned pack', endorsement: AT_REST },
  { transaction: 'RecallLot', contract: 'traceability', event: 'recall', roles: MAKERS, relation: 'manufacturer of the GTIN', endorsement: "one lot record: manufacturer's peer AND another member's peer (no holder's peer, no per-pack write)" },
  { transaction: 'ExtendExpiry', contract: 'traceability', event: 'extendExpiry', roles: MAKERS, relation: 'manufacturer of the GTIN', endorsement: "one lot record: manufacturer's peer AND another member's peer" },
  { transaction: 'Capture', contract: 'traceability', event: 'capture', roles: TRADERS, relation: 'each command\'s own (its roles and relation are checked as if sent alone)', endorsement: 'each command\'s own key policies, in one transaction (all or nothing)' },
  { transaction: 'RaiseExceptions', contract: 'exceptions', event: 'exceptionRaised', roles: TRADERS, relation: 'receiver: addressee of the shipment (for addressed_elsewhere, the one it reached)', endorsement: `MAJORITY (new keys); then ${EXCEPTION}; held packs ${AT_REST}` },
  { transaction: 'ReferException', contract: 'exceptions', event: 'exceptionReferred', roles: TRADERS, relation: 'receiver of the exception', endorsement: EXCEPTION },
  { transaction: 'AnswerException', contract: 'exceptions', event: 'exceptionAnswered', roles: TRADERS, relation: 'seller of the shipment', endorsement: EXCEPTION },
  { transaction: 'ResolveException', contract: 'exceptions', event: 'exceptionResolved', roles: TRADERS, relation: 'receiver of the exception', endorsement: EXCEPTION },
  { transaction: 'CloseException', contract: 'exceptions', event: 'exceptionClosed', roles: TRADERS, relation: 'receiver of the exception; custodian of the packs it releases', endorsement: `${EXCEPTION}; released packs ${AT_REST}` },
  { transaction: 'AnchorReadings', contract: 'coldchain', event: 'readingsAnchored', roles: TRADERS, relation: 'shipment: its sender or addressee; container: its custodian or owner; location: the holder of its GLN', endorsement: 'MAJORITY (new keys); the anchor is never rewritten' },
  { transaction: 'DecideExcursion', contract: 'coldchain', event: 'excursionDecided', roles: MAKERS, relation: 'manufacturer of every pack the temperature_excursion exception holds', endorsement: 'MAJORITY (new keys); one decision per exception, never rewritten' },
  { transaction: 'EscalateException', contract: 'exceptions', event: 'exceptionEscalated', roles: TRADERS, relation: 'receiver of the exception (a rule whose clock escalates: product without data)', endorsement: EXCEPTION },
  { transaction: 'OpenInvestigation', contract: 'investigations', event: 'investigationOpened', roles: TRADERS, relation: 'manufacturer of the product in scope, or an owner on the trail of a pack in scope', endorsement: `MAJORITY (new keys); then ${INVESTIGATION}; the lots' hold records MAJORITY (no holder's pack is written)` },
  { transaction: 'VerifyInvestigationPack', contract: 'investigations', event: 'investigationVerified', roles: TRADERS, relation: 'investigator, or the holder (custodian) of the pack verified', endorsement: INVESTIGATION },
  { transaction: 'RecordInvestigationFinding', contract: 'investigations', event: 'investigationFinding', roles: TRADERS, relation: 'investigator, or a holder of stock in scope', endorsement: INVESTIGATION },
  { transaction: 'ClearInvestigation', contract: 'investigations', event: 'investigationCleared', roles: TRADERS, relation: `${INVESTIGATOR}; the sample verified genuine`, endorsement: `${INVESTIGATION}; the lots' hold records MAJORITY` },
  { transaction: 'DeclareIllegitimate', contract: 'investigations', event: 'investigationIllegitimate', roles: TRADERS, relation: INVESTIGATOR, endorsement: INVESTIGATION },
  { transaction: 'RecordFdaFiling', contract: 'investigations', event: 'investigationFiled', roles: TRADERS, relation: `${INVESTIGATOR}; once`, endorsement: INVESTIGATION },
  { transaction: 'NotifyTradingPartners', contract: 'investigations', event: 'investigationNotified', roles: TRADERS, relation: `${INVESTIGATOR}; each partner an admitted trading partner`, endorsement: INVESTIGATION },
  { transaction: 'RequestTermination', contract: 'investigations', event: 'investigationTerminated', roles: TRADERS, relation: `${INVESTIGATOR}; FDA's incident number recorded`, endorsement: INVESTIGATION },
  { transaction: 'RequestTracing', contract: 'tracing', event: 'tracingRequested', roles: TRADERS, relation: 'an authorised trading partner investigating (reason, incident number, test flag for drills); the owners on the ledger answer at once', endorsement: 'MAJORITY (new keys)' },
  { transaction: 'ReleaseTracing', contract: 'tracing', event: 'tracingReleased', roles: TRADERS, relation: "a respondent of the request, releasing the TI of its own shipments (seller or buyer), each matching the shipment's public salted hash", endorsement: "the request record MAJORITY; the TI into the requester's implicit collection only (the respondent's and the requester's peers endorse)" },
  { transaction: 'AnchorForecast', contract: 'forecast', event: 'forecastAnchored', roles: 'member', relation: 'publisher (anchors are keyed by publisher)', endorsement: 'MAJORITY (new keys)' },
];

/** The world-state key types (composite key object types) the chaincode keeps. */
export type LedgerKey =
  | 'pack' | 'container' | 'product' | 'partner' | 'shipment' | 'event' | 'lot' | 'lotStatus' | 'ti'
  | 'consortium' | 'proposal' | 'prefix' | 'exception' | 'exceptionOfShipment' | 'forecastAnchor' | 'forecastAnchorEvent' | 'readingsAnchor' | 'excursionDecision'
  | 'investigation' | 'investigationHold' | 'tracingRequest' | 'tracingRelease';

export interface CommandKeys {
  readonly reads: readonly LedgerKey[];
  readonly writes: readonly LedgerKey[];
}

const PACK_LEVEL: CommandKeys = { reads: ['partner', 'consortium', 'event', 'pack', 'container', 'lotStatus', 'investigationHold'], writes: ['pack', 'container', 'event'] };
const GOVERNANCE: CommandKeys = { reads: ['partner', 'consortium', 'event', 'proposal', 'prefix'], writes: ['proposal', 'event', 'consortium', 'partner', 'prefix'] };
const INVESTIGATION_STEP: CommandKeys = { reads: ['partner', 'consortium', 'event', 'investigation'], writes: ['investigation', 'event'] };
const EXCEPTION_STEP: CommandKeys = { reads: ['partner', 'consortium', 'event', 'exception', 'pack', 'container', 'lotStatus', 'investigationHold'], writes: ['exception', 'event'] };

/**
 * The key types each write reads and writes (the ti key is private data, in the two partners'
 * implicit collections). Every contract spec checks each transaction it runs against this table
 * (chaincode/test/contract-fixtures.ts), so it cannot drift from what the chaincode does.
 */
export const COMMAND_KEYS: { readonly [T in LedgerCommandName | 'AnchorForecast']: CommandKeys } = {
  Propose: GOVERNANCE,
  Approve: GOVERNANCE,
  RegisterProduct: { reads: ['partner', 'consortium', 'event', 'product', 'prefix'], writes: ['product', 'event'] },
  Commission: { reads: ['partner', 'consortium', 'event', 'product', 'pack', 'container', 'lotStatus', 'investigationHold'], writes: ['pack', 'container', 'lot', 'event'] },
  Pack: { reads: PACK_LEVEL.reads, writes: ['pack', 'container', 'event'] },
  Unpack: { reads: PACK_LEVEL.reads, writes: ['pack', 'container', 'event'] },
  Ship: { reads: PACK_LEVEL.reads, writes: ['pack', 'container', 'shipment', 'ti', 'event'] },
  VoidShipping: { reads: PACK_LEVEL.reads, writes: ['pack', 'container', 'event'] },
  Receive: { reads: PACK_LEVEL.reads, writes: ['pack', 'container', 'event'] },
  // The member's prefix and product registries and every partner's GLNs are what make a GTIN or a seller a member's.
  ReceiveInbound: { reads: ['partner', 'consortium', 'event', 'prefix', 'product', 'pack', 'lotStatus', 'investigationHold', 'shipment', 'container'], writes: ['pack', 'container', 'lot', 'shipment', 'event'] },
  KeepInboundTi: { reads: ['partner', 'consortium', 'shipment'], writes: ['ti'] },
  Dispense: PACK_LEVEL,
  Decommission: PACK_LEVEL,
  Destroy: PACK_LEVEL,
  Quarantine: PACK_LEVEL,
  Release: PACK_LEVEL,
  VerifyReturn: PACK_LEVEL,
  RecallLot: { reads: ['partner', 'consortium', 'event', 'product', 'lotStatus', 'investigationHold'], writes: ['lotStatus', 'event'] },
  ExtendExpiry: { reads: ['partner', 'consortium', 'event', 'product', 'lotStatus', 'investigationHold'], writes: ['lotStatus', 'event'] },
  Capture: { reads: ['partner', 'consortium', 'event', 'product', 'pack', 'container', 'lotStatus', 'investigationHold'], writes: ['pack', 'container', 'lot', 'event'] },
  RaiseExceptions: { reads: [...EXCEPTION_STEP.reads, 'shipment'], writes: ['exception', 'exceptionOfShipment', 'event', 'pack', 'container'] },
  ReferException: EXCEPTION_STEP,
  AnswerException: EXCEPTION_STEP,
  ResolveException: EXCEPTION_STEP,
  // Closing releases the packs no other open exception of the shipment still holds (its index).
  CloseException: { reads: [...EXCEPTION_STEP.reads, 'exceptionOfShipment'], writes: ['exception', 'event', 'pack', 'container'] },
  AnchorReadings: { reads: ['partner', 'consortium', 'event', 'shipment', 'container', 'readingsAnchor'], writes: ['readingsAnchor', 'event'] },
  DecideExcursion: { reads: ['partner', 'consortium', 'event', 'exception', 'pack', 'container', 'lotStatus', 'investigationHold', 'excursionDecision'], writes: ['excursionDecision', 'event'] },
  EscalateException: EXCEPTION_STEP,
  // The scope is read from the ledger (a lot's index, each pack through its lot); no pack is written.
  OpenInvestigation: { reads: ['partner', 'consortium', 'event', 'product', 'lot', 'pack', 'container', 'lotStatus', 'investigation', 'investigationHold'], writes: ['investigation', 'investigationHold', 'event'] },
  VerifyInvestigationPack: { reads: [...INVESTIGATION_STEP.reads, 'pack', 'container', 'lotStatus', 'investigationHold'], writes: INVESTIGATION_STEP.writes },
  RecordInvestigationFinding: INVESTIGATION_STEP,
  // A packs scope finds its lots' hold records by reading the packs.
  ClearInvestigation: { reads: [...INVESTIGATION_STEP.reads, 'pack', 'container', 'lotStatus', 'investigationHold'], writes: [...INVESTIGATION_STEP.writes, 'investigationHold'] },
  DeclareIllegitimate: INVESTIGATION_STEP,
  RecordFdaFiling: INVESTIGATION_STEP,
  NotifyTradingPartners: INVESTIGATION_STEP,
  RequestTermination: INVESTIGATION_STEP,
  RequestTracing: { reads: ['partner', 'consortium', 'event', 'pack', 'container', 'lotStatus', 'investigationHold', 'tracingRequest'], writes: ['tracingRequest', 'event'] },
  // tracingRelease is private data: the requester's implicit collection.
  ReleaseTracing: { reads: ['partner', 'consortium', 'event', 'tracingRequest', 'shipment'], writes: ['tracingRequest', 'tracingRelease', 'event'] },
  AnchorForecast: { reads: ['partner', 'forecastAnchor', 'forecastAnchorEvent'], writes: ['forecastAnchor', 'forecastAnchorEvent'] },
};

export function commandAuthority(transaction: string): CommandAuthority {
  const entry = COMMAND_AUTHORITY.find((c) => c.transaction === transaction);
  if (!entry) throw new Error(`no authority entry for chaincode transaction ${transaction}`);
  return entry;
}

/** docs/authority.md: one row per command, one column per partner role. */
export function authorityMatrixMarkdown(): string {
  const header = ['command', 'contract', ...TRADERS, 'relation to the records', 'endorsement', 'reads (key types)', 'writes (key types)'];
  const cell = (c: CommandAuthority, role: PartnerRole): string => (c.roles === 'member' || (Array.isArray(c.roles) && c.roles.includes(role)) ? 'yes' : c.roles === 'admin' ? 'admin' : '—');
  const keys = (c: CommandAuthority, k: keyof CommandKeys) => COMMAND_KEYS[c.transaction as keyof typeof COMMAND_KEYS]?.[k].join(', ') ?? '';
  const rows = COMMAND_AUTHORITY.map((c) => [`\`${c.transaction}\``, c.contract, ...TRADERS.map((r) => cell(c, r)), c.relation, c.endorsement, keys(c, 'reads'), keys(c, 'writes')]);
  return [
    '# Authority matrix',
    '',
    'Generated from `libs/domain/src/protocol/catalogue.ts` by `npm run -s docs:authority`; a unit test fails when this file',
    'and the catalogue disagree. The chaincode refuses a caller whose admitted roles are not ticked (`ROLE_FORBIDDEN`),',
    'then the domain checks the relation (`NOT_OWNER`, `NOT_CUSTODIAN`, `NOT_ADDRESSEE`, `NOT_MANUFACTURER`, `PREFIX_NOT_HELD`).',
    '`admin`: an admin identity of a member organisation (governance votes). Every key is written under a key-level policy',
    'that no single organisation can satisfy; a key with none falls back to the chaincode\'s MAJORITY. The key types each command reads and',
    'writes are checked against every transaction the contract specs run (chaincode/test/contract-fixtures.ts); `ti` is private data.',
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ].join('\n');
}
