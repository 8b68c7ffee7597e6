import { AppConfig } from '@app/config';
import { INestApplicationContext, ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { QUEUE_NAMES } from './queue-names';
import { WorkerModule } from './worker.module';

/** Builds and starts the worker: a Nest application context with no HTTP server. */
export async function createWorkerApp(
  config: AppConfig,
  imports: NonNullable<ModuleMetadata['imports']> = [],
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, imports), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  await app.init();
  app.get(Logger).log(`Worker started: consuming ${QUEUE_NAMES.join(', ')}; outbox relay running`, 'Worker');
  return app;
}
