import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  canonicalJson, DomainError, isContainer, isOpenException, isPack, parseEpcUri, parseTimestamp, withCheckDigit, type ExceptionRecord, type ExcursionDecisionRecord, type OrgId, type PartnerRecord, type ReadingsAnchorRecord, type ShipmentRecord,
} from '@pedigree/domain';
import { KeyType } from './keys';
import { reading } from './master-data.contract';
import { recordEvent } from './recorder';
import { WorldState } from './world-state';

/**
 * Cold chain on the ledger (issue 18, docs/cold-chain.md): the salted digests of logger readings
 * batches, each anchored with the shipment, container or location it was recorded on. The readings
 * stay in each organisation's own store; an anchor is written once and never rewritten, so a stored
 * batch can later be checked against it by either party. And the manufacturer's decision on a
 * temperature excursion its exception holds packs for.
 */
@Info({ title: 'ColdChain', description: 'Anchors of logger readings batches' })
export class ColdChainContract extends Contract {
  constructor() {
    super('coldchain');
  }

  @Transaction()
  @Returns('string')
  async AnchorReadings(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'AnchorReadings', commandJson, async (c, { state, at, actor, ctx: tx }) => {
      if (parseTimestamp(c.firstAt).epochMs > parseTimestamp(c.lastAt).epochMs) {
        throw new DomainError('COMMAND_INVALID', 'AnchorReadings: firstAt is after lastAt', { command: 'AnchorReadings', field: 'firstAt', reason: 'span reversed' });
      }
      await requireRecorder(state, c.source, actor);
      const key = [c.source.kind, c.source.id, c.batchSha256];
      const existing = await state.read<ReadingsAnchorRecord>(KeyType.readingsAnchor, ...key);
      if (existing) throw new DomainError('READINGS_INVALID', `batch ${c.batchSha256} of ${c.source.kind} ${c.source.id} was anchored by ${existing.anchoredBy} in transaction ${existing.txId}`, { reason: 'already anchored', txId: existing.txId });
      const anchor: ReadingsAnchorRecord = {
        docType: 'readingsAnchor', source: c.source, batchSha256: c.batchSha256, readingCount: c.readingCount, firstAt: c.firstAt, lastAt: c.lastAt,
        ...(c.deviceId ? { deviceId: c.deviceId } : {}), anchoredBy: actor, txId: tx.stub.getTxID(), anchoredAt: at,
      };
      await state.write(KeyType.readingsAnchor, key, anchor);
      return { records: [], epcis: [], readingsAnchor: anchor };
    });
  }

  /**
   * The manufacturer's decision on a temperature excursion: release (with the stability data that
   * supports it) or destroy. One decision per exception; the holder resolves and closes it.
   */
  @Transaction()
  @Returns('string')
  async DecideExcursion(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'DecideExcursion', commandJson, async (c, { state, at, actor, ctx: tx }) => {
      const exception = await state.read<ExceptionRecord>(KeyType.exception, c.receiver, c.exceptionId);
      if (!exception) throw new DomainError('NOT_FOUND', `no exception ${c.exceptionId} of ${c.receiver} is on the ledger`);
      if (exception.rule !== 'temperature_excursion') throw new DomainError('EXCEPTION_INVALID', `exception ${c.exceptionId} is ${exception.rule}, not a temperature excursion`, { reason: 'rule' });
      if (!isOpenException(exception.state)) throw new DomainError('EXCEPTION_TRANSITION', `exception ${c.exceptionId} is ${exception.state}: nothing is left to decide`, { id: c.exceptionId, from: exception.state, action: 'decide' });
      if (c.decision === 'release' && !c.stabilityDataRef) throw new DomainError('COMMAND_INVALID', 'DecideExcursion: a release needs stabilityDataRef, the stability data that supports it', { command: 'DecideExcursion', field: 'stabilityDataRef', reason: 'stabilityDataRef missing' });
      const packs = exception.held.length ? exception.held : exception.subjects;
      for (const epc of packs) {
        const pack = await state.trace(epc);
        if (isPack(pack) && pack.manufacturer !== actor) {
          throw new DomainError('NOT_MANUFACTURER', `${epc} is made by ${pack.manufacturer}; only its manufacturer decides on its excursion`, { role: 'manufacturer', actor, expected: pack.manufacturer });
        }
      }
      const key = [c.receiver, c.exceptionId];
      const earlier = await state.read<ExcursionDecisionRecord>(KeyType.excursionDecision, ...key);
      if (earlier) throw new DomainError('EXCEPTION_TRANSITION', `exception ${c.exceptionId} was decided (${earlier.decision}) in transaction ${earlier.txId}`, { id: c.exceptionId, action: 'decide', reason: 'decided' });
      const decision: ExcursionDecisionRecord = {
        docType: 'excursionDecision', receiver: c.receiver, exceptionId: c.exceptionId, decision: c.decision,
        ...(c.stabilityDataRef ? { stabilityDataRef: c.stabilityDataRef } : {}), ...(c.note ? { note: c.note } : {}),
        packs: [...packs], decidedBy: actor, decidedAt: at, txId: tx.stub.getTxID(),
      };
      await state.write(KeyType.excursionDecision, key, decision);
      return { records: [], epcis: [], excursionDecision: decision };
    });
  }

  @Transaction(false)
  @Returns('string')
  async GetExcursionDecision(ctx: Context, receiver: string, exceptionId: string): Promise<string> {
    return reading(async () => {
      const decision = await new WorldState(ctx).read<ExcursionDecisionRecord>(KeyType.excursionDecision, receiver, exceptionId);
      if (!decision) throw new DomainError('NOT_FOUND', `the manufacturer has not decided on exception ${exceptionId} of ${receiver}`);
      return canonicalJson(decision);
    });
  }

  /** The anchor of one batch (NOT_FOUND when it was never anchored). */
  @Transaction(false)
  @Returns('string')
  async GetReadingsAnchor(ctx: Context, kind: string, id: string, batchSha256: string): Promise<string> {
    return reading(async () => {
      const anchor = await new WorldState(ctx).read<ReadingsAnchorRecord>(KeyType.readingsAnchor, kind, id, batchSha256);
      if (!anchor) throw new DomainError('NOT_FOUND', `no readings batch ${batchSha256} is anchored for ${kind} ${id}`);
      return canonicalJson(anchor);
    });
  }
}

