import { REDIS_CLIENT } from '@app/common';
import { expectProblem } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import type Redis from 'ioredis';
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthClient, createUser, Tokens } from '../support/auth-client';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT built by hand, so a test can forge exactly the flaw it is about. */
function jwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign: (input: string) => string,
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${sign(input)}`;
}
const hmac = (algorithm: 'sha256' | 'sha512', key: string | Buffer) => (input: string) =>
  createHmac(algorithm, key).update(input).digest('base64url');

describe('access tokens: everything forged or misused is refused with 401 problem+json', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let client: AuthClient;
  let tokens: Tokens;
  let claims: Record<string, unknown>;
  let secret: string;
  let admin: Awaited<ReturnType<typeof createUser>>;
  let adminClaims: Record<string, unknown>;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi();
    client = new AuthClient(api.baseUrl);
    ({ tokens } = await createUser(client, api.app.get(DataSource)));
    claims = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1], 'base64url').toString()) as Record<
      string,
      unknown
    >;
    secret = env.config.auth.jwtSecret;
    admin = await createUser(client, api.app.get(DataSource), { role: 'admin' });
    adminClaims = JSON.parse(
      Buffer.from(admin.tokens.accessToken.split('.')[1], 'base64url').toString(),
    ) as Record<string, unknown>;
  });
  afterAll(() => env.cleanup());

  const valid = (overrides: Record<string, unknown> = {}) => ({
    ...claims,
    iat: now(),
    exp: now() + 600,
    ...overrides,
  });
  const HS256 = { alg: 'HS256', typ: 'JWT' };

  it('accepts the real token and a correct hand-made one (so the forgeries below fail for their flaw only)', async () => {
    expect((await client.get('/v1/me', tokens.accessToken)).status).toBe(200);
    expect((await client.get('/v1/me', jwt(HS256, valid(), hmac('sha256', secret)))).status).toBe(200);
  });

  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  const forgeries: Array<[string, () => string]> = [
    ['alg none, no signature', () => jwt({ alg: 'none', typ: 'JWT' }, valid(), () => '')],
    ['alg None spelled otherwise', () => jwt({ alg: 'None', typ: 'JWT' }, valid(), () => '')],
    [
      'RS256 signed with an attacker key',
      () =>
        jwt({ alg: 'RS256', typ: 'JWT' }, valid(), (input) =>
          createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url'),
        ),
    ],
    [
      'HS256 keyed with a public RSA key (HS/RS confusion)',
      () => jwt(HS256, valid(), hmac('sha256', publicPem)),
    ],
    [
      'HS512 with the right secret (not on the allow-list)',
      () => jwt({ alg: 'HS512', typ: 'JWT' }, valid(), hmac('sha512', secret)),
    ],
    [
      'tampered payload, original signature',
      () => {
        const [header, , signature] = tokens.accessToken.split('.');
        return `${header}.${b64url({ ...claims, sub: '00000000-0000-7000-8000-000000000000' })}.${signature}`;
      },
    ],
    ['expired', () => jwt(HS256, valid({ iat: now() - 3600, exp: now() - 60 }), hmac('sha256', secret))],
    [
      'not yet valid (nbf in the future)',
      () => jwt(HS256, valid({ nbf: now() + 600 }), hmac('sha256', secret)),
    ],
    ['wrong audience', () => jwt(HS256, valid({ aud: 'another-api' }), hmac('sha256', secret))],
    ['wrong issuer', () => jwt(HS256, valid({ iss: 'https://evil.example' }), hmac('sha256', secret))],
    ['signed with another secret', () => jwt(HS256, valid(), hmac('sha256', `${secret}-not`))],
    [
      'MFA-pending token',
      () =>
        jwt(HS256, valid({ typ: 'mfa', jti: 'x', sid: undefined, ep: undefined }), hmac('sha256', secret)),
    ],
    ['token without a type', () => jwt(HS256, valid({ typ: undefined }), hmac('sha256', secret))],
    ['a raised token epoch (not the user’s)', () => jwt(HS256, valid({ ep: 999 }), hmac('sha256', secret))],
    ['the refresh token', () => tokens.refreshToken],
    // Signed with the real key, so only the claim checks stand between a leaked key and forever.
    ['no exp', () => jwt(HS256, valid({ exp: undefined }), hmac('sha256', secret))],
    [
      'exp ten years ahead',
      () => jwt(HS256, valid({ exp: now() + 10 * 365 * 86_400 }), hmac('sha256', secret)),
    ],
    [
      'exp just past the TTL (900 s) and its 30 s skew',
      () => jwt(HS256, valid({ iat: now() - 10, exp: now() - 10 + 900 + 31 }), hmac('sha256', secret)),
    ],
    ['no iat', () => jwt(HS256, valid({ iat: undefined }), hmac('sha256', secret))],
    [
      'iat in the future (beyond 30 s of skew)',
      () => jwt(HS256, valid({ iat: now() + 120, exp: now() + 600 }), hmac('sha256', secret)),
    ],
    [
      'an unknown sid',
      () => jwt(HS256, valid({ sid: '01890000-0000-7000-8000-000000000000' }), hmac('sha256', secret)),
    ],
    [
      "an admin's sub with a customer's sid",
      () => jwt(HS256, valid({ ...adminClaims, sid: claims.sid }), hmac('sha256', secret)),
    ],
    [
      "a customer's sub with an admin's sid",
      () => jwt(HS256, valid({ sid: adminClaims.sid }), hmac('sha256', secret)),
    ],
    ['typ refresh', () => jwt(HS256, valid({ typ: 'refresh' }), hmac('sha256', secret))],
    ['no audience', () => jwt(HS256, valid({ aud: undefined }), hmac('sha256', secret))],
    ['no issuer', () => jwt(HS256, valid({ iss: undefined }), hmac('sha256', secret))],
    ['garbage', () => 'not.a.jwt'],
  ];

  it.each(forgeries)('refuses %s', async (_name, forge) => {
    const response = await client.get('/v1/me', forge());
    expectProblem(response, 401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it("accepts the admin's own token (the mixed forgeries above fail for the mix only)", async () => {
    expect((await client.get('/v1/me', admin.tokens.accessToken)).status).toBe(200);
    expect((await client.get('/v1/me', jwt(HS256, valid(adminClaims), hmac('sha256', secret)))).status).toBe(
      200,
    );
  });

  it('refuses the access token of a session at once when it is revoked, or logged out', async () => {
    const other = await client.login(admin.email);
    const sessionId = (
      JSON.parse(Buffer.from(other.body.accessToken.split('.')[1], 'base64url').toString()) as { sid: string }
    ).sid;
    expect((await client.get('/v1/me', other.body.accessToken)).status).toBe(200);
    const revoked = await client.send('DELETE', `/v1/me/sessions/${sessionId}`, {
      token: admin.tokens.accessToken,
    });
    expect(revoked.status).toBe(204);
    expectProblem(await client.get('/v1/me', other.body.accessToken), 401);

    expect((await client.post('/v1/auth/logout', {}, admin.tokens.accessToken)).status).toBe(204);
    expectProblem(await client.get('/v1/me', admin.tokens.accessToken), 401);
  });

  it('a revocation on one replica refuses the token on another within 100 ms (nothing is kept per process)', async () => {
    const replica = await env.startApi();
    const other = new AuthClient(replica.baseUrl);
    const session = await client.login(admin.email);
    // Both replicas have verified (and cached) the token before it is revoked.
    expect((await client.get('/v1/me', session.body.accessToken)).status).toBe(200);
    expect((await other.get('/v1/me', session.body.accessToken)).status).toBe(200);
    expect((await client.post('/v1/auth/logout', {}, session.body.accessToken)).status).toBe(204);
    const revokedAt = Date.now();
    expectProblem(await other.get('/v1/me', session.body.accessToken), 401);
    expect(Date.now() - revokedAt).toBeLessThan(100);
    await replica.close();
  });

  it('reads a session Redis lost from MySQL: a live one is accepted again, a revoked one stays refused', async () => {
    const redis = api.app.get<Redis>(REDIS_CLIENT);
    const live = await client.login(admin.email);
    const ended = await client.login(admin.email);
    const sid = (token: string) =>
      (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
    expect(
      (
        await client.send('DELETE', `/v1/me/sessions/${sid(ended.body.accessToken)}`, {
          token: live.body.accessToken,
        })
      ).status,
    ).toBe(204);
    await redis.del(
      `auth:session:${sid(live.body.accessToken)}`,
      `auth:session:${sid(ended.body.accessToken)}`,
    );

    expect((await client.get('/v1/me', live.body.accessToken)).status).toBe(200);
    expect(await redis.exists(`auth:session:${sid(live.body.accessToken)}`)).toBe(1);
    expectProblem(await client.get('/v1/me', ended.body.accessToken), 401);
  });

  it('refuses a non-Bearer scheme and a missing header', async () => {
    expectProblem(
      await client.send('GET', '/v1/me', { headers: { authorization: `Basic ${tokens.accessToken}` } }),
      401,
    );
    expectProblem(await client.get('/v1/me'), 401, '/problems/unauthenticated');
  });
});
