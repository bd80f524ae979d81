import { randomBytes } from 'node:crypto';
import { ndcToGtin14, sgtinToEpcUrn } from '@pedigree/domain';
import { LedgerScenario, ScenarioContext } from '../../infra/src/bench/harness';

/**
 * Workloads of the traceability chaincode for `npm run bench:ledger`: single-event commissioning
 * against batches, and shipping in batches, each measured in serialized pack events per second
 * beside the single-put baseline of the same run. Every run uses fresh serials (runId).
 */
const NDC = '12345-678-90';
const GTIN = ndcToGtin14(NDC);
const TRACE = { contract: 'traceability' } as const;
const MASTER = { contract: 'masterdata' } as const;

const registered = new Set<string>();

/** Product and partners once per run (idempotent by event ID). */
async function registerMasterData({ ledgers, runId }: ScenarioContext): Promise<void> {
  if (registered.has(runId)) return;
  await ledgers.manufacturer.submit('RegisterProduct', [JSON.stringify({ eventId: `bench-prod-${runId}`, ndc: NDC, name: 'Benchamab', strength: '10 mg', dosageForm: 'tablet', packSize: '30 tablets' })], MASTER);
  // Partners are the consortium's founding members (network:up): nothing to register.
  registered.add(runId);
}

const serialsOf = (prefix: string, from: number, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${from + i}`);

async function commission(ctx: ScenarioContext, eventId: string, lot: string, serials: string[]): Promise<void> {
  await ctx.ledgers.manufacturer.submit('Commission', [JSON.stringify({ eventId, gtin: GTIN, lot, expiry: '2028-12-31', serials })], TRACE);
}

function commissionScenario(batch: number, units: number): LedgerScenario {
  const name = batch === 1 ? 'commission, 1 serial/tx' : `commission, batch of ${batch} serials/tx`;
  return {
    name,
    eventsPerTx: batch,
    units,
    setup: registerMasterData,
    run: (ctx, i) => commission(ctx, `bench-c${batch}-${ctx.runId}-${i}`, `BC${batch}${ctx.runId}`, serialsOf(`C${batch}${ctx.runId}-`, i * batch, batch)),
  };
}

/** Ships loose packs manufacturer -> distributor with private TI; setup commissions them in 500s. */
function shipScenario(batch: number, units: number): LedgerScenario {
  const prefix = (ctx: ScenarioContext) => `SH${batch}${ctx.runId}-`;
  return {
    name: `ship, batch of ${batch} packs/tx (with private TI)`,
    eventsPerTx: batch,
    units,
    setup: async (ctx) => {
      await registerMasterData(ctx);
      const total = batch * units;
      const chunks = Array.from({ length: Math.ceil(total / 500) }, (_, k) => k);
      for (let k = 0; k < chunks.length; k += 4) {
        await Promise.all(chunks.slice(k, k + 4).map((c) => commission(ctx, `bench-shipsetup${batch}-${ctx.runId}-${c}`, `BS${batch}${ctx.runId}`, serialsOf(prefix(ctx), c * 500, Math.min(500, total - c * 500)))));
      }
    },
    run: async (ctx, i) => {
      const epcs = serialsOf(prefix(ctx), i * batch, batch).map((s) => sgtinToEpcUrn(GTIN, s));
      const ti = JSON.stringify({ transactionDate: '2026-03-01', seller: { name: 'Acme' }, buyer: { name: 'Distributor' }, products: [{ ndc: NDC, quantity: batch }], invoice: `INV-${i}`, salt: randomBytes(16).toString('hex') });
      await ctx.ledgers.manufacturer.submit('Ship', [JSON.stringify({ eventId: `bench-s${batch}-${ctx.runId}-${i}`, to: 'DistributorMSP', epcs, statement: { affirmed: true } })], {
        ...TRACE,
        transient: { ti },
        endorsingOrganizations: ['ManufacturerMSP', 'DistributorMSP'],
      });
    },
  };
}

/** Size of the recalled lot: the real-world lot (10^5 packs). */
export const RECALL_LOT_SIZE = 100_000;

/**
 * A 100,000-pack lot recalled in one transaction. Setup commissions the lot (2,000 serials a
 * transaction, two in flight); the measured unit is the RecallLot transaction alone.
 */
function recallScenario(): LedgerScenario {
  const lot = (ctx: ScenarioContext) => `RC${ctx.runId}`;
  return {
    name: `recall of a ${RECALL_LOT_SIZE.toLocaleString('en-US')}-pack lot, one transaction`,
    eventsPerTx: RECALL_LOT_SIZE,
    units: 1,
    setup: async (ctx) => {
      await registerMasterData(ctx);
      const chunks = Array.from({ length: RECALL_LOT_SIZE / 2000 }, (_, k) => k);
      for (let k = 0; k < chunks.length; k += 2) {
        await Promise.all(chunks.slice(k, k + 2).map((c) => ctx.ledgers.manufacturer.submit('Commission', [JSON.stringify({ eventId: `bench-rcsetup-${ctx.runId}-${c}`, gtin: GTIN, lot: lot(ctx), expiry: '2028-12-31', serials: serialsOf(`RC${ctx.runId}-`, c * 2000, 2000) })], { ...TRACE, timeoutMs: 180_000 })));
      }
    },
    run: async (ctx) => {
      await ctx.ledgers.manufacturer.submit('RecallLot', [JSON.stringify({ eventId: `bench-recall-${ctx.runId}`, gtin: GTIN, lot: lot(ctx), recallId: `RC-${ctx.runId}` })], TRACE);
    },
  };
}

export const traceabilityScenarios: LedgerScenario[] = [
  recallScenario(),
  commissionScenario(1, 300),
  commissionScenario(100, 40),
  commissionScenario(500, 12),
  shipScenario(100, 30),
  shipScenario(500, 8),
];
