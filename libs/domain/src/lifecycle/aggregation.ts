import { DomainError } from '../errors';
import { parseTimestamp, type IsoTimestamp } from '../time';
import { parseEpcUrn, ssccToEpcUrn, type CompanyPrefixOptions } from '../gs1/epc-urn';
import { normaliseSscc } from '../gs1/gtin';
import { applyCommand } from './pack-machine';
import { actorOf, type Actor, type ActorRef, type CarriedCommand, type ContainerRecord, type PackRecord, type RecordLookup, type Shipment, type TraceRecord } from './records';
import type { PackCommand } from './transitions';

/**
 * Packs in cases, cases on pallets (SSCC containers). DSCSA lets a receiver infer the contents of a
 * container from aggregation data as long as the packaging is physically intact (FDA guidance,
 * Aug 2023), so every movement of a sealed container moves every descendant, and a broken seal
 * stops inference for what is inside it until those items are scanned.
 *
 * Each function takes a read-only view of world state and returns the records it changed; the
 * chaincode writes them back. Nothing is mutated.
 */

export interface AggregationResult {
  /** Every record that changed, parents before children, children in sorted id order. */
  readonly records: readonly TraceRecord[];
  /**
   * Packs whose change is exactly these commands applied to what they were, moved with their
   * container: the container may carry them instead of each pack's record being written (carriage.ts).
   */
  readonly carried?: ReadonlyMap<string, readonly CarriedCommand[]>;
}

export interface ReceiptResult extends AggregationResult {
  /** Packs received by inference from intact containers (completeness_inferred). */
  readonly inferred: readonly string[];
  /** Packs received and scanned (completeness_verified). */
  readonly verified: readonly string[];
  /** Packs behind a broken seal and not scanned: still in transit until scanned. */
  readonly pending: readonly string[];
}

export interface Mismatch {
  readonly container: string;
  readonly expected: number;
  readonly scanned: number;
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  /** CBV 2.0 disposition for the exception event: different count vs same count, other serials. */
  readonly disposition: 'mismatch_quantity' | 'mismatch_instance';
}

export type ContainerRef = string | ({ readonly sscc: string } & CompanyPrefixOptions);

export function containerId(ref: ContainerRef): string {
  if (typeof ref !== 'string') return ssccToEpcUrn(ref.sscc, ref);
  if (/^\d{18}$/.test(ref)) return ssccToEpcUrn(normaliseSscc(ref));
  const id = parseEpcUrn(ref);
  if (id.scheme !== 'sscc') throw invalid(`a container must be identified by an SSCC, got ${ref}`);
  return ref;
}

/** Working copy over the lookup: reads see earlier writes of the same operation. */
class Workset {
  private readonly changed = new Map<string, TraceRecord>();
  private readonly order: string[] = [];
  private readonly carried = new Map<string, CarriedCommand[]>();
  constructor(private readonly lookup: RecordLookup) {}
  get(id: string): TraceRecord | undefined {
    return this.changed.get(id) ?? this.lookup(id);
  }
  put(record: TraceRecord): void {
    if (!this.changed.has(record.id)) this.order.push(record.id);
    this.changed.set(record.id, record);
    this.carried.delete(record.id);
  }
  /** A pack command moved with the pack's container: judged on the pack as always, then carriable. */
  carry(pack: PackRecord, command: PackCommand, actor: Actor, at: IsoTimestamp): void {
    const before = this.changed.has(pack.id) ? this.carried.get(pack.id) : [];
    this.put(applyCommand(pack, command, actor, at));
    if (before) this.carried.set(pack.id, [...before, { command, actor, at }]);
  }
  result(): AggregationResult {
    return { records: this.order.map((id) => this.changed.get(id) as TraceRecord), ...(this.carried.size ? { carried: new Map(this.carried) } : {}) };
  }
  records(): TraceRecord[] {
    return this.result().records as TraceRecord[];
  }
}

function invalid(reason: string, extra: Record<string, unknown> = {}): DomainError {
  return new DomainError('AGGREGATION_INVALID', reason, { reason, ...extra });
}

function requireContainer(ws: Workset, id: string): ContainerRecord {
  const r = ws.get(id);
  if (!r) throw new DomainError('NOT_COMMISSIONED', `container ${id} is not known`, { id, reason: 'unknown container' });
  if (r.docType !== 'container') throw invalid(`${id} is a pack, not a container`, { id });
  return r;
}

