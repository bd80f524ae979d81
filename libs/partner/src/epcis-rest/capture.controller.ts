import { randomUUID } from 'node:crypto';
import { Controller, Get, HttpCode, Inject, Options, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  CAPTURE_ERROR_BEHAVIOURS, computeEventHashId, MAX_CAPTURE_COMMANDS, contextNamespaces, EpcisXmlReader, startCaptureJob, xmlHashOptions,
  type CaptureErrorBehaviour, type EventHashOptions, type XmlOmission,
} from '@pedigree/domain';
import { Roles, type AuthenticatedRequest } from '@pedigree/platform';
import { captureIdOf, type EventShape } from '../epcis-capture';
import { personOf } from '../ledger-commands';
import { OPERATORS, READERS } from '../roles';
import { captureJobDocument, EpcisCaptureJobs } from './capture-jobs';
import { checkCaptureVersions, checkVersionRanges } from './media-type';
import { decodePageToken, encodePageToken, perPageOf, queryFingerprint } from './page-token';
import { EpcisProblem, EpcisProblemFilter, setEpcisHeaders } from './problem';

/**
 * Events per capture (GS1-EPCIS-Capture-Limit): by default what one Capture transaction carries
 * (MAX_CAPTURE_COMMANDS), so a rollback document is all or nothing; PEDIGREE_EPCIS_CAPTURE_LIMIT overrides.
 */
export const captureLimit = (): number => Number(process.env['PEDIGREE_EPCIS_CAPTURE_LIMIT'] ?? MAX_CAPTURE_COMMANDS);
/** Bytes per capture (GS1-EPCIS-Capture-File-Size-Limit); PEDIGREE_EPCIS_CAPTURE_FILE_SIZE_LIMIT overrides. */
export const captureFileSizeLimit = (): number => Number(process.env['PEDIGREE_EPCIS_CAPTURE_FILE_SIZE_LIMIT'] ?? 64 * 1024 * 1024);

const MAX_JOBS_PER_PAGE = 100;

function limitHeaders(): Record<string, string> {
  return { 'GS1-EPCIS-Capture-Limit': String(captureLimit()), 'GS1-EPCIS-Capture-File-Size-Limit': String(captureFileSizeLimit()) };
}

function tooLarge(detail: string): EpcisProblem {
  return new EpcisProblem(413, 'CaptureLimitExceededException', 'Capture payload too large', detail, limitHeaders());
}

type MediaKind = 'json' | 'xml';

function mediaKindOf(req: Request): MediaKind {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type === 'application/ld+json') return 'json';
  if (type === 'application/xml' || type === 'text/xml') return 'xml';
  throw new EpcisProblem(415, 'UnsupportedMediaTypeException', 'Unsupported Media Type',
    `${type || 'a body without Content-Type'} is not captured here: send application/ld+json or application/json (EPCIS 2.0 JSON-LD), or application/xml / text/xml (EPCIS 1.2 or 2.0 XML)`,
    { 'Accept-Post': 'application/ld+json, application/json, application/xml, text/xml' });
}

interface ReadDocument {
  readonly doc: unknown;
  readonly hash?: EventHashOptions;
  readonly locations?: ReadonlyArray<{ line: number; column: number; path: string }>;
  readonly omitted?: readonly XmlOmission[];
}

/**
 * `x-epcis-omitted` on a capture answer: the place of each XML element the document carried that
 * EPCIS 2.0 has no field for (document, body and event-list extensions), so nothing is dropped unsaid.
 */
export function omittedHeader(omitted: readonly XmlOmission[] | undefined): Record<string, string> {
  if (!omitted?.length) return {};
  const shown = omitted.slice(0, 20).map((o) => o.path);
  return { 'x-epcis-omitted': `${shown.join(', ')}${omitted.length > shown.length ? `, … (${omitted.length} in all)` : ''}` };
}

