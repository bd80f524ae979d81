import type { Context } from 'fabric-contract-api';
import {
  canonicalJson, commandAuthority, DomainError, isDomainError, parseLedgerCommand, sha256Hex, type CapturePart, type CaptureResult, type CaptureTransaction,
  type CarriedCommand, type LedgerCommandInputs, type LedgerCommandName, type TraceabilityBatchEvent, type IsoTimestamp, type OrgId, type PartnerRecord, type TraceRecord,
} from '@pedigree/domain';
import { ChaincodeError, toChaincodeError } from './errors';
import { KeyType } from './keys';
import type { ChaincodeEventType, EventReceipt, TraceabilityEvent, WriteResult } from '@pedigree/domain';
import { assertTimely, txTime, WorldState } from './world-state';

/** Upper bound on identifiers named in one command: keeps proposal, write set and event well under gRPC and block limits. */
export const MAX_IDS_PER_TX = 5000;

/** What a command handler hands back: the changed records and the EPCIS events describing them. */
export type Outcome = Omit<TraceabilityEvent, 'schema' | 'version' | 'type' | 'eventId' | 'txId' | 'txTime' | 'actor'> & {
  /** Packs whose change their container may carry (AggregationResult.carried); storage only, never in the event. */
  readonly carried?: ReadonlyMap<string, readonly CarriedCommand[]>;
};

export interface CommandScope {
  readonly ctx: Context;
  readonly state: WorldState;
  /** Transaction time: the `at` of every domain call. */
  readonly at: IsoTimestamp;
  /** The caller's organisation, from its certificate; never from the arguments. */
  readonly actor: OrgId;
  readonly eventId: string;
}


export function requireList(value: unknown, name: string, type: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new DomainError('COMMAND_INVALID', `${type}: ${name} must be a non-empty list of strings`, { command: type, reason: `${name} missing` });
  }
  if (value.length > MAX_IDS_PER_TX) throw new ChaincodeError('BATCH_TOO_LARGE', `${type}: ${value.length} ${name} in one transaction; at most ${MAX_IDS_PER_TX}`);
  if (new Set(value).size !== value.length) throw new DomainError('COMMAND_INVALID', `${type}: ${name} lists an identifier twice`, { command: type, reason: 'duplicate identifier' });
  return value as string[];
}

/** A command's handler: applies the domain rules and returns what changed. */
export type Handler<K extends LedgerCommandName> = (command: LedgerCommandInputs[K], scope: CommandScope) => Promise<Outcome>;

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
export async function recordEvent<K extends LedgerCommandName>(ctx: Context, transaction: K, commandJson: string, handler: Handler<K>): Promise<string> {
  try {
    assertTimely(ctx);
    const command = parseLedgerCommand(transaction, commandJson);
    const state = new WorldState(ctx);
    const applied = await runCommand(ctx, state, transaction, command, handler);
    if (applied.event) ctx.stub.setEvent(applied.event.type, Buffer.from(canonicalJson(applied.event, state.serialised)));
    return canonicalJson(applied.result);
  } catch (err) {
    throw toChaincodeError(err);
  }
}

/**
 * Records a Capture: every part runs as `recordEvent` would run it alone (its roles, its receipt,
 * its rules), in order over one WorldState, so each part sees what the earlier ones wrote; the first
 * refusal refuses the whole transaction, so a document is recorded whole or not at all. Fabric keeps
 * one chaincode event per transaction: the parts' events travel together in a batch event.
 */
