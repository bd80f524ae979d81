import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { dscsaShipmentDocument, parseEpcUrn, type DscsaExportParty, type DscsaExportProduct, type EpcisEvent, type PartnerRecord } from '@pedigree/domain';
import { Roles, ServiceError } from '@pedigree/platform';
import { MASTER_DATA } from '@pedigree/readmodel';
import { epcisAnswer } from './epcis.controller';
import { PartnerContext } from './partner-context';
import { READERS } from './roles';

/**
 * Outbound: any shipment this organisation sent or received, as the document the other partner's
 * system expects (GS1 US DSCSA guideline: SBDH, Transaction Statement, product and location master
 * data, and the shipped product's events up to the shipment). EPCIS 1.2 XML for `Accept:
 * application/xml` or `?format=xml-1.2` (what DSCSA partners read), 2.0 XML for `xml-2.0`, else
 * EPCIS 2.0 JSON-LD. The private Transaction Information is not in it: it goes through
 * `transactionDocuments`, to the two parties only.
 */
@Controller('epcis')
export class EpcisExportController {
  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {}

  @Roles(...READERS)
  @Get('shipments/:id/document')
  async shipmentDocument(@Param('id') id: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const shipment = await this.p.readModel.shipments.get(id);
    if (!shipment) throw new ServiceError('NOT_FOUND', 'SHIPMENT_UNKNOWN', `no shipment ${id}`);
    const contents = await this.p.readModel.containers.contentsOf(shipment.epcs);
    const shippedAt = Date.parse(shipment.shippedAt);
    // The pedigree as it stood when the product left: nothing that happened to it afterwards.
    const events = ((await this.p.readModel.history.epcisEvents([id, ...contents])) as EpcisEvent[])
      .filter((e) => Date.parse(e.eventTime) <= shippedAt)
      .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
    const gtins = [...new Set(contents.flatMap((epc) => {
      const parsed = parseEpcUrn(epc) as { scheme: string; gtin?: string };
      return parsed.scheme === 'sgtin' && parsed.gtin ? [parsed.gtin] : [];
    }))];
    // One ledger read per organisation, however many of its products the shipment carries.
    const partners = new Map<string, Promise<PartnerRecord | undefined>>();
    const partner = (mspId: string): Promise<PartnerRecord | undefined> => {
      let read = partners.get(mspId);
      if (!read) partners.set(mspId, (read = this.partner(mspId)));
      return read;
    };
    const [seller, buyer] = await Promise.all([party(partner, shipment.sender), party(partner, shipment.receiver)]);
    const products: DscsaExportProduct[] = [];
    for (const gtin of gtins) {
      const product = await this.p.readModel.products.get(gtin);
      if (!product) continue;
      const maker = await partner(product.manufacturer);
      products.push({
        gtin, name: product.name, ...(product.ndc ? { ndc: product.ndc } : {}), ...(product.dosageForm ? { dosageForm: product.dosageForm } : {}),
        ...(product.strength ? { strength: product.strength } : {}), ...(product.packSize ? { packSize: product.packSize } : {}),
        ...(maker ? { manufacturerName: maker.name } : {}),
      });
    }
    // Dated when the shipment was, not when asked: the same shipment is the same document (and hash) however often a partner fetches it.
    const doc = dscsaShipmentDocument({ shipmentId: id, createdAt: new Date(shippedAt).toISOString(), seller, buyer, statementAffirmed: shipment.statementAffirmed, products, events });
    return epcisAnswer(doc, format, req, res);
  }

  private partner(mspId: string): Promise<PartnerRecord | undefined> {
    return this.p.reads.optional<PartnerRecord>('GetPartner', [mspId], MASTER_DATA);
  }

}

async function party(partnerOf: (mspId: string) => Promise<PartnerRecord | undefined>, mspId: string): Promise<DscsaExportParty> {
  const partner = await partnerOf(mspId);
  if (!partner) throw new ServiceError('NOT_FOUND', 'PARTNER_UNKNOWN', `${mspId} is not a registered trading partner`);
  return { name: partner.name, gln: partner.gln, address: partner.address };
}
