import { DomainError } from '@pedigree/domain';
import { AccessError } from '@pedigree/platform/auth';
import { ServiceError } from '@pedigree/platform/client-failure';
import { EpcisProblem, problemOf } from './problem-json';

describe('EPCIS problem JSON', () => {
  it.each<[string, unknown, number, string]>([
    ['a query parameter error', new DomainError('EPCIS_QUERY_INVALID', 'query parameter EQ_bizStp: unknown', { reason: 'unknown', parameter: 'EQ_bizStp' }), 400, 'epcisException:QueryParameterException'],
    ['maxEventCount exceeded', new DomainError('EPCIS_QUERY_INVALID', 'too many', { reason: 'QueryTooLargeException', parameter: 'maxEventCount' }), 413, 'epcisException:QueryTooLargeException'],
    ['no credentials', new AccessError('UNAUTHENTICATED', 'no key'), 401, 'epcisException:SecurityException'],
    ['a role that may not', new AccessError('FORBIDDEN', 'auditor may not'), 403, 'epcisException:SecurityException'],
    ['a route that does not exist', Object.assign(new Error('Cannot GET /x'), { getStatus: () => 404 }), 404, 'epcisException:NoSuchResourceException'],
    ['bad input of the service', new ServiceError('BAD_INPUT', 'QUERY_INVALID', 'give epc'), 400, 'epcisException:ValidationException'],
    ['anything unexpected', new Error('boom'), 500, 'epcisException:ImplementationException'],
    ['its own problems as they are', new EpcisProblem(415, 'UnsupportedMediaTypeException', 'Unsupported Media Type'), 415, 'epcisException:UnsupportedMediaTypeException'],
  ])('%s', (_name, error, status, type) => {
    const body = problemOf(error).body('/events');
    expect(body).toMatchObject({ status, type, instance: '/events' });
    expect(typeof body['title']).toBe('string');
  });

  it('names the offending parameter', () => {
    expect(problemOf(new DomainError('EPCIS_QUERY_INVALID', 'x', { reason: 'x', parameter: 'perPage' })).body()).toMatchObject({ parameter: 'perPage' });
  });
});
