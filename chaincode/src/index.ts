import { ProbeContract } from './probe.contract';

/** The contracts fabric-chaincode-node serves (read from package.json `main` by its server command). */
export const contracts = [ProbeContract];
