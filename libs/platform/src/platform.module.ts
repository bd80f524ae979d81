import { ThrottlerStorageService } from '@nestjs/throttler';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import type { ApolloServerPlugin } from '@apollo/server';
import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { GraphQLError, GraphQLSchema, parse } from 'graphql';
import { AuthConfig, Authenticator, Principal, processAuthConfig } from './auth';
import { classifyFailure, ClientFailureFilter, formatGraphQLError } from './error-mapping';
import { HEALTH_CHECKS, HealthController, HealthRegistry, SERVICE_NAME } from './health.controller';
import { MetricsController, RequestMetricsMiddleware, graphqlOperationMetrics } from './observability';
import { DEFAULT_QUERY_LIMITS, QueryLimits, queryLimitRules, requestCostError } from './query-limits';
import { RateLimitedError, RateLimiter, RateLimits, rateLimitsFromEnv } from './rate-limit';
import { batchLimit, QUERY_LIMITS, QueryCostMiddleware, RATE_LIMITER, RateLimitMiddleware } from './request-limits.middleware';
import { AttributionInterceptor } from './attribution';
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
  /** Default: from the environment (PEDIGREE_DEMO, PEDIGREE_API_KEYS, PEDIGREE_JWKS...). */
  readonly auth?: AuthConfig;
  readonly limits?: Partial<QueryLimits>;
  /** Default: from the environment (PEDIGREE_RATE_LIMIT...). */
  readonly rateLimits?: RateLimits;
}

/** graphql-ws's per-socket context; `extra` is where the principal found at connection is kept. */
interface SocketContext { readonly connectionParams?: Readonly<Record<string, unknown>>; readonly extra: unknown }
interface SocketExtra { principal?: Principal; request?: { socket?: { remoteAddress?: string } } }
const extraOf = (ctx: SocketContext) => ctx.extra as SocketExtra;

function lowerCase(params: Readonly<Record<string, unknown>>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k.toLowerCase(), typeof v === 'string' ? v : undefined]));
}

/**
 * What every Pedigree service has: a code-first GraphQL endpoint at /graphql (with graphql-ws
 * subscriptions on the same path, authenticated when the socket connects), /health, /metrics,
 * authentication with per-resolver roles, one error mapping, query limits and per-caller rate
 * limits. Introspection and the landing page are off in production mode.
 *
 * Nothing here reads the environment when the module is declared (at import): a configuration
 * error surfaces in `bootstrapService`, which reports it as one line instead of a stack.
 */
@Module({})
export class PlatformModule implements NestModule {
  private static maxBatch = DEFAULT_QUERY_LIMITS.maxBatch;

  static forRoot(options: PlatformOptions): DynamicModule {
    const production = options.production ?? process.env.NODE_ENV === 'production';
    const limits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, ...options.limits };
    PlatformModule.maxBatch = limits.maxBatch;
    let authenticator: Authenticator | undefined;
    const authenticatorOf = () => (authenticator ??= new Authenticator(options.auth ?? processAuthConfig(), options.org ?? ''));
    const storage = new ThrottlerStorageService();
    let limiter: RateLimiter | undefined;
    const limiterOf = () => (limiter ??= new RateLimiter(options.rateLimits ?? rateLimitsFromEnv(), storage));
    // The schema Apollo built, for costing operations that arrive over graphql-ws.
    let schema: GraphQLSchema | undefined;
    const schemaOf: ApolloServerPlugin = { async serverWillStart(service) { schema = service.schema; } };
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
          plugins: [graphqlOperationMetrics, schemaOf],
          formatError: formatGraphQLError,
          subscriptions: {
            'graphql-ws': {
              // A socket without valid credentials of this organisation is closed (4403) before
              // it can subscribe to anything.
              onConnect: async (ctx: SocketContext) => {
                try {
                  extraOf(ctx).principal = await authenticatorOf().authenticate(lowerCase(ctx.connectionParams ?? {}));
                  return true;
                } catch {
                  return false;
                }
              },
              // Operations over the socket pay the same rate and cost as over HTTP.
              onSubscribe: async (ctx: SocketContext, _id: string, payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null }) => {
                const decision = await limiterOf().take(extraOf(ctx).principal, extraOf(ctx).request?.socket?.remoteAddress ?? 'unknown');
                if (!decision.allowed) return [socketError(new RateLimitedError(decision.retryAfterSeconds))];
                let costError: GraphQLError | undefined;
                try {
                  costError = schema ? requestCostError(schema, [{ document: parse(payload.query), operationName: payload.operationName, variables: payload.variables }], limits) : undefined;
                } catch {
                  costError = undefined; // a parse error is graphql-ws's own to report
                }
                return costError ? [costError] : undefined;
              },
            },
          },
          context: (arg: { req?: unknown; extra?: unknown }) => (arg.req ? { req: arg.req } : { principal: (arg.extra as SocketExtra | undefined)?.principal }),
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: HEALTH_CHECKS, useValue: options.healthChecks ?? [] },
        HealthRegistry,
        { provide: AUTHENTICATOR, useFactory: authenticatorOf },
        { provide: QUERY_LIMITS, useValue: limits },
        { provide: ThrottlerStorageService, useValue: storage },
        { provide: RATE_LIMITER, useFactory: limiterOf },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_INTERCEPTOR, useClass: AttributionInterceptor },
        { provide: APP_FILTER, useClass: ClientFailureFilter },
        ServiceInfoResolver,
      ],
      exports: [SERVICE_NAME, HealthRegistry, AUTHENTICATOR, RATE_LIMITER],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestMetricsMiddleware).forRoutes('*path');
    consumer.apply(batchLimit(PlatformModule.maxBatch)).forRoutes('graphql');
    // Every route, /metrics and /health included: any route that looks at credentials is a place
    // to guess them (the middleware lets load balancers' credential-less /health probes through).
    consumer.apply(RateLimitMiddleware).forRoutes('*path');
    consumer.apply(QueryCostMiddleware).forRoutes('graphql');
  }
}

function socketError(err: unknown): GraphQLError {
  const f = classifyFailure(err);
  return new GraphQLError(f.message, { extensions: { code: f.code, retryable: f.retryable, ...(f.details !== undefined ? { details: f.details } : {}) } });
}
