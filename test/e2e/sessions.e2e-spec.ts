import { expectProblem } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { generate } from 'otplib';
import { DataSource } from 'typeorm';
import { AuthClient, createUser, STRONG_PASSWORD, Tokens } from '../support/auth-client';

describe('sessions: listing, revocation, log out everywhere, concurrent refresh, MFA attempt limits', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let client: AuthClient;
  let db: DataSource;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi();
    client = new AuthClient(api.baseUrl);
    db = api.app.get(DataSource);
  });
  afterAll(() => env.cleanup());

  it('lists live sessions with device, IP and last use, and ends one of them (another user’s id is 404)', async () => {
    const user = await createUser(client, db);
    const phone = (await client.login(user.email, STRONG_PASSWORD, { 'user-agent': 'StorekeepPhone/1.0' }))
      .body;
    const sessions = await client.get<
      Array<{ id: string; userAgent: string; ip: string; lastUsedAt: string; current: boolean }>
    >('/v1/me/sessions', user.tokens.accessToken);
    expect(sessions.status).toBe(200);
    expect(sessions.body).toHaveLength(2);
    const phoneSession = sessions.body.find((s) => s.userAgent === 'StorekeepPhone/1.0')!;
    expect(phoneSession).toEqual(
      expect.objectContaining({ ip: '127.0.0.1', current: false, lastUsedAt: expect.any(String) }),
    );
    expect(sessions.body.filter((s) => s.current)).toHaveLength(1);

    const stranger = await createUser(client, db);
    expectProblem(
      await client.send('DELETE', `/v1/me/sessions/${phoneSession.id}`, {
        token: stranger.tokens.accessToken,
      }),
      404,
    );
    expect((await client.get('/v1/me', phone.accessToken)).status).toBe(200);

    expect(
      (await client.send('DELETE', `/v1/me/sessions/${phoneSession.id}`, { token: user.tokens.accessToken }))
        .status,
    ).toBe(204);
    expectProblem(await client.get('/v1/me', phone.accessToken), 401);
    expectProblem(await client.post('/v1/auth/refresh', { refreshToken: phone.refreshToken }), 401);
    expect((await client.get('/v1/me', user.tokens.accessToken)).status).toBe(200);
  });

  it('log out everywhere ends every session at once', async () => {
    const user = await createUser(client, db);
    const others: Tokens[] = [];
    for (let i = 0; i < 3; i++) others.push((await client.login(user.email)).body);
    expect((await client.send('DELETE', '/v1/me/sessions', { token: user.tokens.accessToken })).status).toBe(
      204,
    );
    for (const tokens of [user.tokens, ...others]) {
      expectProblem(await client.get('/v1/me', tokens.accessToken), 401);
      expectProblem(await client.post('/v1/auth/refresh', { refreshToken: tokens.refreshToken }), 401);
    }
    expect((await client.login(user.email)).status).toBe(200);
  });

  it('a password change ends every other session and hands back a fresh one', async () => {
    const user = await createUser(client, db);
    const laptop = (await client.login(user.email)).body;
    const changed = await client.post<Tokens>(
      '/v1/me/password',
      { currentPassword: STRONG_PASSWORD, newPassword: 'Another long passphrase 99' },
      user.tokens.accessToken,
    );
    expect(changed.status).toBe(200);
    for (const old of [user.tokens, laptop]) {
      expectProblem(await client.get('/v1/me', old.accessToken), 401);
      expectProblem(await client.post('/v1/auth/refresh', { refreshToken: old.refreshToken }), 401);
    }
    expect((await client.get('/v1/me', changed.body.accessToken)).status).toBe(200);
    expectProblem(
      await client.post(
        '/v1/me/password',
        { currentPassword: 'wrong one', newPassword: 'Yet another passphrase 1' },
        changed.body.accessToken,
      ),
      401,
      '/problems/invalid-credentials',
    );
  });

  it('ten concurrent refreshes with one token: one wins, and the reuse ends the session', async () => {
    const user = await createUser(client, db);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.post<Tokens>('/v1/auth/refresh', { refreshToken: user.tokens.refreshToken }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(401)]);
    const winner = results.find((r) => r.status === 200)!.body;
    expectProblem(await client.post('/v1/auth/refresh', { refreshToken: winner.refreshToken }), 401);
    expectProblem(await client.get('/v1/me', winner.accessToken), 401);
  });

  it('an MFA step started before all sessions were ended is void; a clock behind the last step is a 401, not a 500', async () => {
    const user = await createUser(client, db);
    const enrol = await client.post<{ secret: string }>(
      '/v1/me/mfa',
      { password: STRONG_PASSWORD },
      user.tokens.accessToken,
    );
    const confirmed = await client.post<Tokens>(
      '/v1/me/mfa/confirm',
      { code: await generate({ secret: enrol.body.secret }) },
      user.tokens.accessToken,
    );
    const pending = (await client.login(user.email)).body.mfaToken!;
    expect(
      (await client.send('DELETE', '/v1/me/sessions', { token: confirmed.body.accessToken })).status,
    ).toBe(204);
    const nextStep = await generate({ secret: enrol.body.secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    expectProblem(
      await client.post('/v1/auth/mfa/verify', { mfaToken: pending, code: nextStep }),
      401,
      '/problems/unauthenticated',
    );

    await db.query('UPDATE users SET mfa_last_step = ? WHERE id = ?', [
      Math.floor(Date.now() / 30_000) + 5,
      user.id,
    ]);
    const fresh = (await client.login(user.email)).body.mfaToken!;
    expectProblem(
      await client.post('/v1/auth/mfa/verify', { mfaToken: fresh, code: nextStep }),
      401,
      '/problems/invalid-mfa-code',
    );
  });

  it('limits wrong MFA codes per challenge, and a recovery code works once', async () => {
    const user = await createUser(client, db);
    const enrol = await client.post<{ secret: string }>(
      '/v1/me/mfa',
      { password: STRONG_PASSWORD },
      user.tokens.accessToken,
    );
    const confirmed = await client.post<{ recoveryCodes: string[] }>(
      '/v1/me/mfa/confirm',
      { code: await generate({ secret: enrol.body.secret }) },
      user.tokens.accessToken,
    );
    const [recovery] = confirmed.body.recoveryCodes;

    const challenge = (await client.login(user.email)).body.mfaToken!;
    for (let i = 0; i < 5; i++) {
      expectProblem(
        await client.post('/v1/auth/mfa/verify', { mfaToken: challenge, code: '000000' }),
        401,
        '/problems/invalid-mfa-code',
      );
    }
    // The sixth attempt ends the challenge, even with the right code.
    expectProblem(
      await client.post('/v1/auth/mfa/verify', { mfaToken: challenge, code: recovery }),
      401,
      '/problems/unauthenticated',
    );

    const next = (await client.login(user.email)).body.mfaToken!;
    expect(
      (await client.post('/v1/auth/mfa/verify', { mfaToken: next, code: recovery.toUpperCase() })).status,
    ).toBe(200);
    const again = (await client.login(user.email)).body.mfaToken!;
    expectProblem(
      await client.post('/v1/auth/mfa/verify', { mfaToken: again, code: recovery }),
      401,
      '/problems/invalid-mfa-code',
    );
  });
});
