import { request, type JsonResponse } from '@app/testing';
import { randomBytes } from 'node:crypto';

export const STRONG_PASSWORD = 'Storekeep test passphrase 42';

export const uniqueEmail = (label = 'user') => `${label}-${randomBytes(5).toString('hex')}@example.test`;

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** Small HTTP helpers for the auth routes, so tests read as journeys. */
export class AuthClient {
  constructor(readonly baseUrl: string) {}

  post<T = Record<string, unknown>>(path: string, body: unknown, token?: string): Promise<JsonResponse<T>> {
    return request<T>(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  }

  send<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<JsonResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return request<T>(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  }

  get<T = Record<string, unknown>>(path: string, token?: string): Promise<JsonResponse<T>> {
    return this.send<T>('GET', path, { token });
  }

  login(email: string, password = STRONG_PASSWORD, headers: Record<string, string> = {}) {
    return this.send<Tokens & { mfaRequired?: boolean; mfaToken?: string }>('POST', '/v1/auth/login', {
      body: { email, password },
      headers,
    });
  }
}

/**
 * Registers an account through the API and, for staff roles, promotes it in the database (the
 * only way the first admin of a shop exists). Returns a signed-in session.
 */
export async function createUser(
  client: AuthClient,
  dataSource: { query(sql: string, parameters?: unknown[]): Promise<unknown> },
  options: { role?: 'customer' | 'staff' | 'admin'; email?: string } = {},
): Promise<{ email: string; id: string; tokens: Tokens }> {
  const email = options.email ?? uniqueEmail(options.role ?? 'customer');
  const registered = await client.post('/v1/auth/register', {
    email,
    password: STRONG_PASSWORD,
    name: 'Test User',
  });
  if (registered.status !== 202) throw new Error(`register failed: ${registered.status} ${registered.text}`);
  if (options.role && options.role !== 'customer') {
    await dataSource.query('UPDATE users SET role = ?, version = version + 1 WHERE email = ?', [
      options.role,
      email,
    ]);
  }
  const login = await client.login(email);
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  const me = await client.get<{ id: string }>('/v1/me', login.body.accessToken);
  return { email, id: me.body.id, tokens: login.body };
}
