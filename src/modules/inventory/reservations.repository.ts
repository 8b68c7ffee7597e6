import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  InventoryReservation,
  InventoryReservationLine,
  ReservationStatus,
} from './entities/inventory-reservation.entity';

@Injectable()
export class ReservationsRepository {
  /** A locking read: it sees (and waits for) a concurrent reservation of the same reference. */
  lockByReference(manager: EntityManager, reference: string): Promise<InventoryReservation | null> {
    return manager.findOne(InventoryReservation, {
      where: { reference },
      lock: { mode: 'pessimistic_write' },
    });
  }

  lockById(manager: EntityManager, id: string): Promise<InventoryReservation | null> {
    return manager.findOne(InventoryReservation, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findById(manager: EntityManager, id: string): Promise<InventoryReservation | null> {
    return manager.findOneBy(InventoryReservation, { id });
  }

  /**
   * Claims the reference, or returns null when it is taken. Inserting first (instead of a locking
   * read of a missing row) takes no gap lock, so concurrent reservations never deadlock here; a
   * duplicate waits for the other transaction and fails only if that one commits.
   */
  async claim(manager: EntityManager, reference: string, expiresAt: Date | null): Promise<string | null> {
    const id = uuidv7();
    try {
      await manager.insert(InventoryReservation, { id, reference, expiresAt, status: 'active' });
      return id;
    } catch (error) {
      const failure = error as { errno?: number; driverError?: { errno?: number } };
      if ((failure.driverError?.errno ?? failure.errno) === 1062) return null;
      throw error;
    }
  }

  async insertLines(
    manager: EntityManager,
    reservationId: string,
    lines: Array<Omit<InventoryReservationLine, 'reservationId'>>,
  ): Promise<void> {
    await manager.insert(
      InventoryReservationLine,
      lines.map((line) => ({ ...line, reservationId })),
    );
  }

  linesOf(manager: EntityManager, reservationId: string): Promise<InventoryReservationLine[]> {
    return manager.find(InventoryReservationLine, {
      where: { reservationId },
      order: { variantId: 'ASC', locationId: 'ASC' },
    });
  }

  /** Active reservations whose hold ran out, oldest first. */
  async expiredIds(manager: EntityManager, now: Date, limit: number): Promise<string[]> {
    const rows = await manager
      .createQueryBuilder(InventoryReservation, 'r')
      .select('r.id', 'id')
      .where("r.status = 'active' AND r.expires_at < :now", { now })
      .orderBy('r.expires_at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  /**
   * Sets what one line still holds, addressed by its key only; a line that holds nothing more is
   * deleted (lines hold at least one unit: a CHECK says so).
   */
  async setLineQuantity(
    manager: EntityManager,
    line: Pick<InventoryReservationLine, 'reservationId' | 'variantId' | 'locationId'>,
    quantity: number,
  ): Promise<void> {
    const key = { reservationId: line.reservationId, variantId: line.variantId, locationId: line.locationId };
    const result =
      quantity === 0
        ? await manager.delete(InventoryReservationLine, key)
        : await manager.update(InventoryReservationLine, key, { quantity });
    if (result.affected !== 1)
      throw new Error(
        `reservation line ${line.reservationId}/${line.variantId}/${line.locationId} not found`,
      );
  }

  async setStatus(manager: EntityManager, id: string, status: ReservationStatus): Promise<void> {
    await manager.update(InventoryReservation, { id }, { status });
  }
}
