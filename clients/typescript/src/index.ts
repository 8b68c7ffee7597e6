import createClient, { mergeHeaders, type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

/**
 * Who is calling — one field per security scheme of the Storekeep OpenAPI document
 * (`components.securitySchemes`). Send only what the caller has; an operation documents which it takes.
 */
export interface StorekeepCredentials {
  /** `bearer`: a person's access token from `POST /v1/auth/login` or `/v1/auth/mfa/verify`. */
  accessToken?: string;
  /** `cartToken` (`X-Cart-Token`): a guest cart's secret, returned once by `POST /v1/carts`. */
  cartToken?: string;
  /** `orderToken` (`X-Order-Token`): a guest order's secret (the token of the cart it was placed from). */
  orderToken?: string;
  /** `api-key` (`X-Api-Key`): a server's API key (`sk_…`). Never ship one to a browser. */
  apiKey?: string;
}

export interface StorekeepClientOptions extends StorekeepCredentials, Omit<ClientOptions, 'baseUrl'> {
  /** Where the API is, e.g. `https://api.shop.example` (the paths start with `/v1/`). */
  baseUrl: string;
}

export interface StorekeepClient extends Client<paths> {
  /** A client like this one with other credentials (`undefined` drops one), e.g. after login. */
  with(credentials: StorekeepCredentials): StorekeepClient;
}

/**
 * A typed client (openapi-fetch) for the Storekeep API: `GET`, `POST`, … take the document's paths,
 * parameters and bodies, and answer `{ data, error, response }` typed per status.
 *
 * ```ts
 * const storekeep = createStorekeepClient({ baseUrl: 'https://api.shop.example' });
 * const { data: cart } = await storekeep.POST('/v1/carts', {});
 * const guest = storekeep.with({ cartToken: cart?.token ?? undefined });
 * ```
 */
export function createStorekeepClient(options: StorekeepClientOptions): StorekeepClient {
  const { accessToken, cartToken, orderToken, apiKey, headers, ...clientOptions } = options;
  const credentials: StorekeepCredentials = { accessToken, cartToken, orderToken, apiKey };
  const client = createClient<paths>({
    ...clientOptions,
    headers: mergeHeaders(headers, credentialHeaders(credentials)),
  });
  return Object.assign(client, {
    with: (next: StorekeepCredentials) => createStorekeepClient({ ...options, ...next }),
  });
}

/** The request headers for a set of credentials (as the document's security schemes name them). */
export function credentialHeaders(credentials: StorekeepCredentials): Record<string, string> {
  const headers: Record<string, string> = {};
  if (credentials.accessToken) headers['Authorization'] = `Bearer ${credentials.accessToken}`;
  if (credentials.apiKey) headers['X-Api-Key'] = credentials.apiKey;
  if (credentials.cartToken) headers['X-Cart-Token'] = credentials.cartToken;
  if (credentials.orderToken) headers['X-Order-Token'] = credentials.orderToken;
  return headers;
}

/**
 * The `Idempotency-Key` header parameter that placing an order, paying and refunding require: a fresh
 * UUID unless `key` is given. To retry an operation after a timeout, send the same key again (same
 * body): the API answers with the first result instead of doing it twice.
 *
 * ```ts
 * const key = idempotencyKey();
 * await storekeep.POST('/v1/carts/{id}/checkout', { params: { path: { id }, header: key }, body });
 * ```
 */
export function idempotencyKey(key?: string): { 'Idempotency-Key': string } {
  return { 'Idempotency-Key': key ?? globalThis.crypto.randomUUID() };
}
