import { expectProblem, extractLink, SmtpReceiver } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { generate } from 'otplib';
import { DataSource } from 'typeorm';
import { AuthClient, createUser, STRONG_PASSWORD, uniqueEmail } from '../support/auth-client';

describe('accounts: mass assignment, brute force, enumeration, password reset', () => {
  let env: TestEnvironment;
  let receiver: SmtpReceiver;
  let first: TestApi;
  let second: TestApi;
  let client: AuthClient;
  let otherClient: AuthClient;
  let db: DataSource;

  beforeAll(async () => {
    env = await TestEnvironment.create({ auth: { loginMaxFailures: 10, publicAppUrl: 'https://shop.test' } });
    receiver = await SmtpReceiver.start();
    // Two replicas sharing MySQL and Redis: limits must hold across them.
    first = await env.startApi();
    second = await env.startApi();
    await env.startWorker([], { mail: { host: '127.0.0.1', port: receiver.port, secure: false } });
    client = new AuthClient(first.baseUrl);
    otherClient = new AuthClient(second.baseUrl);
    db = first.app.get(DataSource);
  });
  afterAll(async () => {
    await env?.cleanup();
    await receiver?.close();
  });

  const countUsers = async (email: string) =>
    Number(
      (await db.query<Array<{ n: string }>>('SELECT COUNT(*) AS n FROM users WHERE email = ?', [email]))[0].n,
    );

  describe('mass assignment', () => {
    it.each([
      ['role', { role: 'admin' }],
      ['emailVerified', { emailVerified: true }],
      ['permissions', { permissions: ['users:manage'] }],
      ['an unknown field', { isStaff: true }],
    ])('register with %s is refused with 400 and creates nothing', async (_name, extra) => {
      const email = uniqueEmail('mass');
      const response = await client.post('/v1/auth/register', {
        email,
        password: STRONG_PASSWORD,
        name: 'M',
        ...extra,
      });
      expectProblem(response, 400, '/problems/validation-failed');
      expect(await countUsers(email)).toBe(0);
    });

    it.each([
      ['role', { role: 'admin' }],
      ['emailVerified', { emailVerified: true }],
      ['permissions', { permissions: ['users:manage'] }],
      ['email', { email: 'someone-else@example.test' }],
      ['an unknown field', { status: 'active' }],
    ])('a profile update with %s is refused with 400 and changes nothing', async (_name, extra) => {
      const user = await createUser(client, db);
      const response = await client.send('PATCH', '/v1/me', {
        token: user.tokens.accessToken,
        body: { name: 'Changed', ...extra },
      });
      expectProblem(response, 400, '/problems/validation-failed');
      const [row] = await db.query<
        Array<{ name: string; role: string; email: string; email_verified_at: Date | null }>
      >('SELECT name, role, email, email_verified_at FROM users WHERE id = ?', [user.id]);
      expect(row).toEqual({
        name: 'Test User',
        role: 'customer',
        email: user.email,
        email_verified_at: null,
      });
    });

    it('a null name is a 400, not a 500', async () => {
      const user = await createUser(client, db);
      expectProblem(
        await client.send('PATCH', '/v1/me', { token: user.tokens.accessToken, body: { name: null } }),
        400,
      );
    });

    it('a valid profile update changes the name only', async () => {
      const user = await createUser(client, db);
      const response = await client.send('PATCH', '/v1/me', {
        token: user.tokens.accessToken,
        body: { name: '  Grace  ' },
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(expect.objectContaining({ name: 'Grace', role: 'customer' }));
      // Served from the shared cache: the other replica sees the new name at once.
      expect((await otherClient.get('/v1/me', user.tokens.accessToken)).body).toEqual(
        expect.objectContaining({ name: 'Grace' }),
      );
    });
  });

  describe('passwords', () => {
    it.each([
      ['too short', 'Sh0rt!'],
      ['a common password', 'iloveyou1'],
      ['a common password in capitals', 'PASSWORD123'],
    ])('refuses %s at registration', async (_name, password) => {
      const response = await client.post('/v1/auth/register', {
        email: uniqueEmail('weak'),
        password,
        name: 'W',
      });
      expectProblem(response, 400, '/problems/validation-failed');
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
    });

    it('accepts a 64+ character passphrase without truncating it', async () => {
      const email = uniqueEmail('long');
      const password = `${'long passphrase '.repeat(5)}end`; // 83 characters
      expect((await client.post('/v1/auth/register', { email, password, name: 'L' })).status).toBe(202);
      expect((await client.login(email, password)).status).toBe(200);
      expectProblem(await client.login(email, password.slice(0, 72)), 401, '/problems/invalid-credentials');
    });
  });

  describe('brute force and enumeration', () => {
    it('answers the 11th wrong password with 429 and Retry-After, with attempts spread over two replicas', async () => {
      const user = await createUser(client, db);
      for (let attempt = 1; attempt <= 10; attempt++) {
        const via = attempt % 2 === 0 ? otherClient : client;
        expectProblem(
          await via.login(user.email, `wrong password ${attempt}`),
          401,
          '/problems/invalid-credentials',
        );
      }
      const limited = await otherClient.login(user.email, 'wrong password 11');
      expectProblem(limited, 429, '/problems/rate-limited');
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(env.config.auth.loginWindowSeconds);
      // Locked means locked: even the right password waits.
      expectProblem(await client.login(user.email), 429, '/problems/rate-limited');
    });

    it('holds the limit under a concurrent burst over two replicas: exactly 10 answers are 401, the rest 429', async () => {
      const user = await createUser(client, db);
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) => (i % 2 ? client : otherClient).login(user.email, `burst ${i}`)),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    });

    it('look-alike spellings of an address neither reach the account nor escape its limit', async () => {
      const user = await createUser(client, db);
      const [local, domain] = user.email.split('@');
      for (let attempt = 1; attempt <= 10; attempt++) await client.login(user.email, `wrong ${attempt}`);
      // Same address in capitals and with spaces: normalised, so the same account and the same counter.
      expectProblem(await client.login(`  ${user.email.toUpperCase()} `), 429, '/problems/rate-limited');
      // An accented or zero-width variant is another (unknown) address: it never signs into the account.
      for (const variant of [`${local.replace(/^./, 'á')}@${domain}`, `${local}\u200b@${domain}`]) {
        expectProblem(await client.login(variant), 401, '/problems/invalid-credentials');
      }
    });

    it('counts password checks on MFA enrolment against the same account budget', async () => {
      const user = await createUser(client, db);
      const statuses: number[] = [];
      for (let attempt = 1; attempt <= 11; attempt++) {
        statuses.push(
          (await client.post('/v1/me/mfa', { password: `wrong ${attempt}` }, user.tokens.accessToken)).status,
        );
      }
      expect(statuses).toEqual([...Array(10).fill(401), 429]);
    });

    it('fails the same way for an unknown email and a wrong password', async () => {
      const user = await createUser(client, db);
      const wrongPassword = await client.login(user.email, 'not the password');
      const unknown = await client.login(uniqueEmail('nobody'), 'not the password');
      for (const response of [wrongPassword, unknown])
        expectProblem(response, 401, '/problems/invalid-credentials');
      const shape = (r: typeof unknown) => ({ ...r.body, instance: undefined, requestId: undefined });
      expect(shape(unknown)).toEqual(shape(wrongPassword));
    });

    it('answers forgot-password with the same 202 whether or not the account exists', async () => {
      const user = await createUser(client, db);
      const known = await client.post('/v1/auth/password/forgot', { email: user.email });
      const unknown = await client.post('/v1/auth/password/forgot', { email: uniqueEmail('nobody') });
      expect([known.status, unknown.status]).toEqual([202, 202]);
      expect(unknown.body).toEqual(known.body);
    });

    it('registration does not reveal an existing account', async () => {
      const user = await createUser(client, db);
      const again = await client.post('/v1/auth/register', {
        email: user.email,
        password: STRONG_PASSWORD,
        name: 'X',
      });
      const fresh = await client.post('/v1/auth/register', {
        email: uniqueEmail('fresh'),
        password: STRONG_PASSWORD,
        name: 'X',
      });
      expect([again.status, fresh.status]).toEqual([202, 202]);
      expect(again.body).toEqual(fresh.body);
      expect(await countUsers(user.email)).toBe(1);
    });
  });

  describe('password reset by mail', () => {
    it('sets a new password from the mailed link (once), ends every session, and keeps MFA on', async () => {
      const user = await createUser(client, db);
      const enrol = await client.post<{ secret: string }>(
        '/v1/me/mfa',
        { password: STRONG_PASSWORD },
        user.tokens.accessToken,
      );
      const confirm = await client.post<{ accessToken: string }>(
        '/v1/me/mfa/confirm',
        { code: await generate({ secret: enrol.body.secret }) },
        user.tokens.accessToken,
      );
      expect(confirm.status).toBe(200);

      expect((await client.post('/v1/auth/password/forgot', { email: user.email })).status).toBe(202);
      const mail = await receiver.waitForMessage(
        (m) => m.recipients.includes(user.email) && (m.parsed.text ?? '').includes('/reset-password'),
      );
      const token = new URL(extractLink(mail.parsed.text ?? '', '/reset-password')!).searchParams.get(
        'token',
      )!;
      const newPassword = 'An entirely new passphrase 7';
      expect((await otherClient.post('/v1/auth/password/reset', { token, newPassword })).status).toBe(204);
      expectProblem(
        await client.post('/v1/auth/password/reset', { token, newPassword }),
        422,
        '/problems/invalid-or-expired-token',
      );

      expectProblem(await client.get('/v1/me', confirm.body.accessToken), 401);
      expectProblem(await client.login(user.email), 401, '/problems/invalid-credentials');
      const login = await client.login(user.email, newPassword);
      expect(login.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String) });
      await receiver.waitForMessage(
        (m) => m.recipients.includes(user.email) && m.parsed.subject !== mail.parsed.subject,
      );
    });

    it('limits reset mails per address: the 6th request within the window gets 429', async () => {
      const email = uniqueEmail('resets');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await client.post('/v1/auth/password/forgot', { email })).status);
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    });

    it('refuses an expired reset link', async () => {
      const user = await createUser(client, db);
      await client.post('/v1/auth/password/forgot', { email: user.email });
      const mail = await receiver.waitForMessage(
        (m) => m.recipients.includes(user.email) && (m.parsed.text ?? '').includes('/reset-password'),
      );
      const token = new URL(extractLink(mail.parsed.text ?? '', '/reset-password')!).searchParams.get(
        'token',
      )!;
      await db.query(
        "UPDATE auth_email_tokens SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE user_id = ? AND purpose = 'reset-password'",
        [user.id],
      );
      const response = await client.post('/v1/auth/password/reset', {
        token,
        newPassword: 'An entirely new passphrase 9',
      });
      expectProblem(response, 422, '/problems/invalid-or-expired-token');
      expect((await client.login(user.email)).status).toBe(200);
    });

    it('resends the verification link: the new one works, the older one no longer does', async () => {
      const email = uniqueEmail('resend');
      await client.post('/v1/auth/register', { email, password: STRONG_PASSWORD, name: 'R' });
      const firstMail = await receiver.waitForMessage((m) => m.recipients.includes(email));
      const login = await client.login(email);
      expect((await client.post('/v1/me/email/verification', {}, login.body.accessToken)).status).toBe(202);
      const secondMail = await receiver.waitForMessage(
        (m) => m.recipients.includes(email) && m !== firstMail,
      );
      const tokenOf = (text: string | undefined) =>
        new URL(extractLink(text ?? '', '/verify-email')!).searchParams.get('token')!;
      expectProblem(
        await client.post('/v1/auth/email/verify', { token: tokenOf(firstMail.parsed.text) }),
        422,
      );
      expect(
        (await client.post('/v1/auth/email/verify', { token: tokenOf(secondMail.parsed.text) })).status,
      ).toBe(204);
      expectProblem(
        await client.post('/v1/me/email/verification', {}, login.body.accessToken),
        409,
        '/problems/email-already-verified',
      );
    });

    it('refuses a made-up reset token', async () => {
      const response = await client.post('/v1/auth/password/reset', {
        token: 'A'.repeat(43),
        newPassword: 'An entirely new passphrase 8',
      });
      expectProblem(response, 422, '/problems/invalid-or-expired-token');
    });
  });
});
