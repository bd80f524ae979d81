import { DomainError, type DomainErrorCode } from '../errors';
import { assertIsoDate, MS_PER_DAY, parseTimestamp, type IsoDate, type IsoTimestamp } from '../time';
import { sgtinToEpcUrn } from '../gs1/epc-urn';
import { assertSerialOrLot, normaliseGtin } from '../gs1/gtin';
import { actorOf, TERMINAL_STATUSES, type Actor, type ActorRef, type Overlay, type PackRecord, type PackStatus, type QuarantineReason } from './records';
import {
  AT_REST,
  OVERLAY_RULES,
  rulesFor,
  UNDO_WINDOW_DAYS,
  type GuardName,
  type OverlayException,
  type PackCommand,
  type PackCommandType,
  type Role,
  type Target,
  type TransitionRule,
} from './transitions';

/**
 * Applies one lifecycle command to one pack: returns the next record or throws DomainError
 * (ILLEGAL_TRANSITION with from/command/reason, or a NOT_* role error). Pure: the caller supplies
 * the time, and the result depends on nothing else.
 */
export function applyCommand(pack: PackRecord | undefined, command: PackCommand, actorRef: ActorRef, at: IsoTimestamp): PackRecord {
  const actor = actorOf(actorRef);
  const now = parseTimestamp(at, 'at');
  if (command.type === 'commission') {
    if (pack) throw new DomainError('ALREADY_COMMISSIONED', `${pack.id} is already commissioned`, { id: pack.id, reason: 'serial exists' });
    return commissionPack(command, actor, at);
  }
  if (!pack) {
    throw new DomainError('NOT_COMMISSIONED', `cannot ${command.type} a pack that was never commissioned`, { command: command.type, reason: 'no commissioning record' });
  }
  checkCommandShape(command);

  const rule = ruleFor(pack, command);
  checkRole(rule.role, pack, command, actor);
  const overlays = packOverlays(pack, at);
  for (const o of OVERLAY_RULES) {
    if (overlays.includes(o.overlay) && o.blocks.includes(command.type) && !(o.unless && exceptionHolds(o.unless, command))) {
      throw illegal(pack, command.type, `pack is ${o.overlay}: ${o.why}`, { overlay: o.overlay });
    }
  }
  for (const g of rule.guards) {
    const failure = GUARDS[g](pack, command, actor, now.epochMs);
    if (failure) throw illegal(pack, command.type, failure, { guard: g });
  }
  return effectOf(pack, rule, command, actor, at);
}

/**
 * The effect of a command already accepted for this pack, without judging it again: how a pack
 * inside a container takes on the moves its container carried for it (lifecycle/carriage.ts). The
 * rules were checked when the command was accepted; the same pack, command, actor and time give the
 * same record, so replaying never differs from having written it then.
 */
export function replayCommand(pack: PackRecord, command: PackCommand, actorRef: ActorRef, at: IsoTimestamp): PackRecord {
  if (command.type === 'commission') throw commandInvalid('commission', 'a commissioning is never carried');
  return effectOf(pack, ruleFor(pack, command), command, actorOf(actorRef), at);
}

function effectOf(pack: PackRecord, rule: TransitionRule, command: PackCommand, actor: Actor, at: IsoTimestamp): PackRecord {
  const changes = EFFECTS[command.type](pack, command as never, actor, at);
  const next = withChanges(pack, { ...changes, updatedAt: at, version: pack.version + 1 });
  return withChanges(next, { status: resolveTarget(rule.to, pack, next) });
}

/** Creates the pack record; the manufacturer check is the only ownership rule at birth. */
export function commissionPack(command: Extract<PackCommand, { type: 'commission' }>, actorRef: ActorRef, at: IsoTimestamp): PackRecord {
  const actor = actorOf(actorRef);
  parseTimestamp(at, 'at');
  if (!command.manufacturer) throw commandInvalid('commission', 'manufacturer (GTIN owner from the product registry) is required');
  if (actor.org !== command.manufacturer) {
    throw new DomainError('NOT_MANUFACTURER', `only ${command.manufacturer}, the product's manufacturer, may commission it; ${actor.org} tried`, {
      command: 'commission',
      role: 'manufacturer',
      actor: actor.org,
      expected: command.manufacturer,
      reason: 'not the manufacturer',
    });
  }
  const gtin = normaliseGtin(command.gtin);
  const serial = assertSerialOrLot(command.serial, '21');
  const lot = assertSerialOrLot(command.lot, '10');
  const expiry = assertIsoDate(command.expiry, 'expiry');
  const id = sgtinToEpcUrn(gtin, serial, { companyPrefixLength: command.companyPrefixLength, labelerDigits: command.labelerDigits });
  const site = command.site ?? actor.site;
  return {
    docType: 'pack',
    id,
    gtin,
    serial,
    lot,
    expiry,
    manufacturer: actor.org,
    owner: actor.org,
    custodian: actor.org,
    owners: [actor.org],
    ...(site ? { site } : {}),
    status: 'commissioned',
    receipts: 0,
    commissionedAt: at,
    updatedAt: at,
    version: 1,
  };
}

