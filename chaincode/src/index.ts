import { ColdChainContract } from './cold-chain.contract';
import { ExceptionsContract } from './exceptions.contract';
import { ForecastContract } from './forecast.contract';
import { GovernanceContract } from './governance.contract';
import { InvestigationsContract } from './investigations.contract';
import { TracingContract } from './tracing.contract';
import { MasterDataContract } from './master-data.contract';
import { TraceabilityContract } from './traceability.contract';

/**
 * The contracts fabric-chaincode-node serves (read from package.json `main` by its server command).
 * The first is the default contract: clients that name no contract reach `traceability`. The
 * benchmarks' probe is a chaincode of its own (chaincode/probe), never part of this one.
 */
export const contracts = [TraceabilityContract, MasterDataContract, GovernanceContract, ForecastContract, ExceptionsContract, ColdChainContract, InvestigationsContract, TracingContract];
