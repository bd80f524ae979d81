import type { Ledger, SubmitOptions } from './ledger.port';
import { submitCommand } from './command-client';

/** A stub of the port: records what was sent, answers a fixed payload. */
function stubLedger(answer: unknown): { ledger: Ledger; sent: Array<{ transaction: string; args: readonly string[]; options?: SubmitOptions }> } {
  const sent: Array<{ transaction: string; args: readonly string[]; options?: SubmitOptions }> = [];
  const ledger = {
    submit: async (transaction: string, args: readonly string[], options?: SubmitOptions) => {
      sent.push({ transaction, args, options });
      return { transactionId: 'tx1', blockNumber: 7n, payload: Buffer.from(JSON.stringify(answer)) };
    },
  } as unknown as Ledger;
  return { ledger, sent };
}

describe('submitCommand', () => {
  it.each([
    ['Commission', 'traceability', { eventId: 'e1', gtin: '00312345678906', lot: 'L1', expiry: '2030-01-31', serials: ['1'] }],
    ['RegisterProduct', 'masterdata', { eventId: 'e2', gtin: '00312345678906', name: 'n', strength: 's', dosageForm: 'd', packSize: 'p' }],
    ['Approve', 'governance', { eventId: 'e3', proposalId: 'p1' }],
  ] as const)('sends %s to the %s contract the catalogue names, as one JSON argument', async (transaction, contract, command) => {
    const { ledger, sent } = stubLedger({ duplicate: false, eventId: 'e', type: 't', txId: 'tx1', changed: [] });
    const { written, submitted } = await submitCommand(ledger, transaction, command as never, { timeoutMs: 5 });
    expect(sent[0]).toMatchObject({ transaction, args: [JSON.stringify(command)], options: { contract, timeoutMs: 5 } });
    expect(written.txId).toBe('tx1');
    expect(submitted.blockNumber).toBe(7n);
  });

  it('decodes a Capture as its parts\' results', async () => {
    const { ledger } = stubLedger({ eventId: 'doc', txId: 'tx1', results: [{ duplicate: true, eventId: 'e1', type: 'commission', txId: 'tx0', changed: [] }] });
    const { written } = await submitCommand(ledger, 'Capture', { eventId: 'doc', commands: [{ transaction: 'Destroy', command: { eventId: 'e1', epcs: ['x'] } }] });
    expect(written.results.map((r) => r.duplicate)).toEqual([true]);
  });
});
