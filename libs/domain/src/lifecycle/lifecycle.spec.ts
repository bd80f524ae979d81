import fc from 'fast-check';
import { isDomainError, type DomainError } from '../errors';
import { canonicalJson } from '../canonical-json';
import { sgtinToEpcUrn, ssccToEpcUrn } from '../gs1/epc-urn';
import {
  aggregate,
  breakSeal,
  confirmContents,
  descendantIds,
  disaggregate,
  receiveContainer,
  sealContainer,
  shipContainer,
  voidContainerShipment,
  type ReceiptResult,
} from './aggregation';
import { allowedCommands, applyCommand, isExpired, isSellable, isSellableAtRest, packHolds, packOverlays } from './pack-machine';
import { lookupFrom, type ContainerRecord, type PackRecord, type TraceRecord } from './records';
import { OVERLAY_RULES, TRANSITIONS, type PackCommand } from './transitions';
import { illegitimateNotificationDue, suspectSampleSize, verifyProductIdentifier } from './verification';

const MFR = 'ManufacturerMSP';
const WHS = 'WholesalerMSP';
const PHARM = 'PharmacyMSP';
const OTHER = 'OtherMSP';
const GTIN = '00312345678906';
const T0 = '2026-03-02T09:00:00-05:00';
const T1 = '2026-03-03T09:00:00-05:00';
const T2 = '2026-03-04T09:00:00-05:00';

function commission(serial: string, overrides: Partial<Extract<PackCommand, { type: 'commission' }>> = {}): PackRecord {
  return applyCommand(undefined, { type: 'commission', gtin: GTIN, serial, lot: 'L1', expiry: '2027-11-30', manufacturer: MFR, ...overrides }, MFR, T0);
}

