import { expectProblem, type JsonResponse } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthClient, createUser } from '../support/auth-client';
import { CatalogAdmin, uniqueSuffix } from '../support/catalog-client';
import { levelsWithLedger, oversellViolations } from '../support/inventory-checks';
import { ReservationsService } from '../../src/modules/inventory/reservations.service';

interface Level {
  variantId: string;
  locationId: string;
  onHand: number;
  reserved: number;
  available: number;
}

describe('inventory: stock that never oversells', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let client: AuthClient;
  let db: DataSource;
  let admin: CatalogAdmin;
  let main: { id: string };
  let outlet: { id: string };

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    client = new AuthClient(api.baseUrl);
    db = api.app.get(DataSource);
    const staff = await createUser(client, db, { role: 'staff' });
    admin = new CatalogAdmin(client, staff.tokens.accessToken);
    main = (
      await admin.send<{ id: string }>('POST', '/v1/admin/locations', {
        code: `main-${uniqueSuffix()}`,
        name: 'Main',
        priority: 0,
      })
    ).body;
    outlet = (
      await admin.send<{ id: string }>('POST', '/v1/admin/locations', {
        code: `outlet-${uniqueSuffix()}`,
        name: 'Outlet',
        priority: 1,
      })
    ).body;
  }, 30_000);
  afterAll(() => env.cleanup());

  const newVariant = async (
    stock: number,
    location = main.id,
    extra: Record<string, unknown> = {},
  ): Promise<string> => {
    const suffix = uniqueSuffix();
    const product = await admin.createProduct({
      options: [],
      variants: [{ sku: `INV-${suffix}`, price: 500, ...extra }],
    });
    const variantId = product.variants[0].id;
    if (stock > 0) {
      const received = await admin.send('POST', '/v1/admin/inventory/adjustments', {
        variantId,
        locationId: location,
        delta: stock,
        reason: 'received',
      });
      if (received.status !== 201) throw new Error(`adjustment failed: ${received.status} ${received.text}`);
    }
    return variantId;
  };

  const reserve = (
    lines: Array<{ variantId: string; quantity: number }>,
    reference = `test:${randomUUID()}`,
  ) =>
    admin.send<{ id: string; status: string; lines: Array<{ locationId: string; quantity: number }> }>(
      'POST',
      '/v1/admin/inventory/reservations',
      { reference, lines },
    );

  const levelsOf = async (variantId: string): Promise<Level[]> =>
    (await admin.send<{ data: Level[] }>('GET', `/v1/admin/inventory?variantId=${variantId}`)).body.data;

  it('200 concurrent single-unit reservations of 10 in stock: exactly 10 succeed, 20 times over', async () => {
    for (let round = 0; round < 20; round++) {
      const variantId = await newVariant(10);
      const responses = await Promise.all(
        Array.from({ length: 200 }, () => reserve([{ variantId, quantity: 1 }])),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(10);
      expect(statuses.filter((status) => status === 409)).toHaveLength(190);
      for (const refused of responses.filter((response) => response.status === 409)) {
        expect(refused.headers.get('content-type')).toContain('application/problem+json');
        expect((refused.body as unknown as { type: string }).type).toBe('/problems/insufficient-stock');
      }
      expect(await oversellViolations(db, variantId, 10, 10)).toEqual([]);
      const [level] = await levelsOf(variantId);
      expect(level).toEqual(expect.objectContaining({ onHand: 10, reserved: 10, available: 0 }));
    }
  }, 120_000);

  it('the same harness catches a naive read-then-write reservation (the control)', async () => {
    const variantId = await newVariant(10);
    // Read availability, then write the new value: what an implementation without a lock or a
    // conditional UPDATE does. Kept here only to prove the checks above can fail.
    const naiveReserve = () =>
      db.transaction(async (manager) => {
        const [level] = await manager.query<Array<{ on_hand: number; reserved: number }>>(
          'SELECT on_hand, reserved FROM inventory_levels WHERE variant_id = ? AND location_id = ?',
          [variantId, main.id],
        );
        if (level.on_hand - level.reserved < 1) return false;
        await new Promise((resolve) => setTimeout(resolve, 5)); // a service's own latency between read and write
        await manager.query(
          'UPDATE inventory_levels SET reserved = ? WHERE variant_id = ? AND location_id = ?',
          [Number(level.reserved) + 1, variantId, main.id],
        );
        await manager.query(
          "INSERT INTO inventory_movements (variant_id, location_id, reason, on_hand_delta, reserved_delta, actor) VALUES (?, ?, 'reservation', 0, 1, 'test')",
          [variantId, main.id],
        );
        return true;
      });
    const results = await Promise.all(Array.from({ length: 200 }, naiveReserve));
    const successes = results.filter(Boolean).length;
    expect(await oversellViolations(db, variantId, 10, successes)).not.toEqual([]);
  }, 60_000);

  it('100 concurrent multi-line reservations over shuffled SKUs: no oversell, no 5xx, ledger equals levels', async () => {
    const variants = await Promise.all([30, 30, 30, 30, 30].map((stock) => newVariant(stock)));
    const requests = Array.from({ length: 100 }, () => {
      const count = 1 + Math.floor(Math.random() * 5);
      const chosen = [...variants].sort(() => Math.random() - 0.5).slice(0, count);
      // The same SKU twice in one request: its lines must be decided together.
      const lines = chosen.map((variantId) => ({ variantId, quantity: 1 + Math.floor(Math.random() * 2) }));
      if (Math.random() < 0.3) lines.push({ variantId: chosen[0], quantity: 1 });
      return lines.sort(() => Math.random() - 0.5);
    });
    const responses = await Promise.all(requests.map((lines) => reserve(lines)));
    expect(responses.filter((response) => response.status >= 500)).toEqual([]);
    expect(responses.every((response) => response.status === 201 || response.status === 409)).toBe(true);
    const granted = new Map<string, number>();
    responses.forEach((response, index) => {
      if (response.status !== 201) return;
      for (const line of requests[index])
        granted.set(line.variantId, (granted.get(line.variantId) ?? 0) + line.quantity);
    });
    expect(responses.filter((response) => response.status === 201).length).toBeGreaterThan(0);
    for (const level of await levelsWithLedger(db, variants)) {
      expect(level.reserved).toBe(granted.get(level.variantId) ?? 0);
      expect(level.reserved).toBeLessThanOrEqual(level.onHand);
      expect(level.ledgerOnHand).toBe(level.onHand);
      expect(level.ledgerReserved).toBe(level.reserved);
    }
  }, 60_000);

  it('refuses a reservation it cannot serve in full, names each short line, and reserves nothing', async () => {
    const plenty = await newVariant(5);
    const scarce = await newVariant(1);
    const draftless = await newVariant(0);
    const response = await reserve([
      { variantId: plenty, quantity: 2 },
      { variantId: scarce, quantity: 2 },
      { variantId: draftless, quantity: 1 },
    ]);
    expectProblem(response, 409, '/problems/insufficient-stock');
    const lines = (
      response.body as unknown as {
        lines: Array<{ variantId: string; requested: number; available: number }>;
      }
    ).lines;
    expect(lines.map((line) => [line.variantId, line.requested, line.available]).sort()).toEqual(
      [
        [scarce, 2, 1],
        [draftless, 1, 0],
      ].sort(),
    );
    for (const level of await levelsWithLedger(db, [plenty, scarce])) expect(level.reserved).toBe(0);
  });

  it('draws from several locations by priority, commits and releases idempotently', async () => {
    const variantId = await newVariant(2, main.id);
    await admin.send('POST', '/v1/admin/inventory/adjustments', {
      variantId,
      locationId: outlet.id,
      delta: 3,
      reason: 'received',
    });
    const reference = `order:${uniqueSuffix()}`;
    const first = await reserve([{ variantId, quantity: 4 }], reference);
    expect(first.status).toBe(201);
    expect(first.body.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ locationId: main.id, quantity: 2 }),
        expect.objectContaining({ locationId: outlet.id, quantity: 2 }),
      ]),
    );
    // A retry with the same reference is the same reservation, not a second one.
    const retry = await reserve([{ variantId, quantity: 4 }], reference);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expectProblem(
      await reserve([{ variantId, quantity: 1 }], reference),
      409,
      '/problems/reservation-mismatch',
    );

    const committed = await admin.send<{ status: string }>(
      'POST',
      `/v1/admin/inventory/reservations/${first.body.id}/commit`,
    );
    expect(committed.body.status).toBe('committed');
    expect(
      (await admin.send('POST', `/v1/admin/inventory/reservations/${first.body.id}/commit`)).status,
    ).toBe(200);
    expectProblem(
      await admin.send('POST', `/v1/admin/inventory/reservations/${first.body.id}/release`),
      409,
      '/problems/reservation-state',
    );
    const levels = await levelsOf(variantId);
    expect(levels.map((l) => [l.locationId, l.onHand, l.reserved]).sort()).toEqual(
      [
        [main.id, 0, 0],
        [outlet.id, 1, 0],
      ].sort(),
    );

    const other = await reserve([{ variantId, quantity: 1 }]);
    expect(
      (await admin.send('POST', `/v1/admin/inventory/reservations/${other.body.id}/release`)).status,
    ).toBe(200);
    expect(
      (await admin.send('POST', `/v1/admin/inventory/reservations/${other.body.id}/release`)).status,
    ).toBe(200);
    const [ledgerCheck] = await levelsWithLedger(db, [variantId]).then((rows) =>
      rows.filter((r) => r.locationId === outlet.id),
    );
    expect(ledgerCheck).toEqual(
      expect.objectContaining({ onHand: 1, reserved: 0, ledgerOnHand: 1, ledgerReserved: 0 }),
    );
  });

  it('adjusts and transfers through the ledger and refuses to go below zero or below reserved', async () => {
    const variantId = await newVariant(5);
    const transfer = await admin.send<{ levels: Level[] }>('POST', '/v1/admin/inventory/transfers', {
      variantId,
      fromLocationId: main.id,
      toLocationId: outlet.id,
      quantity: 2,
    });
    expect(transfer.status).toBe(201);
    expect(transfer.body.levels.map((l) => [l.locationId, l.onHand]).sort()).toEqual(
      [
        [main.id, 3],
        [outlet.id, 2],
      ].sort(),
    );
    expectProblem(
      await admin.send('POST', '/v1/admin/inventory/transfers', {
        variantId,
        fromLocationId: main.id,
        toLocationId: outlet.id,
        quantity: 4,
      }),
      409,
      '/problems/insufficient-stock',
    );
    expect((await reserve([{ variantId, quantity: 3 }])).status).toBe(201);
    expectProblem(
      await admin.send('POST', '/v1/admin/inventory/adjustments', {
        variantId,
        locationId: main.id,
        delta: -1,
        reason: 'damaged',
      }),
      409,
      '/problems/insufficient-stock',
    );
    expectProblem(
      await admin.send('POST', '/v1/admin/inventory/adjustments', {
        variantId,
        locationId: main.id,
        delta: -1,
        reason: 'received',
      }),
      422,
      '/problems/invalid-movement',
    );
    expectProblem(
      await admin.send('POST', '/v1/admin/inventory/adjustments', {
        variantId,
        locationId: main.id,
        delta: 0,
        reason: 'correction',
      }),
      400,
    );
    expectProblem(
      await admin.send('POST', '/v1/admin/inventory/adjustments', {
        variantId: randomUUID(),
        locationId: main.id,
        delta: 1,
        reason: 'received',
      }),
      422,
      '/problems/unknown-variant',
    );
    const movements = await admin.send<{
      data: Array<{ reason: string; onHandDelta: number; reservedDelta: number }>;
    }>('GET', `/v1/admin/inventory/movements?variantId=${variantId}`);
    expect(movements.body.data.map((m) => [m.reason, m.onHandDelta, m.reservedDelta])).toEqual([
      ['reservation', 0, 3],
      ['transfer', 2, 0],
      ['transfer', -2, 0],
      ['received', 5, 0],
    ]);
    for (const level of await levelsWithLedger(db, [variantId])) {
      expect([level.ledgerOnHand, level.ledgerReserved]).toEqual([level.onHand, level.reserved]);
    }
  });

  it('the database itself refuses negative stock (CHECK constraints)', async () => {
    const variantId = await newVariant(1);
    await expect(
      db.query('UPDATE inventory_levels SET reserved = on_hand + 1 WHERE variant_id = ?', [variantId]),
    ).rejects.toThrow(/constraint/i);
    await expect(
      db.query('UPDATE inventory_levels SET on_hand = -1 WHERE variant_id = ?', [variantId]),
    ).rejects.toThrow(/constraint/i);
  });

  it('shows a sold-out variant as out of stock on the storefront at once, and back when restocked', async () => {
    const variantId = await newVariant(1);
    const [{ slug }] = await db.query<Array<{ slug: string }>>(
      'SELECT p.slug FROM products p JOIN product_variants v ON v.product_id = p.id WHERE v.id = ?',
      [variantId],
    );
    const inStock = async () => (await client.get<{ inStock: boolean }>(`/v1/products/${slug}`)).body.inStock;
    expect(await inStock()).toBe(true); // now cached
    const held = await reserve([{ variantId, quantity: 1 }]);
    expect(await inStock()).toBe(false);
    await admin.send('POST', `/v1/admin/inventory/reservations/${held.body.id}/release`);
    expect(await inStock()).toBe(true);
  });

  it('releases expired reservations (the worker sweep), never one that was committed', async () => {
    const variantId = await newVariant(5);
    const expiring = await admin.send<{ id: string }>('POST', '/v1/admin/inventory/reservations', {
      reference: `exp:${uniqueSuffix()}`,
      lines: [{ variantId, quantity: 2 }],
      expiresInSeconds: 1,
    });
    const sold = await admin.send<{ id: string }>('POST', '/v1/admin/inventory/reservations', {
      reference: `exp:${uniqueSuffix()}`,
      lines: [{ variantId, quantity: 1 }],
      expiresInSeconds: 1,
    });
    await admin.send('POST', `/v1/admin/inventory/reservations/${sold.body.id}/commit`);
    const sweep = api.app.get(ReservationsService, { strict: false });
    // The sweep as the worker would run it 1.1 s from now, once both 1 s holds have ended.
    const later = new Date(Date.now() + 1_100);
    expect(await sweep.releaseExpired(later)).toBe(1);
    expect(await sweep.releaseExpired(later)).toBe(0);
    const statusOf = async (id: string) =>
      (await admin.send<{ status: string }>('GET', `/v1/admin/inventory/reservations/${id}`)).body.status;
    expect(await statusOf(expiring.body.id)).toBe('released');
    expect(await statusOf(sold.body.id)).toBe('committed');
    const [level] = await levelsWithLedger(db, [variantId]);
    expect(level).toEqual(
      expect.objectContaining({ onHand: 4, reserved: 0, ledgerOnHand: 4, ledgerReserved: 0 }),
    );
  });

  it('only staff with inventory:write reach the inventory routes', async () => {
    const customer = await createUser(client, db);
    const response: JsonResponse<object> = await client.get(
      '/v1/admin/inventory',
      customer.tokens.accessToken,
    );
    expectProblem(response, 403);
  });
});
