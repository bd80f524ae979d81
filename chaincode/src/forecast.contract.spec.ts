import { ForecastContract, type AnchorForecastResult, type ForecastAnchorRecord } from './forecast.contract';
import { FakeLedger } from '../test/stub-context';
import { useFakeLedgerClock } from '../test/contract-fixtures';

const contract = new ForecastContract();
const digest = 'a'.repeat(64);
const command = { eventId: 'fc-1', digest, modelVersion: 'm1', gtin: '00312345678906', location: 'DispenserMSP', publishedAt: '2026-03-01T00:00:00.000Z' };

async function anchor(ledger: FakeLedger, c: Record<string, unknown>, msp = 'DispenserMSP'): Promise<AnchorForecastResult> {
  const { ctx, stub } = ledger.context(msp);
  const out = JSON.parse(await contract.AnchorForecast(ctx, JSON.stringify(c))) as AnchorForecastResult;
  stub.commit();
  return out;
}

/** The anchoring organisation is an admitted partner (governance wrote its record). */
function admitted(ledger: FakeLedger): FakeLedger {
  for (const org of ['DispenserMSP', 'ManufacturerMSP']) ledger.state.set(`\u0000partner\u0000${org}\u0000`, Buffer.from(JSON.stringify({ docType: 'partner', mspId: org })));
  return ledger;
}

describe('ForecastContract', () => {
  useFakeLedgerClock();
  it('anchors a digest with the caller organisation from its identity and emits one event', async () => {
    const ledger = admitted(new FakeLedger());
    const first = await anchor(ledger, command);
    expect(first.duplicate).toBe(false);
    expect(first.anchor).toMatchObject({ digest, modelVersion: 'm1', anchoredBy: 'DispenserMSP' });
    expect(ledger.events.map((e) => e.name)).toEqual(['ForecastAnchored']);
    const { ctx } = ledger.context('ManufacturerMSP');
    // Anchors are the publisher's own: another organisation asks for the dispenser's by name, and has none of its own.
    const read = JSON.parse(await contract.GetForecastAnchorOf(ctx, digest, 'DispenserMSP')) as ForecastAnchorRecord;
    expect(read.txId).toBe(first.anchor.txId);
    await expect(contract.GetForecastAnchor(ctx, digest)).rejects.toThrow(/^NOT_FOUND: /);
  });

  it('is idempotent by eventId and refuses the eventId reused for another forecast', async () => {
    const ledger = admitted(new FakeLedger());
    const first = await anchor(ledger, command);
    const again = await anchor(ledger, command);
    expect(again).toEqual({ duplicate: true, anchor: first.anchor });
    expect(ledger.events).toHaveLength(1);
    await expect(anchor(ledger, { ...command, digest: 'b'.repeat(64) })).rejects.toThrow(/^DUPLICATE_EVENT/);
  });

  it('refuses an organisation the consortium never admitted', async () => {
    await expect(anchor(new FakeLedger(), command)).rejects.toThrow(/^PARTNER_UNKNOWN/);
  });

  it('writes sorted-key JSON so every endorser produces the same bytes', async () => {
    const ledger = admitted(new FakeLedger());
    await anchor(ledger, command);
    const payload = Buffer.from(ledger.events[0].payload).toString();
    const keys = Object.keys(JSON.parse(payload) as object);
    expect(keys).toEqual([...keys].sort());
  });

  it('refuses malformed commands and answers NOT_FOUND for an unknown digest', async () => {
    const ledger = admitted(new FakeLedger());
    await expect(anchor(ledger, { ...command, digest: 'xyz' })).rejects.toThrow(/^COMMAND_INVALID/);
    await expect(anchor(ledger, { ...command, eventId: '' })).rejects.toThrow(/^COMMAND_INVALID/);
    const { ctx } = ledger.context('DispenserMSP');
    await expect(contract.GetForecastAnchor(ctx, 'c'.repeat(64))).rejects.toThrow(/^NOT_FOUND/);
  });
});
