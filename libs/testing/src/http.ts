export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** fetch plus the parsed body: test code asserts on status, headers and body in one place. */
export async function request<T = Record<string, unknown>>(
  url: string,
  init: RequestInit = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined; // not JSON (HTML, metrics text): assert on `text` instead
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
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
