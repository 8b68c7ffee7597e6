import { checkedFetch, registerServedContract, unregisterContract } from '@app/testing';
import { TestEnvironment } from '../support/test-environment';
import { createServer } from 'node:net';
import { runEntry as run, servicesEnvironment, type Running, logLines } from '../support/processes';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('timed out');
}

describe('the API and worker as real processes', () => {
  let env: TestEnvironment;
  let processEnv: Record<string, string>;
  const running: Running[] = [];

  beforeAll(async () => {
    env = await TestEnvironment.create();
    processEnv = { NODE_ENV: 'development', LOG_LEVEL: 'info', ...servicesEnvironment(env.config) };
  });
  afterAll(async () => {
    for (const { child } of running) if (child.exitCode === null) child.kill('SIGKILL');
    await env.cleanup();
  });

  it('API: logs one JSON line per request with the request id, no credentials or query string, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const api = run('src/main.ts', { ...processEnv, PORT: String(port), HOST: '127.0.0.1' });
    running.push(api);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      () =>
        checkedFetch(`${base}/health/live`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
    );
    // A child process: check its answers against the document it serves (contract tests, issue 15).
    expect(await registerServedContract(base)).toBe(true);

    const response = await checkedFetch(`${base}/v1/nothing?token=abc`, {
      headers: { 'x-request-id': 'process-test-1', authorization: 'Bearer sk_live_secret_value' },
    });
    expect(response.status).toBe(404);
    await waitFor(() => api.output().includes('process-test-1'), 5_000);
    const line = logLines(api.output()).find((entry) => entry.reqId === 'process-test-1');
    expect(line).toEqual(
      expect.objectContaining({
        msg: 'request completed',
        statusCode: 404,
        method: 'GET',
        service: 'storekeep-api',
      }),
    );
    expect(line?.path).toBe('/v1/nothing');
    expect(api.output()).not.toContain('sk_live_secret_value');
    expect(api.output()).not.toContain('token=abc');

    unregisterContract(base);
    api.child.kill('SIGTERM');
    await expect(api.exited).resolves.toBe(0);
    expect(api.output()).toContain('SIGTERM received');
  }, 90_000);

  it('worker: starts without an HTTP server and exits 0 after draining on SIGTERM', async () => {
    const worker = run('src/worker.ts', processEnv);
    running.push(worker);
    await waitFor(() => worker.output().includes('Worker started'), 60_000);
    expect(worker.output()).not.toMatch(/Mapped \{|listening/i);

    worker.child.kill('SIGTERM');
    await expect(worker.exited).resolves.toBe(0);
    expect(worker.output()).toContain('Worker drained');
  }, 90_000);
});
