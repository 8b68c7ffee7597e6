import { checkedFetch, expectProblem, request } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { ProbeModule } from '../support/probe.module';

describe('HTTP conventions (problem+json, validation, request id, headers)', () => {
  let env: TestEnvironment;
  let api: TestApi;
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    env = await TestEnvironment.create({
      http: { bodyLimitBytes: 2048, corsOrigins: ['https://shop.example'] },
    });
    api = await env.startApi([ProbeModule]);
  });
  afterAll(() => env.cleanup());

  it('answers malformed JSON with 400 problem+json', async () => {
    const response = await request(`${api.baseUrl}/v1/probe/echo`, {
      method: 'POST',
      headers: json,
      body: '{bad',
    });
    expectProblem(response, 400, '/problems/malformed-json');
  });

  it('answers malformed JSON on an unknown route with 400 or 404, never 5xx', async () => {
    const response = await request(`${api.baseUrl}/v1/anything`, {
      method: 'POST',
      headers: json,
      body: '{bad',
    });
    expect([400, 404]).toContain(response.status);
    expectProblem(response, response.status);
  });

  it('answers a body over the limit with 413', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(4096) });
    const response = await request(`${api.baseUrl}/v1/probe/echo`, { method: 'POST', headers: json, body });
    expectProblem(response, 413, '/problems/payload-too-large');
  });

  it('answers an unsupported media type with 415', async () => {
    const response = await request(`${api.baseUrl}/v1/probe/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<name>x</name>',
    });
    expectProblem(response, 415, '/problems/unsupported-media-type');
  });

  it('answers an unknown route with 404', async () => {
    const response = await request(`${api.baseUrl}/v1/nothing-here?x=1`);
    expectProblem(response, 404, '/problems/not-found');
    expect(response.body.instance).toBe('/v1/nothing-here');
  });

  it('answers failed validation with 400 and one entry per field, nested included', async () => {
    const response = await request(`${api.baseUrl}/v1/probe/echo`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: '', line: { quantity: 0 } }),
    });
    expectProblem(response, 400, '/problems/validation-failed');
    const fields = (response.body.errors as Array<{ field: string }>).map((error) => error.field).sort();
    expect(fields).toEqual(['line.quantity', 'name']);
  });

  it('refuses unknown fields in a body (mass assignment)', async () => {
    const response = await request(`${api.baseUrl}/v1/probe/echo`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'ok', isAdmin: true }),
    });
    expectProblem(response, 400, '/problems/validation-failed');
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'isAdmin' })]);
  });

  it('accepts a valid body and transforms it', async () => {
    const response = await request(`${api.baseUrl}/v1/probe/echo`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'ok', line: { quantity: 2 } }),
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ name: 'ok', line: { quantity: 2 } });
  });

  it('maps a domain error to its status with its extensions', async () => {
    const response = await request(`${api.baseUrl}/v1/probe/conflict`);
    expectProblem(response, 409, '/problems/conflict');
    expect(response.body.currentState).toBe('closed');
  });

  it('maps a duplicate key to 409 without leaking SQL', async () => {
    const response = await request(`${api.baseUrl}/v1/probe/duplicate`, { method: 'POST' });
    expectProblem(response, 409, '/problems/duplicate');
    expect(response.text).not.toMatch(/INSERT|migrations|PRIMARY|Duplicate entry/i);
  });

  it('answers an unexpected error with a 500 that leaks no stack, SQL or path', async () => {
    const response = await request(`${api.baseUrl}/v1/probe/crash`);
    expectProblem(response, 500, '/problems/internal-error');
    expect(response.text).not.toMatch(/password_hash|SELECT|\/srv\/|secret\.ts|at .*:\d+/);
  });

  it('returns the caller X-Request-Id and puts it in the problem body', async () => {
    const response = await request(`${api.baseUrl}/v1/probe/conflict`, {
      headers: { 'x-request-id': 'order-flow.42' },
    });
    expect(response.headers.get('x-request-id')).toBe('order-flow.42');
    expect(response.body.requestId).toBe('order-flow.42');
  });

  it('replaces an unsafe X-Request-Id with a fresh one', async () => {
    const response = await request(`${api.baseUrl}/health/live`, {
      headers: { 'x-request-id': 'bad id\twith "quotes"' },
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('makes a request id when none is sent, different each time', async () => {
    const first = await request(`${api.baseUrl}/health/live`);
    const second = await request(`${api.baseUrl}/health/live`);
    expect(first.headers.get('x-request-id')).toBeTruthy();
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  it('sends security headers and a strict CSP on API responses', async () => {
    const response = await request(`${api.baseUrl}/health/live`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    // HSTS only over https (security-headers.e2e-spec.ts): this request came over plain http.
    expect(response.headers.get('strict-transport-security')).toBeNull();
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('allows the configured CORS origin and no other', async () => {
    const preflight = (origin: string) =>
      checkedFetch(`${api.baseUrl}/v1/probe/echo`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight('https://shop.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const refused = await preflight('https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});
