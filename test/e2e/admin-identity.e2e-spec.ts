import { expectProblem, request } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { DataSource } from 'typeorm';
import { AuthClient, createUser, uniqueEmail } from '../support/auth-client';

describe('staff management, API keys and the audit log', () => {
  let env: TestEnvironment;
  let first: TestApi;
  let second: TestApi;
  let client: AuthClient;
  let otherClient: AuthClient;
  let db: DataSource;
  let admin: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    first = await env.startApi();
    second = await env.startApi();
    client = new AuthClient(first.baseUrl);
    otherClient = new AuthClient(second.baseUrl);
    db = first.app.get(DataSource);
    admin = await createUser(client, db, { role: 'admin' });
  });
  afterAll(() => env.cleanup());

  const auditFor = async (targetId: string) =>
    (
      await client.get<{ data: Array<Record<string, unknown>> }>(
        `/v1/admin/audit?targetId=${targetId}`,
        admin.tokens.accessToken,
      )
    ).body.data;

  it('lists and searches users with cursor pagination', async () => {
    const marker = `findme${Date.now()}`;
    for (let i = 0; i < 3; i++) await createUser(client, db, { email: uniqueEmail(marker) });
    const page1 = await client.get<{ data: Array<{ email: string }>; nextCursor: string | null }>(
      `/v1/admin/users?q=${marker}&limit=2`,
      admin.tokens.accessToken,
    );
    expect(page1.status).toBe(200);
    expect(page1.body.data).toHaveLength(2);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await client.get<{ data: Array<{ email: string }>; nextCursor: string | null }>(
      `/v1/admin/users?q=${marker}&limit=2&cursor=${page1.body.nextCursor}`,
      admin.tokens.accessToken,
    );
    expect(page2.body.data).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    const emails = [...page1.body.data, ...page2.body.data].map((u) => u.email);
    expect(new Set(emails).size).toBe(3);
    expect(emails.every((email) => email.startsWith(marker))).toBe(true);
    expect(page1.body.data[0]).not.toHaveProperty('passwordHash');
    expectProblem(
      await client.get('/v1/admin/users?cursor=bm90LWpzb24', admin.tokens.accessToken),
      422,
      '/problems/invalid-cursor',
    );
  });

  it('disabling a user refuses their next request at once, on every replica, and is audited', async () => {
    const customer = await createUser(client, db);
    expect((await otherClient.get('/v1/me', customer.tokens.accessToken)).status).toBe(200); // cached on replica 2
    const disabled = await client.post(
      `/v1/admin/users/${customer.id}/disable`,
      {},
      admin.tokens.accessToken,
    );
    expect(disabled.status).toBe(200);
    expect(disabled.body).toEqual(expect.objectContaining({ status: 'disabled' }));
    expectProblem(await otherClient.get('/v1/me', customer.tokens.accessToken), 401);
    expectProblem(await client.get('/v1/me', customer.tokens.accessToken), 401);
    expectProblem(await client.post('/v1/auth/refresh', { refreshToken: customer.tokens.refreshToken }), 401);
    expectProblem(await client.login(customer.email), 403, '/problems/account-disabled');

    expect(
      (await client.post(`/v1/admin/users/${customer.id}/enable`, {}, admin.tokens.accessToken)).status,
    ).toBe(200);
    expect((await client.login(customer.email)).status).toBe(200);
    const entries = await auditFor(customer.id);
    expect(entries.map((entry) => entry.action)).toEqual(['user.enabled', 'user.disabled']);
    expect(entries[1]).toEqual(
      expect.objectContaining({
        actor: { type: 'user', id: admin.id },
        target: { type: 'user', id: customer.id },
        requestId: disabled.headers.get('x-request-id'),
        occurredAt: expect.any(String),
      }),
    );
  });

  it('a role change takes effect at once and ends the user’s sessions', async () => {
    const person = await createUser(client, db);
    expectProblem(await client.get('/v1/admin/audit', person.tokens.accessToken), 403);
    const changed = await client.send('PUT', `/v1/admin/users/${person.id}/role`, {
      token: admin.tokens.accessToken,
      body: { role: 'staff' },
    });
    expect(changed.body).toEqual(expect.objectContaining({ role: 'staff' }));
    expectProblem(await otherClient.get('/v1/me', person.tokens.accessToken), 401);
    const relogin = await client.login(person.email);
    const me = await client.get('/v1/me', relogin.body.accessToken);
    expect(me.body).toEqual(expect.objectContaining({ role: 'staff' }));
    expect((await auditFor(person.id))[0]).toEqual(
      expect.objectContaining({ action: 'user.role-changed', details: { from: 'customer', to: 'staff' } }),
    );
  });

  it('nobody can change their own role or disable themselves', async () => {
    const own = await client.send('PUT', `/v1/admin/users/${admin.id}/role`, {
      token: admin.tokens.accessToken,
      body: { role: 'customer' },
    });
    expectProblem(own, 403, '/problems/self-management-forbidden');
    expectProblem(
      await client.post(`/v1/admin/users/${admin.id}/disable`, {}, admin.tokens.accessToken),
      403,
    );
    const [row] = await db.query<Array<{ role: string; status: string }>>(
      'SELECT role, status FROM users WHERE id = ?',
      [admin.id],
    );
    expect(row).toEqual({ role: 'admin', status: 'active' });
  });

  it('an API key is shown once, stored hashed, works within its scopes, and dies at once when revoked', async () => {
    const created = await client.post<{ id: string; key: string; prefix: string; scopes: string[] }>(
      '/v1/admin/api-keys',
      { name: 'ERP', scopes: ['audit:read'] },
      admin.tokens.accessToken,
    );
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^sk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.body.key.startsWith(created.body.prefix)).toBe(true);
    const [stored] = await db.query<Array<Record<string, unknown>>>('SELECT * FROM api_keys WHERE id = ?', [
      created.body.id,
    ]);
    expect(JSON.stringify(stored)).not.toContain(created.body.key);

    const listed = await client.get<{ data: Array<Record<string, unknown>> }>(
      '/v1/admin/api-keys',
      admin.tokens.accessToken,
    );
    expect(listed.body.data.find((key) => key.id === created.body.id)).not.toHaveProperty('key');

    // Bearer sk_… and X-Api-Key both work; a scope it lacks gets 403; /v1/me is for people.
    expect((await client.get('/v1/admin/audit', created.body.key)).status).toBe(200);
    expect(
      (await request(`${second.baseUrl}/v1/admin/audit`, { headers: { 'x-api-key': created.body.key } }))
        .status,
    ).toBe(200);
    expectProblem(await client.get('/v1/admin/users', created.body.key), 403);
    expectProblem(await client.get('/v1/me', created.body.key), 403);

    // last_used_at is written off the request path (at most once a minute): wait for it.
    let lastUsedAt: string | null | undefined = null;
    for (let attempt = 0; attempt < 40 && !lastUsedAt; attempt++) {
      const listedNow = await client.get<{ data: Array<{ id: string; lastUsedAt: string | null }> }>(
        '/v1/admin/api-keys',
        admin.tokens.accessToken,
      );
      lastUsedAt = listedNow.body.data.find((key) => key.id === created.body.id)?.lastUsedAt;
      if (!lastUsedAt) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(lastUsedAt).toEqual(expect.any(String));

    const revoked = await client.send('DELETE', `/v1/admin/api-keys/${created.body.id}`, {
      token: admin.tokens.accessToken,
    });
    expect(revoked.status).toBe(200);
    expectProblem(await otherClient.get('/v1/admin/audit', created.body.key), 401);
    expectProblem(await client.get('/v1/admin/audit', created.body.key), 401);
    expect((await auditFor(created.body.id)).map((entry) => entry.action)).toEqual([
      'api-key.revoked',
      'api-key.created',
    ]);
  });

  it('only a person creates keys, and a key stops when its creator is disabled or demoted', async () => {
    const keyAdmin = await createUser(client, db, { role: 'admin' });
    const minter = await client.post<{ key: string }>(
      '/v1/admin/api-keys',
      { name: 'minter', scopes: ['api-keys:manage', 'users:manage'] },
      keyAdmin.tokens.accessToken,
    );
    expectProblem(
      await client.post(
        '/v1/admin/api-keys',
        { name: 'child', scopes: ['api-keys:manage'] },
        minter.body.key,
      ),
      403,
      '/problems/people-only',
    );
    // A users:manage key cannot hand out a role whose permissions it does not hold.
    const target = await createUser(client, db);
    const promote = await client.send('PUT', `/v1/admin/users/${target.id}/role`, {
      token: minter.body.key,
      body: { role: 'staff' },
    });
    expectProblem(promote, 403, '/problems/role-above-own');

    expect((await client.get('/v1/admin/api-keys', minter.body.key)).status).toBe(200);
    const demote = await client.send('PUT', `/v1/admin/users/${keyAdmin.id}/role`, {
      token: admin.tokens.accessToken,
      body: { role: 'staff' },
    });
    expect(demote.status).toBe(200);
    expectProblem(await otherClient.get('/v1/admin/api-keys', minter.body.key), 401);
    await client.send('PUT', `/v1/admin/users/${keyAdmin.id}/role`, {
      token: admin.tokens.accessToken,
      body: { role: 'admin' },
    });
    expect((await otherClient.get('/v1/admin/api-keys', minter.body.key)).status).toBe(200);
    await client.post(`/v1/admin/users/${keyAdmin.id}/disable`, {}, admin.tokens.accessToken);
    expectProblem(await otherClient.get('/v1/admin/api-keys', minter.body.key), 401);
  });

  it('refuses an expiry beyond what a date can hold with 400, not 500', async () => {
    for (const expiresAt of ['+020000-01-01T00:00:00Z', 8.64e15]) {
      expectProblem(
        await client.post(
          '/v1/admin/api-keys',
          { name: 'far', scopes: ['audit:read'], expiresAt },
          admin.tokens.accessToken,
        ),
        400,
      );
    }
  });

  it('refuses unknown scopes and fields', async () => {
    expectProblem(
      await client.post('/v1/admin/api-keys', { name: 'x', scopes: ['root'] }, admin.tokens.accessToken),
      400,
      '/problems/validation-failed',
    );
    expectProblem(
      await client.post(
        '/v1/admin/api-keys',
        { name: 'x', scopes: ['audit:read'], keyHash: 'abc' },
        admin.tokens.accessToken,
      ),
      400,
    );
  });
});