/** Expiry the pack is judged by: the FDA-sanctioned extension when there is one. */
export function effectiveExpiry(pack: PackRecord): IsoDate {
  return pack.expiryExtendedTo ?? pack.expiry;
}

/**
 * Expired when the calendar date at the actor's location (the timestamp's own offset) is after the
 * expiry date: a pack is usable through its expiry day.
 */
export function isExpired(pack: PackRecord, at: IsoTimestamp): boolean {
  return parseTimestamp(at, 'at').localDate > effectiveExpiry(pack);
}

export function packOverlays(pack: PackRecord, at: IsoTimestamp): Overlay[] {
  return isExpired(pack, at) ? [...packHolds(pack), 'expired'] : packHolds(pack);
}

/**
 * The overlays that do not depend on the clock (a hold someone placed: quarantine, recall, a return
 * awaiting verification). Read models store these; expiry they compare with the day they answer for.
 */
export function packHolds(pack: PackRecord): Overlay[] {
  const holds: Overlay[] = [];
  // An investigation's hold is a quarantine the investigator placed on stock it does not hold.
  if (pack.quarantine || pack.investigation) holds.push('quarantined');
  if (pack.recall) holds.push('recalled');
  if (pack.returned) holds.push('returned');
  return holds;
}

/**
 * Sellable but for the clock: at rest and with no hold. A read model stores this and adds the
 * expiry comparison for the day asked, so the rule is this one and not an SQL copy of it.
 */
export function isSellableAtRest(pack: PackRecord): boolean {
  return AT_REST.includes(pack.status) && packHolds(pack).length === 0;
}

/** On-hand and sellable: at rest, not terminal, no hold, not expired. What forecasting counts as stock (FEFO). */
export function isSellable(pack: PackRecord, at: IsoTimestamp): boolean {
  return isSellableAtRest(pack) && !isExpired(pack, at);
}

/** Which commands the actor could issue now: drives UI buttons and API hints. */
export function allowedCommands(pack: PackRecord, actorRef: ActorRef, at: IsoTimestamp): PackCommandType[] {
  const actor = actorOf(actorRef);
  const overlays = packOverlays(pack, at);
  return [...new Set(
    (['pack', 'unpack', 'ship', 'voidShipping', 'receive', 'dispense', 'undoDispense', 'decommission', 'destroy', 'quarantine', 'release', 'recall', 'verifyReturn', 'extendExpiry'] as const).filter((type) =>
      rulesFor(type).some(
        (r) =>
          r.from.includes(pack.status) &&
          roleHolder(r.role, pack) === actor.org &&
          !OVERLAY_RULES.some((o) => overlays.includes(o.overlay) && o.blocks.includes(type) && !o.unless),
      ),
    ),
  )];
}

// ------------------------------------------------------------------------------------------------

function ruleFor(pack: PackRecord, command: PackCommand): TransitionRule {
  const rules = rulesFor(command.type);
  if (rules.length === 0) throw commandInvalid(command.type, 'unknown command');
  const rule = rules.find((r) => r.from.includes(pack.status));
  if (rule) return rule;
  if (TERMINAL_STATUSES.includes(pack.status)) {
    // A second dispense of a dispensed serial is the classic sign of a counterfeit or a diverted
    // pack re-entering the chain (EU: NMVS_NC_PCK_22). Flag it so the caller can quarantine/report.
    const suspect = command.type === 'dispense' || command.type === 'ship' || command.type === 'receive';
    throw illegal(pack, command.type, `pack is already ${pack.status}`, suspect ? { suspect: true } : {});
  }
  const allowed = rules.flatMap((r) => r.from);
  throw illegal(pack, command.type, `not allowed while ${pack.status} (allowed from: ${allowed.join(', ') || 'none'})`);
}

