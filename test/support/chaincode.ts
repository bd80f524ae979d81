import { randomBytes } from 'node:crypto';
import { Ledger } from '@pedigree/ledger';
import { ndcToGtin14, ssccToEpcUrn, withCheckDigit } from '@pedigree/domain';

/** What the suites that drive the chaincode directly share: one product, contract names, run IDs. */
export const NDC = '12345-678-90';
export const GTIN = ndcToGtin14(NDC);
export const TRACE = { contract: 'traceability' } as const;
export const MASTER = { contract: 'masterdata' } as const;

/** Unique per test file and run, so a suite passes again on a long-used ledger. */
export function runIds(): { run: string; ssccOf: (n: number) => string } {
  const run = `${Date.now().toString(36)}${process.pid.toString(36)}`.toUpperCase();
  const runDigits = String(Date.now() % 1e7).padStart(7, '0');
  return { run, ssccOf: (n) => ssccToEpcUrn(withCheckDigit(`0${'0312345'}${runDigits}${String(n).padStart(2, '0')}`)) };
}

/** Transaction Information as the chaincode requires it: with a random salt, so its public hash cannot be guessed. */
export function salted(ti: Record<string, unknown>): string {
  return JSON.stringify({ ...ti, salt: randomBytes(16).toString('hex') });
}

/**
 * submit() returns once the submitting organisation's peer committed; another organisation's peer
 * may be a block behind. Before that organisation acts on the result, wait until its own peer
 * knows the event (its idempotency receipt), as a client reading its own peer must.
 */
export async function seenBy(ledger: Ledger, eventId: string, submitter?: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const found = await (submitter ? ledger.evaluate('GetEventOf', [eventId, submitter], TRACE) : ledger.evaluate('GetEvent', [eventId], TRACE)).then(() => true, () => false);
    if (found) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${ledger.mspId} never saw event ${eventId}`);
}
