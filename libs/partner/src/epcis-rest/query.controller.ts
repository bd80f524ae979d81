import { Body, Controller, Delete, Get, HttpCode, Inject, Options, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, EPCIS_CONTEXT, EVENT_TYPES, parseEpcisQuery, type EpcisQueryParams } from '@pedigree/domain';
import { Roles, type AuthenticatedRequest } from '@pedigree/platform';
import { EpcisEventReads, NamedQueryRepository, type EventOrder, type NamedQueryRow } from '@pedigree/readmodel';
import { personOf } from '../ledger-commands';
import { PartnerContext } from '../partner-context';
import { OPERATORS, READERS } from '../roles';
import { decodePageToken, encodePageToken, perPageOf, queryFingerprint } from './page-token';
import { EpcisProblem, EpcisProblemFilter, setEpcisHeaders } from './problem';
import { eventAnswerFormat, renderEventAnswer } from './media-type';

/** perPage's upper limit (the standard lets a server set one, to be documented): PEDIGREE_EPCIS_MAX_PER_PAGE. */
const maxPerPage = (): number => Number(process.env['PEDIGREE_EPCIS_MAX_PER_PAGE'] ?? 1000);

/** Top-level vocabulary resources: the query parameter their `/{value}/events` stands for. */
const VOCABULARIES = {
  bizSteps: { field: 'bizStep', parameter: 'EQ_bizStep' },
  dispositions: { field: 'disposition', parameter: 'EQ_disposition' },
  readPoints: { field: 'readPoint', parameter: 'EQ_readPoint' },
  bizLocations: { field: 'bizLocation', parameter: 'EQ_bizLocation' },
} as const;
type Vocabulary = keyof typeof VOCABULARIES;

/** What `GET /` lists: the resources of the OpenAPI this binding answers. */
const TOP_LEVEL = ['queries', 'capture', 'events', 'eventTypes', 'epcs', 'readPoints', 'bizLocations', 'dispositions', 'bizSteps'] as const;

const collection = (member: readonly string[]) => ({ '@context': EPCIS_CONTEXT, type: 'Collection', member });

/** Express gives a repeated parameter as an array; anything nested is not an EPCIS parameter. */
function queryParams(req: Request): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.query)) {
    if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) out[name] = value as string | string[];
    else throw new DomainError('EPCIS_QUERY_INVALID', `query parameter ${name}: must be a plain value`, { reason: 'must be a plain value', parameter: name });
  }
  return out;
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** A link to the next page: the same request with the token, relative to the service. */
function nextLink(req: Request, token: string): string {
  const url = new URL(req.originalUrl ?? req.url, 'http://x');
  url.searchParams.set('nextPageToken', token);
  return `<${url.pathname}${url.search}>; rel="next"`;
}

/** A value-list token: the last value served, bound to the resource. */
function listToken(resource: string, after: string): string {
  return Buffer.from(JSON.stringify([resource, after])).toString('base64url');
}
function listAfter(resource: string, token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const [r, after] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [unknown, unknown];
    if (r === resource && typeof after === 'string') return after;
  } catch { /* refused below */ }
  throw new DomainError('EPCIS_QUERY_INVALID', 'query parameter nextPageToken: is not a token of this resource', { reason: 'not a token of this resource', parameter: 'nextPageToken' });
}

/**
 * The EPCIS 2.0 REST binding's query side, where the standard puts it: GET /events with the
 * SimpleEventQuery parameters (the domain's parseEpcisQuery) over this organisation's read model
 * (EpcisEventReads: filtered in SQL, matched exactly in batches, paged by an opaque nextPageToken
 * and a Link header), /events/{eventID}, /eventTypes, /epcs, /bizSteps, /bizLocations,
 * /readPoints, /dispositions and their `/{value}/events`. Only events this organisation's read model
 * may show are answered, as for GraphQL.
 */
@Controller()
@UseFilters(EpcisProblemFilter)
export class EpcisQueryController {
  private readonly reads: EpcisEventReads;
  private readonly queries: NamedQueryRepository;

