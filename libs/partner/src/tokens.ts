/** Nest injection tokens of the partner services. */
export const LEDGER = Symbol('LEDGER');
export const READ_MODEL = Symbol('READ_MODEL');
export const PARTNER_ROLE = Symbol('PARTNER_ROLE');
export const ORG = Symbol('ORG');

export type PartnerRole = 'manufacturer' | 'distributor' | 'dispenser';

export const ORG_OF_ROLE: Readonly<Record<PartnerRole, string>> = {
  manufacturer: 'ManufacturerMSP',
  distributor: 'DistributorMSP',
  dispenser: 'DispenserMSP',
};
