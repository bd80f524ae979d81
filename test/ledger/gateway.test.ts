import { LedgerError, LedgerEvent } from '@pedigree/ledger';
import { Ledger } from '@pedigree/ledger';
import { MSP, ROLES, Role, ledgerFor, uniqueKey } from '../support/ledger';

const decode = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('the Fabric gateway across three organisations', () => {
  const ledgers = {} as Record<Role, Ledger>;
  beforeAll(() => {
    for (const role of ROLES) ledgers[role] = ledgerFor(role);
  });
  afterAll(() => {
    for (const role of ROLES) ledgers[role].close();
  });

  it.each(ROLES)('%s writes a value that the other organisations endorse, read back elsewhere, with its event', async (role) => {
    const others = ROLES.filter((r) => r !== role);
    const key = uniqueKey(role);
    const tip = await currentBlock(ledgers[others[0]]);
    const events = ledgers[others[1]].chaincodeEvents(undefined, { startBlock: tip, chaincode: 'pedigree-probe' });

    // Endorsement by the two other organisations only: the writer's own peer does not vouch for it.
    const result = await ledgers[role].submit('Put', [key, `hello from ${role}`], {
      chaincode: 'pedigree-probe', contract: 'probe',
      endorsingOrganizations: others.map((r) => MSP[r]),
    });
    expect(result.transactionId).toMatch(/^[0-9a-f]{64}$/);

    // Committed on the writer's peer; the reader's peer commits the same block a moment later.
    const read = JSON.parse(decode(await eventually(() => ledgers[others[0]].evaluate('Get', [key], { chaincode: 'pedigree-probe', contract: 'probe' }))));
    expect(read).toMatchObject({ key, value: `hello from ${role}`, writerMspId: MSP[role], txId: result.transactionId });

    const event = await firstMatching(events, (e) => e.transactionId === result.transactionId, 30_000);
    expect(event.eventName).toBe('ProbeWritten');
    expect(JSON.parse(decode(event.payload))).toMatchObject({ key, writerMspId: MSP[role] });
    expect(event.blockNumber).toBe(result.blockNumber);
  });

  it('reports a chaincode refusal as a typed error at the stage it happened, without retrying', async () => {
    const missing = uniqueKey('missing');
    await expect(ledgers.dispenser.evaluate('Get', [missing], { chaincode: 'pedigree-probe', contract: 'probe' })).rejects.toMatchObject({
      name: 'LedgerError', stage: 'evaluate', kind: 'chaincode', chaincodeCode: 'PROBE_NOT_FOUND',
    });
    const err = await ledgers.manufacturer.submit('Put', ['', 'x'], { chaincode: 'pedigree-probe', contract: 'probe' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerError);
    expect(err).toMatchObject({ stage: 'endorse', kind: 'chaincode', chaincodeCode: 'PROBE_KEY_REQUIRED', retryable: false });
  });
});

async function eventually<T>(read: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      return await read();
    } catch (err) {
      if (Date.now() > deadline || (err as LedgerError).chaincodeCode !== 'PROBE_NOT_FOUND') throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function currentBlock(ledger: Ledger): Promise<bigint> {
  // The channel's height from a write we wait for: every later event is in this block or after.
  const { blockNumber } = await ledger.submit('Put', [uniqueKey('tip'), 'tip'], { chaincode: 'pedigree-probe', contract: 'probe' });
  return blockNumber + 1n;
}

export async function firstMatching(
  stream: AsyncIterable<LedgerEvent> & { close(): void },
  match: (e: LedgerEvent) => boolean,
  timeoutMs: number,
): Promise<LedgerEvent> {
  const timer = setTimeout(() => stream.close(), timeoutMs);
  try {
    for await (const e of stream) if (match(e)) return e;
    throw new Error(`no matching event within ${timeoutMs} ms`);
  } finally {
    clearTimeout(timer);
    stream.close();
  }
}
