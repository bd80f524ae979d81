import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { Response } from 'express';
import { DomainError } from '@pedigree/domain';
import { AccessError } from './auth';
import { classifyFailure, isLedgerFailure, ServiceError, UpstreamError } from './client-failure';

export { classifyFailure, ServiceError, UpstreamError } from './client-failure';
export type { ClientFailure } from './client-failure';

const logger = new Logger('errors');

/** The error a resolver threw, inside the GraphQLError graphql-js wrapped it in. */
function unwrapResolverError(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? error.originalError : error;
}

/** Apollo `formatError`: maps resolver failures; leaves GraphQL's own validation/parse errors as they are. */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof GraphQLError) return formatted;
  const known = original instanceof DomainError || isLedgerFailure(original) || original instanceof AccessError || original instanceof ServiceError || original instanceof UpstreamError || original instanceof HttpException;
  if (!known && formatted.extensions?.code && formatted.extensions.code !== 'INTERNAL_SERVER_ERROR') return formatted;
  const f = classifyFailure(original);
  if (f.code === 'INTERNAL_SERVER_ERROR' || f.code === 'LEDGER_ERROR') logger.error({ msg: 'request failed', error: (original as Error)?.message, stack: (original as Error)?.stack });
  return {
    message: f.message,
    locations: formatted.locations,
    path: formatted.path,
    extensions: {
      code: f.code,
      retryable: f.retryable,
      ...(f.domainCode ? { domainCode: f.domainCode } : {}),
      ...(f.details !== undefined ? { details: f.details } : {}),
    },
  };
}

/** The same mapping for REST routes (/epcis, VRS); GraphQL errors are left to formatError. */
@Catch()
export class ClientFailureFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType<string>() !== 'http') throw exception;
    const f = classifyFailure(exception);
    if (f.code === 'INTERNAL_SERVER_ERROR') logger.error({ msg: 'request failed', error: (exception as Error)?.message, stack: (exception as Error)?.stack });
    const res = host.switchToHttp().getResponse<Response>();
    res.status(f.httpStatus).json({ error: { code: f.code, message: f.message, retryable: f.retryable, domainCode: f.domainCode, details: f.details } });
  }
}
