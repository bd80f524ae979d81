import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DomainError } from '@pedigree/domain';
import { InboundInbox, type ReceiveDocument } from './inbound-inbox';

const XML = `<?xml version="1.0"?><epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2" creationDate="2026-03-01T00:00:00Z"><EPCISBody><EventList/></EPCISBody></epcis:EPCISDocument>`;

describe('the inbound inbox (a watched folder standing in for AS2)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inbox-'));
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('receives settled documents oldest first, moves them to received/ or refused/ with the typed error beside', async () => {
    const seen: string[] = [];
    const receive: ReceiveDocument = async (doc, sha) => {
      seen.push(sha);
      if ((doc as { refuse?: boolean }).refuse) throw new DomainError('INBOUND_MEMBER_PRODUCT', 'a member\'s GTIN');
      return { shipmentId: `inbound:${sha}`, duplicate: false };
    };
    await fs.writeFile(path.join(dir, 'a.xml'), XML);
    await fs.writeFile(path.join(dir, 'b.json'), JSON.stringify({ refuse: true }));
    await fs.writeFile(path.join(dir, 'c.json'), '{ not json');
    await fs.writeFile(path.join(dir, 'notes.txt'), 'ignored');
    const out = await new InboundInbox(dir, receive, 0).sweep(Date.now() + 10);
    expect(out.map((o) => [o.file, o.outcome, o.error?.code])).toEqual(expect.arrayContaining([
      ['a.xml', 'received', undefined], ['b.json', 'refused', 'INBOUND_MEMBER_PRODUCT'], ['c.json', 'refused', 'EPCIS_INVALID'],
    ]));
    expect((await fs.readdir(path.join(dir, 'received'))).sort()).toEqual(['a.xml']);
    expect((await fs.readdir(path.join(dir, 'refused'))).sort()).toEqual(['b.json', 'b.json.error.json', 'c.json', 'c.json.error.json']);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'refused', 'b.json.error.json'), 'utf8'))).toMatchObject({ file: 'b.json', error: { code: 'INBOUND_MEMBER_PRODUCT' } });
    expect(await fs.readdir(dir)).toEqual(expect.arrayContaining(['notes.txt']));
    expect(seen).toHaveLength(2);
  });

  it('names beside a received document what its XML carried with no EPCIS 2.0 field (EPCISBody/extension)', async () => {
    await fs.writeFile(path.join(dir, 'x.xml'), XML.replace('<EventList/>', '<EventList/><extension><carrierNote>n</carrierNote></extension>'));
    const [out] = await new InboundInbox(dir, async () => ({ shipmentId: 's', duplicate: false }), 0).sweep(Date.now() + 10);
    expect(out).toMatchObject({ outcome: 'received', omitted: [{ path: '/EPCISDocument/EPCISBody/extension', element: 'extension' }] });
    expect(JSON.parse(await fs.readFile(path.join(dir, 'received', 'x.xml.omitted.json'), 'utf8'))).toMatchObject({ file: 'x.xml', omitted: [{ path: '/EPCISDocument/EPCISBody/extension' }] });
  });

  it('leaves a file still being written, and one that met an outage, for the next sweep', async () => {
    await fs.writeFile(path.join(dir, 'late.xml'), XML);
    const fresh = await new InboundInbox(dir, async () => ({ shipmentId: 'x', duplicate: false }), 60_000).sweep();
    expect(fresh).toEqual([]);
    const outage = new InboundInbox(dir, async () => { throw Object.assign(new Error('peer unreachable'), { kind: 'unavailable' }); }, 0);
    await expect(outage.sweep(Date.now() + 10)).rejects.toThrow('peer unreachable');
    expect(await fs.readdir(dir)).toContain('late.xml');
  });
});
