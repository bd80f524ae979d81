import { INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage } from 'node:http';
import { processAuthConfig, ServiceConfigError } from './auth';
import { JsonLogger, metricsAddressFromEnv, startMetricsListener } from './observability';
import { rateLimitsFromEnv } from './rate-limit';
import { isSetupFailure, portTakenMessage, SetupFailure } from '@pedigree/host';

/** Routes whose handlers read the request body themselves (see bootstrapService). */
export const OWN_BODY_ROUTES: readonly RegExp[] = [/^\/capture\/?(\?|$)/];
const readsOwnBody = (req: IncomingMessage): boolean => req.method === 'POST' && OWN_BODY_ROUTES.some((r) => r.test(req.url ?? ''));

/** Default ports, one per role, so that `npm start` can run them all on one machine. */
export const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  manufacturer: 4001,
  distributor: 4002,
  dispenser: 4003,
  forecast: 4004,
};

/** PORT, else the role's default shifted by PEDIGREE_PORT_OFFSET (as the network's ports are). */
export function servicePort(service: string): number {
  if (process.env.PORT) return Number(process.env.PORT);
  return (DEFAULT_PORTS[service] ?? 4000) + Number(process.env.PEDIGREE_PORT_OFFSET ?? 0);
}

/**
 * Reads every setting that decides who may call the service before anything starts: a service
 * that cannot tell partners from strangers exits with one line saying what to set.
 */
function checkConfiguration(service: string): { metrics?: { host: string; port: number } } {
  try {
    processAuthConfig();
    rateLimitsFromEnv();
    return { metrics: metricsAddressFromEnv() };
  } catch (err) {
    if (!(err instanceof ServiceConfigError)) throw err;
    process.stderr.write(`${service}: ${err.message} (${err.code})\n`);
    process.exit(78); // EX_CONFIG
  }
}

/**
 * Starts a service on PORT (or its role's default) and shuts down cleanly on SIGTERM/SIGINT. A
 * condition the user can fix (a port taken, Postgres unable to start) ends the process with one
 * line saying what and how to fix it, exit code 1; anything else keeps its stack.
 */
export async function bootstrapService(service: string, module: Type<unknown>): Promise<INestApplication | undefined> {
  const { metrics } = checkConfiguration(service);
  const port = servicePort(service);
  try {
    // abortOnError: false, so a failed start is thrown to here instead of Nest's process.abort().
    const app = await NestFactory.create(module, { abortOnError: false, logger: process.env.LOG_FORMAT === 'text' ? undefined : new JsonLogger(service) });
    app.enableShutdownHooks();
    // Nest's JSON parser for every route but those that read their own body from the stream, with
    // their own media types and size limits (EPCIS 2.0 POST /capture answers 413/415 as the standard says).
    (app as unknown as NestExpressApplication).useBodyParser('json', { type: (req: IncomingMessage) => /^application\/json\b/i.test(String(req.headers['content-type'] ?? '')) && !readsOwnBody(req) });
    try {
      await app.listen(port, process.env.HOST ?? '127.0.0.1');
    } catch (err) {
      await app.close().catch(() => undefined);
      throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? new SetupFailure(portTakenMessage(port, 'GraphQL')) : err;
    }
    const logger = new Logger(service);
    if (metrics) {
      const listener = await startMetricsListener(metrics);
      app.getHttpServer().on('close', () => listener.close());
      logger.log(`metrics on http://${metrics.host}:${metrics.port}/metrics`);
    }
    logger.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${port}/graphql`);
    return app;
  } catch (err) {
    process.stderr.write(isSetupFailure(err) ? `${service}: ${(err as Error).message}\n` : `${service}: failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
    // Let the exit handlers run (an embedded Postgres started before the failure is stopped).
    setTimeout(() => process.exit(1), 100).unref();
    return undefined;
  }
}
