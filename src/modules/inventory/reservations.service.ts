import { TransactionContext, TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { InventoryReservation, InventoryReservationLine } from './entities/inventory-reservation.entity';
import {
  InsufficientStockError,
  LocationNotFoundError,
  ReservationMismatchError,
  ReservationNotFoundError,
  ReservationStateError,
  StockShortage,
} from './inventory.errors';
import {
  activeLocationsOf,
  InventoryRepository,
  LockedLevel,
  NewMovement,
  type VariantFacts,
} from './inventory.repository';
import { ReservationsRepository } from './reservations.repository';
import { LevelRefusedError, StockLedgerService } from './stock-ledger.service';

export interface ReserveLine {
  variantId: string;
  quantity: number;
}

export interface ReservationView {
  id: string;
  reference: string;
  status: InventoryReservation['status'];
  expiresAt: Date | null;
  lines: Array<Pick<InventoryReservationLine, 'variantId' | 'locationId' | 'quantity'>>;
}

/** What a caller knows of a variant; its low-stock threshold comes with the locked levels. */
export type KnownVariant = Omit<VariantFacts, 'lowStockThreshold'>;

/** VariantFacts of the variants the caller knows (a variant it does not know is unknown). */
function knownFacts(variants: Map<string, KnownVariant>, locked: LockedLevel[]): Map<string, VariantFacts> {
  const thresholds = new Map(locked.map((level) => [level.variantId, level.lowStockThreshold ?? null]));
  return new Map(
    [...variants].map(([id, variant]) => [id, { ...variant, lowStockThreshold: thresholds.get(id) ?? null }]),
  );
}

/** Sums the quantities of lines for the same variant: a variant is decided once, with its total. */
export function aggregateLines(lines: ReserveLine[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.variantId, (totals.get(line.variantId) ?? 0) + line.quantity);
  return totals;
}

/**
 * Holds stock for a purpose (checkout) and later sells or returns it — DESIGN.md invariant 1.
 * Reserving locks every level of the requested variants in primary-key order (one statement, so
 * concurrent reservations of overlapping variants queue instead of deadlocking), decides all lines
 * from the locked rows, and either applies all of them or none. Each change is also a conditional
 * UPDATE, and CHECK constraints refuse negative stock should everything else fail.
 */
@Injectable()
export class ReservationsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly inventory: InventoryRepository,
    private readonly reservations: ReservationsRepository,
    private readonly ledger: StockLedgerService,
  ) {}

  async reserve(
    reference: string,
    lines: ReserveLine[],
    options: { expiresAt?: Date | null; actor: string },
  ): Promise<ReservationView> {
    return this.transactions.run((tx) => this.reserveWithin(tx, reference, lines, options));
  }

  /**
   * For a caller with its own transaction (checkout): reserves inside it. `variants`: what the caller
   * has read of every variant in this transaction (checkout's cart quote), so it is not read again.
   */
  async reserveWithin(
    tx: TransactionContext,
    reference: string,
    lines: ReserveLine[],
    options: { expiresAt?: Date | null; actor: string; variants?: Map<string, KnownVariant> },
  ): Promise<ReservationView> {
    const manager: EntityManager = tx;
    const wanted = aggregateLines(lines);
    const id = await this.reservations.claim(manager, reference, options.expiresAt ?? null);
    if (id === null) {
      const existing = await this.reservations.lockByReference(manager, reference);
      if (!existing) throw new ReservationStateError('The reference is being reserved concurrently; retry.');
      return this.replay(manager, existing, wanted);
    }

    const variantIds = [...wanted.keys()].sort();
    // One statement: the levels locked, with their locations' priorities and the variants' thresholds.
    const locked = await this.inventory.lockLevels(manager, variantIds);
    const activeLocations = activeLocationsOf(locked);
    const facts = options.variants
      ? knownFacts(options.variants, locked)
      : await this.inventory.variantFacts(manager, variantIds);

    const shortages: StockShortage[] = [];
    const allocations: Array<{ variantId: string; locationId: string; quantity: number }> = [];
    for (const variantId of variantIds) {
      const requested = wanted.get(variantId)!;
      const variant = facts.get(variantId);
      const levels = locked
        .filter((level) => level.variantId === variantId && activeLocations.has(level.locationId))
        .sort(
          (a, b) =>
            activeLocations.get(a.locationId)! - activeLocations.get(b.locationId)! ||
            (a.locationId < b.locationId ? -1 : 1),
        );
      const available = levels.reduce((sum, level) => sum + level.onHand - level.reserved, 0);
      if (!variant || !variant.sellable || available < requested) {
        shortages.push({
          variantId,
          sku: variant?.sku ?? null,
          requested,
          available: variant?.sellable ? available : 0,
          reason: !variant ? 'unknown-variant' : !variant.sellable ? 'not-for-sale' : 'insufficient-stock',
        });
        continue;
      }
      let remaining = requested;
      for (const level of levels) {
        const take = Math.min(remaining, level.onHand - level.reserved);
        if (take <= 0) continue;
        allocations.push({ variantId, locationId: level.locationId, quantity: take });
        remaining -= take;
        if (remaining === 0) break;
      }
    }
    if (shortages.length > 0) throw new InsufficientStockError(shortages);

    await this.reservations.insertLines(manager, id, allocations);
    const movements: NewMovement[] = allocations.map((allocation) => ({
      ...allocation,
      reason: 'reservation',
      onHandDelta: 0,
      reservedDelta: allocation.quantity,
      reference,
      note: null,
      actor: options.actor,
    }));
    await this.applyOrExplain(tx, locked, movements, facts, activeLocations);
    return { id, reference, status: 'active', expiresAt: options.expiresAt ?? null, lines: allocations };
  }

  /** Sells what the reservation holds: on-hand and reserved both fall. Idempotent. */
  commit(idOrReference: { id?: string; reference?: string }, actor: string): Promise<ReservationView> {
    return this.settle(idOrReference, actor, 'committed');
  }

  /** Returns what the reservation holds to available stock. Idempotent. */
  release(idOrReference: { id?: string; reference?: string }, actor: string): Promise<ReservationView> {
    return this.settle(idOrReference, actor, 'released');
  }

  /**
   * Releases every active reservation whose hold has expired (the worker runs it periodically).
   * Each release is its own transaction and idempotent, so overlapping sweeps are harmless.
   */
  async releaseExpired(now = new Date(), batch = 100): Promise<number> {
    let released = 0;
    for (;;) {
      const ids = await this.transactions.run((manager) => this.reservations.expiredIds(manager, now, batch));
      for (const id of ids) {
        await this.release({ id }, 'system:expiry').catch((error: unknown) => {
          // Committed or released meanwhile: nothing left to expire.
          if (!(error instanceof ReservationStateError)) throw error;
        });
      }
      released += ids.length;
      if (ids.length < batch) return released;
    }
  }

  get(id: string): Promise<ReservationView> {
    return this.transactions.run(async (manager) => {
      const reservation = await this.reservations.findById(manager, id);
      if (!reservation) throw new ReservationNotFoundError(id);
      return this.view(manager, reservation);
    });
  }

  private async settle(
    target: { id?: string; reference?: string },
    actor: string,
    to: 'committed' | 'released',
  ): Promise<ReservationView> {
    return this.transactions.run((tx) => this.settleWithin(tx, target, actor, to));
  }

  /**
   * Commits or releases everything the reservation still holds, in the caller's transaction (an
   * order's cancellation releases its stock with the status change). Idempotent.
   */
  async settleWithin(
    tx: TransactionContext,
    target: { id?: string; reference?: string },
    actor: string,
    to: 'committed' | 'released',
  ): Promise<ReservationView> {
    const manager: EntityManager = tx;
    const reservation = target.id
      ? await this.reservations.lockById(manager, target.id)
      : await this.reservations.lockByReference(manager, target.reference!);
    if (!reservation) throw new ReservationNotFoundError(target.id ?? target.reference!);
    if (reservation.status === to) return this.view(manager, reservation);
    if (reservation.status !== 'active')
      throw new ReservationStateError(
        `The reservation is already ${reservation.status}; it cannot be ${to}.`,
      );
    const lines = (await this.reservations.linesOf(manager, reservation.id)).filter(
      (line) => line.quantity > 0,
    );
    const movements: NewMovement[] = lines.map((line) => ({
      variantId: line.variantId,
      locationId: line.locationId,
      reason: to === 'committed' ? 'sold' : 'release',
      onHandDelta: to === 'committed' ? -line.quantity : 0,
      reservedDelta: -line.quantity,
      reference: reservation.reference,
      note: null,
      actor,
    }));
    await this.applyMovements(tx, movements);
    await this.reservations.setStatus(manager, reservation.id, to);
    return this.view(manager, { ...reservation, status: to });
  }

  /**
   * Sells part of what a reservation holds (a fulfilment ships some units): on-hand and reserved
   * fall by those quantities, taken from the reservation's locations in order. The reservation is
   * committed once nothing is left in it. Asking for more than it holds is a ReservationStateError.
   */
  async commitPartWithin(
    tx: TransactionContext,
    reference: string,
    lines: ReserveLine[],
    actor: string,
  ): Promise<void> {
    const manager: EntityManager = tx;
    const reservation = await this.reservations.lockByReference(manager, reference);
    if (!reservation) throw new ReservationNotFoundError(reference);
    if (reservation.status !== 'active')
      throw new ReservationStateError(`The reservation is already ${reservation.status}.`);
    const held = await this.reservations.linesOf(manager, reservation.id);
    const movements: NewMovement[] = [];
    for (const [variantId, quantity] of aggregateLines(lines)) {
      let remaining = quantity;
      for (const line of held.filter((candidate) => candidate.variantId === variantId)) {
        const take = Math.min(remaining, line.quantity);
        if (take <= 0) continue;
        line.quantity -= take;
        remaining -= take;
        await this.reservations.setLineQuantity(manager, line, line.quantity);
        movements.push({
          variantId,
          locationId: line.locationId,
          reason: 'sold',
          onHandDelta: -take,
          reservedDelta: -take,
          reference,
          note: null,
          actor,
        });
      }
      if (remaining > 0)
        throw new ReservationStateError(
          `The reservation holds fewer than ${quantity} of variant ${variantId}.`,
        );
    }
    await this.applyMovements(tx, movements);
    if (held.every((line) => line.quantity === 0))
      await this.reservations.setStatus(manager, reservation.id, 'committed');
  }

  /**
   * Units that were sold under `reference` come back into stock (a return): on-hand rises at the given
   * location, or where the units shipped from, or at the best active location — one `returned`
   * movement per line, in the caller's transaction.
   */
  async restockWithin(
    tx: TransactionContext,
    reference: string,
    lines: Array<{ variantId: string; quantity: number }>,
    locationId: string | null,
    actor: string,
    note: string | null,
  ): Promise<void> {
    const manager: EntityManager = tx;
    if (locationId && !(await this.inventory.locationExists(manager, locationId)))
      throw new LocationNotFoundError(locationId);
    const priorities = await this.inventory.activeLocationPriorities(manager);
    const best = [...priorities.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0]?.[0];
    const movements: NewMovement[] = [];
    for (const line of lines) {
      const target =
        locationId ?? (await this.inventory.soldFrom(manager, reference, line.variantId)) ?? best;
      if (!target) throw new LocationNotFoundError('(no active stock location)');
      movements.push({
        variantId: line.variantId,
        locationId: target,
        reason: 'returned',
        onHandDelta: line.quantity,
        reservedDelta: 0,
        reference,
        note,
        actor,
      });
    }
    await this.inventory.ensureLevels(manager, movements);
    await this.applyMovements(tx, movements);
  }

  /** Locks the levels the movements touch (in key order) and applies them through the ledger. */
  private async applyMovements(tx: TransactionContext, movements: NewMovement[]): Promise<void> {
    if (movements.length === 0) return;
    const variantIds = [...new Set(movements.map((movement) => movement.variantId))];
    const locked = await this.inventory.lockLevels(tx, variantIds);
    const [facts, activeLocations] = await Promise.all([
      this.inventory.variantFacts(tx, variantIds),
      this.inventory.activeLocationPriorities(tx),
    ]);
    await this.applyOrExplain(tx, locked, movements, facts, activeLocations);
  }

  /** The reservation's status, locked for the caller's transaction (null when there is none). */
  async statusOf(manager: EntityManager, reference: string): Promise<InventoryReservation['status'] | null> {
    return (await this.reservations.lockByReference(manager, reference))?.status ?? null;
  }

  /** Units free to sell now per variant (all active locations); what a cart shows, unlocked. */
  available(manager: EntityManager, variantIds: string[]): Promise<Map<string, number>> {
    return this.inventory.availableByVariant(manager, variantIds);
  }

  private async applyOrExplain(
    tx: TransactionContext,
    locked: LockedLevel[],
    movements: NewMovement[],
    facts: Awaited<ReturnType<InventoryRepository['variantFacts']>>,
    activeLocations: Map<string, number>,
  ): Promise<void> {
    try {
      await this.ledger.apply(tx, locked, movements, facts, activeLocations);
    } catch (error) {
      // Unreachable while the levels are locked; if it ever happens, nothing is applied.
      if (error instanceof LevelRefusedError) {
        const { variantId } = error.movement;
        throw new InsufficientStockError([
          {
            variantId,
            sku: facts.get(variantId)?.sku ?? null,
            requested: 0,
            available: 0,
            reason: 'insufficient-stock',
          },
        ]);
      }
      throw error;
    }
  }

  /** The same reference again: the same lines are an idempotent retry, other lines a conflict. */
  private async replay(
    manager: EntityManager,
    reservation: InventoryReservation,
    wanted: Map<string, number>,
  ): Promise<ReservationView> {
    const view = await this.view(manager, reservation);
    const held = aggregateLines(view.lines);
    const same =
      held.size === wanted.size &&
      [...wanted].every(([variantId, quantity]) => held.get(variantId) === quantity);
    if (!same) throw new ReservationMismatchError(reservation.reference);
    if (reservation.status === 'released')
      throw new ReservationStateError('This reference was reserved and then released; use a new reference.');
    return view;
  }

  private async view(manager: EntityManager, reservation: InventoryReservation): Promise<ReservationView> {
    const lines = await this.reservations.linesOf(manager, reservation.id);
    return {
      id: reservation.id,
      reference: reservation.reference,
      status: reservation.status,
      expiresAt: reservation.expiresAt,
      lines: lines.map(({ variantId, locationId, quantity }) => ({ variantId, locationId, quantity })),
    };
  }
}
