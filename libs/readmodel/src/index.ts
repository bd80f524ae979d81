export * from './database';
export * from './entities';
export * from './ledger-reads';
export * from './migrations';
export * from './projection';
export * from './projector';
export * from './reconcile';
export * from './traceability-event';
