import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocketServer, type WebSocket } from 'ws';
import { EPCIS_CONTEXT, matchesEpcisQuery, parseEpcisQuery, type EpcisQuery } from '@pedigree/domain';
import { AccessError, AUTHENTICATOR, RATE_LIMITER, type Authenticator, type Principal, type RateLimiter } from '@pedigree/platform';
import { EpcisEventReads, NamedQueryRepository, type EventScanPosition } from '@pedigree/readmodel';
import { PartnerContext } from '../partner-context';
import { READERS } from '../roles';
import { eventAnswerFormat, renderEventAnswer, type EventAnswerFormat } from './media-type';
import { EPCIS_VERSION_HEADERS, EpcisProblem, problemOf } from './problem';

const PATH = /^\/queries\/([^/]+)\/events$/;
const SCHEDULE = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'];
const logger = new Logger('epcis-subscriptions');
/** Open subscriptions per service at most: PEDIGREE_EPCIS_MAX_SUBSCRIPTIONS. */
const maxSubscriptions = (): number => Number(process.env['PEDIGREE_EPCIS_MAX_SUBSCRIPTIONS'] ?? 200);

/** The query document a subscriber receives for the events of one ledger transaction. */
export function subscriptionDocument(queryName: string, subscriptionID: string, eventList: readonly unknown[]): Record<string, unknown> {
  return {
    '@context': [EPCIS_CONTEXT], type: 'EPCISQueryDocument', schemaVersion: '2.0', creationDate: new Date().toISOString(),
    epcisBody: { queryResults: { queryName, subscriptionID, resultsBody: { eventList } } },
  };
}

