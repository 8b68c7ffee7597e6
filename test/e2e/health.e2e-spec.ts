import { checkedFetch, expectProblem, request, TcpProxy } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';

/** Polls until `check` passes or the time is up; returns the last value seen. */
async function eventually<T>(
  probe: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await probe();
  }
  return value;
}

describe('health, readiness and metrics', () => {
  let env: TestEnvironment;
  let api: TestApi;
  const mysqlProxy = new TcpProxy(process.env.DB_HOST ?? '127.0.0.1', Number(process.env.DB_PORT ?? 3306));

  beforeAll(async () => {
    env = await TestEnvironment.create();
    // The app reaches MySQL only through the proxy, so the test can take MySQL away and bring it back.
    const port = await mysqlProxy.start();
    api = await env.startApi([], { database: { host: '127.0.0.1', port } });
  });
  afterAll(async () => {
    await env.cleanup();
    await mysqlProxy.stop();
  });

  it('is live without touching any dependency', async () => {
    const response = await request(`${api.baseUrl}/health/live`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('is ready when MySQL, Redis and the queues answer', async () => {
    const response = await request(`${api.baseUrl}/health/ready`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ok',
      checks: {
        mysql: expect.objectContaining({ status: 'up' }),
        redis: expect.objectContaining({ status: 'up' }),
        queues: expect.objectContaining({ status: 'up' }),
      },
    });
  });

  it('turns 503 within seconds when MySQL goes away, and 200 again when it is back, without a restart', async () => {
    await mysqlProxy.stop();
    const started = Date.now();
    const down = await eventually(
      () => request(`${api.baseUrl}/health/ready`),
      (r) => r.status === 503,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expectProblem(down, 503, '/problems/dependency-unavailable');
    expect(down.headers.get('retry-after')).toBe('5');
    // A route that needs MySQL answers 503 with Retry-After too (not 500): the client retries, nothing
    // was written.
    const cart = await request(`${api.baseUrl}/v1/carts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expectProblem(cart, 503, '/problems/dependency-unavailable');
    expect(cart.headers.get('retry-after')).toBe('5');
    expect(cart.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|3306/);
    expect(down.body.checks).toEqual(
      expect.objectContaining({
        mysql: expect.objectContaining({ status: 'down' }),
        redis: expect.objectContaining({ status: 'up' }),
      }),
    );
    // Why it is down (addresses, user names) is logged, never sent.
    expect(down.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|Access denied/);
    // Liveness does not depend on MySQL: an orchestrator must not restart a process for it.
    expect((await request(`${api.baseUrl}/health/live`)).status).toBe(200);

    await mysqlProxy.start();
    const up = await eventually(
      () => request(`${api.baseUrl}/health/ready`),
      (r) => r.status === 200,
    );
    expect(up.status).toBe(200);
    // The same process serves writes again: its pool reconnected by itself.
    const again = await eventually(
      () =>
        request(`${api.baseUrl}/v1/carts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
      (r) => r.status === 201,
    );
    expect(again.status).toBe(201);
  });

  // Open here: a test (like development) has no METRICS_TOKEN. The token and production: ops-exposure.e2e-spec.ts.
  it('exposes Prometheus metrics: process, HTTP durations by route template, queue depths, outbox lag', async () => {
    await request(`${api.baseUrl}/health/live`);
    await request(`${api.baseUrl}/v1/no/such/route/12345`);
    const response = await checkedFetch(`${api.baseUrl}/metrics`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} \d+/m,
    );
    // Unknown URLs are one label value, not one per URL.
    expect(text).toMatch(/route="unmatched",status_code="404"/);
    expect(text).not.toContain('/v1/no/such/route/12345');
    expect(text).toMatch(/^bull_queue_jobs\{queue="maintenance",state="waiting"\} \d+/m);
    expect(text).toMatch(/^bull_queue_jobs\{queue="maintenance",state="failed"\} \d+/m);
    expect(text).toMatch(/^outbox_lag_seconds \d+/m);
    expect(text).toMatch(/^outbox_pending_messages \d+/m);
  });
});