  constructor(@Inject(PartnerContext) p: PartnerContext) {
    this.reads = new EpcisEventReads(p.database.dataSource);
    this.queries = new NamedQueryRepository(p.database.dataSource);
  }

  @Roles(...READERS)
  @Options(['events', 'events/:eventID', 'eventTypes', 'eventTypes/:eventType', 'eventTypes/:eventType/events', 'epcs', 'epcs/:epc', 'epcs/:epc/events',
    ...Object.keys(VOCABULARIES).flatMap((v) => [v, `${v}/:value`, `${v}/:value/events`]), 'queries/:queryName/events', ''])
  @HttpCode(204)
  options(@Res({ passthrough: true }) res: Response): void {
    setEpcisHeaders(res, true);
    res.setHeader('Allow', 'OPTIONS, GET');
  }

  @Roles(...READERS)
  @Options('queries/:queryName')
  @HttpCode(204)
  queryOptions(@Res({ passthrough: true }) res: Response): void {
    setEpcisHeaders(res, true);
    res.setHeader('Allow', 'OPTIONS, GET, DELETE');
  }

  /** The top-level resources (the OpenAPI's `GET /`), for discovery. */
  @Roles(...READERS)
  @Get('')
  topLevel(@Res({ passthrough: true }) res: Response): unknown {
    setEpcisHeaders(res);
    return collection(TOP_LEVEL);
  }

  /**
   * The standard's synchronous single-event capture. Every capture here is a capture job (the
   * ledger answers asynchronously), so this says where to send the event instead of a bare 404.
   */
  @Roles(...OPERATORS)
  @Post('events')
  captureOne(): never {
    throw new EpcisProblem(501, 'ImplementationException', 'Functionality not supported by server',
      'single events are captured by POST /capture (an EPCISDocument with one event: 202 and a capture job), or synchronously by POST /epcis/capture');
  }

  @Roles(...READERS)
  @Get('events')
  events(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.answer('events', queryParams(req), {}, req, res);
  }

