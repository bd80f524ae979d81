import { canonicalJson } from '../canonical-json';
import { replayCommand } from './pack-machine';
import type { CarriedCommand, ContainerRecord, PackRecord, RecordLookup, TraceRecord } from './records';

/**
 * A container moves as one record. When every pack directly inside a container takes the same
 * command (a sealed pallet shipped, received, voided, quarantined whole), the container's stored
 * record carries that command instead of thousands of pack records being written; a pack read
 * through its container takes on what the container carried (an overlay, as a lot's recall is).
 * A pack materialises, its own record written with everything inherited, when its container's packs
 * stop moving as one: one is unpacked, dispensed or quarantined alone, a seal is found broken and
 * only some arrive, a pack is added. Every answer is the one per-pack writes would give: the view of
 * a stored record is the record those writes would have stored (carriage.spec.ts compares both on
 * random histories).
 */

/** The container as every rule and reader sees it: what it carries is storage, not state. */
export function containerView(container: ContainerRecord): ContainerRecord {
  if (container.carried === undefined) return container;
  const { carried: _stored, ...view } = container;
  return view;
}

/** The pack with what its container carried for it replayed in order. */
export function inheritCarried(pack: PackRecord, parent: TraceRecord | undefined): PackRecord {
  if (parent?.docType !== 'container' || !parent.carried?.length || pack.parent !== parent.id) return pack;
  return parent.carried.reduce((p, c) => replayCommand(p, c.command, c.actor, c.at), pack);
}

/** The view of one stored record, given the stored records around it. */
export function viewOf(record: TraceRecord | undefined, stored: RecordLookup): TraceRecord | undefined {
  if (!record) return undefined;
  if (record.docType === 'container') return containerView(record);
  return record.parent ? inheritCarried(record, stored(record.parent)) : record;
}

/** Every record as the rules see it, over stored records. */
export function carriedView(stored: RecordLookup): RecordLookup {
  return (id) => viewOf(stored(id), stored);
}

export interface CarriedChange {
  /** The changed records as they are now (views), as a command returns them. */
  readonly records: readonly TraceRecord[];
  /** Which of them changed only by commands their container can carry (AggregationResult.carried). */
  readonly carried?: ReadonlyMap<string, readonly CarriedCommand[]>;
}

/**
 * What to store for a command's changes so that every view afterwards is the changed record:
 * containers whose packs all moved alike carry the move; every other changed pack is written, and
 * so are the packs of any container it leaves, joins or diverges from (materialised). Needs the
 * stored records of the changed ones, their containers, and those containers' packs.
 */
export function storedWrites(stored: RecordLookup, change: CarriedChange): TraceRecord[] {
  const changed = new Map(change.records.map((r) => [r.id, r]));
  const carriedOf = (id: string): readonly CarriedCommand[] => {
    const c = stored(id);
    return c?.docType === 'container' ? (c.carried ?? []) : [];
  };
  const childrenOf = (id: string): readonly string[] => {
    const now = changed.get(id) ?? stored(id);
    return now?.docType === 'container' ? now.children : [];
  };

  // Containers whose packs each carry commands, and which commands (canonical JSON of the list).
  const groups = new Map<string, string>();
  const mixed = new Set<string>();
  for (const [id, commands] of change.carried ?? []) {
    const pack = changed.get(id);
    if (pack?.docType !== 'pack' || !pack.parent || stored(id)?.parent !== pack.parent) continue;
    const json = canonicalJson(commands);
    const seen = groups.get(pack.parent);
    if (seen === undefined) groups.set(pack.parent, json);
    else if (seen !== json) mixed.add(pack.parent);
  }
  const carrying = new Set<string>();
  for (const [parent] of groups) {
    if (mixed.has(parent)) continue;
    const packs = childrenOf(parent).filter((c) => changed.get(c)?.docType === 'pack' || stored(c)?.docType === 'pack');
    if (packs.every((p) => change.carried?.has(p) && changed.has(p))) carrying.add(parent);
  }

  // Containers whose packs no longer move as one: a pack written alone left, joined or changed in it.
  const materialise = new Set<string>();
  for (const r of change.records) {
    if (r.docType !== 'pack' || (r.parent && carrying.has(r.parent))) continue;
    for (const parent of [stored(r.id)?.parent, r.parent]) if (parent && carriedOf(parent).length) materialise.add(parent);
  }

  const writes: TraceRecord[] = [];
  const written = new Set<string>();
  const put = (record: TraceRecord): void => {
    writes.push(record);
    written.add(record.id);
  };
  for (const r of change.records) {
    if (r.docType === 'pack') {
      if (!(r.parent && carrying.has(r.parent))) put(r);
      continue;
    }
    put(withCarried(r, carrying.has(r.id) ? [...carriedOf(r.id), ...JSON.parse(groups.get(r.id) as string) as CarriedCommand[]] : materialise.has(r.id) ? [] : carriedOf(r.id)));
  }
  // A carrying container that did not itself change still stores the new commands.
  for (const id of carrying) {
    if (written.has(id)) continue;
    const c = stored(id) as ContainerRecord;
    put(withCarried(c, [...carriedOf(id), ...JSON.parse(groups.get(id) as string) as CarriedCommand[]]));
  }
  for (const id of materialise) {
    const c = stored(id) as ContainerRecord;
    if (!written.has(id)) put(withCarried(c, []));
    for (const child of c.children) {
      const pack = stored(child);
      if (pack?.docType === 'pack' && !written.has(child) && !changed.has(child)) put(inheritCarried(pack, c));
    }
  }
  return writes;
}

function withCarried(container: ContainerRecord, carried: readonly CarriedCommand[]): ContainerRecord {
  const view = containerView(container);
  return carried.length ? { ...view, carried } : view;
}

/** The ids whose stored records `storedWrites` needs beyond the changed ones: containers, then their packs. */
export function containersOfChange(change: CarriedChange, stored: RecordLookup): string[] {
  const ids = new Set<string>();
  for (const r of change.records) {
    if (r.docType !== 'pack') continue;
    for (const parent of [stored(r.id)?.parent, r.parent]) if (parent) ids.add(parent);
  }
  return [...ids];
}
