/**
 * The signed-in staff member's session, held in memory only (never localStorage or a cookie: a
 * reload signs out, and no other script of the origin can read a token at rest). The access token is
 * refreshed before it expires, or once when the API answers 401; a refresh token works once, so only
 * one refresh runs at a time.
 */

export interface Problem {
  title?: string;
  detail?: string;
  status?: number;
}

export interface ApiResult<T> {
  status: number;
  body: T;
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

type LoginAnswer = (Tokens & { mfaRequired: false }) | { mfaRequired: true; mfaToken: string };

/** An answer the page cannot go on from (the message is the problem's detail, for the user). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Refresh this long before the access token expires, so a request never carries a stale one. */
const REFRESH_MARGIN_MS = 15_000;

async function readBody(response: Response): Promise<unknown> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return undefined;
  return response.json() as Promise<unknown>;
}

function messageOf(status: number, body: unknown): string {
  const problem = (body ?? {}) as Problem;
  return problem.detail ?? problem.title ?? `The server answered ${status}.`;
}

async function postJson(path: string, body: unknown, token?: string): Promise<ApiResult<unknown>> {
  const response = await fetch(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await readBody(response) };
}

export class Session {
  private tokens: (Tokens & { expiresAt: number }) | undefined;
  private refreshing: Promise<boolean> | undefined;

  /** Called once the session is gone (refresh refused, signed out): the page shows the sign-in form. */
  onEnded: () => void = () => undefined;

  get signedIn(): boolean {
    return this.tokens !== undefined;
  }

  /** Step one: email and password. Resolves with an MFA token when a code is needed, else undefined. */
  async login(email: string, password: string): Promise<string | undefined> {
    const answer = await postJson('/v1/auth/login', { email, password });
    if (answer.status !== 200) throw new ApiError(answer.status, messageOf(answer.status, answer.body));
    const body = answer.body as LoginAnswer;
    if (body.mfaRequired) return body.mfaToken;
    this.keep(body);
    return undefined;
  }

  /** Step two, when MFA is on: the code from the authenticator (or a recovery code). */
  async verifyMfa(mfaToken: string, code: string): Promise<void> {
    const answer = await postJson('/v1/auth/mfa/verify', { mfaToken, code });
    if (answer.status !== 200) throw new ApiError(answer.status, messageOf(answer.status, answer.body));
    this.keep(answer.body as Tokens);
  }

  async logout(): Promise<void> {
    const token = this.tokens?.accessToken;
    this.tokens = undefined;
    if (token) await postJson('/v1/auth/logout', {}, token).catch(() => undefined);
    this.onEnded();
  }

  /** A JSON request with the access token; 401 once → refresh and retry; refresh refused → signed out. */
  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResult<T>> {
    if (this.tokens && Date.now() > this.tokens.expiresAt - REFRESH_MARGIN_MS) await this.refresh();
    let result = await this.send(method, path, body);
    if (result.status === 401 && this.tokens && (await this.refresh()))
      result = await this.send(method, path, body);
    if (result.status === 401) {
      this.tokens = undefined;
      this.onEnded();
    }
    return result as ApiResult<T>;
  }

  /** Like `request`, but anything other than 200/201 is an ApiError. */
  async must<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const result = await this.request<T>(method, path, body);
    if (result.status !== 200 && result.status !== 201)
      throw new ApiError(result.status, messageOf(result.status, result.body));
    return result.body;
  }

  private async send(method: string, path: string, body: unknown): Promise<ApiResult<unknown>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.tokens) headers.authorization = `Bearer ${this.tokens.accessToken}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await readBody(response) };
  }

  private refresh(): Promise<boolean> {
    this.refreshing ??= this.exchange().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async exchange(): Promise<boolean> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) return false;
    const answer = await postJson('/v1/auth/refresh', { refreshToken }).catch(() => undefined);
    if (answer?.status !== 200) {
      this.tokens = undefined;
      return false;
    }
    this.keep(answer.body as Tokens);
    return true;
  }

  private keep(tokens: Tokens): void {
    this.tokens = {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresIn: tokens.expiresIn,
      expiresAt: Date.now() + tokens.expiresIn * 1000,
    };
  }
}
