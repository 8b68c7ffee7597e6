// Everything besides the catalog that a shop needs before a first order can be placed
// (scripts/seed/demo-shop.ts): the demo accounts, a stock location when there is none, shipping zones
// with their methods, tax rates and two promotions. Written through the app's own services in a Nest
// application context — the same validation, transactions and audit entries as the admin API — and
// never twice: each entry is recognised by its natural key and left alone when it exists.
import { type RequestActor, ROLE_PERMISSIONS, type UserPrincipal } from '@app/common';
import { AppConfig, withOverrides } from '@app/config';
import { INestApplicationContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource } from 'typeorm';
import { InventoryModule } from '../src/modules/inventory/inventory.module';
import { CreateLocationDto } from '../src/modules/inventory/dto/inventory.dto';
import { LocationsService } from '../src/modules/inventory/locations.service';
import { AdminPromotionsService } from '../src/modules/promotions/admin-promotions.service';
import { CreatePromotionDto } from '../src/modules/promotions/dto/promotion.dto';
import { PromotionCodeTakenError } from '../src/modules/promotions/promotions.errors';
import { PromotionsModule } from '../src/modules/promotions/promotions.module';
import { AdminShippingMethodsService } from '../src/modules/shipping/admin-shipping-methods.service';
import { AdminShippingZonesService } from '../src/modules/shipping/admin-shipping-zones.service';
import { CreateShippingMethodDto } from '../src/modules/shipping/dto/shipping-method.dto';
import { CreateShippingZoneDto } from '../src/modules/shipping/dto/shipping-zone.dto';
import { CountryInAnotherZoneError } from '../src/modules/shipping/shipping.errors';
import { ShippingModule } from '../src/modules/shipping/shipping.module';
import { CreateTaxRateDto } from '../src/modules/taxes/dto/tax-rate.dto';
import { TaxRateExistsError } from '../src/modules/taxes/taxes.errors';
import { TaxesModule } from '../src/modules/taxes/taxes.module';
import { AdminTaxRatesService } from '../src/modules/taxes/admin-tax-rates.service';
import { TransactionRunner } from '@app/database';
import { AuditService } from '../src/modules/audit/audit.service';
import { createToolContext } from '../src/cli/app-context';
import { ACCOUNT_MODULES, ACCOUNT_PROVIDERS, StaffAccounts } from '../src/cli/staff-accounts';
import {
  DEMO_ACCOUNTS,
  DEMO_LOCATION,
  DEMO_SHOP_SEEDED,
  DEMO_PROMOTIONS,
  DEMO_SHIPPING_ZONES,
  DEMO_TAX_RATES,
  type DemoAccount,
  SEED_ACTOR,
} from './seed/demo-shop';

/** Two seeds at once (two `npm start`s) must not both find an entry missing. */
const SHOP_LOCK_WAIT_SECONDS = 60;

export interface ShopSeedResult {
  /** Accounts created now, with their (public, demo) passwords: printed once by `npm run seed`. */
  accounts: DemoAccount[];
  location: string | null;
  zones: string[];
  methods: number;
  taxRates: string[];
  promotions: string[];
  /** What was already there and left alone, one line each. */
  kept: string[];
  seconds: number;
}

/** The same checks the API's ValidationPipe makes, so the demo data is what a merchant could send. */
async function valid<T extends object>(type: new () => T, plain: object): Promise<T> {
  const dto = plainToInstance(type, plain);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0)
    throw new Error(`demo ${type.name} is invalid: ${errors.map((error) => error.toString()).join('; ')}`);
  return dto;
}

/**
 * Seeds the demo shop into a migrated database (`config` names it). Refused with NODE_ENV=production:
 * the demo accounts have public passwords. Safe to run again: nothing that exists is changed or
 * duplicated. Settings are written as the demo admin (the audit log shows `user:<its id>` with the
 * request id `seed:…`); the accounts by the system actor `seed`.
 */
export async function seedShop(config: AppConfig, runId: string): Promise<ShopSeedResult> {
  if (config.isProduction)
    throw new Error('the demo shop has accounts with public passwords: not in production');
  const started = process.hrtime.bigint();
  const app = await createToolContext(
    // The caller has created and migrated the database already.
    withOverrides(config, { database: { createIfMissing: false, migrationsRun: false } }),
    [...ACCOUNT_MODULES, InventoryModule, ShippingModule, TaxesModule, PromotionsModule],
    ACCOUNT_PROVIDERS,
  );
  const runner = app.get(DataSource).createQueryRunner();
  const lockName = `sk:seed-shop:${config.database.name}`.slice(0, 64);
  try {
    await runner.connect();
    const [{ acquired }] = (await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [
      lockName,
      SHOP_LOCK_WAIT_SECONDS,
    ])) as Array<{ acquired: number | string | null }>;
    if (Number(acquired) !== 1)
      throw new Error(`another seed held the shop lock for ${SHOP_LOCK_WAIT_SECONDS}s`);
    try {
      const result = await writeShop(app, runId);
      await markSeeded(app, runId, result);
      return { ...result, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lockName]);
    }
  } finally {
    await runner.release();
    await app.close();
  }
}

