import type { Action, EventType } from './events';
import type { BizStep, Disposition } from './vocabulary';

/**
 * How each DSCSA lifecycle step is expressed in EPCIS 2.0 / CBV 2.0 (GS1 US Implementation
 * Guideline R1.2/R1.3 conventions). Builders take their defaults from this table, validation checks
 * incoming events against it, and docs/events.md is written from it: one source of truth.
 */

export type DscsaStep =
  | 'commission'
  | 'pack'
  | 'unpack'
  | 'ship'
  | 'voidShipping'
  | 'receive'
  | 'dispense'
  | 'retailSell'
  | 'decommission'
  | 'destroy'
  | 'recall'
  | 'quarantine'
  | 'release'
  | 'returnShip'
  | 'returnReceive'
  | 'transaction'
  | 'transactionReceive'
  | 'transactionObserve'
  | 'transactionUnlink'
  | 'shipAggregation'
  | 'receiveAggregation'
  | 'inspect'
  | 'repackage';

export type ProfileRequirement =
  | 'ilmdLotAndExpiry' // commissioning creates the product identifier's lot and expiry
  | 'parentID'
  | 'childEPCs'
  | 'owningParties' // change of ownership: source and destination owning_party
  | 'bizTransaction' // TI must point at a PO/invoice/ASN
  | 'rmaTransaction'; // saleable return references the return authorisation

export interface DscsaStepProfile {
  readonly step: DscsaStep;
  readonly eventType: EventType;
  /** Ignored for TransformationEvent, which has no action. */
  readonly action: Action;
  readonly bizStep: BizStep;
  /** Allowed dispositions; the first is what builders use. Empty: disposition omitted. */
  readonly dispositions: readonly Disposition[];
  readonly requires: readonly ProfileRequirement[];
  /** The event may omit bizStep (TransactionEvents in GS1 US files often do). */
  readonly bizStepOptional?: boolean;
  /** The event may omit disposition even though dispositions are listed. */
  readonly dispositionOptional?: boolean;
  /** What the step means under the DSCSA (FD&C Act §581-582), for docs and audit screens. */
  readonly dscsa: string;
}

