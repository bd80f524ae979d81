import { LedgerScenario } from './harness';

/** The platform's own limit: the cheapest transactions the network can commit. */
export const probeScenarios: LedgerScenario[] = [
  {
    name: 'single put, no-op (baseline)',
    eventsPerTx: 1,
    units: 400,
    run: async ({ ledgers }) => { await ledgers.manufacturer.submit('Noop', [], { chaincode: 'pedigree-probe', contract: 'probe' }); },
  },
  {
    name: 'single put with event',
    eventsPerTx: 1,
    units: 400,
    run: async ({ ledgers, runId }, i) => {
      await ledgers.distributor.submit('Put', [`bench-${runId}-${i}`, 'x'], { chaincode: 'pedigree-probe', contract: 'probe' });
    },
  },
];
