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

/** Starts a service on PORT (or its role's default) and shuts down cleanly on SIGTERM/SIGINT. */
export async function bootstrapService(service: string, module: Type<unknown>): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: process.env.LOG_FORMAT === 'text' ? undefined : new JsonLogger(service) });
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? DEFAULT_PORTS[service] ?? 4000);
  await app.listen(port, process.env.HOST ?? '127.0.0.1');
  new Logger(service).log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${port}/graphql`);
  return app;
}
