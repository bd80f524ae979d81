import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  actOnException,
  applyCommand,
  canonicalJson,
  DomainError,
  holdReason,
  isNonMemberParty,
  isOpenException,
  isPack,
  quarantineEvent,
  raiseException,
  releaseEvent,
  type EpcisEvent,
  type ExceptionAction,
  type ExceptionRecord,
  type LedgerCommandInputs,
  type OrgId,
  type PackRecord,
  type ShipmentRecord,
} from '@pedigree/domain';
import { ChaincodeError } from './errors';
import { KeyType } from './keys';
import { reading } from './master-data.contract';
import { recordEvent, type CommandScope, type Outcome } from './recorder';
import { isPackId, WorldState } from './world-state';

const MAX_FINDINGS_PER_TX = 100;
type StepTransaction = 'ReferException' | 'AnswerException' | 'ResolveException' | 'CloseException' | 'EscalateException';

/**
 * Receiving exceptions between members. An exception is keyed by its receiver
 * (exception~{receiver}~{id}) and indexed by shipment (exceptionOfShipment~{receiver}~{shipment}~{id});
 * its key-level policy is "(receiver's OR seller's peer) AND another member's peer", so either party
 * can move it (the seller answers, the receiver does the rest) and neither alone can rewrite it. The
 * packs it holds are quarantined and released through the pack lifecycle (applyCommand), in the
 * same transaction as the step that holds or frees them. The rules are @pedigree/domain's.
 */
@Info({ title: 'Exceptions', description: 'Receiving exceptions: raise, refer, answer with corrected data, resolve, close' })
export class ExceptionsContract extends Contract {
  constructor() {
    super('exceptions');
  }