export const DSCSA_STEPS: readonly DscsaStepProfile[] = [
  {
    step: 'commission', eventType: 'ObjectEvent', action: 'ADD', bizStep: 'commissioning', dispositions: ['active'], requires: ['ilmdLotAndExpiry'],
    dscsa: 'Manufacturer or repackager puts the product identifier (NDC-based GTIN, serial, lot, expiry) on the package.',
  },
  {
    step: 'pack', eventType: 'AggregationEvent', action: 'ADD', bizStep: 'packing', dispositions: ['in_progress', 'container_closed'], requires: ['parentID', 'childEPCs'],
    dscsa: 'Packages into a homogeneous case or cases onto a pallet (SSCC); the basis for inference on receipt.',
  },
  {
    step: 'unpack', eventType: 'AggregationEvent', action: 'DELETE', bizStep: 'unpacking', dispositions: [], requires: ['parentID'],
    dscsa: 'Aggregation removed; contents can no longer be inferred from the container.',
  },
  {
    step: 'ship', eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: 'shipping', dispositions: ['in_transit'], requires: ['owningParties', 'bizTransaction'],
    dscsa: 'Change of ownership: the seller passes TI (§581(26)) and TS (§581(27)) to the buyer before or at the transaction; only top-level EPCs are listed.',
  },
  {
    step: 'voidShipping', eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: 'void_shipping', dispositions: [], requires: [],
    dscsa: 'Cancels a shipment that was recorded but did not leave.',
  },
  {
    step: 'receive', eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: 'receiving', dispositions: ['in_progress', 'sellable_accessible'], requires: ['owningParties'],
    dscsa: 'Buyer takes ownership; it may not accept ownership without TI and TS.',
  },
  {
    step: 'dispense', eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: 'dispensing', dispositions: ['dispensed', 'partially_dispensed'], requires: [],
    dscsa: 'Dispenser dispenses to a patient; the package leaves the traceable supply chain.',
  },
  {
    step: 'retailSell', eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: 'retail_selling', dispositions: ['retail_sold'], requires: [],
    dscsa: 'Sale to the end consumer (OTC/retail); terminal like dispensing.',
  },
  {
    step: 'decommission', eventType: 'ObjectEvent', action: 'DELETE', bizStep: 'decommissioning', dispositions: ['inactive'], requires: [],
    dscsa: 'Product identifier taken out of use (label damaged, sample, export) without physical destruction.',
  },
  {
    step: 'destroy', eventType: 'ObjectEvent', action: 'DELETE', bizStep: 'destroying', dispositions: ['destroyed'], requires: [],
    dscsa: 'Disposition of illegitimate or unsaleable product; keep samples where FDA asks for them.',
  },
  {
    step: 'recall', eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: 'holding', dispositions: ['recalled'], requires: [],
    dscsa: 'Manufacturer recall of a lot; VRS then answers additionalInfo "Recalled" and dispensing is blocked.',
  },
  {
    step: 'quarantine', eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: 'holding',
    dispositions: ['sellable_not_accessible', 'non_sellable_other', 'no_pedigree_match', 'stolen', 'damaged', 'expired'], requires: [],
    dscsa: 'Suspect product quarantined while it is investigated with trading partners; CBV has no "quarantine" disposition.',
  },
  {
    step: 'release', eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: 'inspecting', dispositions: ['sellable_accessible'], requires: [],
    dscsa: 'Investigation cleared the product, or a saleable return was verified; back to sellable stock.',
  },
  {
    step: 'returnShip', eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: 'shipping', dispositions: ['returned'], requires: ['rmaTransaction'],
    dscsa: 'Saleable or non-saleable return to the seller it was bought from.',
  },
  {
    step: 'returnReceive', eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: 'receiving', dispositions: ['returned'], requires: [],
    dscsa: 'Return received; not resold until it is verified and tied to its TI/TS (enhanced security, §582(g)).',
  },
  {
    step: 'transaction', eventType: 'TransactionEvent', action: 'ADD', bizStep: 'shipping', dispositions: ['in_transit'], requires: ['bizTransaction'],
    bizStepOptional: true, dispositionOptional: true,
    dscsa: 'Links package serials to the PO/invoice/ASN that carries the Transaction Information (GS1 US: seller side at shipping).',
  },
  {
    step: 'transactionReceive', eventType: 'TransactionEvent', action: 'ADD', bizStep: 'receiving', dispositions: ['in_progress', 'sellable_accessible'], requires: ['bizTransaction'],
    dispositionOptional: true,
    dscsa: 'Buyer side: links the received serials to its PO / receiving advice (recadv).',
  },
  {
    step: 'transactionObserve', eventType: 'TransactionEvent', action: 'OBSERVE', bizStep: 'shipping', dispositions: ['in_transit'], requires: ['bizTransaction'],
    bizStepOptional: true, dispositionOptional: true,
    dscsa: 'Restates an existing link between serials and a business transaction.',
  },
  {
    step: 'transactionUnlink', eventType: 'TransactionEvent', action: 'DELETE', bizStep: 'shipping', dispositions: [], requires: ['bizTransaction'],
    bizStepOptional: true, dispositionOptional: true,
    dscsa: 'Removes serials from a PO/invoice (order changed or shipment corrected); the TI must be corrected with it.',
  },
  {
    step: 'shipAggregation', eventType: 'AggregationEvent', action: 'OBSERVE', bizStep: 'shipping', dispositions: ['in_transit'], requires: ['owningParties', 'bizTransaction'],
    dscsa: 'Shipment stated as the observed containment (pallet/case and contents) instead of top-level EPCs; same TI/TS obligations as ship.',
  },
  {
    step: 'receiveAggregation', eventType: 'AggregationEvent', action: 'OBSERVE', bizStep: 'receiving', dispositions: ['in_progress', 'sellable_accessible'], requires: [],
    dscsa: 'Receipt stated as the observed containment; contents inferred from the containers.',
  },
  {
    step: 'inspect', eventType: 'ObjectEvent', action: 'OBSERVE', bizStep: 'inspecting',
    dispositions: ['sellable_not_accessible', 'non_sellable_other', 'no_pedigree_match', 'damaged', 'expired', 'stolen', 'conformant', 'non_conformant'], requires: [],
    dscsa: 'Suspect-product investigation (§582 verification) recording what was found.',
  },
  {
    step: 'repackage', eventType: 'TransformationEvent', action: 'ADD', bizStep: 'repackaging', dispositions: ['active'], requires: [], dispositionOptional: true,
    dscsa: 'Repackager consumes packages and commissions new product identifiers (inputs and outputs in one event).',
  },
];

/** The first (builder default) profile of a step. */
export function dscsaStep(step: DscsaStep): DscsaStepProfile {
  return DSCSA_STEPS.find((s) => s.step === step) as DscsaStepProfile;
}

/** Profiles an incoming event could be an instance of (same event type and bizStep). */
export function candidateSteps(eventType: string, bizStep: string | undefined): DscsaStepProfile[] {
  if (bizStep === undefined) return DSCSA_STEPS.filter((s) => s.eventType === eventType && s.bizStepOptional === true);
  return DSCSA_STEPS.filter((s) => s.eventType === eventType && s.bizStep === bizStep);
}
