import { INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { processAuthConfig, ServiceConfigError } from './auth';
import { JsonLogger, metricsAddressFromEnv, startMetricsListener } from './observability';
import { rateLimitsFromEnv } from './rate-limit';

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

/** Starts a service on PORT (or its role's default) and shuts down cleanly on SIGTERM/SIGINT. */
export async function bootstrapService(service: string, module: Type<unknown>): Promise<INestApplication> {
  const { metrics } = checkConfiguration(service);
  const app = await NestFactory.create(module, { logger: process.env.LOG_FORMAT === 'text' ? undefined : new JsonLogger(service) });
  app.enableShutdownHooks();
  const port = servicePort(service);
  await app.listen(port, process.env.HOST ?? '127.0.0.1');
  const logger = new Logger(service);
  if (metrics) {
    const listener = await startMetricsListener(metrics);
    app.getHttpServer().on('close', () => listener.close());
    logger.log(`metrics on http://${metrics.host}:${metrics.port}/metrics`);
  }
  logger.log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${port}/graphql`);
  return app;
}
