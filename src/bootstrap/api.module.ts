import {
  CREDENTIAL_ROUTE,
  IdempotencyModule,
  LeasedThrottlerStorage,
  ProblemDetailsFilter,
  REDIS_CLIENT,
  RedisModule,
  ScriptedThrottlerStorage,
  createValidationPipe,
} from '@app/common';
import type Redis from 'ioredis';
import { AppConfig, AppConfigModule } from '@app/config';
import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { seconds, ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { DatabaseModule } from '../database/database.module';
import { buildLoggerParams } from '../logging/logger-options';
import { AccessGuard, AuthModule, SessionCheckModule } from '../modules/auth';
import { AnalyticsModule } from '../modules/analytics';
import { AuditModule } from '../modules/audit';
import { CatalogModule, CatalogImportModule, StorefrontAvailabilityModule } from '../modules/catalog';
import { InventoryModule } from '../modules/inventory';
import { PromotionsModule } from '../modules/promotions';
import { CartsModule } from '../modules/carts';
import { OrderAudienceModule, OrdersModule } from '../modules/orders';
import { NotificationsModule } from '../modules/notifications';
import { PaymentsModule } from '../modules/payments';
import { HealthModule } from '../modules/health';
import { UsersModule } from '../modules/users';
import { OutboxModule } from '../modules/outbox';
import { ShippingModule } from '../modules/shipping';
import { TaxesModule } from '../modules/taxes';
import { QueuesModule } from '../queues/queues.module';
import { OUTBOX_ROUTE_TABLE } from './outbox-routes';
import { QUEUE_NAMES } from './queue-names';
import { OrderCancellationHooksModule } from './order-cancellation-hooks.module';

/** The feature modules the HTTP API serves. No Bull processor may live in this graph. */
export const API_FEATURE_MODULES: NonNullable<ModuleMetadata['imports']> = [
  HealthModule,
  OutboxModule,
  IdempotencyModule,
  AuditModule,
  UsersModule,
  AuthModule,
  CatalogModule,
  InventoryModule,
  CatalogImportModule,
  PromotionsModule,
  ShippingModule,
  TaxesModule,
  CartsModule,
  OrdersModule,
  PaymentsModule,
  NotificationsModule,
  OrderCancellationHooksModule,
  StorefrontAvailabilityModule,
  OrderAudienceModule,
  SessionCheckModule,
  AnalyticsModule,
];

/** Root module of the HTTP API process. */
@Module({})
export class ApiModule {
  static forRoot(
    config: AppConfig,
    extraImports: NonNullable<ModuleMetadata['imports']> = [],
  ): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(buildLoggerParams(config, 'storekeep-api')),
        RedisModule,
        DatabaseModule,
        QueuesModule.forRoot(QUEUE_NAMES, OUTBOX_ROUTE_TABLE),
        ThrottlerModule.forRootAsync({
          inject: [AppConfig, REDIS_CLIENT],
          useFactory: (appConfig: AppConfig, redis: Redis) => ({
            throttlers: [
              {
                name: 'default',
                ttl: seconds(appConfig.rateLimit.ttlSeconds),
                limit: appConfig.rateLimit.max,
              },
              {
                name: 'credentials',
                ttl: seconds(60),
                limit: appConfig.auth.credentialRouteLimitPerMinute,
                skipIf: (context) => !Reflect.getMetadata(CREDENTIAL_ROUTE, context.getHandler()),
              },
            ],
            // Counters live in Redis so a limit holds across every API replica: leased to each replica
            // in slices (no more than the limit, a little less at worst; README "Rate limits"), exact
            // for the credential routes. The shared client is closed only after the HTTP server has
            // drained: a client of the storage's own would be closed by Nest before that, and
            // requests still in flight would get 500s.
            storage: new LeasedThrottlerStorage(
              redis,
              new ScriptedThrottlerStorage(redis),
              new Set(['credentials']),
            ),
            errorMessage: 'Too many requests',
          }),
        }),
        ...API_FEATURE_MODULES,
        ...extraImports,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        // Rate limit and access in one guard (it runs the ThrottlerGuard): deny by default, a route is
        // reachable only as its @Public/@Authenticated/@RequirePermission says.
        { provide: APP_GUARD, useExisting: AccessGuard },
      ],
    };
  }
}
