import type { IsoDate } from '../time';
import type { Overlay, PackStatus, QuarantineReason } from './records';

/**
 * The pack state machine as data. `applyCommand` reads these tables; it contains no per-command
 * `if (status === ...)` logic. docs/state-machine.md draws the same tables.
 */

export type PackCommand =
  | {
      readonly type: 'commission';
      readonly gtin: string;
      readonly serial: string;
      readonly lot: string;
      readonly expiry: IsoDate;
      /** GTIN owner per the product registry; only it may commission. */
      readonly manufacturer: string;
      readonly companyPrefixLength?: number;
      readonly labelerDigits?: 4 | 5;
      readonly site?: string;
    }
  | { readonly type: 'pack'; readonly parent: string }
  | { readonly type: 'unpack' }
  | {
      readonly type: 'ship';
      readonly to: string;
      readonly toSite?: string;
      readonly purpose?: 'sale' | 'return';
      readonly bizTransactions?: readonly string[];
      /** Set by container inference: the top-level container this pack travels in. */
      readonly via?: string;
    }
  | { readonly type: 'voidShipping'; readonly via?: string }
  | { readonly type: 'receive'; readonly site?: string; readonly completeness?: 'verified' | 'inferred'; readonly via?: string }
  | { readonly type: 'dispense'; readonly site?: string }
  | { readonly type: 'undoDispense' }
  | { readonly type: 'decommission'; readonly reason?: string }
  | { readonly type: 'destroy' }
  | { readonly type: 'quarantine'; readonly reason: QuarantineReason }
  | { readonly type: 'release' }
  | { readonly type: 'recall'; readonly recallId: string }
  | { readonly type: 'verifyReturn'; readonly verified: boolean }
  | { readonly type: 'extendExpiry'; readonly until: IsoDate };

export type PackCommandType = PackCommand['type'];

/**
 * Who may issue a command, judged from the record and the actor's organisation:
 * manufacturer: owns the GTIN; owner: current legal owner; custodian: has physical possession;
 * addressee: the shipment's destination; shipper: the shipment's origin; dispenser: the
 * organisation that dispensed it.
 */
export type Role = 'manufacturer' | 'owner' | 'custodian' | 'addressee' | 'shipper' | 'dispenser';

/** Named extra conditions; implemented in pack-machine.ts, documented here. */
export type GuardName =
  | 'loose' // not aggregated: take it out of its container first
  | 'looseOrViaContainer' // aggregated packs move only with (via) their container
  | 'notAggregated' // cannot pack what is already in a container
  | 'notToSelf' // a shipment needs another organisation as addressee
  | 'returnGoesUpstream' // a return goes to the seller it came from, or to the manufacturer
  | 'notQuarantined' // already held
  | 'isQuarantined' // nothing to release
  | 'notRecalled' // already recalled
  | 'isReturned' // nothing to verify
  | 'undoWindow' // EU FMD Art. 13: same site, within 10 days
  | 'laterExpiry'; // an extension must move expiry later

/** `AT_REST`: `packed` if aggregated, `received` if it has ever been received, else `commissioned`. */
export type Target = PackStatus | 'UNCHANGED' | 'AT_REST';

export interface TransitionRule {
  readonly command: PackCommandType;
  readonly from: readonly PackStatus[];
  readonly to: Target;
  readonly role: Role;
  readonly guards: readonly GuardName[];
  readonly why: string;
}

/** A pack at rest on someone's shelf: not terminal and not moving. */
export const AT_REST: readonly PackStatus[] = ['commissioned', 'packed', 'received'];
const LOOSE_AT_REST: readonly PackStatus[] = ['commissioned', 'received'];
const ALIVE: readonly PackStatus[] = ['commissioned', 'packed', 'shipped', 'received'];

