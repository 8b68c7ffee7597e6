import { AppConfig } from '@app/config';
import { buildWithMocks, mockOf, type UnitFixture } from '@app/testing/unit-fixture';
import { CatalogCache } from '../catalog/cache/catalog.cache';
import { CatalogChangesService } from '../catalog/storefront/catalog-changes.service';
import { CatalogJobs } from '../catalog/jobs/catalog.jobs';
import { StorefrontAvailabilityAdapter } from '../catalog/storefront/storefront-availability.adapter';
import { StorefrontProjectionService } from '../catalog/storefront/storefront-projection.service';
import { MailJobs } from '../notifications/mail/mail.jobs';
import { OutboxService } from '../outbox/outbox.service';
import {
  InventoryRepository,
  type LockedLevel,
  type NewMovement,
  type VariantFacts,
} from './inventory.repository';
import { LevelRefusedError, StockLedgerService } from './stock-ledger.service';
import { STOREFRONT_AVAILABILITY } from './storefront-availability.port';

const V1: VariantFacts = {
  id: 'v1',
  productId: 'p1',
  sku: 'SKU-1',
  title: 'Mug',
  sellable: true,
  lowStockThreshold: 3,
};
const ACTIVE = new Map([['near', 1]]);
const levelOf = (onHand: number, reserved: number): LockedLevel => ({
  variantId: 'v1',
  locationId: 'near',
  onHand,
  reserved,
});
const reserving = (quantity: number): NewMovement => ({
  variantId: 'v1',
  locationId: 'near',
  reason: 'reservation',
  onHandDelta: 0,
  reservedDelta: quantity,
  reference: 'order:1',
  note: null,
  actor: 'a',
});

/**
 * The ledger with the catalog's real side of the STOREFRONT_AVAILABILITY port (adapter and
 * CatalogChangesService; projection, cache and outbox mocked), so the after-commit cache invalidation a
 * sell-out registers is seen running — or not — through the fake TransactionRunner.
 */
describe('StockLedgerService.apply', () => {
  let fixture: UnitFixture<StockLedgerService>;
  let inventory: jest.Mocked<InventoryRepository>;
  let outbox: jest.Mocked<OutboxService>;
  let projection: jest.Mocked<StorefrontProjectionService>;
  const cache = mockOf<CatalogCache>({ invalidate: () => Promise.resolve() });
  const config = mockOf<AppConfig>();

  beforeEach(async () => {
    jest.clearAllMocks();
    outbox = mockOf<OutboxService>();
    projection = mockOf<StorefrontProjectionService>();
    const catalog = new CatalogChangesService(mockOf(), outbox, cache, projection);
    Object.assign(config, { catalog: { staffAlertEmail: 'staff@example.com' } });
    fixture = await buildWithMocks(StockLedgerService, {
      provide: [
        [STOREFRONT_AVAILABILITY, new StorefrontAvailabilityAdapter(projection, catalog)],
        [OutboxService, outbox],
        [AppConfig, config],
      ],
    });
    inventory = fixture.mock(InventoryRepository);
    inventory.applyDeltas.mockResolvedValue(true);
  });

  const apply = (before: LockedLevel, movement: NewMovement, after?: () => Promise<void>) =>
    fixture.transactions.runner.run(async (tx) => {
      await fixture.subject.apply(tx, [before], [movement], new Map([['v1', V1]]), ACTIVE);
      await after?.();
    });
  /** The job names written to the outbox, in order. */
  const messages = () => outbox.enqueue.mock.calls.flatMap(([, ...written]) => written);
  const jobs = () => messages().map((message) => message.jobName);

  it('records every movement applied, in the transaction', async () => {
    await apply(levelOf(10, 0), reserving(1));
    expect(inventory.applyDeltas).toHaveBeenCalledWith(fixture.transactions.tx, [reserving(1)]);
    expect(inventory.insertMovements).toHaveBeenCalledWith(fixture.transactions.tx, [reserving(1)]);
  });

  it('throws LevelRefusedError, recording nothing, when a conditional update refused the change', async () => {
    inventory.applyDeltas.mockResolvedValue(false);
    await expect(apply(levelOf(1, 0), reserving(2))).rejects.toBeInstanceOf(LevelRefusedError);
    expect(inventory.insertMovements).not.toHaveBeenCalled();
    expect(outbox.enqueue).not.toHaveBeenCalled();
  });

  describe('selling out or coming back', () => {
    it('announces the sell-out, rebuilds the product and invalidates the catalog cache after the commit', async () => {
      await apply(levelOf(5, 0), reserving(5));
      expect(jobs()).toEqual(
        expect.arrayContaining(['inventory.availability-changed', CatalogJobs.invalidateCache]),
      );
      expect(projection.refresh).toHaveBeenCalledWith(fixture.transactions.tx, new Set(['p1']));
      expect(fixture.transactions.last.afterCommit).toHaveLength(1);
      expect(cache.invalidate).toHaveBeenCalledTimes(1);
    });

    it('does not invalidate the cache when the transaction rolls back after the change', async () => {
      await expect(
        apply(levelOf(5, 0), reserving(5), () => Promise.reject(new Error('a later step failed'))),
      ).rejects.toThrow('a later step failed');
      expect(fixture.transactions.last.afterCommit).toHaveLength(1);
      expect(cache.invalidate).not.toHaveBeenCalled();
    });

    it('announces stock coming back', async () => {
      await apply(levelOf(2, 2), { ...reserving(-1), reason: 'release' });
      expect(messages()).toContainEqual(
        expect.objectContaining({
          jobName: 'inventory.availability-changed',
          payload: expect.objectContaining({ inStock: true }),
        }),
      );
      expect(cache.invalidate).toHaveBeenCalled();
    });

    it('leaves the storefront alone while some stock remains', async () => {
      await apply(levelOf(10, 0), reserving(1));
      expect(jobs()).not.toContain('inventory.availability-changed');
      expect(projection.refresh).not.toHaveBeenCalled();
      expect(fixture.transactions.last.afterCommit).toEqual([]);
    });
  });

  describe('low stock', () => {
    it('alerts staff (event and mail) when available stock falls below the threshold', async () => {
      await apply(levelOf(10, 6), reserving(2));
      expect(jobs()).toEqual(['inventory.low-stock', MailJobs.send]);
      const [, , mail] = outbox.enqueue.mock.calls[0];
      expect(mail.payload).toMatchObject({ template: 'low-stock', to: 'staff@example.com' });
    });

    it('does not alert again while it stays below', async () => {
      await apply(levelOf(10, 8), reserving(1));
      expect(jobs()).toEqual([]);
    });
  });
});
