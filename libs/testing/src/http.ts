import { assertContract, registerContract } from './contract';

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions extends RequestInit {
  /**
   * Why this response must not be checked against the API's OpenAPI document (see contract.ts).
   * Every other response from an API a test started is checked, and a drift fails the test.
   */
  uncheckedBecause?: string;
}

/**
 * fetch plus the parsed body: test code asserts on status, headers and body in one place. The
 * response is checked against the OpenAPI document of the API it came from (contract tests).
 */
export async function request<T = Record<string, unknown>>(
  url: string,
  options: RequestOptions = {},
): Promise<JsonResponse<T>> {
  const { uncheckedBecause, ...init } = options;
  const response = await fetch(url, init);
  const text = await response.text();
  if (!uncheckedBecause) assertContract(init.method ?? 'GET', url, response.status, response.headers, text);
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined; // not JSON (HTML, metrics text): assert on `text` instead
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

/**
 * The global fetch with the same contract check as request(), for a test that needs the raw Response
 * (streams, 304s, a status loop): the body is read from a clone, so the caller can still read it.
 */
export async function checkedFetch(
  input: string | URL | Request,
  options: RequestOptions = {},
): Promise<Response> {
  const { uncheckedBecause, ...init } = options;
  const response = await fetch(input, init);
  if (!uncheckedBecause) {
    const url = input instanceof Request ? input.url : String(input);
    const method = init.method ?? (input instanceof Request ? input.method : 'GET');
    // An event stream never ends: its status and media type are checked, its body is the caller's.
    const streaming = response.headers.get('content-type')?.startsWith('text/event-stream') === true;
    const text = streaming ? '' : await response.clone().text();
    assertContract(method, url, response.status, response.headers, text);
  }
  return response;
}

/**
 * For an API a test did not start in-process (a child process): checks its responses against the
 * document it serves at /docs-json, as TestEnvironment.startApi does for its own. False when the app
 * serves no document (docs disabled), so its responses stay unchecked.
 */
export async function registerServedContract(baseUrl: string): Promise<boolean> {
  const response = await fetch(new URL('/docs-json', baseUrl));
  if (!response.ok) {
    await response.arrayBuffer();
    return false;
  }
  registerContract(baseUrl, (await response.json()) as object);
  return true;
}

/** Asserts the RFC 9457 shape every error response must have. */
export function expectProblem(response: JsonResponse<object>, status: number, type?: string): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toEqual(
    expect.objectContaining({
      type: type ?? expect.stringMatching(/^\/problems\/[a-z0-9-]+$/),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      instance: expect.stringMatching(/^\//),
      requestId: expect.any(String),
    }),
  );
}