/** The body, streamed and counted against the size limit; XML straight into the streaming reader. */
async function readDocument(req: Request, kind: MediaKind): Promise<ReadDocument> {
  const max = captureFileSizeLimit();
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) throw tooLarge(`the document is ${declared} bytes, more than ${max}`);
  if (req.readableEnded && req.body !== undefined) return { doc: req.body }; // parsed already (an app with Nest's own JSON parser)
  const xml = kind === 'xml' ? new EpcisXmlReader() : undefined;
  const chunks: string[] = [];
  let bytes = 0;
  req.setEncoding('utf8');
  for await (const chunk of req as AsyncIterable<string>) {
    bytes += Buffer.byteLength(chunk);
    if (bytes > max) throw tooLarge(`the document is larger than ${max} bytes`);
    if (xml) xml.write(chunk);
    else chunks.push(chunk);
  }
  if (xml) {
    try {
      const read = xml.end();
      return { doc: read.document, hash: xmlHashOptions(read), locations: read.locations, omitted: read.omitted };
    } catch (err) {
      throw new EpcisProblem(400, 'ValidationException', 'The XML document could not be read', (err as Error).message, {}, { details: (err as { details?: unknown }).details });
    }
  }
  try {
    return { doc: JSON.parse(chunks.join('')) };
  } catch (err) {
    throw new EpcisProblem(400, 'ValidationException', 'The body is not JSON', (err as Error).message);
  }
}

/** An EPCISDocument's events, or an EPCISQueryDocument's (the standard captures both), in EPCISDocument shape. */
function documentEvents(doc: unknown): { document: Record<string, unknown>; events: EventShape[] } {
  const d = doc as { type?: unknown; epcisBody?: { eventList?: unknown; queryResults?: { resultsBody?: { eventList?: unknown } } } } | null;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw new EpcisProblem(400, 'ValidationException', 'Not an EPCIS document', 'the body must be an EPCISDocument or an EPCISQueryDocument');
  const list = d.type === 'EPCISQueryDocument' ? d.epcisBody?.queryResults?.resultsBody?.eventList : d.epcisBody?.eventList;
  if (d.type !== 'EPCISDocument' && d.type !== 'EPCISQueryDocument') throw new EpcisProblem(400, 'ValidationException', 'Not an EPCIS document', 'type must be EPCISDocument or EPCISQueryDocument');
  if (!Array.isArray(list)) throw new EpcisProblem(400, 'ValidationException', 'Not an EPCIS document', 'the document has no event list (epcisBody.eventList)');
  const document = d.type === 'EPCISQueryDocument' ? { ...(d as Record<string, unknown>), type: 'EPCISDocument', epcisBody: { eventList: list } } : (d as Record<string, unknown>);
  return { document, events: list as EventShape[] };
}

function behaviourOf(req: Request): CaptureErrorBehaviour {
  const raw = req.headers['gs1-capture-error-behaviour'];
  if (raw === undefined) return 'rollback';
  const value = String(raw).trim().toLowerCase();
  if (!(CAPTURE_ERROR_BEHAVIOURS as readonly string[]).includes(value)) {
    throw new EpcisProblem(400, 'ValidationException', 'Invalid GS1-Capture-Error-Behaviour', `GS1-Capture-Error-Behaviour is rollback or proceed, not ${JSON.stringify(String(raw))}`);
  }
  return value as CaptureErrorBehaviour;
}

/**
 * The EPCIS 2.0 REST binding's capture interface, where the standard puts it (`/capture`, beside
 * `/events`): POST answers 202 with the capture job's Location once the document is read and
 * counted; the job validates it whole and records its events in the background (EpcisCaptureJobs).
 * The synchronous `/epcis/capture` stays as it was.
 */
@Controller()
@UseFilters(EpcisProblemFilter)
export class EpcisCaptureController {
  constructor(@Inject(EpcisCaptureJobs) private readonly jobs: EpcisCaptureJobs) {}

  @Roles(...OPERATORS)
  @Options('capture')
  @HttpCode(204)
  captureOptions(@Res({ passthrough: true }) res: Response): void {
    setEpcisHeaders(res, true);
    res.setHeader('Allow', 'OPTIONS, POST, GET');
    for (const [name, value] of Object.entries(limitHeaders())) res.setHeader(name, value);
    res.setHeader('GS1-Capture-Error-Behaviour', 'all');
  }

