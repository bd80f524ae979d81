import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { canonicalJson, DomainError, EpcisXmlReader, isDomainError, type XmlOmission } from '@pedigree/domain';

/** What the inbox hands a document to (InboundReceiver.receive). */
export type ReceiveDocument = (document: unknown, documentSha256: string) => Promise<{ readonly shipmentId: string | null; readonly duplicate: boolean }>;

export interface InboxOutcome {
  readonly file: string;
  readonly outcome: 'received' | 'refused';
  readonly shipmentId?: string;
  readonly error?: { readonly code: string; readonly message: string };
  /** XML content the document carried that EPCIS 2.0 has no field for (also in `received/<name>.omitted.json`). */
  readonly omitted?: readonly XmlOmission[];
}

/**
 * A watched folder standing in for an AS2 endpoint: partners' systems (or an AS2 gateway) drop EPCIS
 * documents (`*.xml`, `*.json`, `*.jsonld`) into it; each is received like POST /epcis/inbound,
 * then moved to `received/` or, refused, to `refused/` beside a `<name>.error.json` that says why
 * (the typed error, as an AS2 MDN's disposition would). A file still being written is left for the
 * next sweep: only files unchanged for `settleMs` are taken. One sweep at a time, oldest first.
 */
export class InboundInbox {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<InboxOutcome[]>;

  constructor(private readonly dir: string, private readonly receive: ReceiveDocument, private readonly settleMs = 2000) {}

  start(intervalMs = 5000, onOutcome: (o: InboxOutcome) => void = () => undefined): void {
    this.timer = setInterval(() => {
      this.sweep().then((outcomes) => outcomes.forEach(onOutcome), () => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass over the folder; answers what became of each document taken. */
  sweep(now = Date.now()): Promise<InboxOutcome[]> {
    this.sweeping ??= this.pass(now).finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async pass(now: number): Promise<InboxOutcome[]> {
    await fs.mkdir(path.join(this.dir, 'received'), { recursive: true });
    await fs.mkdir(path.join(this.dir, 'refused'), { recursive: true });
    const files: Array<{ name: string; mtime: number }> = [];
    for (const entry of await fs.readdir(this.dir, { withFileTypes: true })) {
      if (!entry.isFile() || !/\.(xml|json|jsonld)$/i.test(entry.name)) continue;
      const stat = await fs.stat(path.join(this.dir, entry.name));
      if (now - stat.mtimeMs >= this.settleMs) files.push({ name: entry.name, mtime: stat.mtimeMs });
    }
    const outcomes: InboxOutcome[] = [];
    for (const { name } of files.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name))) outcomes.push(await this.take(name));
    return outcomes;
  }

  private async take(name: string): Promise<InboxOutcome> {
    const file = path.join(this.dir, name);
    const bytes = await fs.readFile(file);
    try {
      const { document, sha256, omitted } = readDocument(name, bytes);
      const receipt = await this.receive(document, sha256);
      await fs.rename(file, path.join(this.dir, 'received', name));
      // Said beside the document, as a refusal's reason is: nothing it carried is dropped unsaid.
      if (omitted.length) await fs.writeFile(path.join(this.dir, 'received', `${name}.omitted.json`), `${JSON.stringify({ file: name, omitted }, null, 2)}\n`);
      return { file: name, outcome: 'received', ...(receipt.shipmentId ? { shipmentId: receipt.shipmentId } : {}), ...(omitted.length ? { omitted } : {}) };
    } catch (err) {
      // A ledger or database outage is not the document's fault: leave it for the next sweep.
      if (!isDomainError(err) && !isRefusal(err)) throw err;
      const error = { code: isDomainError(err) ? err.code : String((err as { chaincodeCode?: string }).chaincodeCode ?? 'REFUSED'), message: (err as Error).message };
      await fs.rename(file, path.join(this.dir, 'refused', name));
      await fs.writeFile(path.join(this.dir, 'refused', `${name}.error.json`), `${JSON.stringify({ file: name, refusedAt: new Date().toISOString(), error, ...(isDomainError(err) ? { details: err.details } : {}) }, null, 2)}\n`);
      return { file: name, outcome: 'refused', error };
    }
  }
}

/** A chaincode refusal (a LedgerError of kind `chaincode`, with the chaincode's code) is the document's fault too. */
function isRefusal(err: unknown): boolean {
  const e = err as { kind?: string; chaincodeCode?: string } | null;
  return e?.kind === 'chaincode' && e.chaincodeCode !== undefined;
}

/** XML by its name, JSON-LD otherwise; the SHA-256 as POST /epcis/inbound takes it (XML bytes, canonical JSON). */
export function readDocument(name: string, bytes: Buffer): { document: unknown; sha256: string; omitted: readonly XmlOmission[] } {
  if (/\.xml$/i.test(name)) {
    const reader = new EpcisXmlReader();
    reader.write(bytes.toString('utf8'));
    const read = reader.end();
    return { document: read.document, sha256: createHash('sha256').update(bytes).digest('hex'), omitted: read.omitted };
  }
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new DomainError('EPCIS_INVALID', `${name} is not JSON (nor named .xml)`, { reason: 'not JSON' });
  }
  return { document, sha256: createHash('sha256').update(canonicalJson(document)).digest('hex'), omitted: [] };
}