  @Roles(...READERS)
  @Get('events/:eventID')
  async event(@Param('eventID') eventID: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const doc = await this.answer(`events/${eventID}`, {}, { EQ_eventID: eventID }, req, res) as { epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } };
    if (!doc.epcisBody.queryResults.resultsBody.eventList.length) throw new EpcisProblem(404, 'NoSuchResourceException', 'No such event', `no event ${eventID} here`);
    return doc;
  }

  @Roles(...READERS)
  @Get('eventTypes')
  eventTypes(@Res({ passthrough: true }) res: Response): unknown {
    setEpcisHeaders(res);
    return collection(EVENT_TYPES);
  }

  @Roles(...READERS)
  @Get('eventTypes/:eventType')
  eventType(@Param('eventType') type: string, @Res({ passthrough: true }) res: Response): unknown {
    if (!(EVENT_TYPES as readonly string[]).includes(type)) throw new EpcisProblem(404, 'NoSuchResourceException', 'No such event type', `${type} is not an EPCIS event type`);
    setEpcisHeaders(res);
    return collection(['events']);
  }

  @Roles(...READERS)
  @Get('eventTypes/:eventType/events')
  eventTypeEvents(@Param('eventType') type: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.answer(`eventTypes/${type}/events`, queryParams(req), { eventType: type }, req, res);
  }

  @Roles(...READERS)
  @Get('epcs')
  async epcs(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const params = queryParams(req);
    const limit = perPageOf(one(params['perPage']), maxPerPage());
    const page = await this.reads.epcs(limit, listAfter('epcs', one(params['nextPageToken'])));
    return this.list('epcs', page, req, res);
  }

  @Roles(...READERS)
  @Get('epcs/:epc')
  epc(@Res({ passthrough: true }) res: Response): unknown {
    setEpcisHeaders(res);
    return collection(['events']);
  }

  @Roles(...READERS)
  @Get('epcs/:epc/events')
  epcEvents(@Param('epc') epc: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.answer(`epcs/${epc}/events`, queryParams(req), { MATCH_anyEPC: epc }, req, res);
  }

  @Roles(...READERS)
  @Get(Object.keys(VOCABULARIES))
  async vocabulary(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const resource = req.path.split('/')[1] as Vocabulary;
    const params = queryParams(req);
    const limit = perPageOf(one(params['perPage']), maxPerPage());
    const page = await this.reads.vocabulary(VOCABULARIES[resource].field, limit, listAfter(resource, one(params['nextPageToken'])));
    return this.list(resource, page, req, res);
  }

  @Roles(...READERS)
  @Get(Object.keys(VOCABULARIES).map((v) => `${v}/:value`))
  vocabularyValue(@Res({ passthrough: true }) res: Response): unknown {
    setEpcisHeaders(res);
    return collection(['events']);
  }

  @Roles(...READERS)
  @Get(Object.keys(VOCABULARIES).map((v) => `${v}/:value/events`))
  vocabularyEvents(@Param('value') value: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const resource = req.path.split('/')[1] as Vocabulary;
    return this.answer(`${resource}/${value}/events`, queryParams(req), { [VOCABULARIES[resource].parameter]: value }, req, res);
  }

  @Roles(...READERS)
  @Options('queries')
  @HttpCode(204)
  queriesOptions(@Res({ passthrough: true }) res: Response): void {
    setEpcisHeaders(res, true);
    res.setHeader('Allow', 'OPTIONS, GET, POST');
  }

  /** A named query: `{ name, query: { parameter: value | [values] } }`, checked as GET /events would check it. */
  @Roles(...READERS)
  @Post('queries')
  @HttpCode(201)
  async createQuery(@Body() body: unknown, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const b = body as { name?: unknown; query?: unknown } | null;
    const name = b?.name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.~-]{0,99}$/.test(name)) {
      throw new EpcisProblem(400, 'ValidationException', 'Invalid query name', 'name is 1-100 letters, digits, _ . ~ - (a URL path segment)');
    }
    if (!b?.query || typeof b.query !== 'object' || Array.isArray(b.query)) throw new EpcisProblem(400, 'QueryValidationException', 'Invalid query', 'query is an object of SimpleEventQuery parameters');
    const query: Record<string, string[]> = {};
    for (const [parameter, value] of Object.entries(b.query as Record<string, unknown>)) {
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
        throw new DomainError('EPCIS_QUERY_INVALID', `query parameter ${parameter}: must be a value or a list of values`, { reason: 'not a value', parameter });
      }
      if (parameter === 'perPage' || parameter === 'nextPageToken') continue;
      query[parameter] = values.map(String);
    }
    parseEpcisQuery(query);
    if (!(await this.queries.create(name, query, personOf(req.principal?.subject)))) {
      throw new EpcisProblem(409, 'ResourceAlreadyExistsException', 'A query with this name exists', `there is a query named ${name} already`);
    }
    setEpcisHeaders(res);
    res.setHeader('Location', `/queries/${name}`);
    return { name, query };
  }

  @Roles(...READERS)
  @Get('queries')
  async listQueries(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const params = queryParams(req);
    const limit = perPageOf(one(params['perPage']), maxPerPage());
    const fingerprint = queryFingerprint('queries', {});
    const text = one(params['nextPageToken']);
    const token = text === undefined ? undefined : decodePageToken(text, fingerprint);
    const rows = await this.queries.list(limit + 1, token?.seq);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    setEpcisHeaders(res);
    if (rows.length > limit && last) res.setHeader('Link', nextLink(req, encodePageToken({ query: fingerprint, key: '', seq: last.seq, served: 0 })));
    return page.map((q) => ({ name: q.name, query: q.query }));
  }

  @Roles(...READERS)
  @Get('queries/:queryName')
  async getQuery(@Param('queryName') name: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const q = await this.namedQuery(name);
    setEpcisHeaders(res);
    return { name: q.name, query: q.query };
  }

  @Roles(...READERS)
  @Delete('queries/:queryName')
  @HttpCode(204)
  async deleteQuery(@Param('queryName') name: string, @Res({ passthrough: true }) res: Response): Promise<void> {
    if (!(await this.queries.delete(name))) throw new EpcisProblem(404, 'NoSuchNameException', 'No such query', `no query named ${name}`);
    setEpcisHeaders(res);
  }

  /** A named query's results, paged like GET /events (subscriptions: the same path with a WebSocket upgrade). */
  @Roles(...READERS)
  @Get('queries/:queryName/events')
  async queryEvents(@Param('queryName') name: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const q = await this.namedQuery(name);
    const { perPage, nextPageToken } = queryParams(req);
    return this.answer(`queries/${name}/events`, { ...(perPage ? { perPage } : {}), ...(nextPageToken ? { nextPageToken } : {}) }, q.query, req, res);
  }

  private async namedQuery(name: string): Promise<NamedQueryRow> {
    const q = await this.queries.get(name);
    if (!q) throw new EpcisProblem(404, 'NoSuchNameException', 'No such query', `no query named ${name}`);
    return q;
  }

  private list(resource: string, page: { values: string[]; more: boolean }, req: Request, res: Response): unknown {
    setEpcisHeaders(res);
    const last = page.values[page.values.length - 1];
    if (page.more && last !== undefined) res.setHeader('Link', nextLink(req, listToken(resource, last)));
    return collection(page.values);
  }

  /** One page of a SimpleEventQuery as an EPCISQueryDocument; `fixed` are the parameters the path stands for. */
  private async answer(resource: string, params: Record<string, string | string[]>, fixed: Record<string, string | string[]>, req: Request, res: Response): Promise<unknown> {
    const format = eventAnswerFormat(req.headers);
    const { perPage, nextPageToken, ...rest } = params;
    const merged: EpcisQueryParams = { ...rest, ...fixed };
    const query = parseEpcisQuery(merged);
    const order: EventOrder = query.orderBy === undefined ? 'record' : query.orderBy === 'eventTime' || query.orderBy === 'recordTime' ? query.orderBy : 'record';
    if (query.orderBy !== undefined && order === 'record') {
      throw new DomainError('EPCIS_QUERY_INVALID', 'query parameter orderBy: this repository orders by eventTime or recordTime only', { reason: 'unsupported orderBy', parameter: 'orderBy' });
    }
    const fingerprint = queryFingerprint(resource, merged);
    const token = one(nextPageToken) === undefined ? undefined : decodePageToken(one(nextPageToken) as string, fingerprint);
    const served = token?.served ?? 0;
    let limit = perPageOf(one(perPage), maxPerPage());
    if (query.eventCountLimit !== undefined) limit = Math.max(0, Math.min(limit, query.eventCountLimit - served));
    if (query.maxEventCount !== undefined && !token) {
      const count = await this.reads.countUpTo(query, query.maxEventCount + 1);
      if (count > query.maxEventCount) {
        throw new DomainError('EPCIS_QUERY_INVALID', `the query matches more than maxEventCount ${query.maxEventCount} events`, { reason: 'QueryTooLargeException', parameter: 'maxEventCount' });
      }
    }
    const page = limit > 0
      ? await this.reads.page(query, { limit, order, direction: order === 'record' ? 'ASC' : query.orderDirection, ...(token ? { after: { key: token.key, seq: token.seq } } : {}) })
      : { events: [] };
    const total = served + page.events.length;
    setEpcisHeaders(res);
    if (page.next && (query.eventCountLimit === undefined || total < query.eventCountLimit)) {
      res.setHeader('Link', nextLink(req, encodePageToken({ query: fingerprint, key: page.next.key, seq: page.next.seq, served: total })));
    }
    const doc = {
      '@context': [EPCIS_CONTEXT],
      type: 'EPCISQueryDocument',
      schemaVersion: '2.0',
      creationDate: new Date().toISOString(),
      epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: page.events } } },
    };
    const answer = renderEventAnswer(doc, format, { queryName: 'SimpleEventQuery' });
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    return answer.body;
  }
}

