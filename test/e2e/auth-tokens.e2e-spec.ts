import { expectProblem, TestApi, TestEnvironment } from '@app/testing';
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
    ['garbage', () => 'not.a.jwt'],
  ];

  it.each(forgeries)('refuses %s', async (_name, forge) => {
    const response = await client.get('/v1/me', forge());
    expectProblem(response, 401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses a non-Bearer scheme and a missing header', async () => {
    expectProblem(
      await client.send('GET', '/v1/me', { headers: { authorization: `Basic ${tokens.accessToken}` } }),
      401,
    );
    expectProblem(await client.get('/v1/me'), 401, '/problems/unauthenticated');
  });
});
