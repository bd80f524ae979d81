import { ProbeContract } from './probe.contract';

/** The benchmarks' and ledger tests' probe chaincode (`pedigree-probe`), deployed beside `pedigree`, never inside it. */
export const contracts = [ProbeContract];