  @Roles(...OPERATORS)
  @Post('capture')
  @HttpCode(202)
  async capture(@Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    const kind = mediaKindOf(req);
    checkCaptureVersions(req.headers);
    const behaviour = behaviourOf(req);
    const read = await readDocument(req, kind);
    const { document, events } = documentEvents(read.doc);
    if (events.length > captureLimit()) throw tooLarge(`the document has ${events.length} events, more than ${captureLimit()}`);
    const hash: EventHashOptions = read.hash ?? { namespaces: contextNamespaces(document['@context']) };
    const eventIds = events.map((e) => {
      if (typeof e?.eventID === 'string' && e.eventID) return e.eventID;
      try {
        return computeEventHashId(e, hash);
      } catch {
        return undefined; // invalid: the job's validation says why
      }
    });
    const captureID = randomUUID();
    const state = startCaptureJob(behaviour, events.length);
    const submittedBy = personOf(req.principal?.subject);
    const known = eventIds.filter((id): id is string => id !== undefined);
    // The ledger IDs a Capture of this document, or of one of its events, was recorded under.
    const captureIds = new Map<string, string[]>([[captureIdOf(known), known], ...known.map((id) => [captureIdOf([id]), [id]] as [string, string[]])]);
    const created = await this.jobs.repository.createUnlessCaptured({ captureID, state, eventIds: known, ...(submittedBy ? { submittedBy } : {}) }, captureIds);
    if ('duplicates' in created) {
      throw new EpcisProblem(409, 'ResourceAlreadyExistsException', 'Events already captured',
        `${created.duplicates.length} event(s) of the document were already captured by this organisation: ${created.duplicates.slice(0, 10).join(', ')}${created.duplicates.length > 10 ? ', …' : ''}`,
        {}, { eventIDs: created.duplicates });
    }
    void this.jobs.run({ captureID, state, document, events, eventIds, hash, ...(read.locations ? { locations: read.locations } : {}), ...(submittedBy ? { submittedBy } : {}) });
    setEpcisHeaders(res);
    res.setHeader('Location', `/capture/${captureID}`);
    for (const [name, value] of Object.entries(omittedHeader(read.omitted))) res.setHeader(name, value);
  }

  @Roles(...READERS)
  @Get('capture')
  async list(@Query('perPage') perPage: string | undefined, @Query('nextPageToken') nextPageToken: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown[]> {
    checkVersionRanges(req.headers);
    const limit = perPageOf(perPage, MAX_JOBS_PER_PAGE);
    const fingerprint = queryFingerprint('capture', {});
    const token = nextPageToken === undefined ? undefined : decodePageToken(nextPageToken, fingerprint);
    const rows = await this.jobs.repository.list(limit + 1, token?.seq);
    setEpcisHeaders(res);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    if (rows.length > limit && last) {
      const next = encodePageToken({ query: fingerprint, key: '', seq: last.seq, served: (token?.served ?? 0) + page.length });
      res.setHeader('Link', `</capture?perPage=${limit}&nextPageToken=${next}>; rel="next"`);
    }
    return page.map(captureJobDocument);
  }

  @Roles(...READERS)
  @Options('capture/:captureID')
  @HttpCode(204)
  jobOptions(@Res({ passthrough: true }) res: Response): void {
    setEpcisHeaders(res, true);
    res.setHeader('Allow', 'OPTIONS, GET');
  }

  @Roles(...READERS)
  @Get('capture/:captureID')
  async job(@Param('captureID') captureID: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    checkVersionRanges(req.headers);
    const row = /^[0-9a-f-]{36}$/.test(captureID) ? await this.jobs.repository.get(captureID) : null;
    if (!row) throw new EpcisProblem(404, 'NoSuchResourceException', 'No such capture job', `no capture job ${captureID}`);
    setEpcisHeaders(res);
    return captureJobDocument(row);
  }
}
