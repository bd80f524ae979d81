import type { Context } from 'fabric-contract-api';
import { canonicalJson, commandAuthority, DomainError, type Command, sha256Hex, type IsoTimestamp, type OrgId, type PartnerRecord, type TraceRecord } from '@pedigree/domain';
import { ChaincodeError, toChaincodeError } from './errors';
import { KeyType } from './keys';
import type { ChaincodeEventType, EventReceipt, TraceabilityEvent, WriteResult } from '@pedigree/domain';
import { assertTimely, txTime, WorldState } from './world-state';

/** Upper bound on identifiers named in one command: keeps proposal, write set and event well under gRPC and block limits. */
export const MAX_IDS_PER_TX = 5000;

/** What a command handler hands back: the changed records and the EPCIS events describing them. */
export type Outcome = Omit<TraceabilityEvent, 'schema' | 'version' | 'type' | 'eventId' | 'txId' | 'txTime' | 'actor'>;

export interface CommandScope {
  readonly ctx: Context;
  readonly state: WorldState;
  /** Transaction time: the `at` of every domain call. */
  readonly at: IsoTimestamp;
  /** The caller's organisation, from its certificate; never from the arguments. */
  readonly actor: OrgId;
  readonly eventId: string;
}


/** Parses a command argument: one JSON object carrying the client's event ID. */
export function parseCommand<T extends Command>(json: string, type: string): T {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new DomainError('COMMAND_INVALID', `${type}: argument is not JSON`, { command: type, reason: 'not JSON' });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new DomainError('COMMAND_INVALID', `${type}: argument must be a JSON object`, { command: type, reason: 'not an object' });
  const eventId = (value as { eventId?: unknown }).eventId;
  if (typeof eventId !== 'string' || eventId.length === 0 || eventId.length > 256) {
    throw new DomainError('COMMAND_INVALID', `${type}: eventId (client event ID or EPCIS event hash ID, at most 256 characters) is required`, { command: type, reason: 'eventId missing' });
  }
  const submittedBy = (value as { submittedBy?: unknown }).submittedBy;
  if (submittedBy !== undefined && (typeof submittedBy !== 'string' || !/^[\x21-\x7e][\x20-\x7e]{0,199}$/.test(submittedBy))) {
    throw new DomainError('COMMAND_INVALID', `${type}: submittedBy must be the person's identifier, 1-200 printable characters`, { command: type, reason: 'submittedBy malformed' });
  }
  return value as T;
}

export function requireList(value: unknown, name: string, type: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new DomainError('COMMAND_INVALID', `${type}: ${name} must be a non-empty list of strings`, { command: type, reason: `${name} missing` });
  }
  if (value.length > MAX_IDS_PER_TX) throw new ChaincodeError('BATCH_TOO_LARGE', `${type}: ${value.length} ${name} in one transaction; at most ${MAX_IDS_PER_TX}`);
  if (new Set(value).size !== value.length) throw new DomainError('COMMAND_INVALID', `${type}: ${name} lists an identifier twice`, { command: type, reason: 'duplicate identifier' });
  return value as string[];
}

/**
 * Runs one write command exactly once per event ID:
 * 1. the receipt of the event ID is read first: a repeat with the same content changes nothing and
 *    answers `duplicate: true` (a concurrent repeat reads the same absent receipt and loses the
 *    MVCC race at commit);
 * 2. the handler applies the domain rules and returns the changed records and EPCIS events;
 * 3. records are written (canonical JSON, key policies), then the receipt, then the single
 *    chaincode event carrying everything a read model needs.
 * Domain refusals leave as `CODE: message`.
 */
