/**
 * The GS1 US DSCSA parts of an EPCIS header, read from the JSON-LD form the XML reader produces:
 * the SBDH parties and document identification, the Transaction Statement
 * (`gs1ushc:dscsaTransactionStatement`) and the product and location master data that carry the
 * Transaction Information fields (GS1 US Implementation Guideline R1.2/R1.3: EPCClass
 * `additionalTradeItemIdentification` NDC, `regulatedProductName`, `dosageFormType`,
 * `strengthDescription`, `netContentDescription`, `manufacturerOfTradeItemPartyName`; Location
 * name and address).
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface DscsaHeader {
  readonly sender?: { readonly identifier: string; readonly authority?: string };
  readonly receiver?: { readonly identifier: string; readonly authority?: string };
  readonly instanceIdentifier?: string;
  readonly creationDateAndTime?: string;
  /** True when the sender affirmed the DSCSA Transaction Statement. */
  readonly transactionStatementAffirmed?: boolean;
  readonly guidelineVersion?: string;
  /** Product master data by EPC class (LGTIN/GTIN pattern or Digital Link), attribute local name -> value. */
  readonly products: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Location / party master data by SGLN / PGLN. */
  readonly locations: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** `sbdh:Sender` -> { identifier, authority } whatever prefix the document used. */
function party(sbdh: Obj, local: string): DscsaHeader['sender'] {
  const entry = Object.entries(sbdh).find(([k]) => k.endsWith(`:${local}`))?.[1];
  const first = Array.isArray(entry) ? entry[0] : entry;
  if (!isObj(first)) return undefined;
  const id = Object.entries(first).find(([k]) => k.endsWith(':Identifier'))?.[1];
  if (typeof id === 'string') return { identifier: id };
  if (isObj(id)) return { identifier: String(id['#text'] ?? ''), ...(typeof id['@Authority'] === 'string' ? { authority: id['@Authority'] } : {}) };
  return undefined;
}

const local = (key: string): string => key.replace(/^.*[:#]/, '');

function find(obj: Obj, name: string): unknown {
  return Object.entries(obj).find(([k]) => local(k) === name)?.[1];
}

function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObj(v) && typeof v['#text'] === 'string') return v['#text'];
  return undefined;
}

export function dscsaHeaderOf(document: object): DscsaHeader {
  const header = (document as Obj)['epcisHeader'];
  const h = isObj(header) ? header : {};
  const sbdh = Object.entries(h).find(([k]) => k.endsWith(':StandardBusinessDocumentHeader'))?.[1];
  const s = isObj(sbdh) ? sbdh : {};
  const ident = find(s, 'DocumentIdentification');
  const di = isObj(ident) ? ident : {};
  const ts = find(h, 'dscsaTransactionStatement');
  const affirm = isObj(ts) ? textOf(find(ts, 'affirmTransactionStatement')) : textOf(ts);
  const products: Record<string, Record<string, string>> = {};
  const locations: Record<string, Record<string, string>> = {};
  const md = h['epcisMasterData'];
  const vocabularies = isObj(md) && Array.isArray(md['vocabularyList']) ? (md['vocabularyList'] as Obj[]) : [];
  // Entries of the wrong shape are skipped: this reads what a document offers; validation judges it.
  for (const v of vocabularies.filter(isObj)) {
    const type = String(v['type'] ?? '');
    const target = /EPCClass$/i.test(type) ? products : /Location$/i.test(type) ? locations : undefined;
    if (!target) continue;
    for (const e of ((Array.isArray(v['vocabularyElementList']) ? v['vocabularyElementList'] : []) as unknown[]).filter(isObj)) {
      const attrs: Record<string, string> = {};
      for (const a of ((Array.isArray(e['attributes']) ? e['attributes'] : []) as unknown[]).filter(isObj)) {
        const value = textOf(a['attribute']);
        if (value !== undefined) attrs[local(String(a['id'] ?? ''))] = value;
      }
      target[String(e['id'])] = attrs;
    }
  }
  const sender = party(s, 'Sender');
  const receiver = party(s, 'Receiver');
  const instance = textOf(find(di, 'InstanceIdentifier'));
  const created = textOf(find(di, 'CreationDateAndTime'));
  const guideline = textOf(find(h, 'guidelineVersion'));
  return {
    ...(sender ? { sender } : {}),
    ...(receiver ? { receiver } : {}),
    ...(instance ? { instanceIdentifier: instance } : {}),
    ...(created ? { creationDateAndTime: created } : {}),
    ...(affirm !== undefined ? { transactionStatementAffirmed: affirm.trim() === 'true' } : {}),
    ...(guideline ? { guidelineVersion: guideline } : {}),
    products,
    locations,
  };
}
