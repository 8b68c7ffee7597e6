import { expectProblem, extractLink, SmtpReceiver } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { INestApplicationContext } from '@nestjs/common';
import { generate } from 'otplib';
import { PassThrough } from 'node:stream';
import { DataSource } from 'typeorm';
import { redirectLogs } from '../../src/logging/logger-options';
import { AuthClient, STRONG_PASSWORD, Tokens, uniqueEmail } from '../support/auth-client';

// Everything the processes log during this file is captured and scanned for secrets at the end.
process.env.LOG_LEVEL = 'debug';

describe('identity journey: register → verify by mail → MFA → refresh rotation and theft detection', () => {
  let env: TestEnvironment;
  let receiver: SmtpReceiver;
  let api: TestApi;
  let worker: INestApplicationContext;
  let client: AuthClient;
  const logs: string[] = [];
  /** Every secret the journey saw: none may appear in the logs or in any database column. */
  const secrets = new Set<string>();

  beforeAll(async () => {
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => logs.push(chunk.toString('utf8')));
    redirectLogs(logStream);
    env = await TestEnvironment.create({ auth: { publicAppUrl: 'https://shop.test' } });
    receiver = await SmtpReceiver.start();
    api = await env.startApi();
    worker = await env.startWorker([], { mail: { host: '127.0.0.1', port: receiver.port, secure: false } });
    client = new AuthClient(api.baseUrl);
  });

  afterAll(async () => {
    redirectLogs(undefined);
    await env?.cleanup();
    await receiver?.close();
  });

  const email = uniqueEmail('journey');
  let totpSecret = '';
  let mfaTokens: Tokens;

  it('registers and verifies the address with the link received over SMTP (once)', async () => {
    secrets.add(STRONG_PASSWORD);
    const registered = await client.post('/v1/auth/register', {
      email: `  ${email.toUpperCase()} `,
      password: STRONG_PASSWORD,
      name: 'Ada',
    });
    expect(registered.status).toBe(202);

    const mail = await receiver.waitForMessage((message) => message.recipients.includes(email));
    const link = extractLink(mail.parsed.text ?? '', '/verify-email');
    expect(link).toBeDefined();
    expect(mail.parsed.html).toContain('/verify-email?token=');
    const token = new URL(link!).searchParams.get('token')!;
    secrets.add(token);

    const verified = await client.post('/v1/auth/email/verify', { token });
    expect(verified.status).toBe(204);
    expectProblem(
      await client.post('/v1/auth/email/verify', { token }),
      422,
      '/problems/invalid-or-expired-token',
    );
  });

  it('logs in (with the normalised email) and sees a verified profile', async () => {
    const login = await client.login(email);
    expect(login.status).toBe(200);
    secrets.add(login.body.accessToken).add(login.body.refreshToken);
    const me = await client.get('/v1/me', login.body.accessToken);
    expect(me.status).toBe(200);
    expect(me.body).toEqual(
      expect.objectContaining({
        email,
        name: 'Ada',
        role: 'customer',
        emailVerified: true,
        mfaEnabled: false,
      }),
    );
    expect(me.body).not.toHaveProperty('passwordHash');
    mfaTokens = login.body;
  });

  it('enrols MFA: otpauth URL and QR code, confirmation with a first code, ten recovery codes, all other sessions ended', async () => {
    const before = mfaTokens.accessToken;
    const enrol = await client.post<{ secret: string; otpauthUrl: string; qrCodeDataUrl: string }>(
      '/v1/me/mfa',
      { password: STRONG_PASSWORD },
      before,
    );
    expect(enrol.status).toBe(200);
    expect(enrol.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Storekeep:.*secret=/);
    expect(enrol.body.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    totpSecret = enrol.body.secret;
    secrets.add(totpSecret);

    expectProblem(
      await client.post('/v1/me/mfa/confirm', { code: '000000' }, before),
      401,
      '/problems/invalid-mfa-code',
    );
    const confirm = await client.post<Tokens & { recoveryCodes: string[] }>(
      '/v1/me/mfa/confirm',
      { code: await generate({ secret: totpSecret }) },
      before,
    );
    expect(confirm.status).toBe(200);
    expect(confirm.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirm.body.recoveryCodes).size).toBe(10);
    confirm.body.recoveryCodes.forEach((code) => secrets.add(code));
    secrets.add(confirm.body.accessToken).add(confirm.body.refreshToken);

    // An MFA change ends every session: the token used to enrol is refused at once.
    expectProblem(await client.get('/v1/me', before), 401);
    expect((await client.get('/v1/me', confirm.body.accessToken)).body).toEqual(
      expect.objectContaining({ mfaEnabled: true }),
    );
    mfaTokens = confirm.body;
  });

  it('logs out: the session’s access token is refused at once', async () => {
    expect((await client.post('/v1/auth/logout', {}, mfaTokens.accessToken)).status).toBe(204);
    expectProblem(await client.get('/v1/me', mfaTokens.accessToken), 401);
    expectProblem(await client.post('/v1/auth/refresh', { refreshToken: mfaTokens.refreshToken }), 401);
  });

  it('logs in with password + TOTP; the MFA token is no access token and a code works once', async () => {
    const step1 = await client.login(email);
    expect(step1.status).toBe(200);
    expect(step1.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String) });
    expect(step1.body).not.toHaveProperty('accessToken');
    const mfaToken = step1.body.mfaToken!;
    secrets.add(mfaToken);
    expectProblem(await client.get('/v1/me', mfaToken), 401);

    // The confirmation used the current step; the next step's code is within the drift window.
    const code = await generate({ secret: totpSecret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const step2 = await client.post<Tokens>('/v1/auth/mfa/verify', { mfaToken, code });
    expect(step2.status).toBe(200);
    secrets.add(step2.body.accessToken).add(step2.body.refreshToken);
    expect((await client.get('/v1/me', step2.body.accessToken)).status).toBe(200);

    // The challenge is spent, and the same code is refused on a new challenge too.
    expectProblem(await client.post('/v1/auth/mfa/verify', { mfaToken, code }), 401);
    const again = await client.login(email);
    expectProblem(
      await client.post('/v1/auth/mfa/verify', { mfaToken: again.body.mfaToken, code }),
      401,
      '/problems/invalid-mfa-code',
    );
    mfaTokens = step2.body;
  });

  it('rotates the refresh token, and reuse of the old one ends the whole family', async () => {
    const first = mfaTokens;
    const rotated = await client.post<Tokens>('/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(first.refreshToken);
    secrets.add(rotated.body.accessToken).add(rotated.body.refreshToken);
    expect((await client.get('/v1/me', rotated.body.accessToken)).status).toBe(200);

    // The stolen, already-used token is presented again: the session ends for everyone holding it.
    expectProblem(await client.post('/v1/auth/refresh', { refreshToken: first.refreshToken }), 401);
    expectProblem(await client.post('/v1/auth/refresh', { refreshToken: rotated.body.refreshToken }), 401);
    expectProblem(await client.get('/v1/me', rotated.body.accessToken), 401);
    expectProblem(await client.get('/v1/me', first.accessToken), 401);
  });

  it('stores the password as argon2id with at least m=19 MiB, t=2, p=1', async () => {
    const [row] = await worker
      .get(DataSource)
      .query<Array<{ password_hash: string }>>('SELECT password_hash FROM users WHERE email = ?', [email]);
    const match = /^\$argon2id\$v=19\$([a-z0-9=,]+)\$/.exec(row.password_hash);
    expect(match).not.toBeNull();
    const params = Object.fromEntries(match![1].split(',').map((pair) => pair.split('=')));
    const [m, t, p] = [params.m, params.t, params.p].map(Number);
    expect(m).toBeGreaterThanOrEqual(19_456);
    expect(t).toBeGreaterThanOrEqual(2);
    expect(p).toBeGreaterThanOrEqual(1);
  });

  it('never stores or logs a secret in clear (database dump and captured logs scanned)', async () => {
    const dataSource = worker.get(DataSource);
    const tables = await dataSource.query<Array<{ name: string }>>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
    );
    let dump = '';
    for (const { name } of tables) {
      const rows = await dataSource.query<unknown[]>(`SELECT * FROM \`${name}\``);
      dump += JSON.stringify(rows);
    }
    const logText = logs.join('');
    expect(dump).toContain(email); // the dump is real
    expect(logText).toContain('request completed'); // and so are the logs
    expect(secrets.size).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect({ secret, inDump: dump.includes(secret) }).toEqual({ secret, inDump: false });
      expect({ secret, inLogs: logText.includes(secret) }).toEqual({ secret, inLogs: false });
    }
  });
});