function error(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (isDomainError(e)) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

/** Manufacturer -> wholesaler -> pharmacy, loose. */
function atPharmacy(serial = 'S1'): PackRecord {
  let p = commission(serial);
  p = applyCommand(p, { type: 'ship', to: WHS }, MFR, T0);
  p = applyCommand(p, { type: 'receive' }, WHS, T1);
  p = applyCommand(p, { type: 'ship', to: PHARM }, WHS, T1);
  return applyCommand(p, { type: 'receive' }, { org: PHARM, site: 'urn:epc:id:sgln:0398765.00007.0' }, T2);
}

describe('pack lifecycle: happy path', () => {
  it('commissions with the manufacturer as owner and custodian', () => {
    expect(commission('SN%12&x')).toEqual({
      docType: 'pack',
      id: 'urn:epc:id:sgtin:0312345.067890.SN%2512%26x',
      gtin: GTIN,
      serial: 'SN%12&x',
      lot: 'L1',
      expiry: '2027-11-30',
      manufacturer: MFR,
      owner: MFR,
      custodian: MFR,
      owners: [MFR],
      status: 'commissioned',
      receipts: 0,
      commissionedAt: T0,
      updatedAt: T0,
      version: 1,
    });
  });

  it('moves title and custody on receipt and keeps the ownership trail', () => {
    const p = atPharmacy();
    expect(p).toMatchObject({ status: 'received', owner: PHARM, custodian: PHARM, owners: [MFR, WHS, PHARM], receipts: 2, completeness: 'verified', version: 5 });
    expect(p.shipment).toBeUndefined();
    const d = applyCommand(p, { type: 'dispense' }, { org: PHARM, site: 'urn:epc:id:sgln:0398765.00007.0' }, T2);
    expect(d).toMatchObject({ status: 'dispensed', dispensed: { at: T2, by: PHARM, site: 'urn:epc:id:sgln:0398765.00007.0' } });
  });

  it('stores as canonical JSON with no undefined holes', () => {
    const p = atPharmacy();
    expect(JSON.parse(canonicalJson(p))).toEqual(p);
    expect(Object.values(p).includes(undefined)).toBe(false);
  });
});

describe('pack lifecycle: transition table', () => {
  const reached: Record<string, () => PackRecord> = {
    commissioned: () => commission('S'),
    shipped: () => applyCommand(commission('S'), { type: 'ship', to: WHS }, MFR, T0),
    received: () => applyCommand(applyCommand(commission('S'), { type: 'ship', to: WHS }, MFR, T0), { type: 'receive' }, WHS, T1),
    dispensed: () => applyCommand(atPharmacy(), { type: 'dispense' }, PHARM, T2),
    decommissioned: () => applyCommand(commission('S'), { type: 'decommission', reason: 'damaged label' }, MFR, T0),
    destroyed: () => applyCommand(commission('S'), { type: 'destroy' }, MFR, T0),
  };
  const actorFor = (p: PackRecord, cmd: PackCommand): string =>
    cmd.type === 'receive' ? (p.shipment?.to ?? p.custodian) : cmd.type === 'ship' || cmd.type === 'voidShipping' ? (p.shipment?.from ?? p.owner) : p.custodian;

  it.each([
    ['commissioned', { type: 'ship', to: WHS }, 'shipped'],
    ['commissioned', { type: 'decommission' }, 'decommissioned'],
    ['commissioned', { type: 'destroy' }, 'destroyed'],
    ['shipped', { type: 'receive' }, 'received'],
    ['shipped', { type: 'voidShipping' }, 'commissioned'],
    ['received', { type: 'ship', to: PHARM }, 'shipped'],
    ['received', { type: 'dispense' }, 'dispensed'],
    ['received', { type: 'quarantine', reason: 'suspect' }, 'received'],
  ] as const)('%s --%j--> %s', (from, cmd, to) => {
    const p = reached[from]!();
    expect(applyCommand(p, cmd as PackCommand, actorFor(p, cmd as PackCommand), T2).status).toBe(to);
  });

  it.each([
    ['commissioned', { type: 'receive' }],
    ['commissioned', { type: 'dispense' }],
    ['commissioned', { type: 'unpack' }],
    ['shipped', { type: 'ship', to: PHARM }],
    ['shipped', { type: 'dispense' }],
    ['shipped', { type: 'quarantine', reason: 'suspect' }],
    ['received', { type: 'receive' }],
    ['dispensed', { type: 'dispense' }],
    ['dispensed', { type: 'ship', to: WHS }],
    ['decommissioned', { type: 'dispense' }],
    ['destroyed', { type: 'receive' }],
    ['destroyed', { type: 'release' }],
  ] as const)('rejects %s --%j-->', (from, cmd) => {
    const p = reached[from]!();
    const e = error(() => applyCommand(p, cmd as PackCommand, actorFor(p, cmd as PackCommand), T2));
    expect(e.code).toBe('ILLEGAL_TRANSITION');
    expect(e.details).toMatchObject({ from, command: cmd.type });
    expect(typeof e.details.reason).toBe('string');
  });

  it('flags a second dispense as suspect (case 12, 13: re-dispense)', () => {
    const dispensed = reached['dispensed']!();
    const e = error(() => applyCommand(dispensed, { type: 'dispense' }, PHARM, T2));
    expect(e.details).toMatchObject({ from: 'dispensed', command: 'dispense', suspect: true, reason: 'pack is already dispensed' });
  });

  it('refuses commands on serials that were never commissioned (case 9)', () => {
    expect(error(() => applyCommand(undefined, { type: 'ship', to: WHS }, MFR, T0)).code).toBe('NOT_COMMISSIONED');
    expect(error(() => applyCommand(commission('S'), { type: 'commission', gtin: GTIN, serial: 'S', lot: 'L', expiry: '2027-01-01', manufacturer: MFR }, MFR, T0)).code).toBe('ALREADY_COMMISSIONED');
  });

  it('keeps every table row reachable by some command type and role', () => {
    expect(new Set(TRANSITIONS.map((t) => t.command)).size).toBe(TRANSITIONS.length);
    for (const rule of OVERLAY_RULES) for (const c of rule.blocks) expect(TRANSITIONS.some((t) => t.command === c)).toBe(true);
  });

  it('rejects malformed commands and timestamps', () => {
    expect(error(() => applyCommand(commission('S'), { type: 'ship', to: '' }, MFR, T0)).code).toBe('COMMAND_INVALID');
    expect(error(() => applyCommand(commission('S'), { type: 'quarantine', reason: 'bored' as never }, MFR, T0)).code).toBe('COMMAND_INVALID');
    expect(error(() => applyCommand(commission('S'), { type: 'destroy' }, MFR, 'yesterday')).code).toBe('TIME_INVALID');
  });
});

describe('pack lifecycle: who may do what', () => {
  it.each([
    ['commission by a non-manufacturer', () => applyCommand(undefined, { type: 'commission', gtin: GTIN, serial: 'X', lot: 'L', expiry: '2027-01-01', manufacturer: MFR }, OTHER, T0), 'NOT_MANUFACTURER'],
    ['ship by a non-owner', () => applyCommand(commission('S'), { type: 'ship', to: WHS }, OTHER, T0), 'NOT_OWNER'],
    ['receive by someone other than the addressee', () => applyCommand(applyCommand(commission('S'), { type: 'ship', to: WHS }, MFR, T0), { type: 'receive' }, PHARM, T1), 'NOT_ADDRESSEE'],
    ['dispense by a non-custodian', () => applyCommand(atPharmacy(), { type: 'dispense' }, WHS, T2), 'NOT_CUSTODIAN'],
    ['quarantine by a non-custodian', () => applyCommand(atPharmacy(), { type: 'quarantine', reason: 'suspect' }, MFR, T2), 'NOT_CUSTODIAN'],
    ['recall by a non-manufacturer', () => applyCommand(atPharmacy(), { type: 'recall', recallId: 'R1' }, WHS, T2), 'NOT_MANUFACTURER'],
    ['void by a non-shipper', () => applyCommand(applyCommand(commission('S'), { type: 'ship', to: WHS }, MFR, T0), { type: 'voidShipping' }, WHS, T0), 'NOT_OWNER'],
  ] as const)('%s -> %s', (_label, fn, code) => {
    const e = error(fn);
    expect(e.code).toBe(code);
    expect(e.details).toHaveProperty('expected');
  });

  it('lets the manufacturer recall wherever the pack is', () => {
    expect(applyCommand(atPharmacy(), { type: 'recall', recallId: 'R1' }, MFR, T2).recall).toEqual({ recallId: 'R1', since: T2 });
  });

  it('lists the commands an actor may issue', () => {
    expect(allowedCommands(atPharmacy(), PHARM, T2)).toEqual(expect.arrayContaining(['ship', 'dispense', 'quarantine', 'decommission', 'destroy', 'pack']));
    expect(allowedCommands(atPharmacy(), WHS, T2)).toEqual([]);
    expect(allowedCommands(atPharmacy(), MFR, T2)).toEqual(['recall', 'extendExpiry']);
  });
});

describe('pack lifecycle: overlays', () => {
  it('separates holds (stored by read models) from expiry (judged on the day asked)', () => {
    const p = atPharmacy();
    const afterExpiry = '2099-01-01T00:00:00Z';
    expect([isSellableAtRest(p), isSellable(p, T2), isSellable(p, afterExpiry)]).toEqual([true, true, false]);
    expect([packHolds(p), packOverlays(p, afterExpiry)]).toEqual([[], ['expired']]);
    const q = applyCommand(p, { type: 'quarantine', reason: 'suspect' }, PHARM, T2);
    expect([isSellableAtRest(q), packHolds(q), packOverlays(q, afterExpiry)]).toEqual([false, ['quarantined'], ['quarantined', 'expired']]);
    expect(isSellableAtRest(applyCommand(p, { type: 'dispense' }, PHARM, T2))).toBe(false);
  });

  it('quarantine removes the pack from sellable stock and release restores it (case 18)', () => {
    const p = atPharmacy();
    const q = applyCommand(p, { type: 'quarantine', reason: 'suspect' }, PHARM, T2);
    expect(isSellable(q, T2)).toBe(false);
    expect(packOverlays(q, T2)).toEqual(['quarantined']);
    expect(error(() => applyCommand(q, { type: 'dispense' }, PHARM, T2)).details).toMatchObject({ overlay: 'quarantined' });
    expect(error(() => applyCommand(q, { type: 'ship', to: OTHER }, PHARM, T2)).details).toMatchObject({ overlay: 'quarantined' });
    const sentBack = applyCommand(applyCommand(q, { type: 'ship', to: WHS, purpose: 'return' }, PHARM, T2), { type: 'receive' }, WHS, T2);
    expect(sentBack).toMatchObject({ custodian: WHS, quarantine: { reason: 'suspect', by: PHARM } });
    expect(error(() => applyCommand(sentBack, { type: 'ship', to: PHARM, purpose: 'return' }, WHS, T2)).details).toMatchObject({ guard: 'returnGoesUpstream' });
    expect(error(() => applyCommand(q, { type: 'quarantine', reason: 'stolen' }, PHARM, T2)).details).toMatchObject({ guard: 'notQuarantined' });
    const r = applyCommand(q, { type: 'release' }, PHARM, T2);
    expect(isSellable(r, T2)).toBe(true);
    expect(applyCommand(q, { type: 'destroy' }, PHARM, T2).status).toBe('destroyed');
  });

  it('blocks dispensing of a recalled lot but allows returning it upstream (case 14)', () => {
    const p = applyCommand(atPharmacy(), { type: 'recall', recallId: 'R-2026-01' }, MFR, T2);
    expect(error(() => applyCommand(p, { type: 'dispense' }, PHARM, T2)).details).toMatchObject({ overlay: 'recalled' });
    expect(error(() => applyCommand(p, { type: 'ship', to: OTHER }, PHARM, T2)).details).toMatchObject({ overlay: 'recalled' });
    expect(applyCommand(p, { type: 'ship', to: WHS, purpose: 'return' }, PHARM, T2).status).toBe('shipped');
    expect(verifyProductIdentifier(p, { gtin: GTIN, serial: 'S1', lot: 'L1', expiry: '2027-11-30' }, T2)).toEqual({ verified: true, additionalInfo: 'Recalled' });
  });

  it('judges expiry against the passed-in time, through the end of the expiry day, and honours extensions', () => {
    const p = atPharmacy();
    expect(isExpired(p, '2027-11-30T23:59:59-05:00')).toBe(false);
    expect(isExpired(p, '2027-12-01T00:00:00-05:00')).toBe(true);
    const late = '2027-12-15T10:00:00-05:00';
    expect(error(() => applyCommand(p, { type: 'dispense' }, PHARM, late)).details).toMatchObject({ overlay: 'expired' });
    expect(verifyProductIdentifier(p, { gtin: GTIN, serial: 'S1' }, late)).toEqual({ verified: true, additionalInfo: 'Expired' });
    const extended = applyCommand(p, { type: 'extendExpiry', until: '2028-05-31' }, MFR, T2);
    expect(applyCommand(extended, { type: 'dispense' }, PHARM, late).status).toBe('dispensed');
    expect(verifyProductIdentifier(extended, { gtin: GTIN, serial: 'S1', expiry: '2027-11-30' }, late)).toEqual({ verified: true, additionalInfo: 'ExpirationExtended' });
    expect(error(() => applyCommand(extended, { type: 'extendExpiry', until: '2028-01-01' }, MFR, T2)).details).toMatchObject({ guard: 'laterExpiry' });
  });

  it('holds a saleable return until it is verified (case 17)', () => {
    const p = atPharmacy();
    const back = applyCommand(applyCommand(p, { type: 'ship', to: WHS, purpose: 'return' }, PHARM, T2), { type: 'receive' }, WHS, T2);
    expect(back).toMatchObject({ owner: WHS, returned: { since: T2, from: PHARM } });
    expect(isSellable(back, T2)).toBe(false);
    expect(error(() => applyCommand(back, { type: 'ship', to: PHARM }, WHS, T2)).details).toMatchObject({ overlay: 'returned' });
    expect(isSellable(applyCommand(back, { type: 'verifyReturn', verified: true }, WHS, T2), T2)).toBe(true);
    expect(applyCommand(back, { type: 'verifyReturn', verified: false }, WHS, T2).quarantine).toMatchObject({ reason: 'suspect' });
  });

  it('refuses a return to an organisation that never sold the pack (case 17)', () => {
    const e = error(() => applyCommand(atPharmacy(), { type: 'ship', to: OTHER, purpose: 'return' }, PHARM, T2));
    expect(e.details).toMatchObject({ guard: 'returnGoesUpstream' });
    expect(applyCommand(atPharmacy(), { type: 'ship', to: MFR, purpose: 'return' }, PHARM, T2).shipment).toMatchObject({ to: MFR, purpose: 'return' });
  });
});

describe('pack lifecycle: EU undo of a dispense (case 13)', () => {
  const site = 'urn:epc:id:sgln:0398765.00007.0';
  const dispensed = (): PackRecord => applyCommand(atPharmacy(), { type: 'dispense' }, { org: PHARM, site }, '2026-03-04T09:00:00-05:00');

  it('succeeds within 10 days at the same site', () => {
    expect(applyCommand(dispensed(), { type: 'undoDispense' }, { org: PHARM, site }, '2026-03-14T09:00:00-05:00').status).toBe('received');
  });

  it('fails on day 11 or from another site', () => {
    expect(error(() => applyCommand(dispensed(), { type: 'undoDispense' }, { org: PHARM, site }, '2026-03-15T09:00:01-05:00')).details.reason).toMatch(/10-day/);
    expect(error(() => applyCommand(dispensed(), { type: 'undoDispense' }, { org: PHARM, site: 'urn:epc:id:sgln:0398765.00008.0' }, '2026-03-05T09:00:00-05:00')).details.reason).toMatch(/dispensing site/);
    expect(error(() => applyCommand(dispensed(), { type: 'undoDispense' }, WHS, '2026-03-05T09:00:00-05:00')).code).toBe('NOT_CUSTODIAN');
  });
});

describe('pack lifecycle: properties', () => {
  const commands: fc.Arbitrary<PackCommand> = fc.oneof(
    fc.constantFrom<PackCommand>(
      { type: 'unpack' }, { type: 'voidShipping' }, { type: 'receive' }, { type: 'dispense' }, { type: 'undoDispense' },
      { type: 'decommission' }, { type: 'destroy' }, { type: 'release' }, { type: 'verifyReturn', verified: true },
    ),
    fc.constantFrom(WHS, PHARM, MFR, OTHER).map((to): PackCommand => ({ type: 'ship', to })),
    fc.constantFrom(WHS, PHARM, MFR).map((to): PackCommand => ({ type: 'ship', to, purpose: 'return' })),
    fc.constantFrom('suspect', 'stolen').map((reason): PackCommand => ({ type: 'quarantine', reason: reason as 'suspect' })),
    fc.constant<PackCommand>({ type: 'recall', recallId: 'R' }),
  );

  it('any command sequence either advances the pack consistently or throws a DomainError', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(commands, fc.constantFrom(MFR, WHS, PHARM, OTHER)), { maxLength: 25 }), (steps) => {
        let p = commission('P');
        for (const [cmd, actor] of steps) {
          try {
            const next = applyCommand(p, cmd, actor, T2);
            expect(next.version).toBe(p.version + 1);
            expect(next.owners[0]).toBe(MFR);
            expect(next.owners[next.owners.length - 1]).toBe(next.owner);
            expect(next.status === 'shipped').toBe(next.shipment !== undefined);
            p = next;
          } catch (e) {
            if (!isDomainError(e)) throw e;
            expect(['ILLEGAL_TRANSITION', 'NOT_OWNER', 'NOT_ADDRESSEE', 'NOT_CUSTODIAN', 'NOT_MANUFACTURER']).toContain(e.code);
          }
        }
      }),
    );
  });
});

