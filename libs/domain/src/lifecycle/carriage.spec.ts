import fc from 'fast-check';
import { isDomainError } from '../errors';
import { ssccToEpcUrn, sgtinToEpcUrn } from '../gs1/epc-urn';
import { withCheckDigit } from '../gs1/check-digit';
import { aggregate, applyToContents, breakSeal, disaggregate, receiveContainer, sealContainer, shipContainer, voidContainerShipment, type AggregationResult } from './aggregation';
import { carriedView, storedWrites } from './carriage';
import { applyCommand } from './pack-machine';
import type { RecordLookup, TraceRecord } from './records';

const MFR = 'ManufacturerMSP';
const DIST = 'DistributorMSP';
const PHARM = 'PharmacyMSP';
const ORGS = [MFR, DIST, PHARM] as const;
const GTIN = '00312345678906';
const pack = (i: number) => sgtinToEpcUrn(GTIN, `S${i}`, { companyPrefixLength: 7 });
const box = (i: number) => ssccToEpcUrn(withCheckDigit(`00312345${String(i).padStart(9, '0')}`), { companyPrefixLength: 7 });
const PACKS = Array.from({ length: 8 }, (_, i) => pack(i));
const BOXES = Array.from({ length: 3 }, (_, i) => box(i));
const at = (step: number) => new Date(Date.UTC(2026, 2, 1, 8) + step * 60_000).toISOString();

/** What a step does, given the records as the rules see them; the actor is picked by role so most steps are legal. */
type Step = (lookup: RecordLookup, t: string) => AggregationResult;
type Role = 'owner' | 'addressee' | 'other';

function actorFor(lookup: RecordLookup, id: string, role: Role, other: number): string {
  const r = lookup(id);
  if (role === 'owner' && r) return r.custodian;
  if (role === 'addressee' && r?.shipment) return r.shipment.to;
  return ORGS[other % ORGS.length] as string;
}

const role = fc.constantFrom<Role>('owner', 'owner', 'addressee', 'other');
const org = fc.nat(2);
const packIx = fc.nat(PACKS.length - 1);
const boxIx = fc.nat(BOXES.length - 1);