export async function recordEvent<C extends Command>(
  ctx: Context,
  transaction: string,
  commandJson: string,
  handler: (command: C, scope: CommandScope) => Promise<Outcome>,
): Promise<string> {
  try {
    const authority = commandAuthority(transaction);
    const type = authority.event as ChaincodeEventType;
    assertTimely(ctx);
    const command = parseCommand<C>(commandJson, type);
    const state = new WorldState(ctx);
    const actor = ctx.clientIdentity.getMSPID();
    const txId = ctx.stub.getTxID();
    const at = txTime(ctx);
    // Who submitted is not what was submitted: a colleague's retry of the same event is the same event.
    const { submittedBy, ...content } = command;
    const commandSha256 = sha256Hex(canonicalJson(content));
    const signer = ctx.clientIdentity.getID();
    await requireAuthority(ctx, state, transaction, actor, at);

    // Receipts are per submitting organisation: another organisation re-using an event ID is its
    // own, separate event, never "a duplicate" of ours and never able to block ours.
    const seen = await state.read<EventReceipt>(KeyType.event, command.eventId, actor);
    if (seen) {
      if (seen.type !== type || seen.commandSha256 !== commandSha256) {
        throw new ChaincodeError('DUPLICATE_EVENT', `event ID ${command.eventId} was already used by transaction ${seen.txId} for a different ${seen.type === type ? 'content' : `command (${seen.type})`}`);
      }
      const duplicate: WriteResult = { duplicate: true, eventId: command.eventId, type, txId: seen.txId, changed: [] };
      return canonicalJson(duplicate);
    }

    const outcome = await handler(command, { ctx, state, at, actor, eventId: command.eventId });
    for (const record of outcome.records) await state.putTrace(record as TraceRecord, at);
    const receipt: EventReceipt = { docType: 'event', eventId: command.eventId, type, commandSha256, txId, at, actor, ...(submittedBy ? { submittedBy } : {}) };
    await state.write(KeyType.event, [command.eventId, actor], receipt);

    const event: TraceabilityEvent = { schema: 'pedigree.traceability', version: 1, type, eventId: command.eventId, txId, txTime: at, actor, ...(submittedBy ? { submittedBy } : {}), signer, ...outcome };
    ctx.stub.setEvent(type, Buffer.from(canonicalJson(event)));
    const result: WriteResult = {
      duplicate: false,
      eventId: command.eventId,
      type,
      txId,
      changed: outcome.records.map((r) => r.id),
      ...(outcome.shipment ? { shipment: outcome.shipment } : {}),
      ...(outcome.receipt ? { receipt: outcome.receipt } : {}),
      ...(outcome.exceptions ? { exceptions: outcome.exceptions.map((x) => x.id) } : {}),
    };
    return canonicalJson(result);
  } catch (err) {
    throw toChaincodeError(err);
  }
}

/**
 * The catalogue's roles, checked before any rule: governance needs an admin identity of a member;
 * everything else an admitted partner holding one of the command's roles.
 */
async function requireAuthority(ctx: Context, state: WorldState, transaction: string, actor: OrgId, at: IsoTimestamp): Promise<void> {
  const { roles } = commandAuthority(transaction);
  if (roles === 'admin') {
    if (!isAdminIdentity(ctx)) throw new DomainError('GOVERNANCE_FORBIDDEN', `${transaction} needs an admin identity of a member organisation; ${actor}'s caller is not an admin`, { actor });
    return;
  }
  const partner = await state.read<PartnerRecord>(KeyType.partner, actor);
  if (!partner) throw new DomainError('PARTNER_UNKNOWN', `${actor} is not an admitted trading partner of the consortium`, { actor });
  if (partner.licence.validUntil < at.slice(0, 10)) {
    throw new DomainError('PARTNER_UNLICENSED', `${actor}'s licence ${partner.licence.number} expired on ${partner.licence.validUntil}; it is not an authorised trading partner`, { actor });
  }
  if (roles !== 'member' && !partner.roles.some((r) => roles.includes(r))) {
    throw new DomainError('ROLE_FORBIDDEN', `${transaction} needs a partner admitted as ${roles.join(' or ')}; ${actor} is admitted as ${partner.roles.join(', ')}`, { actor, roles: partner.roles, expected: roles });
  }
}

/** An admin of its organisation: the OU fabric's NodeOUs give admin certificates (cryptogen and Fabric CA alike). */
export function isAdminIdentity(ctx: Context): boolean {
  return /(^|[/,])OU=admin([/,]|$)/.test(ctx.clientIdentity.getID());
}