/** Who may anchor readings recorded on a source: a party to the shipment, the container's holder, the location's. */
async function requireRecorder(state: WorldState, source: ReadingsAnchorRecord['source'], actor: OrgId): Promise<void> {
  const refuse = (why: string) => new DomainError('NOT_CUSTODIAN', `${actor} may not anchor readings of ${source.kind} ${source.id}: ${why}`, { actor, source });
  if (source.kind === 'shipment') {
    const shipment = await state.read<ShipmentRecord>(KeyType.shipment, source.id);
    if (!shipment) throw new DomainError('NOT_FOUND', `shipment ${source.id} is not on the ledger`);
    if (shipment.from !== actor && shipment.to !== actor) throw refuse(`the shipment is from ${shipment.from} to ${shipment.to}`);
  } else if (source.kind === 'container') {
    const container = await state.trace(source.id);
    if (!isContainer(container)) throw new DomainError('NOT_FOUND', `container ${source.id} is not on the ledger`);
    if (container.custodian !== actor && container.owner !== actor) throw refuse(`it is held by ${container.custodian}`);
  } else {
    const partner = (await state.read<PartnerRecord>(KeyType.partner, actor)) as PartnerRecord;
    const gln = glnOfLocation(source.id);
    if (!gln || !partner.glns.includes(gln)) throw refuse(`its GLN is not one of ${actor}'s sites`);
  }
}

/** The GLN of a location given as a GLN or an SGLN URN (company prefix and location reference, its check digit computed). */
function glnOfLocation(id: string): string | undefined {
  if (/^\d{13}$/.test(id)) return id;
  const uri = parseEpcUri(id);
  if (uri?.kind !== 'id' || uri.scheme !== 'sgln') return undefined;
  return withCheckDigit(`${uri.parts[0]}${uri.parts[1]}`);
}