const steps: fc.Arbitrary<{ name: string; run: Step }> = fc.oneof(
  fc.tuple(fc.uniqueArray(packIx, { minLength: 1, maxLength: 4 }), boxIx, fc.boolean()).map(([ps, b, sealed]) => ({
    name: `pack ${ps} into ${b}${sealed ? '' : ' open'}`,
    run: (l: RecordLookup, t: string) => aggregate(l, { parent: BOXES[b] as string, children: ps.map((i) => PACKS[i] as string), sealed }, actorFor(l, PACKS[ps[0] as number] as string, 'owner', 0), t),
  })),
  fc.tuple(boxIx, boxIx).map(([outer, inner]) => ({
    name: `case ${inner} onto ${outer}`,
    run: (l: RecordLookup, t: string) => aggregate(l, { parent: BOXES[outer] as string, children: [BOXES[inner] as string] }, actorFor(l, BOXES[inner] as string, 'owner', 0), t),
  })),
  fc.tuple(boxIx, org, fc.boolean(), role, org).map(([b, to, ret, r, o]) => ({
    name: `ship ${b} to ${to}${ret ? ' (return)' : ''}`,
    run: (l: RecordLookup, t: string) => shipContainer(l, BOXES[b] as string, { to: ORGS[to] as string, ...(ret ? { purpose: 'return' as const } : {}), bizTransactions: [`urn:b:${t}`] }, actorFor(l, BOXES[b] as string, r, o), t),
  })),
  fc.tuple(packIx, org, role, org).map(([p, to, r, o]) => ({
    name: `ship pack ${p} to ${to}`,
    run: (l: RecordLookup, t: string) => ({ records: [applyCommand(l(PACKS[p] as string) as never, { type: 'ship', to: ORGS[to] as string }, actorFor(l, PACKS[p] as string, r, o), t)] }),
  })),
  fc.tuple(boxIx, fc.uniqueArray(packIx, { maxLength: 3 }), fc.boolean(), fc.boolean(), role, org).map(([b, scanned, broken, underException, r, o]) => ({
    name: `receive ${b} scanning ${scanned}${broken ? ' broken' : ''}${underException ? ' under exception' : ''}`,
    run: (l: RecordLookup, t: string) => receiveContainer(l, BOXES[b] as string, { scanned: scanned.map((i) => PACKS[i] as string), brokenSeals: broken ? [BOXES[b] as string] : [], underException }, actorFor(l, BOXES[b] as string, r === 'owner' ? 'addressee' : r, o), t),
  })),
  fc.tuple(packIx, role, org).map(([p, r, o]) => ({
    name: `receive pack ${p}`,
    run: (l: RecordLookup, t: string) => ({ records: [applyCommand(l(PACKS[p] as string) as never, { type: 'receive' }, actorFor(l, PACKS[p] as string, r === 'owner' ? 'addressee' : r, o), t)] }),
  })),
  fc.tuple(boxIx, role, org).map(([b, r, o]) => ({
    name: `void ${b}`,
    run: (l: RecordLookup, t: string) => voidContainerShipment(l, BOXES[b] as string, l(BOXES[b] as string)?.shipment?.from ?? actorFor(l, BOXES[b] as string, r, o), t),
  })),
  fc.tuple(boxIx, fc.option(fc.uniqueArray(packIx, { minLength: 1, maxLength: 2 }))).map(([b, some]) => ({
    name: `unpack ${b}${some ? ` ${some}` : ''}`,
    run: (l: RecordLookup, t: string) => disaggregate(l, { parent: BOXES[b] as string, ...(some ? { children: some.map((i) => PACKS[i] as string) } : {}) }, actorFor(l, BOXES[b] as string, 'owner', 0), t),
  })),
  fc.tuple(boxIx, fc.boolean()).map(([b, seal]) => ({
    name: seal ? `re-seal ${b}` : `break seal of ${b}`,
    run: (l: RecordLookup, t: string) => {
      const c = l(BOXES[b] as string);
      const actor = actorFor(l, BOXES[b] as string, 'owner', 0);
      return seal ? sealContainer(l, BOXES[b] as string, c?.docType === 'container' ? c.children : [], actor, t) : breakSeal(l, BOXES[b] as string, actor, t);
    },
  })),
  fc.tuple(packIx, fc.constantFrom('dispense', 'quarantine', 'release', 'decommission')).map(([p, type]) => ({
    name: `${type} pack ${p}`,
    run: (l: RecordLookup, t: string) => ({ records: [applyCommand(l(PACKS[p] as string) as never, type === 'quarantine' ? { type, reason: 'suspect' } : { type } as never, actorFor(l, PACKS[p] as string, 'owner', 0), t)] }),
  })),
  fc.tuple(boxIx, fc.boolean()).map(([b, hold]) => ({
    name: `${hold ? 'quarantine' : 'release'} contents of ${b}`,
    run: (l: RecordLookup, t: string) => applyToContents(l, BOXES[b] as string, hold ? { type: 'quarantine', reason: 'damaged' } : { type: 'release' }, actorFor(l, BOXES[b] as string, 'owner', 0), t),
  })),
);

/** Today's model: every changed record written as it is. */
class PerPackLedger {
  readonly records = new Map<string, TraceRecord>();
  writes = 0;
  readonly lookup: RecordLookup = (id) => this.records.get(id);
  store(result: AggregationResult): void {
    for (const r of result.records) this.records.set(r.id, r);
    this.writes += result.records.length;
  }
}

/** A container moves as one record: only what storedWrites says is written. */
class CarriedLedger {
  readonly records = new Map<string, TraceRecord>();
  writes = 0;
  readonly stored: RecordLookup = (id) => this.records.get(id);
  readonly lookup = carriedView(this.stored);
  store(result: AggregationResult): void {
    const writes = storedWrites(this.stored, result);
    for (const r of writes) this.records.set(r.id, r);
    this.writes += writes.length;
  }
}

function attempt(run: Step, lookup: RecordLookup, t: string): AggregationResult | string {
  try {
    return run(lookup, t);
  } catch (e) {
    if (isDomainError(e)) return e.code;
    throw e;
  }
}

