import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import {
  canonicalJson, sha256Hex, computeEventHashId, contextNamespaces, DomainError, MAX_CAPTURE_COMMANDS, EPCIS_CONTEXT, EpcisXmlReader, validateEpcisDocument,
  writeEpcisXml, xmlHashOptions, type EpcisEvent, type EventHashOptions, type XmlOmission,
} from '@pedigree/domain';
import { Roles, ServiceError } from '@pedigree/platform';
import { toEpc } from './epc-input';
import type { MutationReceipt } from './ledger-commands';
import { captureIdOf, capturePart, commandFor, type EventShape } from './epcis-capture';
import { PartnerContext } from './partner-context';
import { InboundReceiver, type InboundReceipt } from './inbound';
import { OPERATORS, READERS } from './roles';
import { omittedHeader } from './epcis-rest/capture.controller';


/** Largest XML body read (bytes); PEDIGREE_EPCIS_XML_MAX_BYTES overrides. */
const XML_MAX_BYTES = Number(process.env['PEDIGREE_EPCIS_XML_MAX_BYTES'] ?? 64 * 1024 * 1024);

/**
 * Reads an XML body straight from the request stream into the streaming EPCIS reader (Nest's
 * JSON parser leaves such bodies unread), so the XML text is never held whole.
 */
async function readXmlBody(req: Request): Promise<{ doc: unknown; hash: EventHashOptions; locations: readonly { line: number; column: number; path: string }[]; omitted: readonly XmlOmission[]; sha256: string }> {
  const reader = new EpcisXmlReader();
  const digest = createHash('sha256');
  let bytes = 0;
  req.setEncoding('utf8');
  for await (const chunk of req as AsyncIterable<string>) {
    bytes += Buffer.byteLength(chunk);
    if (bytes > XML_MAX_BYTES) throw new ServiceError('BAD_INPUT', 'EPCIS_TOO_LARGE', `the XML document is larger than ${XML_MAX_BYTES} bytes`);
    digest.update(chunk);
    reader.write(chunk);
  }
  const read = reader.end();
  return { doc: read.document, hash: xmlHashOptions(read), locations: read.locations, omitted: read.omitted, sha256: digest.digest('hex') };
}

/** `?format=xml-1.2|xml-2.0`, else `Accept: application/xml` (EPCIS 1.2, what DSCSA partners read), else JSON-LD. */
/**
 * An EPCIS document as the caller asked for it: JSON-LD, or XML (`format`, else `Accept`). EPCIS 1.2
 * partners get what 1.2 can carry; what was left out is named in a header.
 */
export function epcisAnswer(doc: object, format: string | undefined, req: Request, res: Response): object | string {
  const version = xmlExportVersion(format, String(req.headers['accept'] ?? ''));
  if (!version) return doc;
  const omitted = new Set<string>();
  const xml = writeEpcisXml(doc, { version, onOmit: (_path, what) => omitted.add(what) });
  res.setHeader('content-type', 'application/xml; charset=utf-8');
  if (omitted.size) res.setHeader('x-epcis-omitted', [...omitted].join(', '));
  return xml;
}

function xmlExportVersion(format: string | undefined, accept: string): '1.2' | '2.0' | undefined {
  if (format === 'xml-1.2' || format === 'xml') return '1.2';
  if (format === 'xml-2.0') return '2.0';
  if (format !== undefined && format !== 'json' && format !== 'json-ld') throw new ServiceError('BAD_INPUT', 'QUERY_INVALID', 'format is json-ld, xml-1.2 or xml-2.0');
  return format === undefined && /\b(application|text)\/xml\b/.test(accept) && !/application\/(ld\+)?json/.test(accept) ? '1.2' : undefined;
}

function isXml(req: Request): boolean {
  return /^(application|text)\/([a-z0-9.+-]*\+)?xml\b/i.test(String(req.headers['content-type'] ?? ''));
}

/**
 * EPCIS 2.0 JSON-LD in and out; EPCIS 1.2 and 2.0 XML in (`Content-Type: application/xml` or
 * `text/xml`), converted to the same EPCIS 2.0 events and checked the same way; XML issues also
 * carry the line, column and element of their event. Capture validates the whole document first and refuses it whole,
 * with every problem, if anything is wrong; then records the whole document as one ledger
 * transaction (the chaincode's Capture): every event as its command, with the event's eventID (or
 * its CBV 2.0 hash) as event ID, all of them or none. A refusal by the chaincode names the event
 * (`commands[i]` is `epcisBody.eventList[i]`) and records nothing; a re-sent document answers each
 * event as a duplicate and writes nothing twice.
 */
