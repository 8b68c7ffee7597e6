import { Histogram, Registry } from 'prom-client';
import { RequestDurations } from './request-durations';

const BOUNDS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const OBSERVATIONS: Array<[string, string, number, number]> = [
  ['GET', '/health/live', 200, 0.0004],
  ['GET', '/health/live', 200, 0.002], // on a bound: counted in that bucket
  ['GET', '/health/live', 200, 0.0021],
  ['GET', '/v1/products/:idOrSlug', 404, 0.03],
  ['POST', '/v1/carts', 201, 7.5], // above every bound: +Inf only
  ['GET', 'unmatched', 404, 0.001],
];

describe('RequestDurations', () => {
  it("exports exactly what prom-client's own Histogram exports for the same observations", async () => {
    const reference = new Registry();
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: BOUNDS,
      registers: [reference],
    });
    const registry = new Registry();
    const durations = new RequestDurations(
      'http_request_duration_seconds',
      'HTTP request duration by method, route template and status code',
      BOUNDS,
      registry,
    );
    for (const [method, route, status, seconds] of OBSERVATIONS) {
      histogram.observe({ method, route, status_code: String(status) }, seconds);
      durations.observe(method, route, status, seconds);
    }

    expect(await registry.metrics()).toBe(await reference.metrics());
    expect(await registry.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
    registry.resetMetrics();
    reference.resetMetrics();
    expect(await registry.metrics()).toBe(await reference.metrics());
  });
});