/**
 * The last write of a complete run, once per database: `--if-empty` tells a demo shop that is done
 * (leave it alone) from one an interrupted seed left half-written (finish it) by this audit entry.
 */
async function markSeeded(
  app: INestApplicationContext,
  runId: string,
  result: Omit<ShopSeedResult, 'seconds'>,
): Promise<void> {
  const audit = app.get(AuditService);
  // The shop lock (seedShop) keeps a second seed out meanwhile; no row lock is needed for this read.
  await app.get(TransactionRunner).run(async (manager) => {
    const [marked] = await manager.query<unknown[]>(
      'SELECT 1 FROM audit_log WHERE actor_type = ? AND actor_id = ? AND action = ? LIMIT 1',
      ['system', SEED_ACTOR, DEMO_SHOP_SEEDED],
    );
    if (marked) return;
    await audit.recordSystem(
      manager,
      { name: SEED_ACTOR, runId },
      {
        action: DEMO_SHOP_SEEDED,
        target: { type: 'shop', id: 'demo' },
        details: {
          accounts: result.accounts.map((account) => account.email),
          zones: result.zones,
          taxRates: result.taxRates,
          promotions: result.promotions,
        },
      },
    );
  });
}

async function writeShop(
  app: INestApplicationContext,
  runId: string,
): Promise<Omit<ShopSeedResult, 'seconds'>> {
  const result: Omit<ShopSeedResult, 'seconds'> = {
    accounts: [],
    location: null,
    zones: [],
    methods: 0,
    taxRates: [],
    promotions: [],
    kept: [],
  };

  const accounts = new StaffAccounts(app, { name: SEED_ACTOR, runId });
  let adminId: string | undefined;
  for (const account of DEMO_ACCOUNTS) {
    const outcome = await accounts.ensure({ ...account, promote: false });
    if (outcome.outcome === 'created') result.accounts.push(account);
    else result.kept.push(`account ${account.email} exists (${outcome.user.role}): left as it is`);
    if (account.role === 'admin') adminId = outcome.user.id;
  }
  if (!adminId) throw new Error('the demo accounts have no admin');
  const principal: UserPrincipal = {
    kind: 'user',
    userId: adminId,
    sessionId: runId,
    role: 'admin',
    permissions: new Set(ROLE_PERMISSIONS.admin),
  };
  const actor: RequestActor = { principal, requestId: runId, ip: '', userAgent: 'storekeep-seed' };

  const locations = app.get(LocationsService);
  const active = (await locations.list()).data.filter((location) => location.active);
  if (active.length === 0) {
    const location = await locations.create(actor, await valid(CreateLocationDto, DEMO_LOCATION));
    result.location = location.code;
  }

  const zones = app.get(AdminShippingZonesService);
  const methods = app.get(AdminShippingMethodsService);
  const zoneNames = new Set((await zones.list()).data.map((zone) => zone.name));
  for (const demo of DEMO_SHIPPING_ZONES) {
    if (zoneNames.has(demo.name)) {
      result.kept.push(`shipping zone "${demo.name}" exists: left as it is`);
      continue;
    }
    try {
      const zone = await zones.create(
        actor,
        await valid(CreateShippingZoneDto, { name: demo.name, countries: demo.countries }),
      );
      for (const method of demo.methods) {
        await methods.create(actor, zone.id, await valid(CreateShippingMethodDto, method));
        result.methods++;
      }
      result.zones.push(demo.name);
    } catch (error) {
      if (!(error instanceof CountryInAnotherZoneError)) throw error;
      result.kept.push(`shipping zone "${demo.name}" not created: ${error.message}`);
    }
  }

  const taxes = app.get(AdminTaxRatesService);
  for (const rate of DEMO_TAX_RATES) {
    const place = rate.region ? `${rate.country}-${rate.region}` : rate.country;
    try {
      await taxes.create(actor, await valid(CreateTaxRateDto, rate));
      result.taxRates.push(place);
    } catch (error) {
      if (!(error instanceof TaxRateExistsError)) throw error;
      result.kept.push(`tax rate ${place} exists: left as it is`);
    }
  }

  const promotions = app.get(AdminPromotionsService);
  for (const promotion of DEMO_PROMOTIONS) {
    try {
      await promotions.create(actor, await valid(CreatePromotionDto, promotion));
      result.promotions.push(promotion.code);
    } catch (error) {
      if (!(error instanceof PromotionCodeTakenError)) throw error;
      result.kept.push(`promotion ${promotion.code} exists: left as it is`);
    }
  }
  return result;
}
