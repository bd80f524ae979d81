import { Ledger, connectFabricLedger, defaultProfilePath, ledgerConfigFromProfile, readConnectionProfile } from '@pedigree/ledger';
import * as path from 'node:path';

export type Role = 'manufacturer' | 'distributor' | 'dispenser';
export const ROLES: readonly Role[] = ['manufacturer', 'distributor', 'dispenser'];
export const ROOT = path.resolve(__dirname, '../..');

/** A real gateway connection as one organisation's user, from the profile `network:up` wrote. */
export function ledgerFor(role: Role, user = 'User1'): Ledger {
  return connectFabricLedger(ledgerConfigFromProfile(readConnectionProfile(defaultProfilePath(MSP[role], ROOT)), user));
}

export const MSP: Record<Role, string> = {
  manufacturer: 'ManufacturerMSP',
  distributor: 'DistributorMSP',
  dispenser: 'DispenserMSP',
};

export function uniqueKey(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
