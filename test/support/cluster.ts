import { registerServedContract, unregisterContract } from '@app/testing';
import { Nginx } from './nginx';
import { freePort } from './process-tree';
import {
  CompiledApp,
  servicesEnvironment,
  startApiProcess,
  startWorkerProcess,
  stopProcess,
  type ApiProcess,
  type Running,
} from './processes';
import type { TestEnvironment } from './test-environment';
import { waitFor } from './wait-for';

export interface ClusterOptions {
  apis?: number;
  workers?: number;
  /** Extra environment for every process (API and worker), e.g. RATE_LIMIT_MAX. */
  env?: Record<string, string>;
}

/**
 * The production topology on this machine: API and worker processes (the compiled app, as
 * `node dist/src/main.js` runs) on one TestEnvironment's database and Redis, behind a private nginx
 * configured from deploy/nginx.conf. Every API trusts nginx's X-Forwarded-For, as in docker-compose.
 */
export class Cluster {
  private constructor(
    private readonly compiled: CompiledApp,
    private readonly processEnv: Record<string, string>,
    readonly apis: ApiProcess[],
    readonly workers: Running[],
    readonly nginx: Nginx,
    /** Every process started, restarted ones included (for stop() and their output). */
    readonly started: Running[],
  ) {}

  /** nginx's address: the way in, as for a client. */
  get url(): string {
    return this.nginx.url;
  }

  static async start(env: TestEnvironment, options: ClusterOptions = {}): Promise<Cluster> {
    const compiled = await CompiledApp.build();
    const processEnv = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HTTP_TRUST_PROXY: 'true',
      ...servicesEnvironment(env.config),
      ...options.env,
    };
    const started: Running[] = [];
    try {
      const ports = await Promise.all(Array.from({ length: options.apis ?? 2 }, () => freePort()));
      // In parallel: migrations run once, under the advisory lock the first process takes.
      const apiStarts = ports.map((port) => startApiProcess(processEnv, port, compiled));
      const workerStarts = Array.from({ length: options.workers ?? 2 }, () =>
        startWorkerProcess(processEnv, compiled),
      );
      const settled = await Promise.allSettled<Running>([...apiStarts, ...workerStarts]);
      for (const result of settled) if (result.status === 'fulfilled') started.push(result.value);
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      const apis = started.slice(0, ports.length) as ApiProcess[];
      const workers = started.slice(ports.length);
      const nginx = await Nginx.start(apis.map((api) => `127.0.0.1:${api.port}`));
      const cluster = new Cluster(compiled, processEnv, apis, workers, nginx, started);
      // Answers through nginx and from each replica are checked against the document the API serves.
      for (const url of [nginx.url, ...apis.map((api) => api.baseUrl)]) await registerServedContract(url);
      return cluster;
    } catch (error) {
      await Promise.all(started.map((running) => stopProcess(running, 'SIGKILL').catch(() => undefined)));
      await compiled.remove();
      throw error;
    }
  }

  /**
   * One step of a rolling restart: SIGTERM to API replica `index` (it stops accepting, answers what is
   * in flight, exits), a new process on the same port, ready, and — when `servedThroughNginx` — until
   * nginx has sent it a request again (nginx takes a failed replica back only after `fail_timeout`,
   * so restarting the next one any earlier would leave no replica to send to).
   */
  async restartApi(
    index: number,
    servedThroughNginx = false,
  ): Promise<{ exitCode: number | null; drainMs: number; readyMs: number }> {
    const old = this.apis[index];
    const began = Date.now();
    const exitCode = await stopProcess(old, 'SIGTERM');
    const drainMs = Date.now() - began;
    const api = await startApiProcess(this.processEnv, old.port, this.compiled);
    this.started.push(api);
    this.apis[index] = api;
    const readyMs = Date.now() - began;
    // Counted from here: the old process has exited, so nothing logged later can be its answer.
    const logged = (await this.nginx.accessLog()).length;
    if (servedThroughNginx) {
      const address = `127.0.0.1:${api.port}`;
      await waitFor(
        async () =>
          (await this.nginx.accessLog())
            .slice(logged)
            .some((entry) => entry.upstream.split(', ').at(-1) === address && entry.status < 500),
        30_000,
        `nginx to send requests to the restarted replica ${address} again`,
      );
    }
    return { exitCode, drainMs, readyMs };
  }

  /** Output of every process this cluster started (for a failure message). */
  outputs(): string {
    return this.started
      .map(
        (running, i) => `--- process ${i} (pid ${running.child.pid}) ---\n${running.output().slice(-3000)}`,
      )
      .join('\n');
  }

  async stop(): Promise<void> {
    await this.nginx.stop();
    for (const url of [this.nginx.url, ...this.apis.map((api) => api.baseUrl)]) unregisterContract(url);
    await Promise.all(this.started.map((running) => stopProcess(running, 'SIGTERM').catch(() => undefined)));
    await this.compiled.remove();
  }
}