@Controller('epcis')
export class EpcisController {
  constructor(@Inject(PartnerContext) private readonly p: PartnerContext) {}

  @Roles(...OPERATORS)
  @Post('capture')
  @HttpCode(200)
  async capture(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<{ captured: number; results: Array<MutationReceipt & { epcisEventId: string }>; omitted?: readonly XmlOmission[] }> {
    const xml = isXml(req) ? await readXmlBody(req) : undefined;
    const doc = xml ? xml.doc : body;
    const hash: EventHashOptions = xml ? xml.hash : { namespaces: contextNamespaces((doc as { '@context'?: unknown } | null)?.['@context']) };
    const issues = validateEpcisDocument(doc, { dscsa: true }).map((issue) => {
      const m = /^epcisBody\.eventList\[(\d+)\]/.exec(issue.path);
      const at = m && xml ? xml.locations[Number(m[1])] : undefined;
      return at ? { ...issue, line: at.line, column: at.column, element: at.path } : issue;
    });
    if (issues.length) throw new DomainError('EPCIS_INVALID', `the document has ${issues.length} problem(s); nothing was captured`, { issues });
    const events = (doc as { epcisBody: { eventList: EventShape[] } }).epcisBody.eventList;
    // One transaction records the document whole; larger documents go to the REST binding's
    // capture jobs with GS1-Capture-Error-Behaviour: proceed, or in parts.
    if (events.length > MAX_CAPTURE_COMMANDS) throw new ServiceError('BAD_INPUT', 'EPCIS_TOO_LARGE', `the document has ${events.length} events; one capture records at most ${MAX_CAPTURE_COMMANDS} (all or nothing)`);
    const eventIds = events.map((e) => e.eventID ?? computeEventHashId(e, hash));
    const parts = events.map((e, i) => capturePart(commandFor(e, i), eventIds[i] as string));
    // The document's own identity: the same events in the same order are the same capture.
    const receipts = await this.p.commands.capture(captureIdOf(eventIds), parts);
    const results = receipts.map((r, i) => ({ ...r, epcisEventId: eventIds[i] as string }));
    for (const [name, value] of Object.entries(omittedHeader(xml?.omitted))) res.setHeader(name, value);
    return { captured: results.length, results, ...(xml?.omitted.length ? { omitted: xml.omitted } : {}) };
  }

  /**
   * A shipment from a non-member, as the EPCIS document it sent (1.2 or 2.0 XML with SBDH and the
   * GS1 US extensions, or JSON-LD): checked, then recorded as a receipt on the ledger (InboundReceiver).
   * The document's SHA-256 is over its bytes for XML, over its canonical JSON for JSON-LD.
   */
  @Roles(...OPERATORS)
  @Post('inbound')
  @HttpCode(200)
  async inbound(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response, @Query('site') site: string | undefined): Promise<InboundReceipt> {
    const xml = isXml(req) ? await readXmlBody(req) : undefined;
    const doc = xml ? xml.doc : body;
    for (const [name, value] of Object.entries(omittedHeader(xml?.omitted))) res.setHeader(name, value);
    return new InboundReceiver(this.p).receive(doc, xml ? xml.sha256 : sha256Hex(canonicalJson(doc)), site ? { site } : {});
  }

  @Roles(...READERS)
  @Get('events')
  async events(
    @Query('epc') epc: string | undefined, @Query('shipment') shipment: string | undefined, @Query('format') format: string | undefined,
    @Req() req: Request, @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    if (!epc && !shipment) throw new ServiceError('BAD_INPUT', 'QUERY_INVALID', 'give epc or shipment');
    const subjects = epc ? [toEpc(epc)] : [];
    if (shipment) {
      const s = await this.p.readModel.shipments.get(shipment);
      if (!s) throw new ServiceError('NOT_FOUND', 'SHIPMENT_UNKNOWN', `no shipment ${shipment}`);
      subjects.push(shipment, ...s.epcs);
    }
    const eventList = (await this.p.readModel.history.epcisEvents(subjects)) as EpcisEvent[];
    eventList.sort((a, b) => String((a as { eventTime?: string }).eventTime).localeCompare(String((b as { eventTime?: string }).eventTime)));
    const doc = { '@context': [EPCIS_CONTEXT], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: new Date().toISOString(), epcisBody: { eventList } };
    return epcisAnswer(doc, format, req, res);
  }
}