function requireRole(container: ContainerRecord, actor: Actor, role: 'owner' | 'custodian' | 'addressee', action: string): void {
  const expected = role === 'owner' ? container.owner : role === 'custodian' ? container.custodian : container.shipment?.to;
  if (expected !== actor.org) {
    const code = role === 'owner' ? 'NOT_OWNER' : role === 'custodian' ? 'NOT_CUSTODIAN' : 'NOT_ADDRESSEE';
    throw new DomainError(code, `${action} of ${container.id} needs the ${role} (${expected ?? 'none'}); ${actor.org} is not`, {
      id: container.id,
      role,
      actor: actor.org,
      expected,
      reason: `not the ${role}`,
    });
  }
}

function touch<T extends TraceRecord>(record: T, changes: Partial<Record<keyof T, unknown>>, at: IsoTimestamp): T {
  const next: Record<string, unknown> = { ...record, ...changes, updatedAt: at, version: record.version + 1 };
  for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
  return next as T;
}

function ancestors(ws: Workset, record: TraceRecord): ContainerRecord[] {
  const chain: ContainerRecord[] = [];
  let parent = record.parent;
  while (parent) {
    const p = requireContainer(ws, parent);
    if (chain.some((c) => c.id === p.id)) throw invalid(`aggregation cycle through ${p.id}`);
    chain.push(p);
    parent = p.parent;
  }
  return chain;
}

/** Every record under a container, breadth-first, checking the tree is consistent. */
function subtree(ws: Workset, root: ContainerRecord): TraceRecord[] {
  const out: TraceRecord[] = [];
  const queue: ContainerRecord[] = [root];
  const seen = new Set([root.id]);
  while (queue.length) {
    const c = queue.shift() as ContainerRecord;
    for (const childId of c.children) {
      const child = ws.get(childId);
      if (!child) throw invalid(`${c.id} lists ${childId}, which was never commissioned`, { container: c.id, child: childId });
      if (child.parent !== c.id) throw invalid(`${c.id} lists ${childId}, but that record says its parent is ${child.parent ?? 'none'}`, { container: c.id, child: childId });
      if (seen.has(childId)) throw invalid(`${childId} appears twice under ${root.id}`);
      seen.add(childId);
      out.push(child);
      if (child.docType === 'container') queue.push(child);
    }
  }
  return out;
}

export function descendantIds(lookup: RecordLookup, rootId: string): string[] {
  const ws = new Workset(lookup);
  return subtree(ws, requireContainer(ws, rootId)).map((r) => r.id);
}

// ------------------------------------------------------------------------------------------------

export interface AggregateInput {
  readonly parent: ContainerRef;
  readonly children: readonly string[];
  /** Close (seal) the container after packing; default true. */
  readonly sealed?: boolean;
}

