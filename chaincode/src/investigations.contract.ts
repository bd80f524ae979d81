import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  actOnInvestigation,
  canonicalJson,
  DomainError,
  holdsOfInvestigation,
  isPack,
  liftInvestigationHold,
  normaliseGtin,
  openInvestigation,
  placeInvestigationHold,
  TERMINAL_STATUSES,
  type InvestigationAction,
  type InvestigationRecord,
  type LedgerCommandInputs,
  type OrgId,
  type PackRecord,
} from '@pedigree/domain';
import { ChaincodeError } from './errors';
import { KeyType } from './keys';
import { reading, requireAuthorisedPartner, requireProduct } from './master-data.contract';
import { MAX_IDS_PER_TX, recordEvent, type CommandScope } from './recorder';
import { WorldState } from './world-state';

type StepTransaction = 'VerifyInvestigationPack' | 'RecordInvestigationFinding' | 'ClearInvestigation' | 'DeclareIllegitimate' | 'RecordFdaFiling' | 'NotifyTradingPartners' | 'RequestTermination';

/**
 * Suspect-product investigations (DSCSA §582; docs/investigations.md). An investigation is keyed by
 * its investigator (investigation~{investigator}~{id}) under the key-level policy "(investigator's
 * OR a holder's peer) AND another member's peer", so the holders record their own verifications
 * and findings and no one alone rewrites it. Its hold never writes a holder's pack (those keys need
 * the owner's peer): one investigationHold record per lot lists the open investigations on it, and
 * every pack read sees it (WorldState.trace), as a recall is seen through the lot's status. The
 * rules are @pedigree/domain's (openInvestigation, actOnInvestigation).
 */
@Info({ title: 'Investigations', description: 'Suspect-product investigations: open (hold at every holder), verify, find, clear or declare illegitimate, file, notify, terminate' })
export class InvestigationsContract extends Contract {
  constructor() {
    super('investigations');
  }

  /** Opens an investigation on a lot or on packs: what the ledger shows of them now, at every holder, is held. */
  @Transaction()
  @Returns('string')
  async OpenInvestigation(ctx: Context, commandJson: string): Promise<string> {
    return recordEvent(ctx, 'OpenInvestigation', commandJson, async (c, { state, at, actor, eventId }) => {
      if (await state.read(KeyType.investigation, actor, eventId)) throw new DomainError('INVESTIGATION_INVALID', `investigation ${eventId} of ${actor} exists`, { reason: 'duplicate' });
      // A lot is keyed by its GTIN-14, however the caller spelt it.
      const scope = c.scope.kind === 'lot' ? { ...c.scope, gtin: normaliseGtin(c.scope.gtin) } : c.scope;
      const packs = await packsInScope(ctx, state, scope);
      const manufacturers = new Set(packs.map((p) => p.manufacturer));
      if (scope.kind === 'lot') manufacturers.add((await requireProduct(state, scope.gtin)).manufacturer);
      // Who investigates: the product's manufacturer, or a trading partner the product passed through.
      if (!manufacturers.has(actor) && !packs.some((p) => p.owners.includes(actor))) {
        throw new DomainError('INVESTIGATION_PARTY', `${actor} neither made nor owned the product in scope; it cannot open an investigation on it`, { actor, action: 'open' });
      }
      const live = packs.filter((p) => !TERMINAL_STATUSES.includes(p.status));
      const record = openInvestigation({ id: eventId, scope, summary: c.summary, holdings: live.map((p) => ({ pack: p.id, holder: p.custodian })) }, actor, at);
      await state.write(KeyType.investigation, [actor, record.id], record);
      await state.setHolderPolicy(KeyType.investigation, [actor, record.id], [actor, ...record.holders]);
      const lots = new Map(live.map((p) => [p.id, { gtin: p.gtin, lot: p.lot }]));
      for (const lot of holdsOfInvestigation(record, (id) => lots.get(id) as { gtin: string; lot: string })) {
        await state.putInvestigationHold(placeInvestigationHold(await state.investigationHold(lot.gtin, lot.lot), lot, record, at));
      }
      return { records: [], epcis: [], investigations: [record] };
    });
  }

  /** The investigator, or the holder of the pack, records one package's verification. */
  @Transaction()
  @Returns('string')
  async VerifyInvestigationPack(ctx: Context, commandJson: string): Promise<string> {
    return this.step(ctx, 'VerifyInvestigationPack', commandJson, async (c, record, { state, actor }) => {
      if (actor !== record.investigator) {
        const pack = await state.trace(c.pack).catch(() => undefined);
        if (!isPack(pack) || pack.custodian !== actor) throw new DomainError('INVESTIGATION_PARTY', `${actor} does not hold ${c.pack}; a holder verifies its own stock`, { id: record.id, action: 'verify', actor });
      }
      return { type: 'verify', pack: c.pack, outcome: c.outcome, ...(c.note !== undefined ? { note: c.note } : {}) };
    });
  }

  @Transaction()
  @Returns('string')
  async RecordInvestigationFinding(ctx: Context, commandJson: string): Promise<string> {
    return this.step(ctx, 'RecordInvestigationFinding', commandJson, async (c) => ({ type: 'finding', text: c.text }));
  }

