import { assertContract, registerContract, unregisterContract } from './contract';

const document = {
  openapi: '3.1.0',
  paths: {
    '/v1/things/{id}': {
      get: {
        responses: {
          '200': {
            description: 'The thing',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          '304': { description: 'Not modified' },
          '404': { $ref: '#/components/responses/NotFound' },
        },
      },
    },
    '/v1/things/metrics': {
      get: {
        responses: {
          '200': {
            description: 'Prometheus text',
            content: { 'text/plain; version=0.0.4; charset=utf-8': { schema: { type: 'string' } } },
          },
        },
      },
    },
    '/v1/things/mine': {
      get: { responses: { '204': { description: 'Nothing' } } },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'price', 'parent'],
        properties: {
          id: { type: 'string' },
          price: { type: 'integer' },
          parent: { anyOf: [{ $ref: '#/components/schemas/Thing' }, { type: 'null' }] },
          at: { type: 'string', format: 'date-time' },
        },
      },
      Problem: {
        type: 'object',
        required: ['type', 'status'],
        properties: { type: { type: 'string' }, status: { type: 'integer' } },
      },
    },
    responses: {
      NotFound: {
        description: 'Not found',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    },
  },
};

const base = 'http://127.0.0.1:1';
const json = new Headers({ 'content-type': 'application/json; charset=utf-8' });
const problem = new Headers({ 'content-type': 'application/problem+json' });
const check = (method: string, path: string, status: number, headers: Headers, body: unknown) => () =>
  assertContract(method, `${base}${path}`, status, headers, body === undefined ? '' : JSON.stringify(body));

describe('contract checks', () => {
  beforeAll(() => registerContract(base, document));
  afterAll(() => unregisterContract(base));

  it('accepts a response as documented, null for a nullable reference included', () => {
    const thing = { id: 'a', price: 100, parent: null, at: '2026-01-01T00:00:00.000Z' };
    expect(check('GET', '/v1/things/a?x=1', 200, json, thing)).not.toThrow();
    expect(check('GET', '/v1/things/b', 200, json, { ...thing, parent: thing })).not.toThrow();
    expect(check('GET', '/v1/things/a', 304, new Headers(), undefined)).not.toThrow();
    expect(check('GET', '/v1/things/a', 404, problem, { type: '/problems/x', status: 404 })).not.toThrow();
  });

  it('refuses a body that breaks the schema', () => {
    expect(check('GET', '/v1/things/a', 200, json, { id: 'a', price: 1.5, parent: null })).toThrow(
      /body\/price must be integer/,
    );
    expect(check('GET', '/v1/things/a', 200, json, { id: 'a', price: 1 })).toThrow(/parent/);
    expect(check('GET', '/v1/things/a', 404, problem, { type: '/problems/x', status: '404' })).toThrow(
      /status must be integer/,
    );
  });

  it('refuses an undocumented status or content type', () => {
    expect(check('GET', '/v1/things/a', 500, problem, { type: 'x', status: 500 })).toThrow(
      /status 500 is not documented/,
    );
    expect(check('GET', '/v1/things/a', 404, json, { type: 'x', status: 404 })).toThrow(
      /content type application\/json/,
    );
    expect(check('GET', '/v1/things/mine', 204, json, { id: 'a' })).toThrow(/the document says none/);
  });

  it('matches a documented media type that has parameters by its type and subtype', () => {
    const text = (type: string) => () =>
      assertContract('GET', `${base}/v1/things/metrics`, 200, new Headers({ 'content-type': type }), 'up 1');
    expect(text('text/plain; version=0.0.4; charset=utf-8')).not.toThrow();
    expect(text('text/plain')).not.toThrow();
    expect(text('text/html; charset=utf-8')).toThrow(/content type text\/html is not one of text\/plain/);
  });

  it('prefers a static path to a parameter, and leaves undocumented routes and other origins alone', () => {
    expect(check('GET', '/v1/things/mine', 204, new Headers(), undefined)).not.toThrow();
    expect(check('GET', '/docs', 200, new Headers({ 'content-type': 'text/html' }), 'x')).not.toThrow();
    expect(() => assertContract('GET', 'http://127.0.0.1:2/v1/things/a', 500, json, '{}')).not.toThrow();
  });
});
