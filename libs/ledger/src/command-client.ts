import { contractOf, type CaptureCommand, type CaptureResult, type LedgerCommandInputs, type LedgerCommandName, type WriteResult } from '@pedigree/domain';
import type { Ledger, SubmitOptions, SubmitResult } from './ledger.port';

/** The contract is the catalogue's, never the caller's to spell. */
export type CommandSubmitOptions = Omit<SubmitOptions, 'contract' | 'chaincode'>;

/**
 * Sends one ledger protocol command, typed by its transaction (the command type the chaincode
 * parses, never a hand-spelt JSON string), to the contract the catalogue names, and decodes what
 * the chaincode answered. Every client that writes through the Ledger port goes through here.
 * @throws LedgerError as {@link Ledger.submit} does (typed by stage: endorse, submit, commit).
 */
export function submitCommand(ledger: Ledger, transaction: 'Capture', command: CaptureCommand, options?: CommandSubmitOptions): Promise<Submitted<CaptureResult>>;
export function submitCommand<K extends SingleCommandName>(ledger: Ledger, transaction: K, command: LedgerCommandInputs[K], options?: CommandSubmitOptions): Promise<Submitted<WriteResult>>;
export async function submitCommand(ledger: Ledger, transaction: LedgerCommandName, command: object, options: CommandSubmitOptions = {}): Promise<Submitted<unknown>> {
  const submitted = await ledger.submit(transaction, [JSON.stringify(command)], { ...options, contract: contractOf(transaction) });
  return { submitted, written: JSON.parse(Buffer.from(submitted.payload).toString('utf8')) };
}

/** Every command but Capture answers one WriteResult. */
export type SingleCommandName = Exclude<LedgerCommandName, 'Capture'>;

export interface Submitted<W> {
  readonly submitted: SubmitResult;
  /** What the chaincode answered (the transaction's payload, decoded). */
  readonly written: W;
}