export async function recordCapture(ctx: Context, commandJson: string, handlers: { readonly [K in CaptureTransaction]: Handler<K> }): Promise<string> {
  try {
    assertTimely(ctx);
    const capture = parseLedgerCommand('Capture', commandJson);
    const state = new WorldState(ctx);
    await requireAuthority(ctx, state, 'Capture', ctx.clientIdentity.getMSPID(), txTime(ctx));
    const named = capture.commands.reduce((n, part) => n + identifiersOf(part), 0);
    if (named > MAX_IDS_PER_TX) throw new ChaincodeError('BATCH_TOO_LARGE', `Capture: its commands name ${named} identifiers; at most ${MAX_IDS_PER_TX} in one transaction`);
    const results: WriteResult[] = [];
    const events: TraceabilityEvent[] = [];
    for (const [index, part] of capture.commands.entries()) {
      const command = capture.submittedBy && !part.command.submittedBy ? { ...part.command, submittedBy: capture.submittedBy } : part.command;
      let applied: Applied;
      try {
        applied = await runPart(ctx, state, { ...part, command } as CapturePart, handlers);
      } catch (err) {
        throw partRefused(err, index, part.transaction);
      }
      results.push(applied.result);
      if (applied.event) events.push(applied.event);
    }
    const txId = ctx.stub.getTxID();
    if (events.length) {
      const batch: TraceabilityBatchEvent = { schema: 'pedigree.traceability.batch', version: 1, eventId: capture.eventId, txId, txTime: txTime(ctx), actor: ctx.clientIdentity.getMSPID(), events };
      ctx.stub.setEvent('capture', Buffer.from(canonicalJson(batch, state.serialised)));
    }
    const result: CaptureResult = { eventId: capture.eventId, txId, results };
    return canonicalJson(result);
  } catch (err) {
    throw toChaincodeError(err);
  }
}

/** TypeScript does not correlate a union's transaction with its handler; this one place does. */
function runPart(ctx: Context, state: WorldState, part: CapturePart, handlers: { readonly [K in CaptureTransaction]: Handler<K> }): Promise<Applied> {
  const handler = handlers[part.transaction] as Handler<CaptureTransaction>;
  return runCommand(ctx, state, part.transaction, part.command as LedgerCommandInputs[CaptureTransaction], handler);
}

function identifiersOf(part: CapturePart): number {
  const c = part.command as { epcs?: readonly string[]; serials?: readonly string[]; children?: readonly string[]; scanned?: readonly string[] };
  return (c.epcs?.length ?? 0) + (c.serials?.length ?? 0) + (c.children?.length ?? 0) + (c.scanned?.length ?? 0);
}

/** A part's refusal names the part, keeping its code: the client learns which event to fix. */
function partRefused(err: unknown, index: number, transaction: CaptureTransaction): unknown {
  if (isDomainError(err)) return new DomainError(err.code, `commands[${index}] (${transaction}): ${err.message}`, { ...err.details, part: index });
  if (err instanceof ChaincodeError) return new ChaincodeError(err.code, `commands[${index}] (${transaction}): ${err.message.slice(err.code.length + 2)}`);
  return err;
}

/** One command applied in a transaction: its answer, and its event unless it was a duplicate. */
interface Applied {
  readonly result: WriteResult;
  readonly event?: TraceabilityEvent;
}

async function runCommand<K extends LedgerCommandName>(ctx: Context, state: WorldState, transaction: K, command: LedgerCommandInputs[K], handler: Handler<K>): Promise<Applied> {
  const type = commandAuthority(transaction).event as ChaincodeEventType;
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
    return { result: { duplicate: true, eventId: command.eventId, type, txId: seen.txId, changed: [] } };
  }

  const { carried, ...outcome } = await handler(command, { ctx, state, at, actor, eventId: command.eventId });
  await state.putTraces(outcome.records as readonly TraceRecord[], carried, at);
  const receipt: EventReceipt = { docType: 'event', eventId: command.eventId, type, commandSha256, txId, at, actor, ...(submittedBy ? { submittedBy } : {}) };
  await state.write(KeyType.event, [command.eventId, actor], receipt);

  const event: TraceabilityEvent = { schema: 'pedigree.traceability', version: 1, type, eventId: command.eventId, txId, txTime: at, actor, ...(submittedBy ? { submittedBy } : {}), signer, ...outcome };
  const result: WriteResult = {
    duplicate: false,
    eventId: command.eventId,
    type,
    txId,
    changed: outcome.records.map((r) => r.id),
    ...(outcome.shipment ? { shipment: outcome.shipment } : {}),
    ...(outcome.receipt ? { receipt: outcome.receipt } : {}),
    ...(outcome.exceptions ? { exceptions: outcome.exceptions.map((x) => x.id) } : {}),
    ...(outcome.investigations ? { investigations: outcome.investigations.map((x) => x.id) } : {}),
  };
  return { result, event };
}

/**
 * The catalogue's roles, checked before any rule: governance needs an admin identity of a member;
 * everything else an admitted partner holding one of the command's roles.
 */
export async function requireAuthority(ctx: Context, state: WorldState, transaction: string, actor: OrgId, at: IsoTimestamp): Promise<void> {
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