// ------------------------------------------------------------------------------------------------
// Aggregation and inference

const sscc = (serialRef: string): string => {
  const body = `0031234${serialRef.padStart(10, '0')}`;
  let sum = 0;
  for (let i = body.length - 1, w = 3; i >= 0; i--, w = 4 - w) sum += Number(body[i]) * w;
  return ssccToEpcUrn(body + String((10 - (sum % 10)) % 10), { companyPrefixLength: 7 });
};

class World {
  readonly records = new Map<string, TraceRecord>();
  constructor(initial: Iterable<TraceRecord> = []) {
    for (const r of initial) this.records.set(r.id, r);
  }
  apply(result: { records: readonly TraceRecord[] }): this {
    for (const r of result.records) this.records.set(r.id, r);
    return this;
  }
  get lookup() {
    return lookupFrom(this.records.values());
  }
  pack(id: string): PackRecord {
    return this.records.get(id) as PackRecord;
  }
  container(id: string): ContainerRecord {
    return this.records.get(id) as ContainerRecord;
  }
}

/** 2 cases of 6 packs on one pallet, sealed, at the manufacturer. */
function palletWorld(): { world: World; pallet: string; cases: string[]; packs: string[][] } {
  const world = new World();
  const cases = [sscc('101'), sscc('102')];
  const pallet = sscc('900');
  const packs = cases.map((_, c) => Array.from({ length: 6 }, (__, i) => commission(`C${c}-${i}`)));
  packs.flat().forEach((p) => world.records.set(p.id, p));
  cases.forEach((caseId, c) => world.apply(aggregate(world.lookup, { parent: caseId, children: packs[c]!.map((p) => p.id) }, MFR, T0)));
  world.apply(aggregate(world.lookup, { parent: pallet, children: cases }, MFR, T0));
  return { world, pallet, cases, packs: packs.map((list) => list.map((p) => p.id)) };
}