function roleHolder(role: Role, pack: PackRecord): string | undefined {
  switch (role) {
    case 'manufacturer':
      return pack.manufacturer;
    case 'owner':
      return pack.owner;
    case 'custodian':
      return pack.custodian;
    case 'addressee':
      return pack.shipment?.to;
    case 'shipper':
      return pack.shipment?.from;
    case 'dispenser':
      return pack.dispensed?.by;
  }
}

const ROLE_ERROR: Readonly<Record<Role, DomainErrorCode>> = {
  manufacturer: 'NOT_MANUFACTURER',
  owner: 'NOT_OWNER',
  custodian: 'NOT_CUSTODIAN',
  addressee: 'NOT_ADDRESSEE',
  shipper: 'NOT_OWNER',
  dispenser: 'NOT_CUSTODIAN',
};

function checkRole(role: Role, pack: PackRecord, command: PackCommand, actor: Actor): void {
  const expected = roleHolder(role, pack);
  if (expected !== actor.org) {
    throw new DomainError(ROLE_ERROR[role], `${command.type} of ${pack.id} needs the ${role} (${expected ?? 'none'}); ${actor.org} is not`, {
      id: pack.id,
      command: command.type,
      role,
      actor: actor.org,
      expected,
      reason: `not the ${role}`,
    });
  }
}

function illegal(pack: PackRecord, command: string, reason: string, extra: Record<string, unknown> = {}): DomainError {
  return new DomainError('ILLEGAL_TRANSITION', `cannot ${command} ${pack.id}: ${reason}`, { id: pack.id, from: pack.status, command, reason, ...extra });
}

function commandInvalid(command: string, reason: string): DomainError {
  return new DomainError('COMMAND_INVALID', `${command}: ${reason}`, { command, reason });
}

const QUARANTINE_REASONS: readonly QuarantineReason[] = ['suspect', 'illegitimate', 'no_pedigree_match', 'stolen', 'damaged', 'expired'];

function checkCommandShape(command: PackCommand): void {
  switch (command.type) {
    case 'pack':
      if (!command.parent) throw commandInvalid('pack', 'parent container is required');
      return;
    case 'ship':
      if (!command.to) throw commandInvalid('ship', 'addressee (to) is required');
      if (command.purpose !== undefined && command.purpose !== 'sale' && command.purpose !== 'return') throw commandInvalid('ship', `purpose must be sale or return, got ${String(command.purpose)}`);
      return;
    case 'quarantine':
      if (!QUARANTINE_REASONS.includes(command.reason)) throw commandInvalid('quarantine', `reason must be one of ${QUARANTINE_REASONS.join(', ')}`);
      return;
    case 'recall':
      if (!command.recallId) throw commandInvalid('recall', 'recallId is required');
      return;
    case 'extendExpiry':
      assertIsoDate(command.until, 'until');
      return;
    default:
      return;
  }
}

function exceptionHolds(exception: OverlayException, command: PackCommand): boolean {
  switch (exception) {
    case 'isReturnShipment':
      return command.type === 'ship' && command.purpose === 'return';
  }
}

/** Guard -> undefined when satisfied, otherwise the reason it failed. */
const GUARDS: Readonly<Record<GuardName, (pack: PackRecord, command: PackCommand, actor: Actor, nowMs: number) => string | undefined>> = {
  loose: (p) => (p.parent ? `pack is aggregated in ${p.parent}; unpack it first` : undefined),
  looseOrViaContainer: (p, c) =>
    p.parent && !('via' in c && c.via) ? `pack travels inside ${p.parent}; move the container (or unpack it first)` : undefined,
  notAggregated: (p) => (p.parent ? `pack is already aggregated in ${p.parent}` : undefined),
  notToSelf: (p, c) => (c.type === 'ship' && c.to === p.owner ? `${p.owner} already owns it; a shipment needs another addressee` : undefined),
  returnGoesUpstream: (p, c) => {
    if (c.type !== 'ship' || c.purpose !== 'return') return undefined;
    // The seller is whoever the current owner first bought it from; later hops back and forth
    // (an earlier return) do not make a downstream customer a valid return address.
    const first = p.owners.indexOf(p.owner);
    const seller = first > 0 ? p.owners[first - 1] : undefined;
    return c.to === seller || c.to === p.manufacturer
      ? undefined
      : `a return must go to the seller it was bought from (${seller ?? 'none'}) or the manufacturer (${p.manufacturer}); ${c.to} never sold it to ${p.owner}`;
  },
  notQuarantined: (p) => (p.quarantine ? `already quarantined (${p.quarantine.reason}) since ${p.quarantine.since}` : undefined),
  isQuarantined: (p) => (p.quarantine ? undefined : 'pack is not quarantined'),
  notRecalled: (p) => (p.recall ? `already recalled (${p.recall.recallId})` : undefined),
  isReturned: (p) => (p.returned ? undefined : 'pack is not a pending return'),
  undoWindow: (p, _c, actor, nowMs) => {
    const d = p.dispensed;
    if (!d) return 'no dispensing to undo';
    if (d.site !== undefined && actor.site !== d.site) return `undo must come from the dispensing site ${d.site}`;
    const elapsed = nowMs - parseTimestamp(d.at).epochMs;
    if (elapsed < 0) return 'undo is dated before the dispensing';
    return elapsed > UNDO_WINDOW_DAYS * MS_PER_DAY ? `the ${UNDO_WINDOW_DAYS}-day undo window closed (dispensed ${d.at})` : undefined;
  },
  laterExpiry: (p, c) => (c.type === 'extendExpiry' && !(c.until > effectiveExpiry(p)) ? `new expiry ${c.until} is not after ${effectiveExpiry(p)}` : undefined),
};

