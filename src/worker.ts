// First: sizes libuv's thread pool before any import can start it (see libs/config/src/runtime.ts).
import '@app/config/runtime';
// Second: tracing, when configured, patches the modules below before they load.
import './telemetry/register-worker';
import 'reflect-metadata';
import { loadConfigOrExit } from '@app/config';
import { Logger } from '@nestjs/common';
import { exitOnShutdownSignal } from './bootstrap/shutdown';
import { createWorkerApp } from './bootstrap/worker-app';

/** The worker process: Bull processors, repeatable jobs and the outbox relay; no HTTP. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const worker = await createWorkerApp(config);
  new Logger('Worker').log(`Worker started (Node ${process.version})`);
  exitOnShutdownSignal([worker], config.worker.shutdownTimeoutMs + 5_000);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Storekeep worker failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