export const TRANSITIONS: readonly TransitionRule[] = [
  { command: 'commission', from: [], to: 'commissioned', role: 'manufacturer', guards: [], why: 'Serial assigned; only the GTIN owner may create it.' },
  { command: 'pack', from: LOOSE_AT_REST, to: 'packed', role: 'custodian', guards: ['notAggregated'], why: 'Aggregated into a case or pallet (SSCC).' },
  { command: 'unpack', from: ['packed'], to: 'AT_REST', role: 'custodian', guards: [], why: 'Taken out of its container (aggregation DELETE).' },
  { command: 'ship', from: AT_REST, to: 'shipped', role: 'owner', guards: ['looseOrViaContainer', 'notToSelf', 'returnGoesUpstream'], why: 'Only the owner sells/ships; title passes on receipt.' },
  { command: 'voidShipping', from: ['shipped'], to: 'AT_REST', role: 'shipper', guards: ['looseOrViaContainer'], why: 'Shipment recorded in error and cancelled by the shipper.' },
  { command: 'receive', from: ['shipped'], to: 'AT_REST', role: 'addressee', guards: ['looseOrViaContainer'], why: 'Only the addressee receives; ownership and custody pass to it.' },
  { command: 'dispense', from: ['received'], to: 'dispensed', role: 'custodian', guards: ['loose'], why: 'Dispensed to a patient by the organisation holding it.' },
  { command: 'undoDispense', from: ['dispensed'], to: 'received', role: 'dispenser', guards: ['undoWindow'], why: 'EU FMD Art. 13 undo: same site, within 10 days.' },
  { command: 'decommission', from: LOOSE_AT_REST, to: 'decommissioned', role: 'custodian', guards: ['loose'], why: 'Identifier taken out of use without destruction.' },
  { command: 'destroy', from: LOOSE_AT_REST, to: 'destroyed', role: 'custodian', guards: ['loose'], why: 'Physically destroyed (e.g. illegitimate product disposition).' },
  { command: 'quarantine', from: AT_REST, to: 'UNCHANGED', role: 'custodian', guards: ['notQuarantined'], why: 'Suspect product held out of sellable stock.' },
  { command: 'release', from: AT_REST, to: 'UNCHANGED', role: 'custodian', guards: ['isQuarantined'], why: 'Investigation cleared the product.' },
  { command: 'recall', from: ALIVE, to: 'UNCHANGED', role: 'manufacturer', guards: ['notRecalled'], why: 'Lot recalled by its manufacturer wherever the pack is.' },
  { command: 'verifyReturn', from: AT_REST, to: 'UNCHANGED', role: 'custodian', guards: ['isReturned'], why: 'Returned pack verified (restocked) or failed verification (quarantined as suspect).' },
  { command: 'extendExpiry', from: ALIVE, to: 'UNCHANGED', role: 'manufacturer', guards: ['laterExpiry'], why: 'FDA-sanctioned expiry extension.' },
];

/** Exceptions to an overlay's block, expressed as named conditions on the command. */
export type OverlayException = 'isReturnShipment';

export interface OverlayRule {
  readonly overlay: Overlay;
  readonly blocks: readonly PackCommandType[];
  readonly unless?: OverlayException;
  readonly why: string;
}

export const OVERLAY_RULES: readonly OverlayRule[] = [
  { overlay: 'quarantined', blocks: ['pack', 'dispense', 'verifyReturn'], why: 'Quarantined product must stay out of commerce until released or destroyed.' },
  { overlay: 'quarantined', blocks: ['ship'], unless: 'isReturnShipment', why: 'Quarantined product may only go back up the chain (still quarantined), e.g. to the manufacturer for investigation or destruction.' },
  { overlay: 'recalled', blocks: ['pack', 'dispense', 'undoDispense', 'verifyReturn'], why: 'A recalled lot may not be sold, dispensed or restocked.' },
  { overlay: 'recalled', blocks: ['ship'], unless: 'isReturnShipment', why: 'Recalled product may only travel back up the chain.' },
  { overlay: 'expired', blocks: ['pack', 'dispense', 'undoDispense', 'verifyReturn'], why: 'Expired product may not be dispensed or restocked.' },
  { overlay: 'expired', blocks: ['ship'], unless: 'isReturnShipment', why: 'Expired product may only be returned (or destroyed).' },
  { overlay: 'returned', blocks: ['pack', 'dispense'], why: 'A saleable return is not restocked until its identifier is verified.' },
  { overlay: 'returned', blocks: ['ship'], unless: 'isReturnShipment', why: 'An unverified return may only go further back up the chain.' },
];

export function rulesFor(command: PackCommandType): readonly TransitionRule[] {
  return TRANSITIONS.filter((t) => t.command === command);
}

/** EU FMD Art. 13(1): undo only within 10 days of the decommissioning. */
export const UNDO_WINDOW_DAYS = 10;