type Changes = { -readonly [K in keyof PackRecord]?: PackRecord[K] | undefined };
type Effect<C extends PackCommand> = (pack: PackRecord, command: C, actor: Actor, at: IsoTimestamp) => Changes;
type Effects = { readonly [T in Exclude<PackCommandType, 'commission'>]: Effect<Extract<PackCommand, { type: T }>> } & { readonly commission: Effect<never> };

/** What each command changes (status comes from the transition table). */
const EFFECTS: Effects = {
  commission: () => ({}),
  pack: (_p, c) => ({ parent: c.parent }),
  unpack: () => ({ parent: undefined }),
  ship: (p, c, _a, at) => ({
    shipment: {
      from: p.owner,
      to: c.to,
      ...(c.toSite ? { toSite: c.toSite } : {}),
      purpose: c.purpose ?? 'sale',
      shippedAt: at,
      ...(c.via ? { via: c.via } : {}),
      ...(c.bizTransactions?.length ? { bizTransactions: [...c.bizTransactions] } : {}),
    },
  }),
  voidShipping: () => ({ shipment: undefined }),
  receive: (p, c, actor, at) => {
    const s = p.shipment as NonNullable<PackRecord['shipment']>;
    const site = c.site ?? s.toSite ?? actor.site;
    return {
      owner: s.to,
      custodian: s.to,
      owners: p.owners[p.owners.length - 1] === s.to ? p.owners : [...p.owners, s.to],
      site,
      receipts: p.receipts + 1,
      completeness: c.completeness ?? 'verified',
      shipment: undefined,
      returned: s.purpose === 'return' ? { since: at, from: s.from } : p.returned,
    };
  },
  dispense: (_p, c, actor, at) => ({ dispensed: { at, by: actor.org, ...((c.site ?? actor.site) ? { site: c.site ?? actor.site } : {}) } }),
  undoDispense: () => ({ dispensed: undefined }),
  decommission: (_p, c) => ({ decommissionReason: c.reason }),
  destroy: () => ({}),
  quarantine: (_p, c, actor, at) => ({ quarantine: { reason: c.reason, since: at, by: actor.org } }),
  release: () => ({ quarantine: undefined }),
  recall: (_p, c, _a, at) => ({ recall: { recallId: c.recallId, since: at } }),
  // A return whose identifier does not verify is treated as suspect product and held.
  verifyReturn: (_p, c, actor, at) => (c.verified ? { returned: undefined } : { returned: undefined, quarantine: { reason: 'suspect', since: at, by: actor.org } }),
  extendExpiry: (_p, c) => ({ expiryExtendedTo: c.until }),
};

function resolveTarget(target: Target, before: PackRecord, after: PackRecord): PackStatus {
  if (target === 'UNCHANGED') return before.status;
  if (target === 'AT_REST') return after.parent ? 'packed' : after.receipts > 0 ? 'received' : 'commissioned';
  return target;
}

/** Spread changes, then drop keys whose value is undefined so stored JSON has no holes. */
function withChanges(pack: PackRecord, changes: Changes): PackRecord {
  const next: Record<string, unknown> = { ...pack, ...changes };
  for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
  return next as unknown as PackRecord;
}
