import { expectProblem, type JsonResponse } from '@app/testing';
import { TestApi, TestEnvironment } from '../support/test-environment';
import { DataSource } from 'typeorm';
import { ShippingRatesService } from '../../src/modules/shipping/shipping-rates.service';
import { TaxRatesService } from '../../src/modules/taxes/tax-rates.service';
import { AuthClient, createUser } from '../support/auth-client';

interface Money {
  amount: number;
  currency: string;
}
interface Method {
  id: string;
  zoneId: string;
  name: string;
  rate: Money;
  freeOver: Money | null;
  active: boolean;
  position: number;
  version: number;
}
interface Zone {
  id: string;
  name: string;
  countries: string[];
  active: boolean;
  version: number;
  methods: Method[];
}
interface Rate {
  id: string;
  country: string;
  region: string | null;
  name: string;
  rateBp: number;
  version: number;
}

const MISSING_ID = '01900000-0000-7000-8000-000000000000';

describe('shipping zones and methods, tax rates', () => {
  let env: TestEnvironment;
  let api: TestApi;
  let client: AuthClient;
  let db: DataSource;
  let adminToken: string;
  let adminId: string;
  let staffToken: string;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    api = await env.startApi([], { rateLimit: { max: 1_000_000 } });
    client = new AuthClient(api.baseUrl);
    db = api.app.get(DataSource);
    const admin = await createUser(client, db, { role: 'admin' });
    adminToken = admin.tokens.accessToken;
    adminId = admin.id;
    staffToken = (await createUser(client, db, { role: 'staff' })).tokens.accessToken;
  }, 30_000);
  afterAll(() => env.cleanup());

  const send = <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    /** null: anonymous. */
    token: string | null = adminToken,
  ): Promise<JsonResponse<T>> => client.send<T>(method, path, { token: token ?? undefined, body });

  const createZone = async (name: string, countries: string[], extra: Record<string, unknown> = {}) => {
    const response = await send<Zone>('POST', '/v1/admin/shipping-zones', { name, countries, ...extra });
    if (response.status !== 201) throw new Error(`create zone: ${response.status} ${response.text}`);
    return response.body;
  };
  const addMethod = async (zoneId: string, body: Record<string, unknown>) => {
    const response = await send<Method>('POST', `/v1/admin/shipping-zones/${zoneId}/methods`, body);
    if (response.status !== 201) throw new Error(`add method: ${response.status} ${response.text}`);
    return response.body;
  };
  const createRate = async (body: Record<string, unknown>) => {
    const response = await send<Rate>('POST', '/v1/admin/tax-rates', body);
    if (response.status !== 201) throw new Error(`create rate: ${response.status} ${response.text}`);
    return response.body;
  };

  /** Row counts of every table these features write, audit included: a refused write changes none. */
  const counts = async () => {
    const [row] = await db.query<Array<Record<string, string>>>(
      `SELECT (SELECT COUNT(*) FROM shipping_zones) AS zones,
              (SELECT COUNT(*) FROM shipping_zone_countries) AS countries,
              (SELECT COUNT(*) FROM shipping_methods) AS methods,
              (SELECT COUNT(*) FROM tax_rates) AS rates,
              (SELECT COUNT(*) FROM audit_log) AS audit,
              (SELECT COALESCE(SUM(version), 0) FROM shipping_zones) AS zoneVersions,
              (SELECT COALESCE(SUM(version), 0) FROM shipping_methods) AS methodVersions,
              (SELECT COALESCE(SUM(version), 0) FROM tax_rates) AS rateVersions`,
    );
    return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)]));
  };
  const auditOf = (targetId: string) =>
    db.query<Array<{ action: string; actor_id: string; target_type: string }>>(
      'SELECT action, actor_id, target_type FROM audit_log WHERE target_id = ? ORDER BY id',
      [targetId],
    );
  const manager = () => db.manager;

  describe('shipping zones', () => {
    it('creates, reads, lists, updates and deletes a zone (countries normalised upper-case)', async () => {
      const created = await createZone('DACH', ['de', 'AT', 'ch', 'DE']);
      expect(created).toEqual(
        expect.objectContaining({
          name: 'DACH',
          countries: ['AT', 'CH', 'DE'],
          active: true,
          version: 1,
          methods: [],
        }),
      );

      const one = await send<Zone>('GET', `/v1/admin/shipping-zones/${created.id}`);
      expect(one.status).toBe(200);
      expect(one.body.countries).toEqual(['AT', 'CH', 'DE']);

      const list = await send<{ data: Zone[] }>('GET', '/v1/admin/shipping-zones');
      expect(list.status).toBe(200);
      expect(list.body.data.find((zone) => zone.id === created.id)).toEqual(
        expect.objectContaining({ countries: ['AT', 'CH', 'DE'] }),
      );

      const updated = await send<Zone>('PATCH', `/v1/admin/shipping-zones/${created.id}`, {
        name: 'Germany and Austria',
        countries: ['DE', 'AT'],
        version: 1,
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toEqual(
        expect.objectContaining({ name: 'Germany and Austria', countries: ['AT', 'DE'], version: 2 }),
      );

      const stale = await send('PATCH', `/v1/admin/shipping-zones/${created.id}`, {
        name: 'Lost',
        version: 1,
      });
      expectProblem(stale, 409, '/problems/stale-version');
      expect((await send<Zone>('GET', `/v1/admin/shipping-zones/${created.id}`)).body.name).toBe(
        'Germany and Austria',
      );

      await addMethod(created.id, { name: 'Standard', rate: 490 });
      const removed = await send('DELETE', `/v1/admin/shipping-zones/${created.id}`);
      expect(removed.status).toBe(204);
      expectProblem(
        await send('GET', `/v1/admin/shipping-zones/${created.id}`),
        404,
        '/problems/shipping-zone-not-found',
      );
      const [left] = await db.query<Array<{ methods: string; countries: string }>>(
        `SELECT (SELECT COUNT(*) FROM shipping_methods WHERE zone_id = ?) AS methods,
                (SELECT COUNT(*) FROM shipping_zone_countries WHERE zone_id = ?) AS countries`,
        [created.id, created.id],
      );
      expect(left).toEqual({ methods: '0', countries: '0' });
      // The countries are free again.
      const again = await createZone('Germany again', ['DE']);
      expect(again.countries).toEqual(['DE']);
      expectProblem(await send('DELETE', `/v1/admin/shipping-zones/${MISSING_ID}`), 404);
    });

    it('refuses a country that is already in another zone, naming it, and writes nothing', async () => {
      const france = await createZone('France', ['FR']);
      const before = await counts();

      const clash = await send<{ detail: string; countries: string[] }>('POST', '/v1/admin/shipping-zones', {
        name: 'Western Europe',
        countries: ['be', 'fr', 'NL'],
      });
      expectProblem(clash, 409, '/problems/country-in-another-zone');
      expect(clash.body.countries).toEqual(['FR']);
      expect(clash.body.detail).toContain('FR');
      expect(clash.body.detail).toContain('France');
      expect(await counts()).toEqual(before);

      const benelux = await createZone('Benelux', ['BE', 'NL']);
      const move = await send<{ countries: string[] }>('PATCH', `/v1/admin/shipping-zones/${benelux.id}`, {
        countries: ['BE', 'NL', 'LU', 'FR'],
        version: benelux.version,
      });
      expectProblem(move, 409, '/problems/country-in-another-zone');
      expect(move.body.countries).toEqual(['FR']);
      const unchanged = await send<Zone>('GET', `/v1/admin/shipping-zones/${benelux.id}`);
      expect(unchanged.body).toEqual(expect.objectContaining({ countries: ['BE', 'NL'], version: 1 }));

      // Keeping its own countries is not a conflict; moving one takes removing it first.
      const same = await send<Zone>('PATCH', `/v1/admin/shipping-zones/${france.id}`, {
        countries: ['FR'],
        version: 1,
      });
      expect(same.status).toBe(200);
      const emptied = await send<Zone>('PATCH', `/v1/admin/shipping-zones/${france.id}`, {
        countries: [],
        version: 2,
      });
      expect(emptied.body.countries).toEqual([]);
      const moved = await send<Zone>('PATCH', `/v1/admin/shipping-zones/${benelux.id}`, {
        countries: ['BE', 'NL', 'LU', 'FR'],
        version: 1,
      });
      expect(moved.status).toBe(200);
      expect(moved.body.countries).toEqual(['BE', 'FR', 'LU', 'NL']);
    });

    it('refuses bad zone input with problem+json and writes nothing', async () => {
      const zone = await createZone('Nordics', ['SE']);
      const before = await counts();
      const bad: Array<[string, string, unknown]> = [
        ['POST', '/v1/admin/shipping-zones', { name: 'X', countries: ['XX'] }],
        ['POST', '/v1/admin/shipping-zones', { name: 'X', countries: ['DEU'] }],
        ['POST', '/v1/admin/shipping-zones', { name: 'X', countries: 'DE' }],
        ['POST', '/v1/admin/shipping-zones', { name: '', countries: ['NO'] }],
        ['POST', '/v1/admin/shipping-zones', { name: 'X', countries: ['NO'], shipsTo: 'mars' }],
        ['PATCH', `/v1/admin/shipping-zones/${zone.id}`, { countries: ['SE', 'QQ'], version: 1 }],
        ['PATCH', `/v1/admin/shipping-zones/${zone.id}`, { name: 'No version' }],
        ['PATCH', `/v1/admin/shipping-zones/${zone.id}`, { name: 'Y', version: 1, colour: 'red' }],
      ];
      for (const [method, path, body] of bad) {
        const response = await send(method, path, body);
        expectProblem(response, 400);
      }
      // Ids are opaque: one that names nothing is 404, whatever it looks like.
      expectProblem(
        await send('PATCH', '/v1/admin/shipping-zones/not-a-uuid', { name: 'Y', version: 1 }),
        404,
      );
      expect(await counts()).toEqual(before);
    });
  });

  describe('shipping methods', () => {
    it('adds, changes and deactivates a method; money is minor units of the store currency', async () => {
      const zone = await createZone('Poland', ['PL']);
      const method = await addMethod(zone.id, { name: 'Courier', rate: 1290, freeOver: 20000, position: 3 });
      expect(method).toEqual(
        expect.objectContaining({
          zoneId: zone.id,
          name: 'Courier',
          currency: 'EUR',
          rate: 1290,
          freeOver: 20000,
          active: true,
          position: 3,
          version: 1,
        }),
      );

      const changed = await send<Method>('PATCH', `/v1/admin/shipping-methods/${method.id}`, {
        rate: 990,
        freeOver: null,
        version: 1,
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual(
        expect.objectContaining({ currency: 'EUR', rate: 990, freeOver: null, version: 2 }),
      );
      expectProblem(
        await send('PATCH', `/v1/admin/shipping-methods/${method.id}`, { rate: 1, version: 1 }),
        409,
        '/problems/stale-version',
      );

      expect((await send('DELETE', `/v1/admin/shipping-methods/${method.id}`)).status).toBe(204);
      const detail = await send<Zone>('GET', `/v1/admin/shipping-zones/${zone.id}`);
      expect(detail.body.methods).toEqual([
        expect.objectContaining({ id: method.id, active: false, version: 3 }),
      ]);
      // Deactivating twice is harmless.
      expect((await send('DELETE', `/v1/admin/shipping-methods/${method.id}`)).status).toBe(204);
      expectProblem(await send('DELETE', `/v1/admin/shipping-methods/${MISSING_ID}`), 404);
      expectProblem(
        await send('POST', `/v1/admin/shipping-zones/${MISSING_ID}/methods`, { name: 'X', rate: 1 }),
        404,
        '/problems/shipping-zone-not-found',
      );
    });

    it('refuses negative, fractional or oversized amounts and unknown fields, writing nothing', async () => {
      const zone = await createZone('Czechia', ['CZ']);
      const method = await addMethod(zone.id, { name: 'Post', rate: 300 });
      const before = await counts();
      const methods = `/v1/admin/shipping-zones/${zone.id}/methods`;
      const bad: Array<[string, string, unknown]> = [
        ['POST', methods, { name: 'Neg', rate: -1 }],
        ['POST', methods, { name: 'Frac', rate: 4.5 }],
        ['POST', methods, { name: 'Str', rate: '490' }],
        ['POST', methods, { name: 'Huge', rate: 1_000_000_001 }],
        ['POST', methods, { name: 'NegFree', rate: 100, freeOver: -5 }],
        ['POST', methods, { name: 'Extra', rate: 100, currency: 'USD' }],
        ['POST', methods, { rate: 100 }],
        ['PATCH', `/v1/admin/shipping-methods/${method.id}`, { rate: -100, version: 1 }],
        ['PATCH', `/v1/admin/shipping-methods/${method.id}`, { freeOver: -1, version: 1 }],
        ['PATCH', `/v1/admin/shipping-methods/${method.id}`, { zoneId: MISSING_ID, version: 1 }],
      ];
      for (const [verb, path, body] of bad) expectProblem(await send(verb, path, body), 400);
      expect(await counts()).toEqual(before);
    });
  });

  describe('ShippingRatesService (what carts price with)', () => {
    it('methodsFor: the active methods of the active zone holding the country, by position', async () => {
      const zone = await createZone('Italy', ['IT', 'SM']);
      const express = await addMethod(zone.id, { name: 'Express', rate: 1500, position: 2 });
      const standard = await addMethod(zone.id, { name: 'Standard', rate: 500, freeOver: 6000, position: 1 });
      const retired = await addMethod(zone.id, { name: 'Retired', rate: 100, position: 0 });
      expect((await send('DELETE', `/v1/admin/shipping-methods/${retired.id}`)).status).toBe(204);
      const rates = api.app.get(ShippingRatesService);

      expect(await rates.methodsFor(manager(), 'it')).toEqual([
        { id: standard.id, zoneId: zone.id, name: 'Standard', rate: 500, freeOver: 6000 },
        { id: express.id, zoneId: zone.id, name: 'Express', rate: 1500, freeOver: null },
      ]);
      expect((await rates.methodsFor(manager(), 'SM')).map((method) => method.id)).toEqual([
        standard.id,
        express.id,
      ]);
      expect(await rates.methodsFor(manager(), 'JP')).toEqual([]);
      expect(await rates.methodsFor(manager(), 'not a country')).toEqual([]);

      expect(await rates.findMethod(manager(), standard.id)).toEqual({
        id: standard.id,
        zoneId: zone.id,
        name: 'Standard',
        rate: 500,
        freeOver: 6000,
        countries: ['IT', 'SM'],
      });
      expect(await rates.findMethod(manager(), retired.id)).toBeNull();
      expect(await rates.findMethod(manager(), MISSING_ID)).toBeNull();

      // Deactivating the zone withdraws all its methods.
      const off = await send<Zone>('PATCH', `/v1/admin/shipping-zones/${zone.id}`, {
        active: false,
        version: zone.version,
      });
      expect(off.status).toBe(200);
      expect(await rates.methodsFor(manager(), 'IT')).toEqual([]);
      expect(await rates.findMethod(manager(), standard.id)).toBeNull();
    });

    it('reads inside the caller’s transaction', async () => {
      const zone = await createZone('Spain', ['ES']);
      const rates = api.app.get(ShippingRatesService);
      const runner = db.createQueryRunner();
      await runner.startTransaction();
      try {
        await runner.query(
          "INSERT INTO shipping_methods (id, zone_id, name, rate, position) VALUES (?, ?, 'Uncommitted', 1, 0)",
          ['01900000-0000-7000-8000-0000000000e5', zone.id],
        );
        const inside = await rates.methodsFor(runner.manager, 'ES');
        const outside = await rates.methodsFor(manager(), 'ES');
        expect({ inside: inside.map((method) => method.name), outside: outside.length }).toEqual({
          inside: ['Uncommitted'],
          outside: 0,
        });
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    });
  });

  describe('public shipping methods', () => {
    it('lists what ships to a country, to anyone, without inactive methods or zones', async () => {
      const zone = await createZone('Portugal', ['PT']);
      const standard = await addMethod(zone.id, { name: 'Standard', rate: 450, freeOver: 5000 });
      const hidden = await addMethod(zone.id, { name: 'Hidden', rate: 1, active: false });

      const response = await send<{ data: Array<Record<string, unknown>> }>(
        'GET',
        '/v1/shipping-methods?country=pt',
        undefined,
        null,
      );
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual([
        {
          id: standard.id,
          name: 'Standard',
          currency: 'EUR',
          rate: 450,
          freeOver: 5000,
        },
      ]);
      expect(JSON.stringify(response.body)).not.toContain(hidden.id);

      const nowhere = await send<{ data: unknown[] }>(
        'GET',
        '/v1/shipping-methods?country=NZ',
        undefined,
        null,
      );
      expect(nowhere.status).toBe(200);
      expect(nowhere.body.data).toEqual([]);

      await send('PATCH', `/v1/admin/shipping-zones/${zone.id}`, { active: false, version: zone.version });
      expect(
        (await send<{ data: unknown[] }>('GET', '/v1/shipping-methods?country=PT', undefined, null)).body
          .data,
      ).toEqual([]);

      for (const query of ['', '?country=XX', '?country=PRT', '?country=PT&extra=1'])
        expectProblem(await send('GET', `/v1/shipping-methods${query}`, undefined, null), 400);
    });
  });

  describe('tax rates', () => {
    it('creates, lists by country, reads, updates and deletes a rate; one per country and region', async () => {
      const germany = await createRate({ country: 'de', name: 'MwSt', rateBp: 1900 });
      expect(germany).toEqual(
        expect.objectContaining({ country: 'DE', region: null, name: 'MwSt', rateBp: 1900, version: 1 }),
      );
      const before = await counts();
      // '' and null and absent are all "the whole country".
      for (const region of [undefined, null, '']) {
        const duplicate = await send<{ existingId: string }>('POST', '/v1/admin/tax-rates', {
          country: 'DE',
          region,
          name: 'Again',
          rateBp: 700,
        });
        expectProblem(duplicate, 409, '/problems/tax-rate-exists');
        expect(duplicate.body.existingId).toBe(germany.id);
      }
      expect(await counts()).toEqual(before);

      const bavaria = await createRate({ country: 'DE', region: 'by', name: 'Bavaria', rateBp: 1900 });
      expect(bavaria.region).toBe('BY');
      expectProblem(
        await send('POST', '/v1/admin/tax-rates', { country: 'DE', region: 'BY', name: 'B', rateBp: 1 }),
        409,
        '/problems/tax-rate-exists',
      );
      await createRate({ country: 'AT', name: 'USt', rateBp: 2000 });

      const list = await send<{ data: Rate[] }>('GET', '/v1/admin/tax-rates?country=de');
      expect(list.status).toBe(200);
      expect(list.body.data.map((rate) => [rate.country, rate.region])).toEqual([
        ['DE', null],
        ['DE', 'BY'],
      ]);
      expect(
        (await send<{ data: Rate[] }>('GET', '/v1/admin/tax-rates')).body.data.length,
      ).toBeGreaterThanOrEqual(3);

      expect((await send<Rate>('GET', `/v1/admin/tax-rates/${germany.id}`)).body.rateBp).toBe(1900);
      const changed = await send<Rate>('PATCH', `/v1/admin/tax-rates/${germany.id}`, {
        rateBp: 1600,
        version: 1,
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual(expect.objectContaining({ rateBp: 1600, version: 2 }));
      expectProblem(
        await send('PATCH', `/v1/admin/tax-rates/${germany.id}`, { rateBp: 1900, version: 1 }),
        409,
        '/problems/stale-version',
      );

      expect((await send('DELETE', `/v1/admin/tax-rates/${bavaria.id}`)).status).toBe(204);
      expectProblem(
        await send('GET', `/v1/admin/tax-rates/${bavaria.id}`),
        404,
        '/problems/tax-rate-not-found',
      );
      expectProblem(await send('DELETE', `/v1/admin/tax-rates/${bavaria.id}`), 404);
    });

    it('refuses rates above 100 %, bad countries and regions, and unknown fields, writing nothing', async () => {
      const rate = await createRate({ country: 'NL', name: 'BTW', rateBp: 2100 });
      const before = await counts();
      const bad: Array<[string, string, unknown]> = [
        ['POST', '/v1/admin/tax-rates', { country: 'BE', name: 'Too much', rateBp: 10_001 }],
        ['POST', '/v1/admin/tax-rates', { country: 'BE', name: 'Negative', rateBp: -1 }],
        ['POST', '/v1/admin/tax-rates', { country: 'BE', name: 'Percent', rateBp: 21.5 }],
        ['POST', '/v1/admin/tax-rates', { country: 'XX', name: 'Nowhere', rateBp: 100 }],
        ['POST', '/v1/admin/tax-rates', { country: 'BEL', name: 'Alpha-3', rateBp: 100 }],
        ['POST', '/v1/admin/tax-rates', { country: 'US', region: 'US-CA', name: 'Prefixed', rateBp: 725 }],
        ['POST', '/v1/admin/tax-rates', { country: 'US', region: 'CALI', name: 'Long', rateBp: 725 }],
        ['POST', '/v1/admin/tax-rates', { country: 'US', region: 'C A', name: 'Space', rateBp: 725 }],
        ['POST', '/v1/admin/tax-rates', { country: 'US', region: 7, name: 'Number', rateBp: 725 }],
        ['POST', '/v1/admin/tax-rates', { country: 'BE', name: 'Extra', rateBp: 2100, inclusive: true }],
        ['POST', '/v1/admin/tax-rates', { country: 'BE', rateBp: 2100 }],
        ['PATCH', `/v1/admin/tax-rates/${rate.id}`, { rateBp: 10_001, version: 1 }],
        ['PATCH', `/v1/admin/tax-rates/${rate.id}`, { country: 'BE', version: 1 }],
        ['PATCH', `/v1/admin/tax-rates/${rate.id}`, { rateBp: 900 }],
        ['GET', '/v1/admin/tax-rates?country=XX', undefined],
      ];
      for (const [verb, path, body] of bad) {
        const response = await send(verb, path, body);
        expectProblem(response, 400);
      }
      expect(await counts()).toEqual(before);
      // A full 100 % is a (strange but) valid rate.
      expect(
        (await send('PATCH', `/v1/admin/tax-rates/${rate.id}`, { rateBp: 10_000, version: 1 })).status,
      ).toBe(200);
    });
  });

  describe('TaxRatesService.rateFor (what carts price with)', () => {
    it('takes the region’s rate when one is set, else the country-wide one, else null', async () => {
      const us = await createRate({ country: 'US', name: 'Federal placeholder', rateBp: 500 });
      const california = await createRate({ country: 'US', region: 'CA', name: 'California', rateBp: 825 });
      const quebec = await createRate({ country: 'CA', region: 'QC', name: 'Quebec', rateBp: 1498 });
      const taxes = api.app.get(TaxRatesService);

      expect(await taxes.rateFor(manager(), 'US', 'CA')).toEqual({
        id: california.id,
        name: 'California',
        rateBp: 825,
      });
      expect((await taxes.rateFor(manager(), 'us', 'us-ca'))?.id).toBe(california.id);
      expect((await taxes.rateFor(manager(), 'US', ' ca '))?.id).toBe(california.id);
      expect(await taxes.rateFor(manager(), 'US', 'NY')).toEqual({
        id: us.id,
        name: 'Federal placeholder',
        rateBp: 500,
      });
      expect((await taxes.rateFor(manager(), 'US'))?.id).toBe(us.id);
      expect((await taxes.rateFor(manager(), 'US', null))?.id).toBe(us.id);
      expect((await taxes.rateFor(manager(), 'US', ''))?.id).toBe(us.id);
      // A region rate without a country-wide one: the region gets it, the rest of the country nothing.
      expect((await taxes.rateFor(manager(), 'CA', 'QC'))?.id).toBe(quebec.id);
      expect(await taxes.rateFor(manager(), 'CA', 'ON')).toBeNull();
      expect(await taxes.rateFor(manager(), 'CA')).toBeNull();
      expect(await taxes.rateFor(manager(), 'JP', 'TOKYO')).toBeNull();
      expect(await taxes.rateFor(manager(), 'not a country')).toBeNull();

      // Remove the region's rate: California falls back to the country-wide one.
      expect((await send('DELETE', `/v1/admin/tax-rates/${california.id}`)).status).toBe(204);
      expect((await taxes.rateFor(manager(), 'US', 'CA'))?.id).toBe(us.id);
    });
  });

  describe('access', () => {
    const routes: Array<[string, string, unknown]> = [
      ['GET', '/v1/admin/shipping-zones', undefined],
      ['POST', '/v1/admin/shipping-zones', { name: 'Staff zone', countries: ['IE'] }],
      ['GET', `/v1/admin/shipping-zones/${MISSING_ID}`, undefined],
      ['PATCH', `/v1/admin/shipping-zones/${MISSING_ID}`, { name: 'x', version: 1 }],
      ['DELETE', `/v1/admin/shipping-zones/${MISSING_ID}`, undefined],
      ['POST', `/v1/admin/shipping-zones/${MISSING_ID}/methods`, { name: 'x', rate: 1 }],
      ['PATCH', `/v1/admin/shipping-methods/${MISSING_ID}`, { rate: 1, version: 1 }],
      ['DELETE', `/v1/admin/shipping-methods/${MISSING_ID}`, undefined],
      ['GET', '/v1/admin/tax-rates', undefined],
      ['POST', '/v1/admin/tax-rates', { country: 'IE', name: 'VAT', rateBp: 2300 }],
      ['GET', `/v1/admin/tax-rates/${MISSING_ID}`, undefined],
      ['PATCH', `/v1/admin/tax-rates/${MISSING_ID}`, { rateBp: 1, version: 1 }],
      ['DELETE', `/v1/admin/tax-rates/${MISSING_ID}`, undefined],
    ];

    it('staff (without settings:manage) get 403 and anonymous callers 401 on every admin route; nothing is written', async () => {
      const before = await counts();
      for (const [verb, path, body] of routes) {
        expectProblem(await send(verb, path, body, staffToken), 403);
        expectProblem(await send(verb, path, body, null), 401);
      }
      expect(await counts()).toEqual(before);
    });

    it('admins hold settings:manage', async () => {
      expect((await send('GET', '/v1/admin/shipping-zones')).status).toBe(200);
      expect((await send('GET', '/v1/admin/tax-rates')).status).toBe(200);
    });
  });

  describe('audit', () => {
    it('records every admin write in its transaction, with the acting admin, and nothing for refused ones', async () => {
      const zone = await createZone('Greece', ['GR']);
      const method = await addMethod(zone.id, { name: 'ELTA', rate: 600 });
      await send('PATCH', `/v1/admin/shipping-methods/${method.id}`, { rate: 650, version: 1 });
      await send('DELETE', `/v1/admin/shipping-methods/${method.id}`);
      await send('PATCH', `/v1/admin/shipping-zones/${zone.id}`, { countries: ['GR', 'CY'], version: 1 });
      // Refused: stale version. No audit row for it.
      expectProblem(
        await send('PATCH', `/v1/admin/shipping-zones/${zone.id}`, { name: 'x', version: 1 }),
        409,
      );
      await send('DELETE', `/v1/admin/shipping-zones/${zone.id}`);

      expect(await auditOf(zone.id)).toEqual([
        { action: 'shipping-zone.created', actor_id: adminId, target_type: 'shipping-zone' },
        { action: 'shipping-zone.updated', actor_id: adminId, target_type: 'shipping-zone' },
        { action: 'shipping-zone.deleted', actor_id: adminId, target_type: 'shipping-zone' },
      ]);
      expect((await auditOf(method.id)).map((entry) => entry.action)).toEqual([
        'shipping-method.created',
        'shipping-method.updated',
        'shipping-method.deactivated',
      ]);
      const [update] = await db.query<Array<{ details: unknown }>>(
        "SELECT details FROM audit_log WHERE target_id = ? AND action = 'shipping-zone.updated'",
        [zone.id],
      );
      const details = typeof update.details === 'string' ? JSON.parse(update.details) : update.details;
      expect(details).toEqual(expect.objectContaining({ countriesAdded: ['CY'], countriesRemoved: [] }));

      const rate = await createRate({ country: 'HU', name: 'ÁFA', rateBp: 2700 });
      await send('PATCH', `/v1/admin/tax-rates/${rate.id}`, { name: 'AFA', version: 1 });
      await send('DELETE', `/v1/admin/tax-rates/${rate.id}`);
      expect((await auditOf(rate.id)).map((entry) => entry.action)).toEqual([
        'tax-rate.created',
        'tax-rate.updated',
        'tax-rate.deleted',
      ]);
    });
  });
});