describe('aggregation', () => {
  it('packs cases into a pallet and records both directions of the relation', () => {
    const { world, pallet, cases, packs } = palletWorld();
    expect(world.container(pallet)).toMatchObject({ children: [...cases].sort(), sealed: true, status: 'packed', owner: MFR });
    expect(world.container(cases[0]!).parent).toBe(pallet);
    expect(world.pack(packs[0]![0]!)).toMatchObject({ status: 'packed', parent: cases[0] });
    expect(descendantIds(world.lookup, pallet)).toHaveLength(14);
  });

  it('rejects packing twice, unknown children, cycles and mixed owners', () => {
    const { world, pallet, cases, packs } = palletWorld();
    expect(error(() => aggregate(world.lookup, { parent: sscc('5'), children: [packs[0]![0]!] }, MFR, T0)).code).toBe('ILLEGAL_TRANSITION');
    expect(error(() => aggregate(world.lookup, { parent: sscc('5'), children: [sgtinToEpcUrn(GTIN, 'nope')] }, MFR, T0)).code).toBe('NOT_COMMISSIONED');
    world.apply(breakSeal(world.lookup, cases[0]!, MFR, T0));
    expect(error(() => aggregate(world.lookup, { parent: cases[0]!, children: [pallet] }, MFR, T0)).code).toBe('AGGREGATION_INVALID');
    // A 3PL (custodian MFR here) may not mix two owners' goods in one container.
    const foreign: PackRecord = { ...commission('F'), owner: WHS, owners: [MFR, WHS], receipts: 1, status: 'received' };
    const own = commission('G');
    world.records.set(foreign.id, foreign);
    world.records.set(own.id, own);
    expect(error(() => aggregate(world.lookup, { parent: sscc('6'), children: [foreign.id, own.id] }, MFR, T0)).details.reason).toMatch(/different owners/);
  });

  it('ships a pallet and moves every descendant with it; only the owner may (cases 7, 9)', () => {
    const { world, pallet, packs } = palletWorld();
    expect(error(() => shipContainer(world.lookup, pallet, { to: WHS }, OTHER, T0)).code).toBe('NOT_OWNER');
    world.apply(shipContainer(world.lookup, pallet, { to: WHS, bizTransactions: ['urn:epcglobal:cbv:bt:0398765000003:PO-1'] }, MFR, T0));
    for (const id of packs.flat()) expect(world.pack(id)).toMatchObject({ status: 'shipped', shipment: { from: MFR, to: WHS, via: pallet } });
    expect(world.container(pallet).status).toBe('shipped');
  });

  it('refuses to ship a case out of a pallet, a pack out of a case, or an open container', () => {
    const { world, pallet, cases, packs } = palletWorld();
    expect(error(() => shipContainer(world.lookup, cases[0]!, { to: WHS }, MFR, T0)).details.reason).toMatch(/outermost/);
    expect(error(() => applyCommand(world.pack(packs[0]![0]!), { type: 'ship', to: WHS }, MFR, T0)).details).toMatchObject({ guard: 'looseOrViaContainer' });
    world.apply(breakSeal(world.lookup, cases[1]!, MFR, T0));
    expect(error(() => shipContainer(world.lookup, pallet, { to: WHS }, MFR, T0)).details.reason).toMatch(/open/);
  });

  it('will not ship a pallet with a quarantined pack inside', () => {
    const { world, pallet, packs } = palletWorld();
    const id = packs[1]![2]!;
    world.records.set(id, applyCommand(world.pack(id), { type: 'quarantine', reason: 'suspect' }, MFR, T0));
    expect(error(() => shipContainer(world.lookup, pallet, { to: WHS }, MFR, T0)).details).toMatchObject({ id, overlay: 'quarantined' });
  });

  it('receives a sealed pallet by inference (case 7)', () => {
    const { world, pallet, packs } = palletWorld();
    world.apply(shipContainer(world.lookup, pallet, { to: WHS }, MFR, T0));
    expect(error(() => receiveContainer(world.lookup, pallet, {}, PHARM, T1)).code).toBe('NOT_ADDRESSEE');
    const r = receiveContainer(world.lookup, pallet, {}, WHS, T1);
    world.apply(r);
    expect(r.inferred).toHaveLength(12);
    expect(r.pending).toEqual([]);
    for (const id of packs.flat()) expect(world.pack(id)).toMatchObject({ status: 'packed', owner: WHS, custodian: WHS, completeness: 'inferred', owners: [MFR, WHS] });
    expect(world.container(pallet)).toMatchObject({ status: 'packed', owner: WHS, sealed: true, receipts: 1 });
  });

  it('stops inference behind a broken case seal until the items are scanned (case 7)', () => {
    const { world, pallet, cases, packs } = palletWorld();
    world.apply(shipContainer(world.lookup, pallet, { to: WHS }, MFR, T0));
    const r: ReceiptResult = receiveContainer(world.lookup, pallet, { brokenSeals: [cases[1]!] }, WHS, T1);
    world.apply(r);
    expect([...r.inferred].sort()).toEqual([...packs[0]!].sort());
    expect([...r.pending].sort()).toEqual([...packs[1]!].sort());
    for (const id of packs[1]!) expect(world.pack(id)).toMatchObject({ status: 'shipped', completeness: 'inferred' });
    expect(world.container(cases[1]!)).toMatchObject({ status: 'packed', sealed: false, owner: WHS });

    const confirmed = confirmContents(world.lookup, cases[1]!, packs[1]!, WHS, T1);
    world.apply(confirmed);
    expect([...confirmed.verified].sort()).toEqual([...packs[1]!].sort());
    for (const id of packs[1]!) expect(world.pack(id)).toMatchObject({ status: 'packed', owner: WHS, completeness: 'verified' });
  });

  it('blocks the receipt when 11 of 12 expected items are scanned or an extra serial appears (case 8)', () => {
    const { world, pallet, cases, packs } = palletWorld();
    world.apply(shipContainer(world.lookup, pallet, { to: WHS }, MFR, T0));
    const eleven = [...packs[0]!, ...packs[1]!.slice(1)];
    const short = error(() => receiveContainer(world.lookup, pallet, { scanned: eleven }, WHS, T1));
    expect(short.code).toBe('AGGREGATION_MISMATCH');
    expect(short.details['mismatches']).toEqual([{ container: cases[1], expected: 6, scanned: 5, missing: [packs[1]![0]], unexpected: [], disposition: 'mismatch_quantity' }]);

    const stranger = sgtinToEpcUrn(GTIN, 'STRANGER');
    const swapped = error(() => receiveContainer(world.lookup, pallet, { scanned: [...eleven, stranger] }, WHS, T1));
    expect(swapped.details['mismatches']).toEqual([{ container: cases[1], expected: 6, scanned: 6, missing: [packs[1]![0]], unexpected: [stranger], disposition: 'mismatch_instance' }]);

    const extra = error(() => receiveContainer(world.lookup, pallet, { scanned: [...packs.flat(), stranger] }, WHS, T1));
    expect(extra.details).toMatchObject({ disposition: 'mismatch_quantity' });
    // Nothing was received: the caller got an error, not records.
    expect(world.pack(packs[0]![0]!).status).toBe('shipped');

    const ok = receiveContainer(world.lookup, pallet, { scanned: packs.flat() }, WHS, T1);
    expect(ok.verified).toHaveLength(12);
  });

  it('unpacks a case inside a pallet, breaking both seals, and returns packs to rest', () => {
    const { world, pallet, cases, packs } = palletWorld();
    world.apply(disaggregate(world.lookup, { parent: cases[0]!, children: [packs[0]![0]!] }, MFR, T0));
    expect(world.pack(packs[0]![0]!)).toMatchObject({ status: 'commissioned' });
    expect(world.pack(packs[0]![0]!).parent).toBeUndefined();
    expect(world.container(cases[0]!)).toMatchObject({ sealed: false, children: packs[0]!.slice(1).sort() });
    expect(world.container(pallet).sealed).toBe(false);
    world.apply(disaggregate(world.lookup, { parent: cases[0]! }, MFR, T0));
    expect(world.container(cases[0]!).status).toBe('unpacked');
    expect(error(() => sealContainer(world.lookup, pallet, [cases[1]!], MFR, T0)).code).toBe('AGGREGATION_MISMATCH');
    world.apply(sealContainer(world.lookup, pallet, [...cases], MFR, T0));
    expect(world.container(pallet).sealed).toBe(true);
  });

  it('voids a container shipment back to rest', () => {
    const { world, pallet, packs } = palletWorld();
    world.apply(shipContainer(world.lookup, pallet, { to: WHS }, MFR, T0));
    world.apply(voidContainerShipment(world.lookup, pallet, MFR, T0));
    expect(world.container(pallet).status).toBe('packed');
    expect(world.pack(packs[0]![0]!)).toMatchObject({ status: 'packed' });
    expect(world.pack(packs[0]![0]!).shipment).toBeUndefined();
  });

  it('does not mutate the records it was given', () => {
    const { world, pallet } = palletWorld();
    const before = canonicalJson([...world.records.values()]);
    shipContainer(world.lookup, pallet, { to: WHS }, MFR, T0);
    expect(canonicalJson([...world.records.values()])).toBe(before);
  });
});

