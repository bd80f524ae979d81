import type { ClockPolicy, LedgerCommandInputs } from '@pedigree/domain';
import { Ledger, type SingleCommandName } from '@pedigree/ledger';
import { LedgerReads, partnerReadModel, ReadModelDatabase, ReadModelProjector, type PartnerReadModel } from '@pedigree/readmodel';
import { IdempotencyStore } from './idempotency';
import { LedgerCommands, type CommandOptions } from './ledger-commands';
import { PartnerRole } from './tokens';

/** Everything a partner service's resolvers work with: one organisation, its ledger identity, its read model. */
export class PartnerContext {
  /** Its read model: the only way this organisation's services reach its database. */
  readonly readModel: PartnerReadModel;
  readonly commands: LedgerCommands;
  readonly idempotency: IdempotencyStore;
  readonly reads: LedgerReads;

  constructor(
    readonly role: PartnerRole,
    readonly org: string,
    readonly ledger: Ledger,
    readonly database: ReadModelDatabase,
    readonly projector: ReadModelProjector,
    /** The site's exception clock settings (time zone, grace per rule), sent with every raise. */
    readonly clockPolicy: ClockPolicy = {},
  ) {
    this.readModel = partnerReadModel(database.dataSource);
    this.commands = new LedgerCommands(ledger, projector);
    this.idempotency = new IdempotencyStore(this.readModel.idempotencyKeys, org);
    this.reads = new LedgerReads(ledger);
  }

  /** The clock policy as a RaiseExceptions field: absent when the rules' defaults apply. */
  get clockField(): { clock?: ClockPolicy } {
    return Object.keys(this.clockPolicy).length ? { clock: this.clockPolicy } : {};
  }

  /** One write step: idempotency key, event ID, submit, wait for commit and the read model. */
  write<K extends SingleCommandName>(operation: string, transaction: K, request: Omit<LedgerCommandInputs[K], 'eventId'>, idempotencyKey?: string | null, options: CommandOptions = {}) {
    return this.idempotency.run(idempotencyKey, operation, request as Record<string, unknown>, (eventId) =>
      this.commands.submit(transaction, { ...request, eventId } as LedgerCommandInputs[K], options));
  }
}
