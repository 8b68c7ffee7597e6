import { flushTracing } from '@app/common';
import { INestApplicationContext, Logger } from '@nestjs/common';

/**
 * Closes the applications on SIGTERM/SIGINT: `beforeClose` first (the API's drain), then the API
 * stops accepting and finishes in-flight requests, the worker drains its jobs, then pools close,
 * then the spans still buffered are exported (tracing on). Past the deadline the process exits anyway.
 */
export function exitOnShutdownSignal(
  apps: INestApplicationContext[],
  deadlineMs: number,
  beforeClose: () => Promise<void> = () => Promise.resolve(),
): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: shutting down`);
    const force = setTimeout(() => {
      logger.error(`Still shutting down after ${deadlineMs} ms: exiting now`);
      process.exit(1);
    }, deadlineMs);
    force.unref();
    await beforeClose().catch((error: unknown) => logger.error({ err: error }, 'Drain failed'));
    const results = await Promise.allSettled(apps.map((app) => app.close()));
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    for (const failure of failed) logger.error({ err: failure.reason as unknown }, 'Close failed');
    await flushTracing().catch((error: unknown) => logger.error({ err: error }, 'Flushing traces failed'));
    process.exit(failed.length > 0 ? 1 : 0);
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}
