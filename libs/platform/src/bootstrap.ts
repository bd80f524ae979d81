import { INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JsonLogger } from './observability';

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

/** Starts a service on PORT (or its role's default) and shuts down cleanly on SIGTERM/SIGINT. */
export async function bootstrapService(service: string, module: Type<unknown>): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: process.env.LOG_FORMAT === 'text' ? undefined : new JsonLogger(service) });
  app.enableShutdownHooks();
  const port = servicePort(service);
  await app.listen(port, process.env.HOST ?? '127.0.0.1');
  new Logger(service).log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${port}/graphql`);
  return app;
}
