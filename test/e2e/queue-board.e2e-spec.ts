import { QUEUE_NAMES } from '../../src/bootstrap/queue-names';
import { expectProblem, request } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { DataSource } from 'typeorm';
import { AuthClient, createUser } from '../support/auth-client';

describe('Bull Board at /admin/queues, for keys with the queues:manage scope', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let boardKey: string;
  let otherKey: string;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi();
    const client = new AuthClient(api.baseUrl);
    const admin = await createUser(client, api.app.get(DataSource), { role: 'admin' });
    const mint = async (scopes: string[]) =>
      (
        await client.post<{ key: string }>(
          '/v1/admin/api-keys',
          { name: 'board', scopes },
          admin.tokens.accessToken,
        )
      ).body.key;
    boardKey = await mint(['queues:manage']);
    otherKey = await mint(['audit:read']);
  });
  afterAll(() => env.cleanup());

  const basic = (key: string) => `Basic ${Buffer.from(`staff:${key}`).toString('base64')}`;

  it('asks a browser for credentials (401 with a Basic challenge) and refuses a key without the scope', async () => {
    const anonymous = await request(`${api.baseUrl}/admin/queues`);
    expectProblem(anonymous, 401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="Storekeep queues"/);
    expectProblem(
      await request(`${api.baseUrl}/admin/queues`, { headers: { authorization: basic('sk_nope_nope') } }),
      401,
    );
    expectProblem(
      await request(`${api.baseUrl}/admin/queues`, { headers: { authorization: basic(otherKey) } }),
      403,
    );
    expectProblem(
      await request(`${api.baseUrl}/admin/queues/api/queues`, { headers: { 'x-api-key': otherKey } }),
      403,
    );
  });

  it('serves the board and its API with the right key', async () => {
    const page = await request(`${api.baseUrl}/admin/queues`, {
      headers: { authorization: basic(boardKey) },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const queues = await request<{ queues: Array<{ name: string }> }>(
      `${api.baseUrl}/admin/queues/api/queues`,
      {
        headers: { authorization: `Bearer ${boardKey}` },
      },
    );
    expect(queues.status).toBe(200);
    expect(queues.body.queues.map((queue) => queue.name).sort()).toEqual([...QUEUE_NAMES].sort());
  });
});
