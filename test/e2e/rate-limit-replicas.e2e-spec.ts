import { LEASE_DIVISOR } from '@app/common';
import { AuthClient } from '../support/auth-client';
import { ApiReplicas } from '../support/api-replicas';
import { TestEnvironment } from '../support/test-environment';

const LIMIT = 200;
const LEASE = Math.ceil(LIMIT / LEASE_DIVISOR);
const REPLICAS = 2;
/** README "Rate limits": never more than the limit; refused early by at most (N−1)·(lease−1). */
const OVERSHOOT = 0;
const EARLY = (REPLICAS - 1) * (LEASE - 1);

/**
 * The per-IP limit enforced approximately across replicas (leases of the window taken from Redis):
 * two API processes, one burst from one client address spread over both.
 */
describe('rate limit across two API processes (leased from Redis)', () => {
  let env: TestEnvironment;
  let replicas: ApiReplicas;
  let clients: AuthClient[];

  beforeAll(async () => {
    env = await TestEnvironment.create();
    replicas = await ApiReplicas.start(env, REPLICAS, {
      RATE_LIMIT_MAX: String(LIMIT),
      RATE_LIMIT_TTL_SECONDS: '600',
      // The client address is X-Forwarded-For's: each test is its own client.
      HTTP_TRUST_PROXY: 'true',
    });
    clients = replicas.apis.map((api) => new AuthClient(api.baseUrl));
  }, 240_000);

  afterAll(async () => {
    await replicas?.stop();
    await env?.cleanup();
  }, 60_000);

  /**
   * `count` requests from `ip`, alternating between the replicas, 16 in flight; the statuses. The
   * route is /v1/me without credentials: it passes the rate limit (401) or not (429), and touches
   * nothing else (storefront reads repeated from memory are answered before the guard).
   */
  async function burst(ip: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    let next = 0;
    const lane = async () => {
      while (next < count) {
        const i = next++;
        const response = await clients[i % clients.length].send('GET', '/v1/me', {
          headers: { 'x-forwarded-for': ip },
        });
        statuses.push(response.status);
      }
    };
    await Promise.all(Array.from({ length: 16 }, lane));
    return statuses;
  }

  it('a burst over both replicas: accepted ≤ limit + overshoot (0), ≥ limit − (N−1)·(lease−1)', async () => {
    const statuses = await burst('203.0.113.10', 2 * LIMIT + 50);
    const accepted = statuses.filter((status) => status === 401).length;
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    expect(accepted).toBeLessThanOrEqual(LIMIT + OVERSHOOT);
    expect(accepted).toBeGreaterThanOrEqual(LIMIT - EARLY);
  });

  it('the limit is per client: once refused on both replicas, another address is still served', async () => {
    await burst('203.0.113.20', LIMIT + 20);
    for (const client of clients) {
      const refused = await client.send('GET', '/v1/me', {
        headers: { 'x-forwarded-for': '203.0.113.20' },
      });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const other = await burst('203.0.113.21', 20);
    expect(other.every((status) => status === 401)).toBe(true);
  });
});
