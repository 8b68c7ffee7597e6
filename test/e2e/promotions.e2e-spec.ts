import { TransactionRunner } from '@app/database';
import { expectProblem, type JsonResponse } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PromotionRedemptionsService } from '../../src/modules/promotions/promotion-redemptions.service';
import { PromotionUnavailableError } from '../../src/modules/promotions/promotions.errors';
import { AuthClient, createUser } from '../support/auth-client';
import { uniqueSuffix } from '../support/catalog-client';

interface Money {
  amount: number;
  currency: string;
}
interface Promotion {
  id: string;
  code: string;
  description: string | null;
  kind: string;
  percentBp: number | null;
  amount: Money | null;
  minSubtotal: Money | null;
  startsAt: string | null;
  endsAt: string | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  timesUsed: number;
  remainingUses: number | null;
  active: boolean;
  version: number;
}
interface Page {
  data: Promotion[];
  nextCursor: string | null;
}

describe('promotions: staff management of discount codes', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let client: AuthClient;
  let db: DataSource;
  let staff: { id: string; token: string };
  let customerToken: string;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi();
    client = new AuthClient(api.baseUrl);
    db = api.app.get(DataSource);
    const user = await createUser(client, db, { role: 'staff' });
    staff = { id: user.id, token: user.tokens.accessToken };
    customerToken = (await createUser(client, db)).tokens.accessToken;
  });
  afterAll(() => env.cleanup());

  const send = <T = Promotion>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => client.send<T>(method, `/v1/admin/promotions${path}`, { token: staff.token, body, headers });

  const code = (label = 'CODE') => `${label}-${uniqueSuffix()}`.toUpperCase();

  async function create(body: Record<string, unknown> = {}): Promise<Promotion> {
    const response = await send('POST', '', { code: code(), kind: 'percentage', percentBp: 1500, ...body });
    if (response.status !== 201) throw new Error(`create failed: ${response.status} ${response.text}`);
    return response.body;
  }

  const auditOf = (id: string) =>
    db.query<Array<{ action: string; actor_id: string }>>(
      "SELECT action, actor_id FROM audit_log WHERE target_type = 'promotion' AND target_id = ? ORDER BY id",
      [id],
    );
  const counts = async () => {
    const [row] = await db.query<Array<{ promotions: number; audits: number }>>(
      `SELECT (SELECT COUNT(*) FROM promotions) AS promotions,
              (SELECT COUNT(*) FROM audit_log WHERE target_type = 'promotion') AS audits`,
    );
    return { promotions: Number(row.promotions), audits: Number(row.audits) };
  };

  it('creates a code normalised, shows it with its uses, and audits the write', async () => {
    const suffix = uniqueSuffix();
    const created = await send('POST', '', {
      code: `  spring_${suffix} `,
      description: 'Spring sale',
      kind: 'fixed_amount',
      amount: 500,
      minSubtotal: 2000,
      startsAt: '2030-03-01T00:00:00Z',
      endsAt: '2030-03-31T22:00:00.000+02:00',
      usageLimit: 100,
      perCustomerLimit: 1,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.body).toEqual(
      expect.objectContaining({
        code: `SPRING_${suffix.toUpperCase()}`,
        description: 'Spring sale',
        kind: 'fixed_amount',
        percentBp: null,
        currency: expect.stringMatching(/^[A-Z]{3}$/),
        amount: 500,
        minSubtotal: 2000,
        startsAt: '2030-03-01T00:00:00.000Z',
        endsAt: '2030-03-31T20:00:00.000Z',
        usageLimit: 100,
        perCustomerLimit: 1,
        timesUsed: 0,
        remainingUses: 100,
        active: true,
        version: 1,
      }),
    );
    const read = await send('GET', `/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers.get('etag')).toBe('W/"1"');
    expect(await auditOf(created.body.id)).toEqual([{ action: 'promotion.created', actor_id: staff.id }]);
  });

  it('shows uses taken by redemptions as timesUsed and remainingUses', async () => {
    const promotion = await create({ usageLimit: 3 });
    const redemptions = api.app.get(PromotionRedemptionsService);
    await api.app.get(TransactionRunner).run((manager) =>
      redemptions.redeemWithin(manager, {
        code: promotion.code.toLowerCase(),
        orderId: randomUUID(),
        customerKey: 'user:e2e',
        now: new Date(),
      }),
    );
    const read = await send('GET', `/${promotion.id}`);
    expect(read.body).toEqual(expect.objectContaining({ timesUsed: 1, remainingUses: 2, version: 1 }));
    // A redemption is not a staff edit: the version the admin holds is still good.
    expect((await send('PATCH', `/${promotion.id}`, { description: 'still v1', version: 1 })).status).toBe(
      200,
    );
    const unlimited = await create();
    expect((await send('GET', `/${unlimited.id}`)).body.remainingUses).toBeNull();
  });

  it.each<[string, Record<string, unknown>]>([
    ['a percentage of 0', { percentBp: 0 }],
    ['a percentage above 100%', { percentBp: 10_001 }],
    ['a fractional percentage', { percentBp: 12.5 }],
    ['a percentage without percentBp', { percentBp: undefined }],
    ['both percentBp and amount', { amount: 500 }],
    ['fixed_amount with percentBp', { kind: 'fixed_amount', amount: 500 }],
    ['fixed_amount without amount', { kind: 'fixed_amount', percentBp: undefined }],
    ['free_shipping with an amount', { kind: 'free_shipping', percentBp: undefined, amount: 100 }],
    ['an unknown kind', { kind: 'bogo' }],
    ['endsAt equal to startsAt', { startsAt: '2030-01-01T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }],
    ['endsAt before startsAt', { startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }],
    ['a date without a time zone', { startsAt: '2030-01-01T00:00:00' }],
    ['a date that is not one', { endsAt: 'next tuesday' }],
    ['a negative amount', { kind: 'fixed_amount', percentBp: undefined, amount: -100 }],
    ['a negative minimum subtotal', { minSubtotal: -1 }],
    ['a negative usage limit', { usageLimit: -5 }],
    ['a usage limit of 0', { usageLimit: 0 }],
    ['a negative per-customer limit', { perCustomerLimit: -1 }],
    ['an unknown field', { discount: 10 }],
    ['a code with spaces and punctuation', { code: 'SPRING SALE!' }],
    ['a code that is too short', { code: 'AB' }],
    ['a code that is too long', { code: 'A'.repeat(51) }],
    ['a code with non-ASCII letters', { code: 'ÉTÉ-2030' }],
    ['a null code', { code: null }],
    ['active as a string', { active: 'yes' }],
  ])('refuses %s with 400 and writes nothing', async (_, overrides) => {
    const before = await counts();
    const body = { code: code('BAD'), kind: 'percentage', percentBp: 1500, ...overrides };
    const response = await send('POST', '', JSON.parse(JSON.stringify(body)));
    expectProblem(response, 400);
    expect((response.body as unknown as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
  });

  it('refuses a duplicate code (whatever its case) with 409', async () => {
    const existing = await create();
    const before = await counts();
    expectProblem(
      await send('POST', '', { code: existing.code.toLowerCase(), kind: 'free_shipping' }),
      409,
      '/problems/promotion-code-taken',
    );
    expect(await counts()).toEqual(before);
  });

  it('lists newest first, filtered by code prefix and active, page by page', async () => {
    const prefix = `LIST${uniqueSuffix().toUpperCase()}`;
    const made: Promotion[] = [];
    for (const label of ['A', 'B', 'C', 'D']) made.push(await create({ code: `${prefix}_${label}` }));
    await create({ code: `${prefix}X` }); // `_` in the filter is a character, not a LIKE wildcard
    expect((await send('DELETE', `/${made[1].id}`)).status).toBe(200);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?code=${prefix.toLowerCase()}_&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page: JsonResponse<Page> = await send<Page>('GET', query);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((promotion) => promotion.code));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['D', 'C', 'B', 'A'].map((label) => `${prefix}_${label}`));

    const active = await send<Page>('GET', `?code=${prefix}_&active=true`);
    expect(active.body.data.map((promotion) => promotion.code)).toEqual(
      ['D', 'C', 'A'].map((label) => `${prefix}_${label}`),
    );
    const inactive = await send<Page>('GET', `?code=${prefix}&active=false`);
    expect(inactive.body.data.map((promotion) => promotion.id)).toEqual([made[1].id]);
    expectProblem(await send('GET', '?code=50%25'), 400);
    expectProblem(await send('GET', '?limit=101'), 400);
    expectProblem(await send('GET', '?cursor=not*a*cursor'), 400);
  });

  it('changes a promotion at the version read, audits it, and refuses stale versions', async () => {
    const promotion = await create({ usageLimit: 10 });
    const changed = await send('PATCH', `/${promotion.id}`, {
      percentBp: 2500,
      usageLimit: null,
      version: 1,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual(expect.objectContaining({ percentBp: 2500, usageLimit: null, version: 2 }));
    expect(changed.headers.get('etag')).toBe('W/"2"');

    expectProblem(
      await send('PATCH', `/${promotion.id}`, { percentBp: 100, version: 1 }),
      409,
      '/problems/stale-version',
    );
    expectProblem(
      await send('PATCH', `/${promotion.id}`, { percentBp: 100 }, { 'if-match': 'W/"1"' }),
      412,
      '/problems/stale-version',
    );
    const byIfMatch = await send(
      'PATCH',
      `/${promotion.id}`,
      { description: 'via If-Match' },
      { 'if-match': 'W/"2"' },
    );
    expect(byIfMatch.status).toBe(200);
    expect(byIfMatch.body.version).toBe(3);
    expectProblem(await send('PATCH', `/${promotion.id}`, { description: 'no version' }), 400);

    const current = await send('GET', `/${promotion.id}`);
    expect(current.body).toEqual(
      expect.objectContaining({ percentBp: 2500, description: 'via If-Match', version: 3 }),
    );
    expect((await auditOf(promotion.id)).map((row) => row.action)).toEqual([
      'promotion.created',
      'promotion.updated',
      'promotion.updated',
    ]);

    // Two writers from the same version: exactly one wins.
    const race = await Promise.all(
      [100, 200, 300, 400].map((percentBp) => send('PATCH', `/${promotion.id}`, { percentBp, version: 3 })),
    );
    expect(race.map((response) => response.status).sort()).toEqual([200, 409, 409, 409]);
  });

  it('checks the terms as they would be stored after a change, writing nothing when they do not hold', async () => {
    const promotion = await create({ startsAt: '2030-01-10T00:00:00Z', usageLimit: 5 });
    const before = await counts();
    expectProblem(
      await send('PATCH', `/${promotion.id}`, { endsAt: '2030-01-09T00:00:00Z', version: 1 }),
      400,
    );
    expectProblem(await send('PATCH', `/${promotion.id}`, { amount: 300, version: 1 }), 400);
    expectProblem(await send('PATCH', `/${promotion.id}`, { kind: 'fixed_amount', version: 1 }), 400);
    expectProblem(await send('PATCH', `/${promotion.id}`, { percentBp: 20_000, version: 1 }), 400);
    expectProblem(await send('PATCH', `/${promotion.id}`, { code: null, version: 1 }), 400);
    expectProblem(await send('PATCH', `/${promotion.id}`, { timesUsed: 0, version: 1 }), 400);
    const other = await create();
    expectProblem(
      await send('PATCH', `/${promotion.id}`, { code: other.code, version: 1 }),
      409,
      '/problems/promotion-code-taken',
    );
    const afterOther = await counts();
    expect(afterOther).toEqual({ promotions: before.promotions + 1, audits: before.audits + 1 });
    expect((await send('GET', `/${promotion.id}`)).body).toEqual(
      expect.objectContaining({ version: 1, percentBp: 1500 }),
    );

    // A new kind clears the old kind's terms.
    const switched = await send('PATCH', `/${promotion.id}`, {
      kind: 'fixed_amount',
      amount: 750,
      version: 1,
    });
    expect(switched.status).toBe(200);
    expect(switched.body).toEqual(
      expect.objectContaining({
        kind: 'fixed_amount',
        percentBp: null,
        amount: 750,
      }),
    );
  });

  it('refuses a usage limit below the uses already made', async () => {
    const promotion = await create({ usageLimit: 5 });
    const redemptions = api.app.get(PromotionRedemptionsService);
    for (const customer of ['a', 'b'])
      await api.app.get(TransactionRunner).run((manager) =>
        redemptions.redeemWithin(manager, {
          code: promotion.code,
          orderId: randomUUID(),
          customerKey: `user:${customer}`,
          now: new Date(),
        }),
      );
    expectProblem(
      await send('PATCH', `/${promotion.id}`, { usageLimit: 1, version: 1 }),
      409,
      '/problems/usage-limit-below-uses',
    );
    const atLimit = await send('PATCH', `/${promotion.id}`, { usageLimit: 2, version: 1 });
    expect(atLimit.body).toEqual(expect.objectContaining({ usageLimit: 2, timesUsed: 2, remainingUses: 0 }));
  });

  it('deactivates on DELETE, keeping the promotion, and refuses its code from then on', async () => {
    const promotion = await create();
    const deleted = await send('DELETE', `/${promotion.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual(expect.objectContaining({ id: promotion.id, active: false, version: 2 }));
    expect((await send('DELETE', `/${promotion.id}`)).body.version).toBe(2); // idempotent, no new write
    expect((await send('GET', `/${promotion.id}`)).body.active).toBe(false);
    expect((await auditOf(promotion.id)).map((row) => row.action)).toEqual([
      'promotion.created',
      'promotion.deactivated',
    ]);
    const attempt = api.app.get(TransactionRunner).run((manager) =>
      api.app.get(PromotionRedemptionsService).redeemWithin(manager, {
        code: promotion.code,
        orderId: randomUUID(),
        customerKey: 'user:late',
        now: new Date(),
      }),
    );
    await expect(attempt).rejects.toBeInstanceOf(PromotionUnavailableError);
    await expect(attempt).rejects.toMatchObject({ reason: 'inactive' });
    // Switched back on through PATCH.
    expect((await send('PATCH', `/${promotion.id}`, { active: true, version: 2 })).body.active).toBe(true);
  });

  it('answers 404 for an unknown id, whatever it looks like (ids are opaque)', async () => {
    const unknown = '01900000-0000-7000-8000-000000000000';
    expectProblem(await send('GET', `/${unknown}`), 404, '/problems/promotion-not-found');
    expectProblem(await send('PATCH', `/${unknown}`, { active: false, version: 1 }), 404);
    expectProblem(await send('DELETE', `/${unknown}`), 404);
    expectProblem(await send('GET', '/not-a-uuid'), 404);
  });

  it('is for staff only: customers get 403, anonymous callers 401', async () => {
    const promotion = await create();
    const before = await counts();
    const calls: Array<[string, string, unknown]> = [
      ['GET', '', undefined],
      ['POST', '', { code: code(), kind: 'free_shipping' }],
      ['GET', `/${promotion.id}`, undefined],
      ['PATCH', `/${promotion.id}`, { active: false, version: 1 }],
      ['DELETE', `/${promotion.id}`, undefined],
    ];
    for (const [method, path, body] of calls) {
      expectProblem(
        await client.send(method, `/v1/admin/promotions${path}`, { token: customerToken, body }),
        403,
      );
      expectProblem(await client.send(method, `/v1/admin/promotions${path}`, { body }), 401);
    }
    expect(await counts()).toEqual(before);
  });
});