/** A refused upgrade: the status and the problem JSON, then the socket closes. */
function refuse(socket: Duplex, problem: EpcisProblem, path: string): void {
  const body = JSON.stringify(problem.body(path));
  const headers = [
    `HTTP/1.1 ${problem.status} ${problem.title}`, 'Content-Type: application/problem+json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close',
    ...Object.entries(problem.headers).map(([n, v]) => `${n}: ${v}`),
    ...Object.entries(EPCIS_VERSION_HEADERS).filter(([n]) => n === 'GS1-EPCIS-Version' || n === 'GS1-CBV-Version').map(([n, v]) => `${n}: ${v}`),
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * The standard's WebSocket query subscriptions: `GET /queries/{queryName}/events?stream=true`
 * with `Upgrade: websocket`, authenticated when the socket opens (x-api-key or a Bearer token on
 * the upgrade request, the organisation's readers only, as for GET /events). Each ledger transaction
 * the read model projects afterwards is sent, as an EPCISQueryDocument, when it recorded events the
 * query matches and the organisation may see. Scheduled subscriptions (second … dayOfWeek) and
 * webhooks are not offered: refused with 400.
 */
@Injectable()
export class EpcisSubscriptions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly reads: EpcisEventReads;
  private readonly queries: NamedQueryRepository;

  constructor(
    @Inject(PartnerContext) private readonly p: PartnerContext,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.reads = new EpcisEventReads(p.database.dataSource);
    this.queries = new NamedQueryRepository(p.database.dataSource);
  }

  onApplicationBootstrap(): void {
    const events = this.p.projector.events;
    events.setMaxListeners(Math.max(events.getMaxListeners(), 1000)); // one listener per open subscription
    const server = this.adapterHost.httpAdapter?.getHttpServer() as { on(event: 'upgrade', listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): void } | undefined;
    server?.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const m = PATH.exec(url.pathname);
      if (!m) return; // another route's socket (GraphQL's on /graphql)
      this.upgrade(req, socket, head, decodeURIComponent(m[1] as string), url.searchParams).catch((err: unknown) => refuse(socket, problemOf(err), url.pathname));
    });
  }

  onApplicationShutdown(): void {
    for (const client of this.wss.clients) client.close(1001, 'service stopping');
    this.wss.close();
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, name: string, params: URLSearchParams): Promise<void> {
    const principal: Principal = await this.authenticator.authenticate(req.headers);
    if (!READERS.includes(principal.role)) throw new AccessError('FORBIDDEN', `role ${principal.role} may not subscribe (allowed: ${READERS.join(', ')})`);
    // The upgrade never reaches the HTTP middleware: the caller's rate limit is taken here.
    const decision = await this.limiter.take(principal, req.socket.remoteAddress ?? 'unknown');
    if (!decision.allowed) throw new EpcisProblem(429, 'ImplementationException', 'Too many requests', `try again in ${decision.retryAfterSeconds} s`, { 'Retry-After': String(decision.retryAfterSeconds) });
    if (this.wss.clients.size >= maxSubscriptions()) throw new EpcisProblem(503, 'ImplementationException', 'Too many subscriptions', `this service keeps at most ${maxSubscriptions()} subscriptions open; try again later`);
    const named = await this.queries.get(name);
    if (!named) throw new EpcisProblem(404, 'NoSuchNameException', 'No such query', `no query named ${name}`);
    if (SCHEDULE.some((s) => params.has(s))) throw new EpcisProblem(400, 'SubscribeNotPermittedException', 'Scheduled subscriptions are not offered', 'subscribe with stream=true: every newly recorded event the query matches is sent as it is recorded');
    if (params.get('stream') !== 'true') throw new EpcisProblem(400, 'SubscriptionControlsException', 'A subscription needs stream=true', 'set stream=true (scheduled subscriptions are not offered)');
    const query = parseEpcisQuery(named.query);
    // Asked for on the upgrade request as on GET /events: JSON-LD, EPCIS 2.0 XML or 1.2 XML, each message a query document.
    const format = eventAnswerFormat(req.headers);
    const initial = params.get('initialRecordTime') ?? undefined;
    // Checked as GE_recordTime is: a timestamp with its time zone.
    const replay = initial === undefined ? undefined : parseEpcisQuery({ ...named.query, GE_recordTime: initial.replace(' ', '+') });
    this.wss.handleUpgrade(req, socket, head, (ws) => this.stream(ws, name, query, replay, principal, format));
  }

  /**
   * Live events from the moment the listener is registered; with initialRecordTime, first what was
   * recorded since then up to the newest event at that moment, so that nothing is sent twice or missed.
   */
  private stream(ws: WebSocket, queryName: string, query: EpcisQuery, replay: EpcisQuery | undefined, principal: Principal, format: EventAnswerFormat): void {
    const subscriptionID = randomUUID();
    const send = (events: readonly unknown[]): void => {
      if (!events.length || ws.readyState !== ws.OPEN) return;
      const { body } = renderEventAnswer(subscriptionDocument(queryName, subscriptionID, events), format, { queryName, subscriptionID });
      ws.send(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const failed = (err: unknown): void => logger.warn({ msg: 'subscription delivery failed', subscriptionID, error: (err as Error).message });
    let until: string | undefined;
    let queue: Promise<void> = Promise.resolve();
    const onProjected = (e: { transactionId: string }): void => {
      // In order, one transaction after the other, whatever the database's answer times.
      queue = queue.then(async () => send((await this.reads.ofTransaction(e.transactionId, until)).filter((event) => matchesEpcisQuery(event, query)))).catch(failed);
    };
    this.p.projector.events.on('projected', onProjected);
    ws.on('close', () => this.p.projector.events.off('projected', onProjected));
    ws.on('error', () => this.p.projector.events.off('projected', onProjected));
    if (replay) {
      queue = (async () => {
        until = await this.reads.lastSeq();
        let after: EventScanPosition | undefined;
        for (;;) {
          const page = await this.reads.page(replay, { limit: 100, order: 'record', direction: 'ASC', untilSeq: until, ...(after ? { after } : {}) });
          send(page.events);
          if (!page.next || ws.readyState !== ws.OPEN) return;
          after = page.next;
        }
      })().catch(failed);
    }
    logger.log({ msg: 'query subscription opened', subscriptionID, queryName, subject: principal.subject, replay: replay !== undefined, media: format.media, version: format.version });
  }
}
