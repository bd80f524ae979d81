import { sgtinToEpcUrn } from '@pedigree/domain';
import { connectAll, machine, setupSubmit } from './harness';
import { GTIN, LONG_MS, saleTi, sealedPallets, TRACE } from './receiving-ledger';
import { Network } from '../network/network';

/**
 * `npm run bench:pallet [-- --packs N --loose L]`: a sealed pallet of N packs (cases of 100) sold
 * manufacturer → distributor as one Ship and received as one Receive on the real network (brought
 * up if it is down), each timed submit to commit; beside it, in the same run, L loose packs shipped
 * and received the same way. A sealed container moves as one record (lifecycle/carriage.ts): the
 * pallet's Ship and Receive write its containers, not its packs.
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const PACKS = arg('--packs', 10_000);
const LOOSE = arg('--loose', 500);

async function main(): Promise<void> {
  const network = new Network();
  if (!(await network.isUp())) await network.up();
  const ledgers = connectAll();
  const ctx = { ledgers, runId: Date.now().toString(36), concurrency: 1 };
  const t0 = performance.now();
  const log = (what: string) => process.stderr.write(`  ${what} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  const timed = async (f: () => Promise<unknown>) => { const s = performance.now(); await f(); return (performance.now() - s) / 1000; };
  const ship = (eventId: string, epcs: readonly string[], quantity: number, lot: string) => ledgers.manufacturer.submit('Ship', [JSON.stringify({ eventId, to: 'DistributorMSP', epcs, statement: { affirmed: true } })],
    { ...TRACE, transient: { ti: saleTi(lot, quantity, `INV-${eventId}`) }, endorsingOrganizations: ['ManufacturerMSP', 'DistributorMSP'], timeoutMs: LONG_MS });
  const receive = (eventId: string, epcs: readonly string[]) => ledgers.distributor.submit('Receive', [JSON.stringify({ eventId, epcs })], { ...TRACE, timeoutMs: LONG_MS });
  try {
    const load = await sealedPallets(ctx, PACKS, PACKS, log);
    const pallet = load.pallets[0] as string;
    const looseSerials = Array.from({ length: LOOSE }, (_, i) => `L${ctx.runId}-${i}`);
    for (let k = 0; k < LOOSE; k += 500) {
      await setupSubmit(ledgers.manufacturer, 'Commission', [JSON.stringify({ eventId: `bench-pallet-loose-c-${ctx.runId}-${k}`, gtin: GTIN, lot: load.lot, expiry: '2030-12-31', serials: looseSerials.slice(k, k + 500) })], TRACE);
    }
    const loose = looseSerials.map((s) => sgtinToEpcUrn(GTIN, s));
    const setupSeconds = (performance.now() - t0) / 1000;
    log('set up');

    const palletShip = await timed(() => ship(`bench-pallet-s-${ctx.runId}`, [pallet], PACKS, load.lot));
    log('pallet shipped');
    const palletReceive = await timed(() => receive(`bench-pallet-r-${ctx.runId}`, [pallet]));
    log('pallet received');
    const looseShip = await timed(() => ship(`bench-pallet-ls-${ctx.runId}`, loose, LOOSE, load.lot));
    const looseReceive = await timed(() => receive(`bench-pallet-lr-${ctx.runId}`, loose));
    log('loose packs shipped and received');

    const rate = (packs: number, seconds: number) => Math.round(packs / seconds);
    const s = (x: number) => x.toFixed(2);
    const m = machine();
    console.log(`machine: ${Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    console.log(`a sealed pallet of ${PACKS} packs (${load.palletCases[0]?.length ?? 0} cases of 100), one transaction each, submit to commit; set up in ${s(setupSeconds)} s`);
    console.log(`  Ship    pallet:            ${s(palletShip)} s, ${rate(PACKS, palletShip)} pack events/s`);
    console.log(`  Receive pallet:            ${s(palletReceive)} s, ${rate(PACKS, palletReceive)} pack events/s`);
    console.log(`  Ship    ${LOOSE} loose packs:   ${s(looseShip)} s, ${rate(LOOSE, looseShip)} pack events/s`);
    console.log(`  Receive ${LOOSE} loose packs:   ${s(looseReceive)} s, ${rate(LOOSE, looseReceive)} pack events/s`);
    console.log(JSON.stringify({ packs: PACKS, loose: LOOSE, machine: m, setupSeconds, palletShip, palletReceive, looseShip, looseReceive }));
  } finally {
    for (const l of Object.values(ledgers)) l.close();
  }
}

main().catch((err) => { console.error(`bench:pallet: ${(err as Error).message}`); process.exit(1); });