describe('verification and suspect product handling', () => {
  const p = atPharmacy();
  it.each([
    [{ gtin: GTIN, serial: 'S1', lot: 'L1', expiry: '2027-11-30' }, { verified: true }],
    [{ gtin: GTIN, serial: 'NOPE', lot: 'WRONG' }, { verified: false, verificationFailureReason: 'No_match_GTIN_Serial' }],
    [{ gtin: GTIN, serial: 'S1', lot: 'WRONG', expiry: '2027-11-30' }, { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot' }],
    [{ gtin: GTIN, serial: 'S1', lot: 'L1', expiry: '2027-12-31' }, { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Expiry' }],
    [{ gtin: GTIN, serial: 'S1', lot: 'WRONG', expiry: '2027-12-31' }, { verified: false, verificationFailureReason: 'No_match_GTIN_Serial_Lot_Expiry' }],
  ])('VRS answer for %j (case 15)', (request, outcome) => {
    expect(verifyProductIdentifier(p, request, T2)).toEqual(outcome);
  });

  it('answers Not_for_re-distribution for suspect, illegitimate and dispensed packs', () => {
    const suspect = applyCommand(p, { type: 'quarantine', reason: 'suspect' }, PHARM, T2);
    expect(verifyProductIdentifier(suspect, { gtin: GTIN, serial: 'S1' }, T2)).toEqual({ verified: false, verificationFailureReason: 'Not_for_re-distribution', additionalInfo: 'Suspect' });
    const bad = applyCommand(p, { type: 'quarantine', reason: 'illegitimate' }, PHARM, T2);
    expect(verifyProductIdentifier(bad, { gtin: GTIN, serial: 'S1' }, T2).additionalInfo).toBe('Illegitimate');
    const gone = applyCommand(p, { type: 'dispense' }, PHARM, T2);
    expect(verifyProductIdentifier(gone, { gtin: GTIN, serial: 'S1' }, T2)).toEqual({ verified: false, verificationFailureReason: 'Not_for_re-distribution' });
  });

  it.each([
    [0, 0],
    [2, 2],
    [3, 3],
    [29, 3],
    [31, 4],
    [100, 10],
    [1000, 100],
  ])('samples max(3, 10%%) of %i packages -> %i (case 18)', (n, expected) => {
    expect(suspectSampleSize(n)).toBe(expected);
  });

  it('starts a 24-hour clock for FDA 3911 notices', () => {
    expect(illegitimateNotificationDue('2026-03-02T09:00:00-05:00')).toBe('2026-03-03T14:00:00.000Z');
  });
});
