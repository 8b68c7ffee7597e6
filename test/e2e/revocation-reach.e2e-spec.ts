import { buildDataSourceOptions } from '@app/database';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { AuthClient, createUser, STRONG_PASSWORD, type Tokens } from '../support/auth-client';
import { ApiReplicas } from '../support/api-replicas';
import { TestEnvironment } from '../support/test-environment';

/** DESIGN.md, Processes: a revocation reaches every replica within this. */
const REACH_MS = 100;

const sessionOf = (accessToken: string) =>
  (JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as { sid: string }).sid;

/**
 * Replicas keep process copies of principals, sessions and API keys that Redis invalidates
 * (InvalidationLink). Two API processes: both serve a credential (so both hold it), it is revoked
 * through A, and B must refuse it in a request sent at most REACH_MS after A answered — polled, each
 * request sent as soon as the previous one answered. And a replica whose link to Redis is cut drops
 * its copies, so a revocation it was never told of still holds.
 */
describe('revocations reach every API replica within 100 ms (process copies invalidated by Redis)', () => {
  let env: TestEnvironment;
  let cluster: ApiReplicas;
  let db: DataSource;
  let redis: Redis;
  let a: AuthClient;
  let b: AuthClient;
  let adminToken: string;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    // Every request comes from 127.0.0.1: only the revocations under test may refuse one.
    cluster = await ApiReplicas.start(env, 2, {
      RATE_LIMIT_MAX: '1000000',
      AUTH_ROUTE_RATE_LIMIT_PER_MINUTE: '100000',
    });
    db = await new DataSource(buildDataSourceOptions(env.config.database)).initialize();
    redis = new Redis({ host: env.config.redis.host, port: env.config.redis.port });
    a = new AuthClient(cluster.apis[0].baseUrl);
    b = new AuthClient(cluster.apis[1].baseUrl);
    adminToken = (await createUser(a, db, { role: 'admin' })).tokens.accessToken;
  }, 240_000);

  afterAll(async () => {
    redis?.disconnect();
    await db?.destroy();
    await cluster?.stop();
    await env?.cleanup();
  }, 60_000);

  /** Both replicas serve `path` with the credential, twice (the second answer from their copies). */
  async function warm(path: string, headers: Record<string, string>): Promise<void> {
    for (const client of [a, b, a, b]) {
      const response = await client.send('GET', path, { headers });
      expect(response.status).toBe(200);
    }
  }

  /**
   * Runs `revoke` (through A), then asks B until it refuses: the refusing request must have been sent
   * within REACH_MS of A's answer. Returns when B refused it, in ms after A's answer.
   */
  async function expectReach(
    path: string,
    headers: Record<string, string>,
    revoke: () => Promise<void>,
  ): Promise<number> {
    await warm(path, headers);
    await revoke();
    const revokedAt = performance.now();
    for (;;) {
      const sentAt = performance.now() - revokedAt;
      const response = await b.send('GET', path, { headers });
      if (response.status === 401) return sentAt;
      expect(response.status).toBe(200);
      if (sentAt > REACH_MS) throw new Error(`replica B still served it ${Math.round(sentAt)} ms after A`);
    }
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function customer(): Promise<{ id: string; email: string; tokens: Tokens; other: Tokens }> {
    const user = await createUser(a, db);
    const second = await a.login(user.email);
    return { ...user, other: second.body };
  }

  it('logout (this session)', async () => {
    const user = await customer();
    await expectReach('/v1/me', bearer(user.tokens.accessToken), async () => {
      expect((await a.post('/v1/auth/logout', {}, user.tokens.accessToken)).status).toBe(204);
    });
  });

  it('logout everywhere', async () => {
    const user = await customer();
    await expectReach('/v1/me', bearer(user.other.accessToken), async () => {
      expect((await a.send('DELETE', '/v1/me/sessions', { token: user.tokens.accessToken })).status).toBe(
        204,
      );
    });
  });

  it('one session revoked', async () => {
    const user = await customer();
    await expectReach('/v1/me', bearer(user.other.accessToken), async () => {
      const path = `/v1/me/sessions/${sessionOf(user.other.accessToken)}`;
      expect((await a.send('DELETE', path, { token: user.tokens.accessToken })).status).toBe(204);
    });
  });

  it('password change (every other session ends)', async () => {
    const user = await customer();
    await expectReach('/v1/me', bearer(user.other.accessToken), async () => {
      const changed = await a.post(
        '/v1/me/password',
        { currentPassword: STRONG_PASSWORD, newPassword: `${STRONG_PASSWORD} changed` },
        user.tokens.accessToken,
      );
      expect(changed.status).toBe(200);
    });
  });

  it('user disabled by an admin', async () => {
    const user = await customer();
    await expectReach('/v1/me', bearer(user.tokens.accessToken), async () => {
      const disabled = await a.post(`/v1/admin/users/${user.id}/disable`, {}, adminToken);
      expect(disabled.status).toBe(200);
    });
  });

  it('role change (the user’s sessions end)', async () => {
    const staff = await createUser(a, db, { role: 'staff' });
    await expectReach('/v1/me', bearer(staff.tokens.accessToken), async () => {
      const changed = await a.send('PUT', `/v1/admin/users/${staff.id}/role`, {
        token: adminToken,
        body: { role: 'customer' },
      });
      expect(changed.status).toBe(200);
    });
  });

  it('refresh token reused (the session ends)', async () => {
    const user = await customer();
    const rotated = await a.post<Tokens>('/v1/auth/refresh', { refreshToken: user.tokens.refreshToken });
    expect(rotated.status).toBe(200);
    await expectReach('/v1/me', bearer(rotated.body.accessToken), async () => {
      const reused = await a.post('/v1/auth/refresh', { refreshToken: user.tokens.refreshToken });
      expect(reused.status).toBe(401);
    });
  });

  it('API key revoked', async () => {
    const created = await a.post<{ id: string; key: string }>(
      '/v1/admin/api-keys',
      { name: 'reach', scopes: ['api-keys:manage'] },
      adminToken,
    );
    expect(created.status).toBe(201);
    await expectReach('/v1/admin/api-keys?limit=1', { 'x-api-key': created.body.key }, async () => {
      const revoked = await a.send('DELETE', `/v1/admin/api-keys/${created.body.id}`, { token: adminToken });
      expect(revoked.status).toBe(200);
    });
  });

  it('API key of a creator who is disabled', async () => {
    const creator = await createUser(a, db, { role: 'admin' });
    const created = await a.post<{ id: string; key: string }>(
      '/v1/admin/api-keys',
      { name: 'creator', scopes: ['api-keys:manage'] },
      creator.tokens.accessToken,
    );
    expect(created.status).toBe(201);
    await expectReach('/v1/admin/api-keys?limit=1', { 'x-api-key': created.body.key }, async () => {
      expect((await a.post(`/v1/admin/users/${creator.id}/disable`, {}, adminToken)).status).toBe(200);
    });
  });

  it('a replica whose Redis link is cut drops its copies: a change it was never told of holds at once', async () => {
    const user = await customer();
    const { prefix } = env.config.redis;
    const linkName = `${prefix}:invalidations:${cluster.apis[1].child.pid}`;
    const clients = String(await redis.client('LIST'));
    const linkId = /\bid=(\d+)/.exec(
      clients.split('\n').find((line) => line.includes(` name=${linkName} `))!,
    )![1];
    await expectReach('/v1/me', bearer(user.tokens.accessToken), async () => {
      // One pipeline: Redis kills B's link, then ends the session (what a revocation writes), so the
      // change is reported to no connection of B's. Only dropping its copies keeps B from serving it.
      const results = await redis
        .pipeline()
        .client('KILL', 'ID', linkId)
        .set(`${prefix}:auth:session:${sessionOf(user.tokens.accessToken)}`, 'revoked', 'EX', 900)
        .exec();
      expect(results?.map(([error]) => error)).toEqual([null, null]);
    });
    // Back up, B keeps copies again and is told of changes again.
    const again = await customer();
    await expectReach('/v1/me', bearer(again.tokens.accessToken), async () => {
      expect((await a.post('/v1/auth/logout', {}, again.tokens.accessToken)).status).toBe(204);
    });
  });
});
