import { INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { isSetupFailure, portTakenMessage, SetupFailure } from '@pedigree/host';
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

/**
 * Starts a service on PORT (or its role's default) and shuts down cleanly on SIGTERM/SIGINT. A
 * condition the user can fix (a port taken, Postgres unable to start) ends the process with one
 * line saying what and how to fix it, exit code 1; anything else keeps its stack.
 */
export async function bootstrapService(service: string, module: Type<unknown>): Promise<INestApplication | undefined> {
  const port = servicePort(service);
  try {
    // abortOnError: false, so a failed start is thrown to here instead of Nest's process.abort().
    const app = await NestFactory.create(module, { abortOnError: false, logger: process.env.LOG_FORMAT === 'text' ? undefined : new JsonLogger(service) });
    app.enableShutdownHooks();
    try {
      await app.listen(port, process.env.HOST ?? '127.0.0.1');
    } catch (err) {
      await app.close().catch(() => undefined);
      throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? new SetupFailure(portTakenMessage(port, 'GraphQL')) : err;
    }
    new Logger(service).log(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${port}/graphql`);
    return app;
  } catch (err) {
    process.stderr.write(isSetupFailure(err) ? `${service}: ${(err as Error).message}\n` : `${service}: failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
    // Let the exit handlers run (an embedded Postgres started before the failure is stopped).
    setTimeout(() => process.exit(1), 100).unref();
    return undefined;
  }
}
