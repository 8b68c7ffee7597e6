// A Nest application context (no HTTP, no queue consumers) with just the feature modules a
// command-line tool needs, on the app's validated configuration: tools call the app's own services
// (and so its validation, transactions and audit) instead of writing SQL of their own.
import { RedisModule } from '@app/common';
import { AppConfig, AppConfigModule } from '@app/config';
import { DynamicModule, INestApplicationContext, Module, ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DatabaseModule } from '../database/database.module';
import { OUTBOX_ROUTE_TABLE } from '../bootstrap/outbox-routes';
import { QUEUE_NAMES } from '../bootstrap/queue-names';
import { StorefrontAvailabilityModule } from '../modules/catalog';
import { QueuesModule } from '../queues/queues.module';
import { nestLogLevels } from './log-levels';

type Imports = NonNullable<ModuleMetadata['imports']>;

@Module({})
class ToolModule {
  static forRoot(
    config: AppConfig,
    imports: Imports,
    providers: NonNullable<ModuleMetadata['providers']>,
  ): DynamicModule {
    return {
      module: ToolModule,
      // The same infrastructure as the API and worker: MySQL (created and migrated as the config says),
      // the shared Redis client (principal cache, catalog cache generation) and the queue producers
      // the outbox's features register. No processor is imported, so nothing consumes a queue.
      imports: [
        AppConfigModule.forRoot(config),
        RedisModule,
        DatabaseModule,
        QueuesModule.forRoot(QUEUE_NAMES, OUTBOX_ROUTE_TABLE),
        // Stock changes tell the storefront through this port (a tool may write stock: the demo seed).
        StorefrontAvailabilityModule,
        ...imports,
      ],
      providers,
    };
  }
}

/**
 * Boots the context. Nest's own start-up lines are shown only at `debug`: a tool's output is what it
 * did. Close it with `app.close()` (pools, Redis and queue clients).
 */
export async function createToolContext(
  config: AppConfig,
  imports: Imports,
  providers: NonNullable<ModuleMetadata['providers']> = [],
): Promise<INestApplicationContext> {
  const levels = nestLogLevels(config.logLevel);
  const quiet = levels === false ? false : levels.filter((level) => level !== 'log');
  return NestFactory.createApplicationContext(ToolModule.forRoot(config, imports, providers), {
    logger: quiet,
    abortOnError: false,
  });
}
