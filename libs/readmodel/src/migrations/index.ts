import { InitialReadModel1763800000000 } from './1763800000000-initial-read-model';
import { LotTraceOrder1763900000000 } from './1763900000000-lot-trace-order';
import { LotsAndProjectedTransactions1764000000000 } from './1764000000000-lots-and-projected-transactions';
import { EpcisEventsOnce1764100000000 } from './1764100000000-epcis-events-once';
import { TraceAttribution1764200000000 } from './1764200000000-trace-attribution';
import { SellableAtRest1764250000000 } from './1764250000000-sellable-at-rest';
import { ReceivingExceptions1764300000000 } from './1764300000000-receiving-exceptions';
import { VrsRequests1764350000000 } from './1764350000000-vrs-requests';
import { EpcisRestBinding1764400000000 } from './1764400000000-epcis-rest-binding';
import { ColdChainReadings1764600000000 } from './1764600000000-cold-chain-readings';
import { ExceptionClocks1764500000000 } from './1764500000000-exception-clocks';
import { Investigations1764800000000 } from './1764800000000-investigations';
import { TracingRequests1764800000001 } from './1764800000001-tracing-requests';

/** In order. Never edit a released migration: add one. */
export const READ_MODEL_MIGRATIONS = [
  InitialReadModel1763800000000, LotTraceOrder1763900000000, LotsAndProjectedTransactions1764000000000, EpcisEventsOnce1764100000000, TraceAttribution1764200000000,
  SellableAtRest1764250000000, ReceivingExceptions1764300000000, VrsRequests1764350000000, EpcisRestBinding1764400000000, ExceptionClocks1764500000000,
  ColdChainReadings1764600000000, Investigations1764800000000, TracingRequests1764800000001,
];
