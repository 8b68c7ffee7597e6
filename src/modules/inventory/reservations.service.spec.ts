import { buildWithMocks, rejectionOf, type UnitFixture } from '@app/testing/unit-fixture';
import {
  InventoryReservation,
  InventoryReservationLine,
  type ReservationStatus,
} from './entities/inventory-reservation.entity';
import {
  InsufficientStockError,
  ReservationMismatchError,
  ReservationNotFoundError,
  ReservationStateError,
} from './inventory.errors';
import {
  InventoryRepository,
  type LockedLevel,
  type NewMovement,
  type VariantFacts,
} from './inventory.repository';
import { ReservationsRepository } from './reservations.repository';
import { aggregateLines, ReservationsService } from './reservations.service';
import { LevelRefusedError, StockLedgerService } from './stock-ledger.service';

describe('aggregateLines', () => {
  it('sums lines of the same variant so it is decided once', () => {
    expect(
      aggregateLines([
        { variantId: 'b', quantity: 2 },
        { variantId: 'a', quantity: 1 },
        { variantId: 'b', quantity: 3 },
      ]),
    ).toEqual(
      new Map([
        ['b', 5],
        ['a', 1],
      ]),
    );
  });
});

const facts = (variantId: string, sellable = true): VariantFacts => ({
  id: variantId,
  productId: `product-of-${variantId}`,
  sku: `SKU-${variantId}`,
  title: variantId,
  sellable,
  lowStockThreshold: null,
});
// Two active warehouses: "near" is tried first (lower priority number), "far" second; any other is inactive.
const PRIORITIES = new Map([
  ['near', 1],
  ['far', 2],
]);
const level = (variantId: string, locationId: string, onHand: number, reserved = 0): LockedLevel => ({
  variantId,
  locationId,
  onHand,
  reserved,
  priority: PRIORITIES.get(locationId) ?? null,
  lowStockThreshold: null,
});
const reservation = (status: ReservationStatus): InventoryReservation =>
  Object.assign(new InventoryReservation(), { id: 'res-1', reference: 'order:1', status, expiresAt: null });
const held = (variantId: string, locationId: string, quantity: number): InventoryReservationLine =>
  Object.assign(new InventoryReservationLine(), { reservationId: 'res-1', variantId, locationId, quantity });

