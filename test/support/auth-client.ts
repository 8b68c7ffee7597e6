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
