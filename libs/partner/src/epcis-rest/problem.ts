import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { problemOf, setEpcisHeaders } from './problem-json';

export { EPCIS_VERSION_HEADERS, EpcisProblem, problemOf, setEpcisHeaders } from './problem-json';

const logger = new Logger('epcis-rest');
const logFailure = (err: unknown): void => logger.error({ msg: 'EPCIS request failed', error: (err as Error)?.message, stack: (err as Error)?.stack });

/** Any failure of a binding route as the standard's problem JSON; access refusals as SecurityException. */
@Catch()
export class EpcisProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<{ originalUrl?: string; url?: string }>();
    const problem = problemOf(exception, logFailure);
    setEpcisHeaders(res);
    for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.body((req.originalUrl ?? req.url ?? '').split('?')[0])));
  }
}