  /** The receiver raises one shipment's findings; each finding's packs in its custody are held. */
  @Transaction()
  @Returns('string')
  async RaiseExceptions(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'RaiseExceptions', commandJson, async (c, scope) => {
      const { state, at, actor, eventId } = scope;
      if (!Array.isArray(c.findings) || c.findings.length === 0 || c.findings.length > MAX_FINDINGS_PER_TX) {
        throw new DomainError('EXCEPTION_INVALID', `raiseExceptions: findings must list 1-${MAX_FINDINGS_PER_TX} findings`, { reason: 'findings' });
      }
      const changed = new Map<string, PackRecord>();
      const exceptions: ExceptionRecord[] = [];
      const epcis: EpcisEvent[] = [];
      for (const [i, finding] of c.findings.entries()) {
        const shipment = await state.read<ShipmentRecord>(KeyType.shipment, String(finding?.shipmentId ?? ''));
        if (!shipment) throw new DomainError('EXCEPTION_INVALID', `finding ${i + 1}: shipment ${JSON.stringify(finding?.shipmentId)} is not on the ledger`, { reason: 'shipment unknown' });
        // The receiver is the addressee, except when the finding is that the shipment is someone else's.
        const elsewhere = finding.rule === 'addressed_elsewhere';
        if (elsewhere ? shipment.to === actor : shipment.to !== actor) {
          throw new DomainError('EXCEPTION_PARTY', `finding ${i + 1}: ${actor} is ${elsewhere ? '' : 'not '}the addressee of shipment ${shipment.id}`, { actor, action: 'raise', rule: finding.rule });
        }
        if (finding.seller !== shipment.from) throw new DomainError('EXCEPTION_INVALID', `finding ${i + 1}: shipment ${shipment.id} was sent by ${shipment.from}, not ${finding.seller}`, { reason: 'seller' });
        const id = `${eventId}#${i + 1}`;
        if (await state.read(KeyType.exception, actor, id)) throw new DomainError('EXCEPTION_INVALID', `exception ${id} exists`, { reason: 'duplicate' });

        // Held: the finding's packs this receiver has in custody; one already held stays so.
        const held: string[] = [];
        const fresh: string[] = [];
        for (const epc of finding.hold ?? []) {
          if (!isPackId(epc)) continue;
          const pack = changed.get(epc) ?? (await state.trace(epc));
          if (!isPack(pack) || pack.custodian !== actor || pack.status === 'shipped') continue;
          // Held for an exception against this seller: the pack must have come through the seller.
          if (!pack.owners.includes(shipment.from)) {
            throw new DomainError('EXCEPTION_INVALID', `finding ${i + 1}: ${epc} never belonged to ${shipment.from}; it cannot be held for an exception against its shipment`, { reason: 'hold', id: epc });
          }
          if (!pack.quarantine) {
            changed.set(epc, applyCommand(pack, { type: 'quarantine', reason: holdReason(finding.rule) }, actor, at));
            fresh.push(epc);
          }
          held.push(epc);
        }
        const record = raiseException({ id, finding: { ...finding, hold: held }, ...(c.evidenceSha256 ? { evidenceSha256: c.evidenceSha256 } : {}), refer: c.refer === true, ...(c.clock ? { clock: c.clock } : {}) }, actor, at);
        await putException(state, record, true);
        exceptions.push(record);
        if (fresh.length) epcis.push(quarantineEvent({ eventTime: at, epcs: fresh, reason: holdReason(finding.rule) }));
      }
      return { records: [...changed.values()], epcis, exceptions };
    });
  }

  @Transaction()
  @Returns('string')
  async ReferException(ctx: Context, commandJson: string): Promise<string> {
    return this.step(ctx, 'ReferException', commandJson, () => ({ type: 'refer' }));
  }

  /** The seller's answer: corrected data recorded and re-checked against the finding and the ledger. */
  @Transaction()
  @Returns('string')
  async AnswerException(ctx: Context, commandJson: string): Promise<string> {
    return this.step(ctx, 'AnswerException', commandJson, (c) => ({
      type: 'answer', ...(c.note !== undefined ? { note: c.note } : {}), ...(c.correction !== undefined ? { correction: c.correction } : {}),
    }));
  }

  @Transaction()
  @Returns('string')
  async ResolveException(ctx: Context, commandJson: string): Promise<string> {
    return this.step(ctx, 'ResolveException', commandJson, (c) => ({ type: 'resolve', resolution: c.resolution }));
  }

  /**
   * The receiver closes a resolved exception. Resolved by correction, its packs go back to sellable
   * stock — those no other open exception of the shipment still holds. Resolved by return or
   * destruction they stay held: they leave as a (quarantined) return or are destroyed.
   */
  @Transaction()
  @Returns('string')
  async CloseException(ctx: Context, commandJson: string): Promise<string> {
    return this.step(ctx, 'CloseException', commandJson, () => ({ type: 'close' }), async (next, { state, at, actor }) => {
      if (next.resolution?.kind !== 'correction') return { records: [], epcis: [] };
      const stillHeld = new Set<string>();
      for await (const kv of ctx.stub.getStateByPartialCompositeKey(KeyType.exceptionOfShipment, [next.receiver, next.shipmentId])) {
        const otherId = JSON.parse(Buffer.from(kv.value).toString('utf8')) as string;
        if (otherId === next.id) continue;
        const other = await state.read<ExceptionRecord>(KeyType.exception, next.receiver, otherId);
        if (other && isOpenException(other.state)) other.held.forEach((p) => stillHeld.add(p));
      }
      const released: PackRecord[] = [];
      for (const epc of next.held) {
        if (stillHeld.has(epc)) continue;
        const pack = await state.trace(epc);
        if (isPack(pack) && pack.quarantine && pack.custodian === actor && pack.status !== 'shipped') released.push(applyCommand(pack, { type: 'release' }, actor, at));
      }
      return { records: released, epcis: released.length ? [releaseEvent({ eventTime: at, epcs: released.map((p) => p.id) })] : [] };
    });
  }

  /**
   * The receiver escalates an exception whose clock escalates (product without data once its grace
   * period is over): the escalation is on the ledger, attributable and seen by the seller. Its packs
   * stay held; the investigation of the suspect product follows from here.
   */
  @Transaction()
  @Returns('string')
  async EscalateException(ctx: Context, commandJson: string): Promise<string> {
    return this.step(ctx, 'EscalateException', commandJson, () => ({ type: 'escalate' }));
  }

  // ---- reads ---------------------------------------------------------------------------------------

  /** One exception, for its two parties. */
  @Transaction(false)
  @Returns('string')
  async GetException(ctx: Context, receiver: string, exceptionId: string): Promise<string> {
    return reading(async () => {
      const record = await new WorldState(ctx).read<ExceptionRecord>(KeyType.exception, receiver, exceptionId);
      if (!record) throw new ChaincodeError('NOT_FOUND', `exception ${exceptionId} of ${receiver} is not known`);
      return canonicalJson(record);
    });
  }

  /** A lifecycle step on one exception, with what the step does to packs (CloseException). */
  private step<K extends StepTransaction>(
    ctx: Context,
    transaction: K,
    commandJson: string,
    toAction: (c: LedgerCommandInputs[K]) => ExceptionAction,
    effects?: (next: ExceptionRecord, scope: CommandScope) => Promise<Pick<Outcome, 'records' | 'epcis'>>,
  ): Promise<string> {
    return recordEvent(ctx, transaction, commandJson, async (c: LedgerCommandInputs[K], scope) => {
      const { state, at, actor } = scope;
      if (typeof c.exceptionId !== 'string' || !c.exceptionId) throw new DomainError('EXCEPTION_INVALID', `${transaction}: exceptionId is required`, { reason: 'exceptionId' });
      const receiver: OrgId = c.receiver ?? actor;
      const record = await state.read<ExceptionRecord>(KeyType.exception, receiver, c.exceptionId);
      if (!record) throw new ChaincodeError('NOT_FOUND', `exception ${c.exceptionId} of ${receiver} is not known`);
      const action = toAction(c);
      const next = actOnException(record, action, actor, at, action.type === 'answer' ? await ledgerNow(state, record) : undefined);
      await putException(state, next, false);
      const done = effects ? await effects(next, scope) : { records: [], epcis: [] };
      return { ...done, exceptions: [next] };
    });
  }
}

/** What the ledger shows of the exception's EPCs now: those owned by, or on their way to, the receiver. */
async function ledgerNow(state: WorldState, record: ExceptionRecord): Promise<{ toReceiver: ReadonlySet<string> }> {
  const ids = new Set([...record.subjects, ...(record.evidence.unexpected ?? []), ...(record.evidence.missing ?? [])]);
  const toReceiver = new Set<string>();
  for (const id of ids) {
    const r = await state.trace(id).catch(() => undefined);
    if (r && (r.shipment ? r.shipment.to === record.receiver : r.owner === record.receiver)) toReceiver.add(id);
  }
  return { toReceiver };
}

async function putException(state: WorldState, record: ExceptionRecord, fresh: boolean): Promise<void> {
  await state.write(KeyType.exception, [record.receiver, record.id], record);
  if (fresh) {
    // A non-member seller has no peer: the receiver (and another member) alone vouch for its exceptions.
    await state.setHolderPolicy(KeyType.exception, [record.receiver, record.id], [record.receiver, record.seller].filter((o) => !isNonMemberParty(o)));
    await state.write(KeyType.exceptionOfShipment, [record.receiver, record.shipmentId, record.id], record.id);
  }
}
