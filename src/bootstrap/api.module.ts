import {
  CREDENTIAL_ROUTE,
  IdempotencyModule,
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
import { AccessGuard } from '../modules/auth/access.guard';
import { AuditModule } from '../modules/audit/audit.module';
import { AuthModule } from '../modules/auth/auth.module';
import { CatalogModule } from '../modules/catalog/catalog.module';
import { InventoryModule } from '../modules/inventory/inventory.module';
import { PromotionsModule } from '../modules/promotions/promotions.module';
import { CartsModule } from '../modules/carts/carts.module';
import { OrdersModule } from '../modules/orders/orders.module';
import { PaymentsModule } from '../modules/payments/payments.module';
import { CatalogImportModule } from '../modules/catalog/import/catalog-import.module';
import { HealthModule } from '../modules/health/health.module';
import { UsersModule } from '../modules/users/users.module';
import { OutboxModule } from '../modules/outbox/outbox.module';
import { ShippingModule } from '../modules/shipping/shipping.module';
import { TaxesModule } from '../modules/taxes/taxes.module';
import { QueuesModule } from '../queues/queues.module';
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
  OrderCancellationHooksModule,
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
        QueuesModule,
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
            // Counters live in Redis so a limit holds across every API replica. The shared client is
            // closed only after the HTTP server has drained: a client of the storage's own would be
            // closed by Nest before that, and requests still in flight would get 500s.
            storage: new ScriptedThrottlerStorage(redis),
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
