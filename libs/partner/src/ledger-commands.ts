import { isPersonIdentifier, type CapturePart, type Command, type LedgerCommandInputs, type LedgerCommandName, type WriteResult } from '@pedigree/domain';
import { Ledger, submitCommand, type CommandSubmitOptions, type SingleCommandName, type Submitted } from '@pedigree/ledger';
import { createHash } from 'node:crypto';
import { currentPrincipal, ledgerSubmissions } from '@pedigree/platform';
import { ReadModelProjector } from '@pedigree/readmodel';

/** How a write may be sent: the contract is the catalogue's, never the caller's to spell. */
export type CommandOptions = CommandSubmitOptions;

/** What a mutation answers: the committed transaction and what it changed. */
export interface MutationReceipt {
  readonly transactionId: string;
  readonly blockNumber: string | null;
  readonly eventId: string;
  readonly duplicate: boolean;
  readonly changed: string[];
  readonly shipmentId: string | null;
  readonly inferred: string[];
  readonly pending: string[];
  /** Receiving exceptions the write raised or changed (IDs, unique per receiver). */
  readonly exceptions: string[];
  /** True when the read model already shows the change (queries right after see it). */
  readonly readModelUpdated: boolean;
}

/**
 * Sends traceability commands through the ledger port. Each call resolves only after the
 * transaction committed as valid (the port's contract); anything else is a LedgerError that the
 * error mapping turns into a client error, so success is never reported for a write that did not
 * commit. It then waits (bounded) for the projector, so the answer and the read model agree.
 */
export class LedgerCommands {
  constructor(
    private readonly ledger: Ledger,
    private readonly projector: ReadModelProjector,
    private readonly readModelWaitMs = Number(process.env.PEDIGREE_READ_MODEL_WAIT_MS ?? 10_000),
  ) {}

  async submit<K extends SingleCommandName>(transaction: K, command: LedgerCommandInputs[K], options: CommandOptions = {}): Promise<MutationReceipt> {
    const { submitted: result, written } = await this.timed(transaction, () => submitCommand(this.ledger, transaction, this.attributed(command), options));
    // A duplicate's own transaction carries no event: the original one's is already projected (or will be).
    const readModelUpdated = await this.projector.waitFor(written.txId, this.readModelWaitMs);
    return receiptOf(written, result.blockNumber, readModelUpdated);
  }

  /**
   * Records several commands in one transaction (the chaincode's Capture): all of them or none.
   * Answers each part's receipt in order; a part recorded before answers as a duplicate.
   */
  async capture(eventId: string, parts: readonly CapturePart[], options: CommandOptions = {}): Promise<MutationReceipt[]> {
    const { submitted: result, written } = await this.timed('Capture', () => submitCommand(this.ledger, 'Capture', this.attributed({ eventId, commands: parts }), options));
    // Recorded parts are projected with this transaction; duplicates were projected with theirs.
    const projected = new Map<string, boolean>();
    for (const txId of new Set(written.results.map((r) => r.txId))) projected.set(txId, await this.projector.waitFor(txId, this.readModelWaitMs));
    return written.results.map((r) => receiptOf(r, result.blockNumber, projected.get(r.txId) ?? false));
  }

  /** The person the service authenticated, attested on the ledger by this organisation's signature. */
  private attributed<C extends Command>(command: C): C {
    const submittedBy = command.submittedBy ?? personOf(currentPrincipal()?.subject);
    return submittedBy ? { ...command, submittedBy } : command;
  }

  private async timed<W>(transaction: LedgerCommandName, send: () => Promise<Submitted<W>>): Promise<Submitted<W>> {
    const end = ledgerSubmissions.startTimer({ transaction });
    let result: Submitted<W>;
    try {
      result = await send();
      end({ outcome: 'committed' });
    } catch (err) {
      end({ outcome: 'failed' });
      throw err;
    }
    this.projector.noteCommitted(result.submitted.blockNumber);
    return result;
  }
}

function receiptOf(written: WriteResult, blockNumber: bigint, readModelUpdated: boolean): MutationReceipt {
  return {
    transactionId: written.txId,
    blockNumber: written.duplicate ? null : blockNumber.toString(),
    eventId: written.eventId,
    duplicate: written.duplicate,
    changed: [...written.changed],
    shipmentId: written.shipment?.id ?? null,
    inferred: [...(written.receipt?.inferred ?? [])],
    pending: [...(written.receipt?.pending ?? [])],
    exceptions: [...(written.exceptions ?? [])],
    readModelUpdated,
  };
}

/** A subject as the chaincode takes it (1-200 printable ASCII characters): as is, else escaped, else its digest. */
export function personOf(subject: string | undefined): string | undefined {
  if (!subject) return undefined;
  if (isPersonIdentifier(subject)) return subject;
  const escaped = encodeURIComponent(subject);
  return escaped.length <= 200 ? escaped : `sha256:${createHash('sha256').update(subject).digest('hex')}`;
}
