import { registerServedContract, unregisterContract } from '@app/testing';
import { freePort } from './process-tree';
import { CompiledApp, servicesEnvironment, startApiProcess, stopProcess, type ApiProcess } from './processes';
import type { TestEnvironment } from './test-environment';

/**
 * API processes (the compiled app, as `node dist/src/main.js` runs) on one TestEnvironment's
 * database and Redis, addressed directly: what a test of replicas needs without the rest of the
 * topology (Cluster adds workers and nginx).
 */
export class ApiReplicas {
  private constructor(
    private readonly compiled: CompiledApp,
    readonly apis: ApiProcess[],
  ) {}

  /** `extraEnv`: for every replica, or one entry per replica (e.g. one that reaches Redis through a proxy). */
  static async start(
    env: TestEnvironment,
    count: number,
    extraEnv: Record<string, string> | Array<Record<string, string>> = {},
  ): Promise<ApiReplicas> {
    const compiled = await CompiledApp.build();
    const processEnv = { NODE_ENV: 'test', LOG_LEVEL: 'warn', ...servicesEnvironment(env.config) };
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    const settled = await Promise.allSettled(
      ports.map((port, index) =>
        startApiProcess(
          { ...processEnv, ...(Array.isArray(extraEnv) ? extraEnv[index] : extraEnv) },
          port,
          compiled,
        ),
      ),
    );
    const apis = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) {
      await Promise.all(apis.map((api) => stopProcess(api, 'SIGKILL').catch(() => undefined)));
      await compiled.remove();
      throw failed.reason;
    }
    for (const api of apis) await registerServedContract(api.baseUrl);
    return new ApiReplicas(compiled, apis);
  }

  async stop(): Promise<void> {
    for (const api of this.apis) unregisterContract(api.baseUrl);
    await Promise.all(this.apis.map((api) => stopProcess(api, 'SIGTERM').catch(() => undefined)));
    await this.compiled.remove();
  }
}