function commissionAll(ledgers: Array<PerPackLedger | CarriedLedger>): void {
  for (const l of ledgers) {
    l.store({ records: PACKS.map((_, i) => applyCommand(undefined, { type: 'commission', gtin: GTIN, serial: `S${i}`, lot: 'L1', expiry: '2028-12-31', manufacturer: MFR, companyPrefixLength: 7 }, MFR, at(0))) });
  }
}

describe('a container moves as one record (carriage)', () => {
  it('answers exactly as per-pack writes on random histories: every refusal, every changed record, every record after', () => {
    fc.assert(
      fc.property(fc.array(steps, { minLength: 1, maxLength: 30 }), (history) => {
        const perPack = new PerPackLedger();
        const carried = new CarriedLedger();
        commissionAll([perPack, carried]);
        history.forEach((step, i) => {
          const t = at(i + 1);
          const a = attempt(step.run, perPack.lookup, t);
          const b = attempt(step.run, carried.lookup, t);
          expect({ step: step.name, outcome: typeof b === 'string' ? b : b.records }).toEqual({ step: step.name, outcome: typeof a === 'string' ? a : a.records });
          if (typeof a !== 'string' && typeof b !== 'string') {
            perPack.store(a);
            carried.store(b);
          }
          for (const id of [...PACKS, ...BOXES]) expect({ step: step.name, id, view: carried.lookup(id) }).toEqual({ step: step.name, id, view: perPack.lookup(id) });
        });
      }),
      { numRuns: Number(process.env.PEDIGREE_FUZZ_RUNS ?? 300) },
    );
  });

  it('a sealed pallet of cases ships and is received writing only its containers; unpacking a case materialises its packs alone', () => {
    const perPack = new PerPackLedger();
    const carried = new CarriedLedger();
    commissionAll([perPack, carried]);
    const steps: Step[] = [
      (l, t) => aggregate(l, { parent: BOXES[1] as string, children: PACKS.slice(0, 4) }, MFR, t),
      (l, t) => aggregate(l, { parent: BOXES[2] as string, children: PACKS.slice(4) }, MFR, t),
      (l, t) => aggregate(l, { parent: BOXES[0] as string, children: [BOXES[1] as string, BOXES[2] as string] }, MFR, t),
    ];
    steps.forEach((s, i) => [perPack, carried].forEach((m) => m.store(s(m.lookup, at(i + 1)))));
    const before = carried.writes;
    const ship: Step = (l, t) => shipContainer(l, BOXES[0] as string, { to: DIST }, MFR, t);
    const receive: Step = (l, t) => receiveContainer(l, BOXES[0] as string, {}, DIST, t);
    for (const [i, s] of [ship, receive].entries()) [perPack, carried].forEach((m) => m.store(s(m.lookup, at(10 + i))));
    expect(carried.writes - before).toBe(6); // pallet and two cases, twice
    expect(carried.records.get(PACKS[0] as string)?.owner).toBe(MFR);
    expect(carried.lookup(PACKS[0] as string)).toEqual(perPack.lookup(PACKS[0] as string));
    expect(carried.lookup(PACKS[0] as string)).toMatchObject({ owner: DIST, owners: [MFR, DIST], status: 'packed', receipts: 1, completeness: 'inferred', version: 4 });

    const unpack: Step = (l, t) => disaggregate(l, { parent: BOXES[1] as string, children: [PACKS[0] as string] }, DIST, t);
    const mark = carried.writes;
    [perPack, carried].forEach((m) => m.store(unpack(m.lookup, at(20))));
    // The case, the pallet's seal, the pack taken out and its three case-mates materialised.
    expect(carried.writes - mark).toBe(6);
    expect(carried.records.get(PACKS[1] as string)).toEqual(perPack.lookup(PACKS[1] as string));
    expect(carried.records.get(PACKS[5] as string)?.owner).toBe(MFR);
    for (const id of [...PACKS, ...BOXES]) expect(carried.lookup(id)).toEqual(perPack.lookup(id));
  });
});
