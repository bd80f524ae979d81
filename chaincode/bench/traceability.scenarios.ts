import { LedgerScenario } from '../../infra/src/bench/harness';

/** Workloads of the traceability chaincode for `npm run bench:ledger` (single events and batches). */
export const traceabilityScenarios: LedgerScenario[] = [];