/** Aggregation ADD: packs (or cases) into a container, creating the container on first use. */
export function aggregate(lookup: RecordLookup, input: AggregateInput, actorRef: ActorRef, at: IsoTimestamp): AggregationResult {
  const actor = actorOf(actorRef);
  parseTimestamp(at, 'at');
  const ws = new Workset(lookup);
  const parentId = containerId(input.parent);
  if (input.children.length === 0) throw invalid('nothing to pack: children is empty');
  if (new Set(input.children).size !== input.children.length) throw invalid('a child is listed twice');

  const existing = ws.get(parentId);
  if (existing && existing.docType !== 'container') throw invalid(`${parentId} is a pack, not a container`);
  if (existing) {
    if (existing.status !== 'packed') throw invalid(`${parentId} is ${existing.status}; an SSCC is not reused`, { id: parentId });
    requireRole(existing, actor, 'custodian', 'packing into');
    if (existing.sealed) throw invalid(`${parentId} is sealed; break the seal before adding to it`, { id: parentId });
  }
  const above = existing ? ancestors(ws, existing) : [];

  const owners = new Set<string>(existing ? [existing.owner] : []);
  const packed: TraceRecord[] = [];
  for (const childId of [...input.children].sort()) {
    const child = ws.get(childId);
    if (!child) throw new DomainError('NOT_COMMISSIONED', `cannot pack ${childId}: it was never commissioned`, { id: childId, reason: 'unknown child' });
    if (childId === parentId || above.some((a) => a.id === childId)) throw invalid(`packing ${childId} into ${parentId} would create a cycle`);
    owners.add(child.owner);
    if (child.docType === 'pack') {
      packed.push(applyCommand(child, { type: 'pack', parent: parentId }, actor, at));
    } else {
      if (child.status !== 'packed') throw invalid(`container ${childId} is ${child.status}`, { id: childId });
      if (child.parent) throw invalid(`container ${childId} is already inside ${child.parent}`, { id: childId });
      requireRole(child, actor, 'custodian', 'packing');
      packed.push(touch(child, { parent: parentId }, at));
    }
  }
  // One owner per container keeps "only the owner ships" meaningful for the whole load.
  if (owners.size > 1) throw invalid(`children of ${parentId} belong to different owners (${[...owners].sort().join(', ')})`);
  const owner = [...owners][0] as string;
  const children = [...new Set([...(existing?.children ?? []), ...input.children])].sort();
  const sealed = input.sealed ?? true;
  const container: ContainerRecord = existing
    ? touch(existing, { children, sealed }, at)
    : {
        docType: 'container',
        id: parentId,
        sscc: parseSscc(parentId),
        children,
        sealed,
        status: 'packed',
        owner,
        custodian: actor.org,
        ...(actor.site ? { site: actor.site } : {}),
        receipts: 0,
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
  ws.put(container);
  packed.forEach((r) => ws.put(r));
  return { records: ws.records() };
}

function parseSscc(id: string): string {
  const parsed = parseEpcUrn(id);
  return parsed.scheme === 'sscc' ? parsed.sscc : '';
}

export interface DisaggregateInput {
  readonly parent: ContainerRef;
  /** Children to take out; default all of them. */
  readonly children?: readonly string[];
}

/**
 * Aggregation DELETE (unpacking). Opening a container breaks its seal and the seals of every
 * container around it: you cannot reach into a case on a wrapped pallet without opening the pallet.
 */
export function disaggregate(lookup: RecordLookup, input: DisaggregateInput, actorRef: ActorRef, at: IsoTimestamp): AggregationResult {
  const actor = actorOf(actorRef);
  parseTimestamp(at, 'at');
  const ws = new Workset(lookup);
  const container = requireContainer(ws, containerId(input.parent));
  if (container.status !== 'packed') throw invalid(`${container.id} is ${container.status}; only a container at rest can be unpacked`, { id: container.id });
  requireRole(container, actor, 'custodian', 'unpacking');
  const targets = [...(input.children ?? container.children)].sort();
  const stray = targets.filter((t) => !container.children.includes(t));
  if (stray.length) throw invalid(`${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} not in ${container.id}`, { missing: stray });

  const remaining = container.children.filter((c) => !targets.includes(c));
  ws.put(touch(container, { children: remaining, sealed: false, status: remaining.length ? 'packed' : 'unpacked' }, at));
  for (const a of ancestors(ws, container)) if (a.sealed) ws.put(touch(a, { sealed: false }, at));
  for (const id of targets) {
    const child = ws.get(id) as TraceRecord;
    if (child.docType === 'pack') ws.put(applyCommand(child, { type: 'unpack' }, actor, at));
    else ws.put(touch(child, { parent: undefined }, at));
  }
  return { records: ws.records() };
}

/** Records that a seal was found or made broken; inference stops for this container. */
export function breakSeal(lookup: RecordLookup, ref: ContainerRef, actorRef: ActorRef, at: IsoTimestamp): AggregationResult {
  const actor = actorOf(actorRef);
  parseTimestamp(at, 'at');
  const ws = new Workset(lookup);
  const c = requireContainer(ws, containerId(ref));
  requireRole(c, actor, 'custodian', 'breaking the seal');
  if (c.sealed) ws.put(touch(c, { sealed: false }, at));
  return { records: ws.records() };
}

/** Re-seal after a full scan of the contents proves they match the aggregation record. */
export function sealContainer(lookup: RecordLookup, ref: ContainerRef, scanned: readonly string[], actorRef: ActorRef, at: IsoTimestamp): AggregationResult {
  const actor = actorOf(actorRef);
  parseTimestamp(at, 'at');
  const ws = new Workset(lookup);
  const c = requireContainer(ws, containerId(ref));
  if (c.status !== 'packed') throw invalid(`${c.id} is ${c.status}; only a container at rest can be sealed`, { id: c.id });
  requireRole(c, actor, 'custodian', 'sealing');
  const m = compareContents(c, new Set(scanned));
  if (m) throw mismatchError([m]);
  if (!c.sealed) ws.put(touch(c, { sealed: true }, at));
  return { records: ws.records() };
}

/**
 * One pack command for every pack inside a container, at any depth (quarantine or release of a
 * whole load): each pack is judged as if named alone, and the containers may carry the command.
 */
export function applyToContents(lookup: RecordLookup, ref: ContainerRef, command: PackCommand, actorRef: ActorRef, at: IsoTimestamp): AggregationResult {
  const actor = actorOf(actorRef);
  parseTimestamp(at, 'at');
  const ws = new Workset(lookup);
  for (const r of subtree(ws, requireContainer(ws, containerId(ref))).filter((x): x is PackRecord => x.docType === 'pack')) ws.carry(r, command, actor, at);
  return ws.result();
}

// ------------------------------------------------------------------------------------------------

export interface ShipContainerInput {
  readonly to: string;
  readonly toSite?: string;
  readonly purpose?: 'sale' | 'return';
  readonly bizTransactions?: readonly string[];
}

/**
 * Ships a top-level container and, by inference, everything in it. Every container in the load
 * must be sealed: the shipper vouches for contents it can no longer see.
 */
export function shipContainer(lookup: RecordLookup, ref: ContainerRef, input: ShipContainerInput, actorRef: ActorRef, at: IsoTimestamp): AggregationResult {
  const actor = actorOf(actorRef);
  parseTimestamp(at, 'at');
  const ws = new Workset(lookup);
  const root = requireContainer(ws, containerId(ref));
  if (root.parent) throw invalid(`${root.id} is inside ${root.parent}; ship the outermost container`, { id: root.id, parent: root.parent });
  if (root.status !== 'packed') throw illegalContainer(root, 'ship', `container is ${root.status}`);
  requireRole(root, actor, 'owner', 'shipping');
  if (!input.to) throw new DomainError('COMMAND_INVALID', 'ship: addressee (to) is required', { command: 'ship', reason: 'addressee missing' });
  if (input.to === root.owner) throw illegalContainer(root, 'ship', `${root.owner} already owns it; a shipment needs another addressee`);

  const tree = subtree(ws, root);
  const open = [root, ...tree].filter((r): r is ContainerRecord => r.docType === 'container' && !r.sealed);
  if (open.length) {
    throw invalid(`${open.map((c) => c.id).join(', ')} ${open.length > 1 ? 'are' : 'is'} open; re-seal after a full scan, or unpack, before shipping`, { open: open.map((c) => c.id) });
  }
  const shipment: Shipment = {
    from: root.owner,
    to: input.to,
    ...(input.toSite ? { toSite: input.toSite } : {}),
    purpose: input.purpose ?? 'sale',
    shippedAt: at,
    ...(input.bizTransactions?.length ? { bizTransactions: [...input.bizTransactions] } : {}),
  };
  ws.put(touch(root, { status: 'shipped', shipment }, at));
  for (const r of tree) {
    if (r.docType === 'pack') {
      ws.carry(r, shipCommand(input, root.id), actor, at);
    } else {
      if (r.status !== 'packed') throw illegalContainer(r, 'ship', `container is ${r.status}`);
      ws.put(touch(r, { status: 'shipped', shipment: { ...shipment, via: root.id } }, at));
    }
  }
  return ws.result();
}

/** The pack command a container's shipment gives each pack in it: no undefined fields, so every carried copy is the same JSON. */
function shipCommand(input: ShipContainerInput, via: string): PackCommand {
  return { type: 'ship', to: input.to, ...(input.toSite ? { toSite: input.toSite } : {}), ...(input.purpose ? { purpose: input.purpose } : {}), ...(input.bizTransactions ? { bizTransactions: input.bizTransactions } : {}), via };
}

/** Cancels a container shipment that did not leave: everything returns to rest at the shipper. */
export function voidContainerShipment(lookup: RecordLookup, ref: ContainerRef, actorRef: ActorRef, at: IsoTimestamp): AggregationResult {
  const actor = actorOf(actorRef);
  parseTimestamp(at, 'at');
  const ws = new Workset(lookup);
  const root = requireContainer(ws, containerId(ref));
  if (root.status !== 'shipped' || !root.shipment) throw illegalContainer(root, 'voidShipping', `container is ${root.status}`);
  if (root.shipment.from !== actor.org) {
    throw new DomainError('NOT_OWNER', `only the shipper ${root.shipment.from} may void the shipment of ${root.id}`, { id: root.id, role: 'shipper', actor: actor.org, reason: 'not the shipper' });
  }
  ws.put(touch(root, { status: 'packed', shipment: undefined }, at));
  for (const r of subtree(ws, root)) {
    if (r.docType === 'pack') {
      if (r.status === 'shipped') ws.carry(r, { type: 'voidShipping', via: root.id }, actor, at);
    } else if (r.status === 'shipped') {
      ws.put(touch(r, { status: 'packed', shipment: undefined }, at));
    }
  }
  return ws.result();
}

export interface ReceiveContainerInput {
  /** EPCs scanned at receipt (pack SGTINs, case SSCCs). Scanning any child of a container means its contents are checked in full. */
  readonly scanned?: readonly string[];
  /** Containers found with a broken seal at receipt. */
  readonly brokenSeals?: readonly string[];
  readonly site?: string;
  /**
   * Receive under a receiving exception instead of refusing on a mismatch: a container whose scan
   * differs from its aggregation is taken as opened (only its scanned children are received, the
   * rest stay in transit, pending), and scans outside the load are left to the exception.
   */
  readonly underException?: boolean;
}

/**
 * Receives a shipped container. Contents of intact containers are received by inference; behind a
 * broken seal only scanned items are received, the rest stay in transit (pending) until scanned.
 * If what was scanned differs from the aggregation record, nothing is received (AGGREGATION_MISMATCH).
 */
export function receiveContainer(lookup: RecordLookup, ref: ContainerRef, input: ReceiveContainerInput, actorRef: ActorRef, at: IsoTimestamp): ReceiptResult {
  const actor = actorOf(actorRef);
  parseTimestamp(at, 'at');
  const ws = new Workset(lookup);
  const root = requireContainer(ws, containerId(ref));
  if (root.status !== 'shipped' || !root.shipment) throw illegalContainer(root, 'receive', `container is ${root.status}`);
  if (root.parent) throw invalid(`${root.id} travels inside ${root.parent}; receive the outermost container`, { id: root.id });
  requireRole(root, actor, 'addressee', 'receiving');
  return receiveTree(ws, root, new Set(input.scanned ?? []), new Set(input.brokenSeals ?? []), input.site, actor, at, input.underException === true);
}

/**
 * Scan-to-confirm for a container at rest (typically one whose seal was broken at receipt): the
 * scanned contents must match the record exactly; pending items are then received as verified.
 */
export function confirmContents(lookup: RecordLookup, ref: ContainerRef, scanned: readonly string[], actorRef: ActorRef, at: IsoTimestamp): ReceiptResult {
  const actor = actorOf(actorRef);
  parseTimestamp(at, 'at');
  const ws = new Workset(lookup);
  const c = requireContainer(ws, containerId(ref));
  if (c.status !== 'packed') throw illegalContainer(c, 'confirm', `container is ${c.status}`);
  requireRole(c, actor, 'custodian', 'confirming contents of');
  const seen = new Set(scanned);
  const m = compareContents(c, seen);
  if (m) throw mismatchError([m]);
  const result = { inferred: [] as string[], verified: [] as string[], pending: [] as string[] };
  for (const id of c.children) {
    const child = ws.get(id) as TraceRecord;
    if (child.docType === 'pack') {
      if (child.status === 'shipped' && child.shipment?.to === actor.org) ws.carry(child, { type: 'receive', via: c.id, completeness: 'verified' }, actor, at);
      else if (child.completeness !== 'verified') ws.put(touch(child, { completeness: 'verified' }, at));
      result.verified.push(id);
    } else if (child.status === 'shipped' && child.shipment?.to === actor.org) {
      const sub = receiveTree(ws, child, new Set(), new Set(), undefined, actor, at);
      result.inferred.push(...sub.inferred);
      result.pending.push(...sub.pending);
    }
  }
  return { ...ws.result(), ...result };
}

function receiveTree(ws: Workset, root: ContainerRecord, scanned: ReadonlySet<string>, brokenSeals: ReadonlySet<string>, site: string | undefined, actor: Actor, at: IsoTimestamp, underException = false): ReceiptResult {
  const tree = subtree(ws, root);
  const all = new Set([root.id, ...tree.map((r) => r.id)]);

  // A container whose children were scanned at all has been checked in full: every child must be
  // there. Scans that belong nowhere in the load are unexpected serials.
  const unexpected = [...scanned].filter((s) => !all.has(s)).sort();
  const mismatches: Mismatch[] = [];
  for (const c of [root, ...tree]) {
    if (c.docType !== 'container' || !c.children.some((k) => scanned.has(k))) continue;
    const m = mismatchOf(c, scanned, mismatches.length === 0 ? unexpected : []);
    if (m && m.missing.length) mismatches.push(m);
  }
  if (unexpected.length && mismatches.length === 0) mismatches.push(mismatchOf(root, new Set(root.children), unexpected) as Mismatch);
  if (mismatches.length && !underException) throw mismatchError(mismatches);
  const broken = new Set([...brokenSeals, ...mismatches.filter((m) => m.missing.length).map((m) => m.container)]);
  const isBroken = (c: ContainerRecord): boolean => !c.sealed || broken.has(c.id);

  // Which records physically arrived: the root, everything under intact containers, and whatever
  // was scanned behind a broken seal.
  const reached = new Set<string>([root.id]);
  const queue: ContainerRecord[] = [root];
  while (queue.length) {
    const c = queue.shift() as ContainerRecord;
    if (!reached.has(c.id)) continue;
    for (const id of c.children) {
      if (!isBroken(c) || scanned.has(id)) reached.add(id);
      const child = ws.get(id) as TraceRecord;
      if (child.docType === 'container') queue.push(child);
    }
  }

  const shipment = root.shipment as Shipment;
  const result = { inferred: [] as string[], verified: [] as string[], pending: [] as string[] };
  for (const r of [root, ...tree]) {
    if (r.docType === 'container') {
      if (!reached.has(r.id)) continue;
      const receivedSite = site ?? shipment.toSite ?? actor.site;
      ws.put(touch(r, { status: 'packed', shipment: undefined, owner: shipment.to, custodian: shipment.to, receipts: r.receipts + 1, sealed: r.sealed && !broken.has(r.id), site: receivedSite }, at));
    } else if (reached.has(r.id)) {
      const completeness = scanned.has(r.id) ? 'verified' : 'inferred';
      ws.carry(r, { type: 'receive', via: root.id, completeness, ...(site ? { site } : {}) }, actor, at);
      (completeness === 'verified' ? result.verified : result.inferred).push(r.id);
    } else {
      // Known only from the aggregation record: stays in transit, flagged inferred, until scanned.
      if (r.completeness !== 'inferred') ws.put(touch(r, { completeness: 'inferred' }, at));
      result.pending.push(r.id);
    }
  }
  return { ...ws.result(), ...result };
}

function mismatchOf(c: ContainerRecord, scanned: ReadonlySet<string>, unexpected: readonly string[]): Mismatch | undefined {
  const missing = c.children.filter((k) => !scanned.has(k));
  if (!missing.length && !unexpected.length) return undefined;
  const scannedHere = c.children.length - missing.length + unexpected.length;
  return {
    container: c.id,
    expected: c.children.length,
    scanned: scannedHere,
    missing,
    unexpected: [...unexpected],
    disposition: scannedHere === c.children.length ? 'mismatch_instance' : 'mismatch_quantity',
  };
}

/** Full-content check of one container: every child scanned, nothing else. */
function compareContents(c: ContainerRecord, scanned: ReadonlySet<string>): Mismatch | undefined {
  return mismatchOf(c, scanned, [...scanned].filter((s) => !c.children.includes(s)).sort());
}

function mismatchError(mismatches: readonly Mismatch[]): DomainError {
  const first = mismatches[0] as Mismatch;
  const parts = [first.missing.length ? `${first.missing.length} missing` : '', first.unexpected.length ? `${first.unexpected.length} unexpected` : ''].filter(Boolean).join(', ');
  return new DomainError('AGGREGATION_MISMATCH', `contents of ${first.container} do not match the aggregation record: expected ${first.expected}, scanned ${first.scanned} (${parts}); receipt blocked`, {
    reason: first.disposition,
    disposition: first.disposition,
    mismatches,
  });
}

function illegalContainer(c: ContainerRecord, command: string, reason: string): DomainError {
  return new DomainError('ILLEGAL_TRANSITION', `cannot ${command} ${c.id}: ${reason}`, { id: c.id, from: c.status, command, reason });
}

export function isPack(record: TraceRecord | undefined): record is PackRecord {
  return record?.docType === 'pack';
}

export function isContainer(record: TraceRecord | undefined): record is ContainerRecord {
  return record?.docType === 'container';
}