describe('ReservationsService', () => {
  let fixture: UnitFixture<ReservationsService>;
  let inventory: jest.Mocked<InventoryRepository>;
  let reservations: jest.Mocked<ReservationsRepository>;
  let ledger: jest.Mocked<StockLedgerService>;
  const tx = () => fixture.transactions.tx;
  /** The movements handed to the ledger, in order. */
  const applied = (): NewMovement[] => ledger.apply.mock.calls.flatMap(([, , movements]) => movements);

  beforeEach(async () => {
    fixture = await buildWithMocks(ReservationsService);
    inventory = fixture.mock(InventoryRepository);
    reservations = fixture.mock(ReservationsRepository);
    ledger = fixture.mock(StockLedgerService);
    inventory.activeLocationPriorities.mockResolvedValue(PRIORITIES);
    inventory.variantFacts.mockImplementation((_manager, ids) =>
      Promise.resolve(new Map(ids.map((id) => [id, facts(id)]))),
    );
    reservations.linesOf.mockResolvedValue([]);
  });

  describe('reserve', () => {
    beforeEach(() => reservations.claim.mockResolvedValue('res-1'));

    it('holds enough stock from the best locations first and records it', async () => {
      inventory.lockLevels.mockResolvedValue([level('v1', 'far', 10), level('v1', 'near', 3, 1)]);
      const view = await fixture.subject.reserveWithin(tx(), 'order:1', [{ variantId: 'v1', quantity: 5 }], {
        actor: 'user:u1',
      });
      const allocations = [
        { variantId: 'v1', locationId: 'near', quantity: 2 },
        { variantId: 'v1', locationId: 'far', quantity: 3 },
      ];
      expect(reservations.insertLines).toHaveBeenCalledWith(tx(), 'res-1', allocations);
      expect(applied()).toEqual(
        allocations.map((allocation) => ({
          ...allocation,
          reason: 'reservation',
          onHandDelta: 0,
          reservedDelta: allocation.quantity,
          reference: 'order:1',
          note: null,
          actor: 'user:u1',
        })),
      );
      expect(view).toEqual({
        id: 'res-1',
        reference: 'order:1',
        status: 'active',
        expiresAt: null,
        lines: allocations,
      });
    });

    it('never takes stock from an inactive location', async () => {
      inventory.lockLevels.mockResolvedValue([level('v1', 'closed', 100), level('v1', 'near', 1)]);
      const error = await rejectionOf(
        fixture.subject.reserveWithin(tx(), 'order:1', [{ variantId: 'v1', quantity: 2 }], { actor: 'a' }),
        InsufficientStockError,
      );
      expect(error.shortages).toEqual([
        { variantId: 'v1', sku: 'SKU-v1', requested: 2, available: 1, reason: 'insufficient-stock' },
      ]);
    });

    it('decides a variant on the sum of its lines', async () => {
      inventory.lockLevels.mockResolvedValue([level('v1', 'near', 3)]);
      await expect(
        fixture.subject.reserveWithin(
          tx(),
          'order:1',
          [
            { variantId: 'v1', quantity: 2 },
            { variantId: 'v1', quantity: 2 },
          ],
          { actor: 'a' },
        ),
      ).rejects.toBeInstanceOf(InsufficientStockError);
    });

    it('refuses all lines when one is short, naming every short line, and holds nothing', async () => {
      inventory.lockLevels.mockResolvedValue([level('v1', 'near', 5), level('v2', 'near', 1)]);
      inventory.variantFacts.mockResolvedValue(
        new Map([
          ['v1', facts('v1')],
          ['v2', facts('v2')],
          ['v3', facts('v3', false)],
        ]),
      );
      const error = await rejectionOf(
        fixture.subject.reserveWithin(
          tx(),
          'order:1',
          [
            { variantId: 'v1', quantity: 1 },
            { variantId: 'v2', quantity: 2 },
            { variantId: 'v3', quantity: 1 },
            { variantId: 'v4', quantity: 1 },
          ],
          { actor: 'a' },
        ),
        InsufficientStockError,
      );
      expect(error.shortages).toEqual([
        { variantId: 'v2', sku: 'SKU-v2', requested: 2, available: 1, reason: 'insufficient-stock' },
        { variantId: 'v3', sku: 'SKU-v3', requested: 1, available: 0, reason: 'not-for-sale' },
        { variantId: 'v4', sku: null, requested: 1, available: 0, reason: 'unknown-variant' },
      ]);
      expect(reservations.insertLines).not.toHaveBeenCalled();
      expect(ledger.apply).not.toHaveBeenCalled();
    });

    it('locks the levels of every variant in key order (no deadlock between overlapping reservations)', async () => {
      inventory.lockLevels.mockResolvedValue([level('a', 'near', 9), level('b', 'near', 9)]);
      await fixture.subject.reserveWithin(
        tx(),
        'order:1',
        [
          { variantId: 'b', quantity: 1 },
          { variantId: 'a', quantity: 1 },
        ],
        { actor: 'x' },
      );
      expect(inventory.lockLevels).toHaveBeenCalledWith(tx(), ['a', 'b']);
    });

    it('turns a level the ledger refused into a shortage', async () => {
      inventory.lockLevels.mockResolvedValue([level('v1', 'near', 5)]);
      ledger.apply.mockRejectedValue(
        new LevelRefusedError({
          variantId: 'v1',
          locationId: 'near',
          reason: 'reservation',
          onHandDelta: 0,
          reservedDelta: 1,
          reference: 'order:1',
          note: null,
          actor: 'a',
        }),
      );
      const error = await rejectionOf(
        fixture.subject.reserveWithin(tx(), 'order:1', [{ variantId: 'v1', quantity: 1 }], { actor: 'a' }),
        InsufficientStockError,
      );
      expect(error.shortages[0]).toMatchObject({
        variantId: 'v1',
        sku: 'SKU-v1',
        reason: 'insufficient-stock',
      });
    });
  });

  describe('reserve again under the same reference', () => {
    beforeEach(() => {
      reservations.claim.mockResolvedValue(null);
      reservations.linesOf.mockResolvedValue([held('v1', 'near', 2), held('v1', 'far', 1)]);
    });

    it('answers the existing reservation for the same lines, holding nothing more', async () => {
      reservations.lockByReference.mockResolvedValue(reservation('active'));
      const view = await fixture.subject.reserveWithin(tx(), 'order:1', [{ variantId: 'v1', quantity: 3 }], {
        actor: 'a',
      });
      expect(view).toMatchObject({ id: 'res-1', status: 'active' });
      expect(inventory.lockLevels).not.toHaveBeenCalled();
      expect(ledger.apply).not.toHaveBeenCalled();
    });

    it('answers a committed reservation for the same lines (the retry came after the sale)', async () => {
      reservations.lockByReference.mockResolvedValue(reservation('committed'));
      await expect(
        fixture.subject.reserveWithin(tx(), 'order:1', [{ variantId: 'v1', quantity: 3 }], { actor: 'a' }),
      ).resolves.toMatchObject({ status: 'committed' });
    });

    it('refuses other lines with reservation-mismatch', async () => {
      reservations.lockByReference.mockResolvedValue(reservation('active'));
      await expect(
        fixture.subject.reserveWithin(tx(), 'order:1', [{ variantId: 'v1', quantity: 4 }], { actor: 'a' }),
      ).rejects.toBeInstanceOf(ReservationMismatchError);
    });

    it('refuses a reference that was released: it must not hold stock again', async () => {
      reservations.lockByReference.mockResolvedValue(reservation('released'));
      await expect(
        fixture.subject.reserveWithin(tx(), 'order:1', [{ variantId: 'v1', quantity: 3 }], { actor: 'a' }),
      ).rejects.toBeInstanceOf(ReservationStateError);
    });

    it('asks for a retry when the other claim is not visible yet', async () => {
      reservations.lockByReference.mockResolvedValue(null);
      await expect(
        fixture.subject.reserveWithin(tx(), 'order:1', [{ variantId: 'v1', quantity: 3 }], { actor: 'a' }),
      ).rejects.toBeInstanceOf(ReservationStateError);
    });
  });

  describe('commit and release', () => {
    beforeEach(() => {
      reservations.lockById.mockResolvedValue(reservation('active'));
      reservations.lockByReference.mockResolvedValue(reservation('active'));
      reservations.linesOf.mockResolvedValue([held('v1', 'near', 2), held('v2', 'far', 0)]);
      inventory.lockLevels.mockResolvedValue([]);
    });

    it('commit on payment sells what is held: on-hand and reserved both fall', async () => {
      const view = await fixture.subject.commit({ id: 'res-1' }, 'payment:p1');
      expect(applied()).toEqual([
        {
          variantId: 'v1',
          locationId: 'near',
          reason: 'sold',
          onHandDelta: -2,
          reservedDelta: -2,
          reference: 'order:1',
          note: null,
          actor: 'payment:p1',
        },
      ]);
      expect(reservations.setStatus).toHaveBeenCalledWith(tx(), 'res-1', 'committed');
      expect(view.status).toBe('committed');
      expect(fixture.transactions.last.outcome).toBe('committed');
    });

    it('release returns what is held to available stock: only reserved falls', async () => {
      await fixture.subject.release({ reference: 'order:1' }, 'system:expiry');
      expect(reservations.lockByReference).toHaveBeenCalledWith(tx(), 'order:1');
      expect(applied()).toEqual([
        expect.objectContaining({ variantId: 'v1', reason: 'release', onHandDelta: 0, reservedDelta: -2 }),
      ]);
      expect(reservations.setStatus).toHaveBeenCalledWith(tx(), 'res-1', 'released');
    });

    it.each(['released', 'committed'] as const)(
      'settling a %s reservation again changes nothing',
      async (status) => {
        reservations.lockById.mockResolvedValue(reservation(status));
        const settle = status === 'released' ? fixture.subject.release : fixture.subject.commit;
        await expect(settle.call(fixture.subject, { id: 'res-1' }, 'a')).resolves.toMatchObject({ status });
        expect(ledger.apply).not.toHaveBeenCalled();
        expect(reservations.setStatus).not.toHaveBeenCalled();
      },
    );

    it('refuses to release what was sold, or sell what was released', async () => {
      reservations.lockById.mockResolvedValue(reservation('committed'));
      await expect(fixture.subject.release({ id: 'res-1' }, 'a')).rejects.toBeInstanceOf(
        ReservationStateError,
      );
      reservations.lockById.mockResolvedValue(reservation('released'));
      await expect(fixture.subject.commit({ id: 'res-1' }, 'a')).rejects.toBeInstanceOf(
        ReservationStateError,
      );
      expect(ledger.apply).not.toHaveBeenCalled();
    });

    it('answers not-found for an unknown reservation', async () => {
      reservations.lockById.mockResolvedValue(null);
      await expect(fixture.subject.commit({ id: 'nope' }, 'a')).rejects.toBeInstanceOf(
        ReservationNotFoundError,
      );
    });
  });

  describe('commit part (a fulfilment ships some units)', () => {
    beforeEach(() => {
      reservations.lockByReference.mockResolvedValue(reservation('active'));
      inventory.lockLevels.mockResolvedValue([]);
    });

    it('sells from the held lines in order and keeps the reservation active while units remain', async () => {
      reservations.linesOf.mockResolvedValue([held('v1', 'near', 1), held('v1', 'far', 3)]);
      await fixture.subject.commitPartWithin(tx(), 'order:1', [{ variantId: 'v1', quantity: 2 }], 'a');
      expect(applied().map((movement) => [movement.locationId, movement.onHandDelta])).toEqual([
        ['near', -1],
        ['far', -1],
      ]);
      expect(reservations.setStatus).not.toHaveBeenCalled();
    });

    it('commits the reservation once nothing is left in it', async () => {
      reservations.linesOf.mockResolvedValue([held('v1', 'near', 2)]);
      await fixture.subject.commitPartWithin(tx(), 'order:1', [{ variantId: 'v1', quantity: 2 }], 'a');
      expect(reservations.setStatus).toHaveBeenCalledWith(tx(), 'res-1', 'committed');
    });

    it('refuses more than the reservation holds', async () => {
      reservations.linesOf.mockResolvedValue([held('v1', 'near', 1)]);
      await expect(
        fixture.subject.commitPartWithin(tx(), 'order:1', [{ variantId: 'v1', quantity: 2 }], 'a'),
      ).rejects.toBeInstanceOf(ReservationStateError);
      expect(ledger.apply).not.toHaveBeenCalled();
    });
  });

  describe('releaseExpired', () => {
    it('releases each expired reservation in its own transaction, skipping those settled meanwhile', async () => {
      reservations.expiredIds.mockResolvedValueOnce(['r1', 'r2']).mockResolvedValueOnce(['r3']);
      const release = jest
        .spyOn(fixture.subject, 'release')
        .mockRejectedValueOnce(new ReservationStateError('already committed'))
        .mockResolvedValue({ id: 'x', reference: 'x', status: 'released', expiresAt: null, lines: [] });
      await expect(fixture.subject.releaseExpired(new Date(), 2)).resolves.toBe(3);
      expect(release.mock.calls.map(([target]) => target)).toEqual([
        { id: 'r1' },
        { id: 'r2' },
        { id: 'r3' },
      ]);
    });

    it('stops at any other failure', async () => {
      reservations.expiredIds.mockResolvedValue(['r1']);
      jest.spyOn(fixture.subject, 'release').mockRejectedValue(new Error('database gone'));
      await expect(fixture.subject.releaseExpired(new Date(), 2)).rejects.toThrow('database gone');
    });
  });
});