  /** Cleared once the sample is verified genuine: the holds are lifted at every holder at once. */
  @Transaction()
  @Returns('string')
  async ClearInvestigation(ctx: Context, commandJson: string): Promise<string> {
    return this.step(ctx, 'ClearInvestigation', commandJson, async () => ({ type: 'clear' }), async (next, { state, at }) => {
      const lots = new Map<string, { gtin: string; lot: string }>();
      if (next.scope.kind === 'packs') for (const id of next.packs) { const p = await state.trace(id); if (isPack(p)) lots.set(id, { gtin: p.gtin, lot: p.lot }); }
      for (const lot of holdsOfInvestigation(next, (id) => lots.get(id) ?? { gtin: '', lot: '' })) {
        const hold = await state.investigationHold(lot.gtin, lot.lot);
        if (hold) await state.putInvestigationHold(liftInvestigationHold(hold, next, at));
      }
    });
  }

  /** Illegitimate: Form 3911 and the notices are due within 24 hours; the stock stays held. */
  @Transaction()
  @Returns('string')
  async DeclareIllegitimate(ctx: Context, commandJson: string): Promise<string> {
    return this.step(ctx, 'DeclareIllegitimate', commandJson, async (c) => ({ type: 'declare_illegitimate', classification: c.classification }));
  }

  /** FDA's incident number, once the Form 3911 is filed. */
  @Transaction()
  @Returns('string')
  async RecordFdaFiling(ctx: Context, commandJson: string): Promise<string> {
    return this.step(ctx, 'RecordFdaFiling', commandJson, async (c) => ({ type: 'record_filing', incidentNumber: c.incidentNumber }));
  }

  /** The notice to immediate trading partners, on the ledger: each partner's read model shows it. */
  @Transaction()
  @Returns('string')
  async NotifyTradingPartners(ctx: Context, commandJson: string): Promise<string> {
    return this.step(ctx, 'NotifyTradingPartners', commandJson, async (c, _record, { state, at }) => {
      for (const partner of c.partners) await requireAuthorisedPartner(state, partner, at);
      return { type: 'notify', partners: c.partners };
    });
  }

  /** The request for termination (quoting FDA's incident number) closes the case. */
  @Transaction()
  @Returns('string')
  async RequestTermination(ctx: Context, commandJson: string): Promise<string> {
    return this.step(ctx, 'RequestTermination', commandJson, async () => ({ type: 'request_termination' }));
  }

  // ---- reads ---------------------------------------------------------------------------------------

  @Transaction(false)
  @Returns('string')
  async GetInvestigation(ctx: Context, investigator: string, investigationId: string): Promise<string> {
    return reading(async () => canonicalJson(await requireInvestigation(new WorldState(ctx), investigator, investigationId)));
  }

  private step<K extends StepTransaction>(
    ctx: Context,
    transaction: K,
    commandJson: string,
    toAction: (c: LedgerCommandInputs[K], record: InvestigationRecord, scope: CommandScope) => Promise<InvestigationAction>,
    effects?: (next: InvestigationRecord, scope: CommandScope) => Promise<void>,
  ): Promise<string> {
    return recordEvent(ctx, transaction, commandJson, async (c: LedgerCommandInputs[K], scope) => {
      const record = await requireInvestigation(scope.state, c.investigator ?? scope.actor, c.investigationId);
      const next = actOnInvestigation(record, await toAction(c, record, scope), scope.actor, scope.at);
      await scope.state.write(KeyType.investigation, [next.investigator, next.id], next);
      if (effects) await effects(next, scope);
      return { records: [], epcis: [], investigations: [next] };
    });
  }
}

async function requireInvestigation(state: WorldState, investigator: OrgId, id: string): Promise<InvestigationRecord> {
  const record = await state.read<InvestigationRecord>(KeyType.investigation, investigator, id);
  if (!record) throw new ChaincodeError('NOT_FOUND', `investigation ${id} of ${investigator} is not known`);
  return record;
}

/** The packs the ledger knows in the scope: a lot's from its index, named packs each read. */
async function packsInScope(ctx: Context, state: WorldState, scope: LedgerCommandInputs['OpenInvestigation']['scope']): Promise<PackRecord[]> {
  const ids: string[] = [];
  if (scope.kind === 'lot') {
    for await (const kv of ctx.stub.getStateByPartialCompositeKey(KeyType.lot, [scope.gtin, scope.lot])) {
      ids.push(JSON.parse(Buffer.from(kv.value).toString('utf8')) as string);
      if (ids.length > MAX_IDS_PER_TX) throw new ChaincodeError('BATCH_TOO_LARGE', `lot ${scope.lot} has more than ${MAX_IDS_PER_TX} packs: open the investigation on packs, in parts`);
    }
  } else ids.push(...scope.packs);
  const packs: PackRecord[] = [];
  for (const id of ids) {
    const pack = await state.trace(id).catch(() => undefined);
    if (!isPack(pack)) {
      if (scope.kind === 'packs') throw new DomainError('INVESTIGATION_INVALID', `${id} is not a pack on the ledger`, { reason: 'scope', id });
      continue;
    }
    packs.push(pack);
  }
  return packs;
}
