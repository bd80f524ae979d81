import type { ApolloServerPlugin } from '@apollo/server';
import { Controller, Get, Header, Injectable, LoggerService, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import * as http from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ServiceConfigError } from './auth';
import { Roles } from './roles.guard';

/** One registry per service process; /metrics renders it in the Prometheus text format. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequests = new Histogram({
  name: 'pedigree_http_request_seconds',
  help: 'HTTP requests (GraphQL, EPCIS, VRS) by route and status',
  labelNames: ['route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const ledgerSubmissions = new Histogram({
  name: 'pedigree_ledger_submit_seconds',
  help: 'Ledger transactions submitted and committed, by chaincode function and outcome',
  labelNames: ['transaction', 'outcome'] as const,
  buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
  registers: [metricsRegistry],
});

export const projectedEvents = new Counter({
  name: 'pedigree_projector_events_total',
  help: 'Chaincode events projected into the read model, by type',
  labelNames: ['type'] as const,
  registers: [metricsRegistry],
});

/** 1 while the projector retries an event it cannot apply (alert on it: the read model is frozen at that event). */
export const projectorStalled = new Gauge({
  name: 'pedigree_projector_stalled',
  help: 'Whether the projector is stuck retrying an event it cannot apply (1) or following the ledger (0)',
  registers: [metricsRegistry],
});

export const projectorFailures = new Counter({
  name: 'pedigree_projector_failures_total',
  help: 'Failed projector attempts, by kind: an event not applied, or the event stream failing',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

export const projectorPayloadMismatches = new Counter({
  name: 'pedigree_projector_payload_mismatches_total',
  help: 'Chaincode events whose payload contradicts their block (txId: the block wins; actor: refused as a forgery), by field',
  labelNames: ['field', 'action'] as const,
  registers: [metricsRegistry],
});

export const verificationsTotal = new Counter({
  name: 'pedigree_verifications_total',
  help: 'Product identifier verifications answered, by outcome and source',
  labelNames: ['verified', 'source'] as const,
  registers: [metricsRegistry],
});

export const vrsRequestsTotal = new Counter({
  name: 'pedigree_vrs_requests_total',
  help: "This organisation's VRS requests to manufacturers' responders, by outcome (verified, not_verified, failed) and failure code",
  labelNames: ['outcome', 'code'] as const,
  registers: [metricsRegistry],
});

export const graphqlOperations = new Counter({
  name: 'pedigree_graphql_operations_total',
  help: 'GraphQL operations by outcome: executed, or refused before execution (parse errors, validation, query limits)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

/**
 * Counts whether each operation reached execution. Abuse (deep nesting, alias floods, costly pages)
 * must be refused before any resolver runs; this counter is how an operator, and test/security,
 * sees that it was.
 */
export const graphqlOperationMetrics: ApolloServerPlugin = {
  async requestDidStart() {
    let executed = false;
    return {
      async executionDidStart() { executed = true; },
      async willSendResponse() { graphqlOperations.inc({ outcome: executed ? 'executed' : 'refused' }); },
    };
  },
};

/**
 * /metrics on the service's own port needs an admin or auditor of its organisation: the figures
 * (request rates per route, ledger outcomes, projector progress) are the organisation's business.
 * A scraper that cannot authenticate gets its own listener (PEDIGREE_METRICS_ADDRESS), bound where
 * only it can reach.
 */
@Controller()
export class MetricsController {
  @Roles('admin', 'auditor')
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

@Injectable()
export class RequestMetricsMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const end = httpRequests.startTimer();
    res.on('finish', () => end({ route: req.baseUrl || req.path.split('/').slice(0, 2).join('/') || '/', status: String(res.statusCode) }));
    next();
  }
}

/**
 * Structured logs: one JSON object per line on stdout (errors on stderr) with time, level, service
 * and context, so log shippers need no parsing rules.
 */
export class JsonLogger implements LoggerService {
  constructor(private readonly service: string) {}

  log(message: unknown, context?: string): void { this.write('info', message, context); }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.write('error', message, context ?? stackOrContext, context ? stackOrContext : undefined);
  }
  warn(message: unknown, context?: string): void { this.write('warn', message, context); }
  debug(message: unknown, context?: string): void { if (process.env.LOG_LEVEL === 'debug') this.write('debug', message, context); }
  verbose(message: unknown, context?: string): void { if (process.env.LOG_LEVEL === 'debug') this.write('verbose', message, context); }

  private write(level: string, message: unknown, context?: string, stack?: string): void {
    const body = typeof message === 'object' && message !== null ? message : { msg: String(message) };
    const line = JSON.stringify({ time: new Date().toISOString(), level, service: this.service, context, ...body, ...(stack ? { stack } : {}) });
    (level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
  }
}

/** PEDIGREE_METRICS_ADDRESS `host:port`: /metrics without authentication on its own listener. */
export function metricsAddressFromEnv(env: NodeJS.ProcessEnv = process.env): { host: string; port: number } | undefined {
  const text = env.PEDIGREE_METRICS_ADDRESS?.trim();
  if (!text) return undefined;
  const m = text.match(/^(.+):(\d{1,5})$/);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new ServiceConfigError('LIMIT_CONFIG_INVALID', `PEDIGREE_METRICS_ADDRESS must be host:port, not ${JSON.stringify(text)}`);
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
}

export function startMetricsListener(address: { host: string; port: number }): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metricsRegistry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve(server));
  });
}
