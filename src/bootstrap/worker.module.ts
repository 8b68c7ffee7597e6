import { IdempotencyWorkerModule, RedisModule } from '@app/common';
import { AppConfig, AppConfigModule } from '@app/config';
import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { DatabaseModule } from '../database/database.module';
import { buildLoggerParams } from '../logging/logger-options';
import {
  CatalogWorkerModule,
  CatalogImportWorkerModule,
  StorefrontAvailabilityModule,
} from '../modules/catalog';
import { InventoryWorkerModule } from '../modules/inventory';
import { OrderAudienceModule, OrderMailSourceModule, OrdersWorkerModule } from '../modules/orders';
import { WebhookResourcesModule } from '../modules/orders';
import { PaymentsWorkerModule } from '../modules/payments';
import { NotificationsWorkerModule } from '../modules/notifications';
import { OutboxWorkerModule } from '../modules/outbox';
import { AnalyticsWorkerModule, SalesRollupHandlerModule } from '../modules/analytics';
import { QueuesModule } from '../queues/queues.module';
import { OUTBOX_ROUTE_TABLE } from './outbox-routes';
import { QUEUE_NAMES } from './queue-names';
import { OrderCancellationHooksModule } from './order-cancellation-hooks.module';
import { WorkerShutdownService } from './worker-shutdown.service';

/** Every feature's worker module: processors, repeatable jobs, the outbox relay. */
export const WORKER_FEATURE_MODULES: NonNullable<ModuleMetadata['imports']> = [
  OutboxWorkerModule,
  NotificationsWorkerModule,
  CatalogWorkerModule,
  InventoryWorkerModule,
  CatalogImportWorkerModule,
  IdempotencyWorkerModule,
  OrdersWorkerModule,
  PaymentsWorkerModule,
  OrderCancellationHooksModule,
  OrderAudienceModule,
  StorefrontAvailabilityModule,
  OrderMailSourceModule,
  WebhookResourcesModule,
  AnalyticsWorkerModule,
  SalesRollupHandlerModule,
];

/** Root module of the worker process: no HTTP, only queues, the relay and scheduled work. */
@Module({})
export class WorkerModule {
  static forRoot(
    config: AppConfig,
    extraImports: NonNullable<ModuleMetadata['imports']> = [],
  ): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(buildLoggerParams(config, 'storekeep-worker')),
        RedisModule,
        DatabaseModule,
        QueuesModule.forRoot(QUEUE_NAMES, OUTBOX_ROUTE_TABLE),
        ...WORKER_FEATURE_MODULES,
        ...extraImports,
      ],
      providers: [WorkerShutdownService],
    };
  }
}
