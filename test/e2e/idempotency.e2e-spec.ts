import { IDEMPOTENCY_QUEUE, IdempotencyJobs, hashIdempotencyKey, requestFingerprint } from '@app/common';
import { expectProblem, JsonResponse, request } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthClient, createUser } from '../support/auth-client';
import {
  IdempotencyProbeModule,
  PROBE_EFFECTS_TABLE,
  PROBE_HANDLER_MS,
} from '../support/idempotency-probe.module';

type Effect = { id: string; name: string; amount: number; owner: string; at: string };

describe('Idempotency-Key (DESIGN invariant 2)', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let db: DataSource;

  const uniqueName = () => `n-${randomBytes(6).toString('hex')}`;
  const newKey = () => randomUUID();

  const post = <T = Effect>(
    path: string,
    options: { key?: string; body?: unknown; headers?: Record<string, string>; baseUrl?: string } = {},
  ): Promise<JsonResponse<T>> =>
    request<T>(`${options.baseUrl ?? api.baseUrl}/v1/idempotency-probe/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.key === undefined ? {} : { 'idempotency-key': options.key }),
        ...options.headers,
      },
      body: JSON.stringify(options.body ?? {}),
    });

  const executions = async (name: string): Promise<number> => {
    const [row] = await db.query<Array<{ n: string | number }>>(
      `SELECT COUNT(*) AS n FROM ${PROBE_EFFECTS_TABLE} WHERE name = ?`,
      [name],
    );
    return Number(row.n);
  };

  const keyRows = async (key: string) =>
    db.query<Array<{ state: string; scope: string }>>(
      'SELECT state, scope FROM idempotency_keys WHERE key_hash = ?',
      [hashIdempotencyKey(key)],
    );

  beforeAll(async () => {
    env = await TestEnvironment.create({ rateLimit: { max: 100_000 } });
    api = await env.startApi([IdempotencyProbeModule]);
    db = api.app.get(DataSource);
  });
  afterAll(() => env.cleanup());

  it('replays the first response, identical, with Idempotent-Replayed, and runs once', async () => {
    const key = newKey();
    const body = { name: uniqueName(), amount: 1200 };
    const first = await post('effects', { key, body });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    // Same body with its keys in another order: the same request.
    const again = await post('effects', { key, body: { amount: 1200, name: body.name } });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(again.text).toBe(first.text);
    expect(await executions(body.name)).toBe(1);
  });

  it('refuses the same key with a different body (422) and runs nothing', async () => {
    const key = newKey();
    const name = uniqueName();
    expect((await post('effects', { key, body: { name, amount: 1 } })).status).toBe(201);
    const reused = await post('effects', { key, body: { name, amount: 2 } });
    expectProblem(reused, 422, '/problems/idempotency-key-reused');
    expect(await executions(name)).toBe(1);
  });

  it('refuses the same key on a different route (422) and runs nothing', async () => {
    const key = newKey();
    const body = { name: uniqueName(), amount: 1 };
    expect((await post('effects', { key, body })).status).toBe(201);
    const reused = await post('other-effects', { key, body });
    expectProblem(reused, 422, '/problems/idempotency-key-reused');
    expect(await executions(body.name)).toBe(1);
  });

  it('runs 50 concurrent requests with one key exactly once; each answer is the first one or a 409', async () => {
    const key = newKey();
    const body = { name: uniqueName(), amount: 50 };
    // Spread over twice the handler's time: some arrive while it runs, some after it completed.
    const responses = await Promise.all(
      Array.from({ length: 50 }, async (_, index) => {
        await new Promise((resolve) => setTimeout(resolve, (index % 25) * ((PROBE_HANDLER_MS * 2) / 25)));
        return post('effects', { key, body });
      }),
    );
    expect(await executions(body.name)).toBe(1);

    const originals = responses.filter(
      (r) => r.status === 201 && r.headers.get('idempotent-replayed') === null,
    );
    expect(originals).toHaveLength(1);
    const [original] = originals;
    const replays = responses.filter((r) => r.headers.get('idempotent-replayed') === 'true');
    const inFlight = responses.filter((r) => r.status === 409);
    expect(replays.length + inFlight.length).toBe(49);
    for (const replay of replays) {
      expect(replay.status).toBe(original.status);
      expect(replay.text).toBe(original.text);
    }
    for (const conflict of inFlight) {
      expectProblem(conflict, 409, '/problems/idempotency-key-in-flight');
      expect(conflict.headers.get('retry-after')).toBe('1');
    }
    // The burst did overlap the first request (the handler sleeps while the first 25 arrive).
    // Whether any arrived after it completed depends on the machine's load; the replay after the
    // burst covers that path either way.
    expect(inFlight.length).toBeGreaterThan(0);

    const later = await post('effects', { key, body });
    expect(later.text).toBe(original.text);
    expect(await executions(body.name)).toBe(1);
  });

  it('does not remember a request rejected by validation: the same key then succeeds', async () => {
    const key = newKey();
    const name = uniqueName();
    const invalid = await post('effects', { key, body: { name: '', amount: -1 } });
    expectProblem(invalid, 400, '/problems/validation-failed');
    expect(await keyRows(key)).toEqual([]);

    const valid = await post('effects', { key, body: { name, amount: 3 } });
    expect(valid.status).toBe(201);
    expect(valid.headers.get('idempotent-replayed')).toBeNull();
    expect(await executions(name)).toBe(1);
  });

  it('replays a 4xx domain error identically, without running the handler again', async () => {
    const key = newKey();
    const body = { name: uniqueName(), amount: 1 };
    const first = await post('out-of-stock', { key, body });
    expectProblem(first, 409, '/problems/out-of-stock');
    expect(first.body).toEqual(expect.objectContaining({ available: 1 }));

    const again = await post('out-of-stock', { key, body });
    expect(again.status).toBe(409);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(again.text).toBe(first.text);
    expect(await executions(body.name)).toBe(1);
  });

  it('forgets a request that failed unexpectedly, so a retry with the key runs again', async () => {
    const key = newKey();
    const body = { name: uniqueName(), amount: 1 };
    expectProblem(await post('crash', { key, body }), 500, '/problems/internal-error');
    expect(await keyRows(key)).toEqual([]);
    expectProblem(await post('crash', { key, body }), 500, '/problems/internal-error');
    expect(await executions(body.name)).toBe(2);
  });

  it('keeps the keys of two guests (cart tokens) apart', async () => {
    const key = newKey();
    const body = { name: uniqueName(), amount: 7 };
    const first = await post('effects', { key, body, headers: { 'x-cart-token': 'cart-token-a' } });
    const second = await post('effects', { key, body, headers: { 'x-cart-token': 'cart-token-b' } });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
    expect(await executions(body.name)).toBe(2);
    // A guest's scope holds a hash of the token, never the token.
    const scopes = (await keyRows(key)).map((row) => row.scope);
    expect(scopes).toHaveLength(2);
    for (const scope of scopes) expect(scope).toMatch(/^guest:[0-9a-f]{64}$/);
    // And without any token, the same key is a third caller's.
    expect((await post('effects', { key, body })).headers.get('idempotent-replayed')).toBeNull();
    expect(await executions(body.name)).toBe(3);
  });

  it('keeps the keys of two signed-in people apart, and replays each their own', async () => {
    const client = new AuthClient(api.baseUrl);
    const [alice, bob] = await Promise.all([createUser(client, db), createUser(client, db)]);
    const key = newKey();
    const body = { name: uniqueName(), amount: 9 };
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    const forAlice = await post('my-effects', { key, body, headers: auth(alice.tokens.accessToken) });
    const forBob = await post('my-effects', { key, body, headers: auth(bob.tokens.accessToken) });
    expect([forAlice.status, forBob.status]).toEqual([201, 201]);
    expect(forAlice.body.owner).toBe(alice.id);
    expect(forBob.body.owner).toBe(bob.id);

    const aliceAgain = await post('my-effects', { key, body, headers: auth(alice.tokens.accessToken) });
    expect(aliceAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(aliceAgain.text).toBe(forAlice.text);
    expect(await executions(body.name)).toBe(2);
  });

  it('answers a missing key with 400 idempotency-key-required, running nothing', async () => {
    const name = uniqueName();
    expectProblem(
      await post('effects', { body: { name, amount: 1 } }),
      400,
      '/problems/idempotency-key-required',
    );
    expect(await executions(name)).toBe(0);
  });

  it.each([
    ['too long', 'k'.repeat(256)],
    ['empty', ''],
    ['not ASCII', 'cl\u00e9'],
  ])('answers a key that is %s with 400 idempotency-key-invalid, running nothing', async (_label, key) => {
    const name = uniqueName();
    expectProblem(
      await post('effects', { key, body: { name, amount: 1 } }),
      400,
      '/problems/idempotency-key-invalid',
    );
    expect(await executions(name)).toBe(0);
  });

  it('accepts a 255-character key', async () => {
    const response = await post('effects', { key: '~'.repeat(255), body: { name: uniqueName(), amount: 1 } });
    expect(response.status).toBe(201);
  });

  it('lets an optional key be left out, and keeps the route status (@HttpCode) for replays', async () => {
    const name = uniqueName();
    expect((await post('optional', { body: { name, amount: 1 } })).status).toBe(200);
    expect((await post('optional', { body: { name, amount: 1 } })).status).toBe(200);
    expect(await executions(name)).toBe(2);

    const key = newKey();
    const first = await post('optional', { key, body: { name, amount: 2 } });
    const again = await post('optional', { key, body: { name, amount: 2 } });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await executions(name)).toBe(3);
  });

  it('answers 409 while a live claim holds the key, and takes over one whose owner crashed', async () => {
    const key = newKey();
    const body = { name: uniqueName(), amount: 4 };
    const path = '/v1/idempotency-probe/effects';
    const claimedBy = async (lockedUntil: Date): Promise<void> => {
      await db.query(
        `INSERT INTO idempotency_keys (scope, key_hash, request_fingerprint, method, path, state, claim_token,
           locked_until, expires_at)
         VALUES ('anonymous', ?, ?, 'POST', ?, 'in_flight', ?, ?, ?)
         ON DUPLICATE KEY UPDATE locked_until = VALUES(locked_until)`,
        [
          hashIdempotencyKey(key),
          requestFingerprint('POST', path, body),
          path,
          randomBytes(16).toString('hex'),
          lockedUntil,
          new Date(Date.now() + 3_600_000),
        ],
      );
    };
    await claimedBy(new Date(Date.now() + 60_000));
    const busy = await post('effects', { key, body });
    expectProblem(busy, 409, '/problems/idempotency-key-in-flight');
    expect(busy.headers.get('retry-after')).toBe('1');

    await claimedBy(new Date(Date.now() - 1));
    const takenOver = await post('effects', { key, body });
    expect(takenOver.status).toBe(201);
    expect(await executions(body.name)).toBe(1);
    expect(await keyRows(key)).toEqual([expect.objectContaining({ state: 'completed' })]);
  });

  it('lets an expired key be used again as new (IDEMPOTENCY_TTL_HOURS)', async () => {
    const shortLived = await env.startApi([IdempotencyProbeModule], { idempotency: { ttlHours: 1 / 3600 } });
    try {
      const key = newKey();
      const body = { name: uniqueName(), amount: 5 };
      const first = await post('effects', { key, body, baseUrl: shortLived.baseUrl });
      expect(first.status).toBe(201);
      // Kept on purpose: waiting out the key's 1 s TTL is what this test is about (expiry is read off
      // the API's clock when the request arrives; an HTTP request has no "now" to pass in).
      await new Promise((resolve) => setTimeout(resolve, 1_100));

      const afterExpiry = await post('effects', { key, body, baseUrl: shortLived.baseUrl });
      expect(afterExpiry.status).toBe(201);
      expect(afterExpiry.headers.get('idempotent-replayed')).toBeNull();
      expect(afterExpiry.body.id).not.toBe(first.body.id);
      // A different body is no reuse either once the key has expired (the same 1 s TTL, waited out).
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(
        (await post('effects', { key, body: { ...body, amount: 6 }, baseUrl: shortLived.baseUrl })).status,
      ).toBe(201);
      expect(await executions(body.name)).toBe(3);
    } finally {
      await shortLived.close();
    }
  });

  it('documents the header and the 400/409/422 problems on an @Idempotent() route', async () => {
    type Operation = {
      parameters?: Array<{ in: string; name: string; required?: boolean }>;
      responses: Record<string, unknown>;
    };
    const docs = await request<{ paths: Record<string, { post: Operation }> }>(`${api.baseUrl}/docs-json`);
    const operation = docs.body.paths['/v1/idempotency-probe/effects'].post;
    expect(operation.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'Idempotency-Key', required: true }),
    );
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '409', '422']));
    const optional = docs.body.paths['/v1/idempotency-probe/optional'].post;
    expect(optional.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'Idempotency-Key', required: false }),
    );
  });

  it('deletes expired keys in the worker prune job, and only those', async () => {
    const worker = await env.startWorker();
    const expiredKey = newKey();
    const liveKey = newKey();
    expect((await post('effects', { key: expiredKey, body: { name: uniqueName(), amount: 1 } })).status).toBe(
      201,
    );
    expect((await post('effects', { key: liveKey, body: { name: uniqueName(), amount: 1 } })).status).toBe(
      201,
    );
    await db.query('UPDATE idempotency_keys SET expires_at = ? WHERE key_hash = ?', [
      new Date(Date.now() - 1000),
      hashIdempotencyKey(expiredKey),
    ]);

    const queue = worker.get<Queue>(getQueueToken(IDEMPOTENCY_QUEUE), { strict: false });
    const job = await queue.add(IdempotencyJobs.pruneExpired, {});
    const result = (await job.finished()) as { deleted: number };
    expect(result.deleted).toBeGreaterThanOrEqual(1);
    expect(await keyRows(expiredKey)).toEqual([]);
    expect(await keyRows(liveKey)).toEqual([expect.objectContaining({ state: 'completed' })]);
  });
});
