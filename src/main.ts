// First: sizes libuv's thread pool before any import can start it (see libs/config/src/runtime.ts).
import '@app/config/runtime';
// Second: tracing, when configured, patches the modules below before they load.
import './telemetry/register-api';
import 'reflect-metadata';
import { loadConfigOrExit } from '@app/config';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { createHttpApp } from './bootstrap/http-app';
import { exitOnShutdownSignal } from './bootstrap/shutdown';
import { createWorkerApp } from './bootstrap/worker-app';
import { HttpDrainService } from './modules/health';

/** The HTTP API process (and, with API_WITH_WORKER=true, the worker too: single-process dev mode). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const api = await createHttpApp(config);
  await api.listen(config.http.port, config.http.host);
  new Logger('Main').log(
    `API listening on ${config.http.host}:${config.http.port} (Node ${process.version})`,
  );
  const apps: INestApplicationContext[] = [api];
  if (config.worker.runInApiProcess) apps.push(await createWorkerApp(config));
  const workerGrace = config.worker.runInApiProcess ? config.worker.shutdownTimeoutMs : 0;
  const { drainDelayMs } = config.http;
  exitOnShutdownSignal(apps, drainDelayMs + config.http.shutdownTimeoutMs + workerGrace + 5_000, () =>
    api.get(HttpDrainService).drainFor(drainDelayMs),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Storekeep API failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
