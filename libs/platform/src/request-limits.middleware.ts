import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { NextFunction, Request, Response } from 'express';
import { parse } from 'graphql';
import { Authenticator } from './auth';
import { graphqlOperations } from './observability';
import { OperationRequest, QueryLimits, requestCostError } from './query-limits';
import { RateLimiter } from './rate-limit';
import { AUTHENTICATOR, AuthenticatedRequest, identityOf } from './roles.guard';

export const QUERY_LIMITS = Symbol('QUERY_LIMITS');
export const RATE_LIMITER = Symbol('RATE_LIMITER');

function isGraphQL(req: Request): boolean {
  return (req.originalUrl ?? req.url).startsWith('/graphql');
}

/** Refuses batched GraphQL requests with more operations than the limit before Apollo parses them. */
export function batchLimit(maxBatch: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (Array.isArray(req.body) && req.body.length > maxBatch) {
      res.status(400).json({ errors: [{ message: `at most ${maxBatch} operations per batch`, extensions: { code: 'BAD_USER_INPUT' } }] });
      return;
    }
    next();
  };
}

/**
 * Per-caller rate limits on GraphQL, EPCIS and VRS, before anything of the request runs: a refused
 * request answers 429 with Retry-After and a RATE_LIMITED code (GraphQL-shaped on /graphql).
 */
@Injectable()
export class RateLimitMiddleware implements NestMiddleware {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  async use(req: AuthenticatedRequest, res: Response, next: NextFunction): Promise<void> {
    // A probe without credentials is answered codes only and guesses nothing: not counted, so
    // load balancers polling /health never spend anyone's budget.
    if ((req.originalUrl ?? req.url).split('?')[0] === '/health' && req.headers['x-api-key'] === undefined && req.headers.authorization === undefined) {
      next();
      return;
    }
    try {
      const principal = await identityOf(req, this.authenticator).catch(() => undefined);
      const weight = Array.isArray(req.body) ? req.body.length : 1;
      const decision = await this.limiter.take(principal, req.ip ?? req.socket.remoteAddress ?? 'unknown', weight);
      if (decision.allowed) {
        next();
        return;
      }
      const message = `too many requests: try again in ${decision.retryAfterSeconds} s`;
      const extensions = { code: 'RATE_LIMITED', retryable: true, retryAfterSeconds: decision.retryAfterSeconds };
      res.setHeader('Retry-After', String(decision.retryAfterSeconds));
      if (isGraphQL(req)) graphqlOperations.inc({ outcome: 'refused' }, Math.max(1, weight));
      res.status(429).json(isGraphQL(req) ? { errors: [{ message, extensions }] } : { error: { message, ...extensions } });
    } catch (err) {
      next(err);
    }
  }
}

/** What the client sent as one or several GraphQL operations, parsed; undefined leaves it to Apollo. */
function operationsOf(req: Request): OperationRequest[] | undefined {
  const bodies: unknown[] = Array.isArray(req.body) ? req.body : [req.method === 'GET' ? req.query : req.body];
  const operations: OperationRequest[] = [];
  for (const b of bodies) {
    const body = b as { query?: unknown; operationName?: unknown; variables?: unknown } | null;
    if (!body || typeof body.query !== 'string') return undefined;
    let variables = body.variables;
    try {
      if (typeof variables === 'string') variables = JSON.parse(variables);
      operations.push({
        document: parse(body.query),
        operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
        variables: variables && typeof variables === 'object' ? (variables as Record<string, unknown>) : undefined,
      });
    } catch {
      return undefined; // Apollo answers malformed requests with its own errors
    }
  }
  return operations;
}

/**
 * The cost rule needs the variables' values (a `$first` of 200 is 200 items), which graphql-js
 * validation never sees, and a batch must be costed as a whole before any of it runs: so it is
 * checked here, on the HTTP request, before Apollo.
 */
@Injectable()
export class QueryCostMiddleware implements NestMiddleware {
  constructor(
    private readonly schemaHost: GraphQLSchemaHost,
    @Inject(QUERY_LIMITS) private readonly limits: QueryLimits,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const operations = operationsOf(req);
    const error = operations && requestCostError(this.schemaHost.schema, operations, this.limits);
    if (!error || !operations) {
      next();
      return;
    }
    graphqlOperations.inc({ outcome: 'refused' }, operations.length);
    res.status(400).json({ errors: [{ message: error.message, extensions: error.extensions }] });
  }
}
