import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { NextFunction, Request, Response } from 'express';
import { AuthConfig, Authenticator, authConfigFromEnv } from './auth';
import { ClientFailureFilter, formatGraphQLError } from './error-mapping';
import { HEALTH_CHECKS, HealthController, HealthRegistry, SERVICE_NAME } from './health.controller';
import { MetricsController, RequestMetricsMiddleware, graphqlOperationMetrics } from './observability';
import { DEFAULT_QUERY_LIMITS, QueryLimits, queryLimitRules } from './query-limits';
import { AUTHENTICATOR, RolesGuard } from './roles.guard';
import { HealthCheck } from './service-health';
import { ServiceInfoResolver } from './service-info.resolver';

export interface PlatformOptions {
  /** The role this service plays: manufacturer, distributor, dispenser, forecast. */
  readonly service: string;
  /** The organisation (MSP ID) whose users this service serves; others are refused. */
  readonly org?: string;
  readonly healthChecks?: HealthCheck[];
  readonly production?: boolean;
  readonly auth?: AuthConfig;
  readonly limits?: Partial<QueryLimits>;
}

/** Refuses batched GraphQL requests with more operations than the limit before Apollo parses them. */
function batchLimit(maxBatch: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (Array.isArray(req.body) && req.body.length > maxBatch) {
      res.status(400).json({ errors: [{ message: `at most ${maxBatch} operations per batch`, extensions: { code: 'BAD_USER_INPUT' } }] });
      return;
    }
    next();
  };
}

/**
 * What every Pedigree service has: a code-first GraphQL endpoint at /graphql (with graphql-ws
 * subscriptions on the same path), /health, /metrics, authentication with per-resolver roles, one
 * error mapping, and query limits. Introspection and the landing page are off in production mode.
 */
@Module({})
export class PlatformModule implements NestModule {
  private static maxBatch = DEFAULT_QUERY_LIMITS.maxBatch;

  static forRoot(options: PlatformOptions): DynamicModule {
    const production = options.production ?? process.env.NODE_ENV === 'production';
    const limits = { ...DEFAULT_QUERY_LIMITS, ...options.limits };
    PlatformModule.maxBatch = limits.maxBatch;
    const authenticator = new Authenticator(options.auth ?? authConfigFromEnv(), options.org ?? '');
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
          allowBatchedHttpRequests: true,
          validationRules: queryLimitRules(limits),
          plugins: [graphqlOperationMetrics],
          formatError: formatGraphQLError,
          subscriptions: { 'graphql-ws': true },
          context: (arg: { req?: unknown; connectionParams?: unknown }) => (arg.req ? { req: arg.req } : { connectionParams: arg.connectionParams ?? {} }),
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: HEALTH_CHECKS, useValue: options.healthChecks ?? [] },
        HealthRegistry,
        { provide: AUTHENTICATOR, useValue: authenticator },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_FILTER, useClass: ClientFailureFilter },
        ServiceInfoResolver,
      ],
      exports: [SERVICE_NAME, HealthRegistry, AUTHENTICATOR],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestMetricsMiddleware).forRoutes('*path');
    consumer.apply(batchLimit(PlatformModule.maxBatch)).forRoutes('graphql');
  }
}


