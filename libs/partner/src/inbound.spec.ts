import {
  bizTransactionUrn, commissionEvent, dscsaShipmentDocument, lgtinToEpcClassUrn, packEvent, pglnToEpcUrn, sgtinToEpcUrn, shipEvent, ssccToEpcUrn, withCheckDigit,
  type DscsaShipmentExport, type Finding, type ReceiveInboundCommand,
} from '@pedigree/domain';
import { InboundReceiver } from './inbound';
import type { PartnerContext } from './partner-context';

/** What the receiver sends the ledger for a non-member's document, with a ledger that records the calls. */
const GTIN = withCheckDigit('0036141400001');
const OTHER = withCheckDigit('0036141400025');
const SELLER = withCheckDigit('036141400000');
const BUYER = withCheckDigit('034567800000');
const CASE = ssccToEpcUrn(withCheckDigit('00361414000000011'));
const packs = ['1', '2', '3'].map((s) => sgtinToEpcUrn(GTIN, s));

function document(over: { quantity?: number; products?: DscsaShipmentExport['products'] } = {}): object {
  const ship = shipEvent({ eventTime: '2026-03-01T16:00:00.000Z', epcs: [CASE, packs[2] as string], from: { owner: pglnToEpcUrn(SELLER) }, to: { owner: pglnToEpcUrn(BUYER) }, bizTransactions: [{ type: 'desadv', bizTransaction: bizTransactionUrn(SELLER, 'ASN-1') }] });
  return dscsaShipmentDocument({
    shipmentId: 'ASN-1', createdAt: '2026-03-01T17:00:00.000Z', statementAffirmed: true,
    seller: { name: 'Outside Pharma', gln: SELLER }, buyer: { name: 'Continental', gln: BUYER },
    products: over.products ?? [{ gtin: GTIN, name: 'Outsidol 5 mg tablets' }],
    events: [
      commissionEvent({ eventTime: '2026-02-01T14:00:00.000Z', epcs: packs, lot: 'B7', expiry: '2028-11-30' }),
      packEvent({ eventTime: '2026-02-01T14:05:00.000Z', parent: CASE, children: packs.slice(0, 2), sealed: true }),
      over.quantity === undefined ? ship : { ...ship, quantityList: [{ epcClass: lgtinToEpcClassUrn(GTIN, 'B7'), quantity: over.quantity }] },
    ],
  });
}

function ledger(recorded: string[] = []) {
  const sent: Array<{ transaction: string; command: Record<string, unknown> }> = [];
  const p = {
    org: 'DistributorMSP',
    clockField: { clock: { timeZone: 'America/Chicago' } },
    reads: { optional: async (_fn: string, [eventId]: string[]) => (recorded.includes(eventId as string) ? { txId: `tx-${eventId}` } : undefined) },
    commands: {
      submit: async (transaction: string, command: Record<string, unknown>) => {
        sent.push({ transaction, command });
        const findings = (command['findings'] as Finding[] | undefined) ?? [];
        return { transactionId: 'tx', blockNumber: 1, eventId: command['eventId'], shipmentId: null, duplicate: false, changed: transaction === 'ReceiveInbound' ? packs : [], inferred: [], pending: [], exceptions: findings.map((_, i) => `${String(command['eventId'])}#${i + 1}`), readModelUpdated: true };
      },
    },
  };
  return { receiver: new InboundReceiver(p as unknown as PartnerContext), sent };
}

describe('InboundReceiver', () => {
  it('a clean document is ReceiveInbound then KeepInboundTi, nothing held, no exception', async () => {
    const { receiver, sent } = ledger();
    const out = await receiver.receive(document({ quantity: 3 }), 'a'.repeat(64));
    expect(sent.map((s) => s.transaction)).toEqual(['ReceiveInbound', 'KeepInboundTi']);
    expect(sent[0]?.command['hold']).toBeUndefined();
    expect(out).toMatchObject({ packs: 3, exceptions: [] });
  });

  it.each([
    ['a quantity that differs from its own TI', { quantity: 4 }, 'quantity_differs_from_ti', packs],
    ['a GTIN its master data does not describe', { products: [{ gtin: OTHER, name: 'Other' }] }, 'product_not_in_master_data', packs],
  ])('%s: received with its packs held in the same transaction, then raised against gln:<seller>', async (_what, over, rule, held) => {
    const { receiver, sent } = ledger();
    const out = await receiver.receive(document(over), 'b'.repeat(64));
    expect(sent.map((s) => s.transaction)).toEqual(['ReceiveInbound', 'KeepInboundTi', 'RaiseExceptions']);
    const receipt = sent[0]?.command as unknown as ReceiveInboundCommand;
    expect(receipt.hold).toEqual({ epcs: [...held].sort(), reason: 'no_pedigree_match' });
    const raise = sent[2]?.command as { eventId: string; findings: Finding[]; refer: boolean; clock: unknown };
    expect(raise).toMatchObject({ eventId: `inbound:${'b'.repeat(64)}:exceptions`, refer: true, clock: { timeZone: 'America/Chicago' } });
    expect(raise.findings).toEqual([expect.objectContaining({ rule, seller: `gln:${SELLER}`, receiver: 'DistributorMSP', shipmentId: `inbound:${'b'.repeat(64)}` })]);
    expect(out.exceptions).toEqual([`inbound:${'b'.repeat(64)}:exceptions#1`]);
  });

  it('a re-sent document whose raise did not happen raises it; once raised, answers the same exceptions and writes nothing', async () => {
    const id = `inbound:${'c'.repeat(64)}`;
    const first = ledger([id]);
    expect((await first.receiver.receive(document({ quantity: 4 }), 'c'.repeat(64))).duplicate).toBe(true);
    expect(first.sent.map((s) => s.transaction)).toEqual(['RaiseExceptions']);
    const again = ledger([id, `${id}:exceptions`]);
    expect(await again.receiver.receive(document({ quantity: 4 }), 'c'.repeat(64))).toMatchObject({ duplicate: true, exceptions: [`${id}:exceptions#1`] });
    expect(again.sent).toEqual([]);
  });

  it('a malformed document is refused with a typed error and sends nothing', async () => {
    const { receiver, sent } = ledger();
    const broken = document() as { epcisBody: { eventList: unknown[] } };
    broken.epcisBody.eventList = broken.epcisBody.eventList.slice(0, 2);
    await expect(receiver.receive(broken, 'd'.repeat(64))).rejects.toMatchObject({ code: 'INBOUND_REFUSED' });
    expect(sent).toEqual([]);
  });
});
