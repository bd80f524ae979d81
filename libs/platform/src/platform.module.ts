import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { HEALTH_CHECKS, HealthController, SERVICE_NAME } from './health.controller';
import { HealthCheck } from './service-health';
import { ServiceInfoResolver } from './service-info.resolver';

export interface PlatformOptions {
  /** The role this service plays: manufacturer, distributor, dispenser, forecast. */
  readonly service: string;
  readonly healthChecks?: HealthCheck[];
  readonly production?: boolean;
}

/**
 * What every Pedigree service has: a code-first GraphQL endpoint at /graphql and /health.
 * Introspection and the landing page are off in production mode.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const production = options.production ?? process.env.NODE_ENV === 'production';
    return {
      module: PlatformModule,
      global: true,
      imports: [
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          autoSchemaFile: true,
          sortSchema: true,
          introspection: !production,
          playground: false,
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: HEALTH_CHECKS, useValue: options.healthChecks ?? [] },
        ServiceInfoResolver,
      ],
      exports: [SERVICE_NAME],
    };
  }
}
