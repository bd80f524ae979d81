import { ForecastContract } from './forecast.contract';
import { MasterDataContract } from './master-data.contract';
import { ProbeContract } from './probe.contract';
import { TraceabilityContract } from './traceability.contract';

/**
 * The contracts fabric-chaincode-node serves (read from package.json `main` by its server command).
 * The first is the default contract: clients that name no contract reach `traceability`.
 */
export const contracts = [TraceabilityContract, MasterDataContract, ProbeContract, ForecastContract];
