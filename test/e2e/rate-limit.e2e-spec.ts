import { expectProblem, request } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { ProbeModule } from '../support/probe.module';

describe('rate limiting backed by Redis', () => {
  let env: TestEnvironment;
  let first: TestApi;
  let second: TestApi;

  beforeAll(async () => {
    env = await TestEnvironment.create({ rateLimit: { max: 5, ttlSeconds: 60 } });
    // Two replicas sharing one Redis: the limit must hold across them, not per process.
    first = await env.startApi([ProbeModule]);
    second = await env.startApi([ProbeModule]);
  });
  afterAll(() => env.cleanup());

  it('applies a per-route limit across replicas and answers 429 problem+json with Retry-After', async () => {
    const statuses: number[] = [];
    for (const api of [first, second, first])
      statuses.push((await request(`${api.baseUrl}/v1/probe/limited`)).status);
    expect(statuses).toEqual([200, 200, 200]);

    const limited = await request(`${second.baseUrl}/v1/probe/limited`);
    expectProblem(limited, 429, '/problems/rate-limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('applies the global limit to routes without an override', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await request(`${first.baseUrl}/v1/probe/conflict`)).status);
    expect(statuses).toEqual([409, 409, 409, 409, 409, 429]);
  });

  it('never limits the health probes', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => request(`${first.baseUrl}/health/live`)),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
  });
});
