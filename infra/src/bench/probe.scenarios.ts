import { LedgerScenario } from './harness';

const MEMBERS = JSON.stringify(['DispenserMSP', 'DistributorMSP', 'ManufacturerMSP']);

/** 500 new keys of a pack record's size per transaction under one key policy: the policies' cost at equal write volume. */
function keysScenario(policy: 'none' | 'holder' | 'holderAndAnother', label: string): LedgerScenario {
  return {
    name: `probe, 500 keys/tx of 600 B, ${label}`,
    eventsPerTx: 500,
    units: 12,
    run: async ({ ledgers, runId }, i) => {
      await ledgers.manufacturer.submit('PutKeys', [`keys-${policy}-${runId}-${i}`, '500', '600', policy, MEMBERS], { chaincode: 'pedigree-probe', contract: 'probe', timeoutMs: 120_000 });
    },
  };
}

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
  keysScenario('none', 'no key policy'),
  keysScenario('holder', "writer's peer alone (the at-rest policy before the trust change)"),
  keysScenario('holderAndAnother', "writer's AND another member's peer (the policy now)"),
];
