import { sglnToEpcUrn, sgtinToEpcUrn, type CompanyPrefixOptions } from '../gs1/epc-urn';
import { ndcToNdc11 } from '../gs1/ndc';
import type { Address } from '../lifecycle/ledger-records';
import type { IsoTimestamp } from '../time';
import { EPCIS_CONTEXT, type EpcisDocument, type EpcisEvent } from './events';

/**
 * The document a trading partner's system expects for a shipment (GS1 US Implementation Guideline
 * for DSCSA, R1.2/R1.3): the SBDH naming seller and buyer, the Transaction Statement
 * (`gs1ushc:dscsaTransactionStatement`), product master data carrying the Transaction Information's
 * product fields (NDC, name, dosage form, strength, container size, manufacturer) and location
 * master data for both parties, then every event of the shipped product's pedigree (commissioning,
 * packing, shipping). Written as EPCIS 2.0 JSON-LD; `writeEpcisXml` renders it as 1.2 or 2.0 XML,
 * and `readEpcisXml` + `dscsaHeaderOf` read it back.
 */
export interface DscsaExportParty {
  readonly name: string;
  /** The party's GLN (13 digits); its SGLN names it in the SBDH and the location master data. */
  readonly gln: string;
  readonly address?: Address;
  readonly companyPrefixLength?: number;
}

export interface DscsaExportProduct {
  readonly gtin: string;
  /** Dashed NDC; its 11-digit form is the EPCClass's additionalTradeItemIdentification. */
  readonly ndc?: string;
  readonly name: string;
  readonly dosageForm?: string;
  readonly strength?: string;
  readonly packSize?: string;
  readonly manufacturerName?: string;
  readonly prefix?: CompanyPrefixOptions;
}

export interface DscsaShipmentExport {
  /** The shipment's ID: the SBDH's InstanceIdentifier (the ASN the desadv bizTransaction names). */
  readonly shipmentId: string;
  readonly createdAt: IsoTimestamp;
  readonly seller: DscsaExportParty;
  readonly buyer: DscsaExportParty;
  readonly statementAffirmed: boolean;
  readonly legalNotice?: string;
  readonly products: readonly DscsaExportProduct[];
  /** The shipped product's events, in the order they happened. */
  readonly events: readonly EpcisEvent[];
}

const SBDH = 'http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader';
const GS1USHC = 'http://epcis.gs1us.org/hc/ns';
const MDA = 'urn:epcglobal:cbv:mda#';

const attribute = (name: string, value: string | undefined) => (value === undefined || value === '' ? [] : [{ id: `${MDA}${name}`, attribute: value }]);

function partySgln(party: DscsaExportParty): string {
  return sglnToEpcUrn(party.gln, '0', party.companyPrefixLength !== undefined ? { companyPrefixLength: party.companyPrefixLength } : {});
}

/** The EPC class of every serial of a GTIN (`urn:epc:idpat:sgtin:<prefix>.<item reference>.*`). */
export function sgtinClassPattern(gtin: string, prefix: CompanyPrefixOptions = {}): string {
  return sgtinToEpcUrn(gtin, '0', prefix).replace(/^urn:epc:id:sgtin:(.+)\.[^.]*$/, 'urn:epc:idpat:sgtin:$1.*');
}

export function dscsaShipmentDocument(x: DscsaShipmentExport): EpcisDocument {
  const location = (p: DscsaExportParty) => ({
    id: partySgln(p),
    attributes: [
      ...attribute('name', p.name),
      ...attribute('streetAddressOne', p.address?.street),
      ...attribute('city', p.address?.city),
      ...attribute('state', p.address?.state),
      ...attribute('postalCode', p.address?.postalCode),
      ...attribute('countryCode', p.address?.countryCode),
    ],
  });
  const product = (p: DscsaExportProduct) => ({
    id: sgtinClassPattern(p.gtin, p.prefix),
    attributes: [
      ...(p.ndc ? [...attribute('additionalTradeItemIdentification', ndcToNdc11(p.ndc)), ...attribute('additionalTradeItemIdentificationTypeCode', 'FDA_NDC_11')] : []),
      ...attribute('regulatedProductName', p.name),
      ...attribute('manufacturerOfTradeItemPartyName', p.manufacturerName),
      ...attribute('dosageFormType', p.dosageForm),
      ...attribute('strengthDescription', p.strength),
      ...attribute('netContentDescription', p.packSize),
    ],
  });
  const seen = new Set<string>();
  const products = x.products.filter((p) => !seen.has(p.gtin) && seen.add(p.gtin));
  const identifier = (p: DscsaExportParty) => ({ 'sbdh:Identifier': { '@Authority': 'SGLN', '#text': partySgln(p) } });
  return {
    '@context': [EPCIS_CONTEXT, { sbdh: SBDH, gs1ushc: GS1USHC, cbvmda: 'urn:epcglobal:cbv:mda' }],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: x.createdAt,
    epcisHeader: {
      'sbdh:StandardBusinessDocumentHeader': {
        'sbdh:HeaderVersion': '1.0',
        'sbdh:Sender': identifier(x.seller),
        'sbdh:Receiver': identifier(x.buyer),
        'sbdh:DocumentIdentification': {
          'sbdh:Standard': 'EPCglobal',
          'sbdh:TypeVersion': '1.2',
          'sbdh:InstanceIdentifier': x.shipmentId,
          'sbdh:Type': 'Events',
          'sbdh:CreationDateAndTime': x.createdAt,
        },
      },
      epcisMasterData: {
        vocabularyList: [
          { type: 'urn:epcglobal:epcis:vtype:EPCClass', vocabularyElementList: products.map(product) },
          { type: 'urn:epcglobal:epcis:vtype:Location', vocabularyElementList: [location(x.seller), location(x.buyer)] },
        ],
      },
      'gs1ushc:dscsaTransactionStatement': {
        'gs1ushc:affirmTransactionStatement': String(x.statementAffirmed),
        ...(x.legalNotice ? { 'gs1ushc:legalNotice': x.legalNotice } : {}),
      },
    },
    epcisBody: { eventList: x.events },
  };
}
