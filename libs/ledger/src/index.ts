export * from './ledger.port';
export * from './ledger-error';
export * from './event-listener';
export * from './connection-profile';
export * from './command-client';
export { connectFabricLedger, DEFAULT_DEADLINES } from './fabric/fabric-ledger';
export type { FabricLedgerConfig, LedgerDeadlines } from './fabric/fabric-ledger';
export * from './certificate-expiry';
