import { checkedFetch } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { DataSource } from 'typeorm';
import { AuthClient, createUser } from '../support/auth-client';

interface Operation {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content?: Record<string, unknown> };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** Routes whose success would end the caller's session or change its credentials mid-run. */
const SKIPPED = [
  /^\/v1\/auth\/logout/,
  /^\/v1\/me\/password/,
  /^\/v1\/me\/sessions/,
  /^\/v1\/me\/mfa/,
  /^\/v1\/events$/,
];

const LONG = 'x'.repeat(70_000);
const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** Hostile values for a path id: unknown, malformed, too long for an id, not UTF-8 once decoded. */
const PATH_IDS = [
  '3b241101-e2bb-4255-8caf-4136c566a962',
  'x'.repeat(90),
  '%F0%9F%98%80',
  '%ED%A0%80',
  'SK-1',
];
/** Hostile bodies: deep, huge strings, lone surrogates, the wrong JSON type, and not JSON at all. */
const BODIES: Array<{ type: string; body: string }> = [
  { type: 'application/json', body: deep(5_000) },
  { type: 'application/json', body: `{"a":${deep(100)}}` },
  { type: 'application/json', body: '[]' },
  { type: 'application/json', body: '"text"' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: '{"__proto__":{"isAdmin":true}}' },
  { type: 'application/x-www-form-urlencoded', body: 'email=a%40b.c&password=secret' },
  { type: 'text/plain', body: '{"name":"x"}' },
  { type: 'application/xml', body: '<a/>' },
];

/**
 * Every operation the served document lists, called with hostile input as a signed-in admin (so
 * guards let it through to validation): no answer may be a 5xx, and every 4xx is problem+json.
 */
describe('hostile input on every documented operation', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let token: string;
  let document: Document;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    const client = new AuthClient(api.baseUrl);
    token = (await createUser(client, api.app.get(DataSource), { role: 'admin' })).tokens.accessToken;
    document = (await (await checkedFetch(`${api.baseUrl}/docs-json`)).json()) as Document;
  }, 60_000);
  afterAll(() => env.cleanup());

  /**
   * The failures among one operation's responses: a 5xx, or a 4xx that is not a problem. (Plain
   * fetch: whether each response matches the document is the contract tests' business.)
   */
  async function failures(label: string, response: Response): Promise<string[]> {
    const text = await response.text();
    if (response.status >= 500) return [`${label}: ${response.status} ${text.slice(0, 200)}`];
    if (response.status < 400) return [];
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON: reported below
    }
    const problem =
      /^application\/problem\+json/.test(response.headers.get('content-type') ?? '') &&
      typeof body.type === 'string' &&
      typeof body.title === 'string' &&
      body.status === response.status &&
      typeof body.detail === 'string';
    return problem ? [] : [`${label}: ${response.status} is not problem+json: ${text.slice(0, 200)}`];
  }

  it('answers no 5xx and only problem+json 4xx', async () => {
    const found: string[] = [];
    let calls = 0;
    for (const [template, operations] of Object.entries(document.paths)) {
      if (SKIPPED.some((pattern) => pattern.test(template))) continue;
      for (const method of METHODS.filter((name) => operations[name])) {
        const operation = operations[method];
        const hasPathParams = /\{[^}]+\}/.test(template);
        const paths = hasPathParams
          ? PATH_IDS.map((id) => template.replace(/\{[^}]+\}/g, id))
          : [template.replace(/\{[^}]+\}/g, 'x')];
        const query = (operation.parameters ?? [])
          .filter((parameter) => parameter.in === 'query')
          .map((parameter) => `${encodeURIComponent(parameter.name)}=${'%ED%A0%80'}${'q'.repeat(2_000)}`)
          .join('&');
        const send = async (path: string, init: RequestInit = {}) => {
          calls++;
          const response = await checkedFetch(`${api.baseUrl}${path}`, {
            method: method.toUpperCase(),
            ...init,
            headers: {
              authorization: `Bearer ${token}`,
              'idempotency-key': `fuzz-${calls}`,
              ...init.headers,
            },
          });
          found.push(...(await failures(`${method.toUpperCase()} ${path.slice(0, 120)}`, response)));
        };
        for (const path of paths) {
          await send(path);
          if (query) await send(`${path}?${query}`);
          if (method === 'get' || method === 'delete') continue;
          for (const { type, body } of BODIES) await send(path, { headers: { 'content-type': type }, body });
          // Common body properties as 70 KB strings with a lone surrogate.
          const fields = ['name', 'email', 'password', 'title', 'code', 'sku', 'slug', 'currency', 'reason'];
          const huge = `{${fields.map((field) => `"${field}":"\\ud800${LONG}"`).join(',')}}`;
          await send(path, { headers: { 'content-type': 'application/json' }, body: huge });
          // And short ones: validators that check the length first never see the surrogate in a long one.
          const short = `{${fields.map((field) => `"${field}":"a\\ud800@example.test"`).join(',')}}`;
          await send(path, { headers: { 'content-type': 'application/json' }, body: short });
        }
      }
    }
    expect(calls).toBeGreaterThan(500);
    expect(found).toEqual([]);
  }, 300_000);
});
