import { expectProblem } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { DataSource } from 'typeorm';
import { AuthClient, createUser } from '../support/auth-client';

/**
 * Brute-force limits must not hand a third party the power to lock an owner out: they hold per
 * (account, client IP), per IP, and per account across IPs as a slow-down, never a lock.
 * The API trusts X-Forwarded-For here (as behind nginx), so each request can come from any address.
 */
describe('login limits: a third party cannot lock an owner out', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let client: AuthClient;
  let db: DataSource;

  beforeAll(async () => {
    // The defaults: 10 per account and IP, 50 per account across IPs, 15-minute windows.
    env = await TestEnvironment.create({
      auth: { loginMaxFailures: 10, accountMaxFailures: 50, loginWindowSeconds: 900 },
    });
    api = await env.startApi([], { http: { trustProxy: true } });
    client = new AuthClient(api.baseUrl);
    db = api.app.get(DataSource);
  });
  afterAll(() => env.cleanup());

  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  async function failures(email: string, ip: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let sent = 0; sent < count; sent += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, count - sent) }, (_, i) =>
          client.login(email, `wrong guess ${sent + i}`, from(ip)),
        ),
      );
      statuses.push(...batch.map((response) => response.status));
    }
    return statuses;
  }

  it('1,000 failed logins from one IP: 10 are checked, the rest 429; the owner signs in from another IP at once', async () => {
    const owner = await createUser(client, db);
    const statuses = await failures(owner.email, '203.0.113.10', 1000);
    expect(statuses.filter((status) => status === 401)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(990);

    // The attacking address is held back, even with the right password…
    const held = await client.login(owner.email, undefined, from('203.0.113.10'));
    expectProblem(held, 429, '/problems/rate-limited');
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
    // …and the owner, elsewhere, is not.
    const signedIn = await client.login(owner.email, undefined, from('198.51.100.7'));
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.accessToken).toEqual(expect.any(String));
  });

  it('over the per-account ceiling (50 across IPs) each further IP gets 2 guesses, and the owner still signs in', async () => {
    const owner = await createUser(client, db);
    for (let host = 1; host <= 5; host++) {
      const statuses = await failures(owner.email, `192.0.2.${host}`, 12);
      expect(statuses.sort()).toEqual([...Array(10).fill(401), 429, 429]);
    }
    // 50 failures: the account is slowed down. A fresh address gets two attempts, not ten.
    const slowed = await failures(owner.email, '192.0.2.99', 4);
    expect(slowed.sort()).toEqual([401, 401, 429, 429]);
    // The owner, from an address that has not failed, still gets in at once.
    expect((await client.login(owner.email, undefined, from('198.51.100.8'))).status).toBe(200);
  });

  it('an IPv6 client is one client per /64, however many addresses it uses', async () => {
    const owner = await createUser(client, db);
    const statuses: number[] = [];
    for (let i = 1; i <= 11; i++)
      statuses.push(
        (await client.login(owner.email, `wrong ${i}`, from(`2001:db8:5:6::${i.toString(16)}`))).status,
      );
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    expect((await client.login(owner.email, undefined, from('2001:db8:5:7::1'))).status).toBe(200);
  });
});
