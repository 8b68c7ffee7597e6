import { IdempotencyWorkerModule, RedisModule } from '@app/common';
import { AppConfig, AppConfigModule } from '@app/config';
import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { DatabaseModule } from '../database/database.module';
import { buildLoggerParams } from '../logging/logger-options';
import { CatalogWorkerModule } from '../modules/catalog/catalog-worker.module';
import { InventoryWorkerModule } from '../modules/inventory/inventory-worker.module';
import { CatalogImportWorkerModule } from '../modules/catalog/import/catalog-import-worker.module';
import { OrdersWorkerModule } from '../modules/orders/orders-worker.module';
import { PaymentsWorkerModule } from '../modules/payments/payments-worker.module';
import { NotificationsWorkerModule } from '../modules/notifications/notifications-worker.module';
import { OutboxWorkerModule } from '../modules/outbox/outbox-worker.module';
import { QueuesModule } from '../queues/queues.module';
import { OrderCancellationHooksModule } from './order-cancellation-hooks.module';
import { WorkerShutdown } from './worker-shutdown.service';

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
        QueuesModule,
        ...WORKER_FEATURE_MODULES,
        ...extraImports,
      ],
      providers: [WorkerShutdown],
    };
  }
}
