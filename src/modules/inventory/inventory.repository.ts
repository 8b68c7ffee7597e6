import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { MovementReason } from './entities/inventory-movement.entity';

export interface LockedLevel {
  variantId: string;
  locationId: string;
  onHand: number;
  reserved: number;
  /** The location's priority while it is active, null while it is not (read with the lock, unlocked). */
  priority?: number | null;
  /** The variant's low-stock threshold (read with the lock, unlocked). */
  lowStockThreshold?: number | null;
}

/** The active locations among locked levels, with their priority (as activeLocationPriorities). */
export function activeLocationsOf(locked: LockedLevel[]): Map<string, number> {
  const active = new Map<string, number>();
  for (const level of locked)
    if (level.priority !== null && level.priority !== undefined) active.set(level.locationId, level.priority);
  return active;
}

export interface VariantFacts {
  id: string;
  productId: string;
  sku: string;
  /** Product and variant title, for people (alerts). */
  title: string;
  sellable: boolean;
  lowStockThreshold: number | null;
}

export interface NewMovement {
  variantId: string;
  locationId: string;
  reason: MovementReason;
  onHandDelta: number;
  reservedDelta: number;
  reference: string | null;
  note: string | null;
  actor: string;
}

export interface LevelView {
  variantId: string;
  sku: string;
  locationId: string;
  locationCode: string;
  onHand: number;
  reserved: number;
}

/** A sellable variant short of stock (the stock report). */
export interface ShortVariant {
  variantId: string;
  sku: string;
  productId: string;
  productTitle: string;
  /** Free to sell now, summed over active locations (0 without stock anywhere). */
  available: number;
  status: 'sold-out' | 'low';
}

export interface LevelFilter {
  variantId?: string;
  locationId?: string;
  sku?: string;
  after?: { variantId: string; locationId: string };
  limit: number;
}

export interface MovementView {
  id: string;
  variantId: string;
  locationId: string;
  reason: MovementReason;
  onHandDelta: number;
  reservedDelta: number;
  reference: string | null;
  note: string | null;
  actor: string;
  createdAt: Date;
}

export interface MovementFilter {
  variantId?: string;
  locationId?: string;
  reference?: string;
  beforeId?: string;
  limit: number;
}

/** `column = ?` for each filter that is set (columns are ours, values are parameters). */
function equalities(filters: Array<[column: string, value: string | undefined]>): {
  where: string[];
  params: unknown[];
} {
  const set = filters.filter(([, value]) => value !== undefined && value !== '');
  return { where: set.map(([column]) => `${column} = ?`), params: set.map(([, value]) => value) };
}

/**
 * Stock levels and their ledger. Every level change goes through `applyDelta` with a movement row
 * in the same transaction; rows are locked in primary-key order (variant, location) so concurrent
 * writers never wait on each other in a cycle.
 */
@Injectable()
export class InventoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Makes sure a level row exists for each pair, so it can be locked (a new pair starts at zero). */
  async ensureLevels(
    manager: EntityManager,
    pairs: Array<{ variantId: string; locationId: string }>,
  ): Promise<void> {
    if (pairs.length === 0) return;
    await manager.query(
      'INSERT IGNORE INTO inventory_levels (variant_id, location_id, on_hand, reserved) VALUES ?',
      [pairs.map((pair) => [pair.variantId, pair.locationId, 0, 0])],
    );
  }

  /**
   * Locks every level of the variants, in primary-key order, for the rest of the transaction. Each
   * row also brings its location's priority (null when inactive) and its variant's low-stock
   * threshold from scalar subqueries, which lock nothing (MariaDB and MySQL lock only the rows of
   * the tables the locking SELECT itself reads), so reservations never queue on a location row.
   */
  async lockLevels(manager: EntityManager, variantIds: string[]): Promise<LockedLevel[]> {
    if (variantIds.length === 0) return [];
    const sorted = [...new Set(variantIds)].sort();
    const rows = await manager.query<
      Array<{
        variant_id: string;
        location_id: string;
        on_hand: number;
        reserved: number;
        priority: number | string | null;
        low_stock_threshold: number | string | null;
      }>
    >(
      `SELECT l.variant_id, l.location_id, l.on_hand, l.reserved,
              (SELECT s.priority FROM stock_locations s WHERE s.id = l.location_id AND s.active = 1) AS priority,
              (SELECT v.low_stock_threshold FROM product_variants v WHERE v.id = l.variant_id) AS low_stock_threshold
         FROM inventory_levels l
        WHERE l.variant_id IN (?) ORDER BY l.variant_id, l.location_id FOR UPDATE`,
      [sorted],
    );
    return rows.map((row) => ({
      variantId: row.variant_id,
      locationId: row.location_id,
      onHand: Number(row.on_hand),
      reserved: Number(row.reserved),
      priority: row.priority === null ? null : Number(row.priority),
      lowStockThreshold: row.low_stock_threshold === null ? null : Number(row.low_stock_threshold),
    }));
  }

  /**
   * Changes the levels of all movements in one UPDATE (the caller records the movements, see
   * StockLedgerService); movements of the same level are summed first. The UPDATE is conditional as
   * well (defence in depth beside the row locks and the CHECK constraints): it refuses to take on-hand
   * below zero or below what is reserved. Returns false when it refused a level (then some levels may
   * have changed: the caller must roll the transaction back).
   */
  async applyDeltas(manager: EntityManager, movements: NewMovement[]): Promise<boolean> {
    const deltas = new Map<
      string,
      { variantId: string; locationId: string; onHand: number; reserved: number }
    >();
    for (const movement of movements) {
      const key = `${movement.variantId}/${movement.locationId}`;
      const delta = deltas.get(key) ?? {
        variantId: movement.variantId,
        locationId: movement.locationId,
        onHand: 0,
        reserved: 0,
      };
      delta.onHand += movement.onHandDelta;
      delta.reserved += movement.reservedDelta;
      deltas.set(key, delta);
    }
    // A level whose deltas sum to nothing would not count as changed (affected rows): left out.
    const changes = [...deltas.values()].filter((delta) => delta.onHand !== 0 || delta.reserved !== 0);
    if (changes.length === 0) return true;
    const result = await manager.query<{ affectedRows: number }>(
      `UPDATE inventory_levels l
         JOIN (${changes.map(() => 'SELECT ? AS variant_id, ? AS location_id, ? AS d_on_hand, ? AS d_reserved').join(' UNION ALL ')}) d
           ON l.variant_id = d.variant_id AND l.location_id = d.location_id
          SET l.on_hand = l.on_hand + d.d_on_hand, l.reserved = l.reserved + d.d_reserved
        WHERE l.on_hand + d.d_on_hand >= 0 AND l.reserved + d.d_reserved >= 0
          AND l.on_hand + d.d_on_hand >= l.reserved + d.d_reserved`,
      changes.flatMap((change) => [change.variantId, change.locationId, change.onHand, change.reserved]),
    );
    return result.affectedRows === changes.length;
  }

  async insertMovements(manager: EntityManager, movements: NewMovement[]): Promise<void> {
    if (movements.length === 0) return;
    await manager.query(
      `INSERT INTO inventory_movements
         (variant_id, location_id, reason, on_hand_delta, reserved_delta, reference, note, actor) VALUES ?`,
      [
        movements.map((m) => [
          m.variantId,
          m.locationId,
          m.reason,
          m.onHandDelta,
          m.reservedDelta,
          m.reference,
          m.note,
          m.actor,
        ]),
      ],
    );
  }

  /** SKU, whether it can be sold, and its low-stock threshold (read from the catalog's table). */
  async variantFacts(manager: EntityManager, variantIds: string[]): Promise<Map<string, VariantFacts>> {
    if (variantIds.length === 0) return new Map();
    const rows = await manager.query<
      Array<{
        id: string;
        product_id: string;
        sku: string;
        title: string;
        status: string;
        product_status: string;
        low_stock_threshold: number | null;
      }>
    >(
      `SELECT v.id, v.product_id, v.sku, CONCAT(p.title, ' — ', v.title) AS title, v.status, p.status AS product_status,
              v.low_stock_threshold
         FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id IN (?)`,
      [variantIds],
    );
    return new Map(
      rows.map((row) => [
        row.id,
        {
          id: row.id,
          productId: row.product_id,
          sku: row.sku,
          title: row.title,
          sellable: row.status === 'active' && row.product_status === 'active',
          lowStockThreshold: row.low_stock_threshold === null ? null : Number(row.low_stock_threshold),
        },
      ]),
    );
  }

  async variantIdsBySku(manager: EntityManager, skus: string[]): Promise<Map<string, string>> {
    if (skus.length === 0) return new Map();
    const rows = await manager.query<Array<{ id: string; sku: string }>>(
      'SELECT id, sku FROM product_variants WHERE sku IN (?)',
      [skus],
    );
    return new Map(rows.map((row) => [row.sku, row.id]));
  }

  /** Stock free to sell now per variant, summed over active locations (variants without stock: 0). */
  async availableByVariant(manager: EntityManager, variantIds: string[]): Promise<Map<string, number>> {
    if (variantIds.length === 0) return new Map();
    const rows = await manager.query<Array<{ variant_id: string; available: string | number }>>(
      `SELECT l.variant_id, SUM(l.on_hand - l.reserved) AS available
         FROM inventory_levels l JOIN stock_locations s ON s.id = l.location_id AND s.active = 1
        WHERE l.variant_id IN (?) GROUP BY l.variant_id`,
      [variantIds],
    );
    const available = new Map(variantIds.map((id) => [id, 0]));
    for (const row of rows) available.set(row.variant_id, Number(row.available));
    return available;
  }

  /**
   * Every sellable variant (it and its product active) that is sold out (nothing available) or low:
   * available below `threshold`, or below its own low-stock threshold when `threshold` is null (the
   * same rule as the low-stock alert). One statement: the variants with their summed levels.
   */
  async shortVariants(manager: EntityManager, threshold: number | null): Promise<ShortVariant[]> {
    const rows = await manager.query<
      Array<{ id: string; sku: string; product_id: string; title: string; available: string | number }>
    >(
      `SELECT v.id, v.sku, v.product_id, p.title, COALESCE(stock.available, 0) AS available
         FROM product_variants v
         JOIN products p ON p.id = v.product_id AND p.status = 'active'
         LEFT JOIN (
           SELECT l.variant_id, SUM(l.on_hand - l.reserved) AS available
             FROM inventory_levels l JOIN stock_locations s ON s.id = l.location_id AND s.active = 1
            GROUP BY l.variant_id
         ) AS stock ON stock.variant_id = v.id
        WHERE v.status = 'active'
          AND (COALESCE(stock.available, 0) <= 0 OR COALESCE(stock.available, 0) < COALESCE(?, v.low_stock_threshold))
        ORDER BY v.id`,
      [threshold],
    );
    return rows.map((row) => {
      const available = Number(row.available);
      return {
        variantId: row.id,
        sku: row.sku,
        productId: row.product_id,
        productTitle: row.title,
        available,
        status: available <= 0 ? 'sold-out' : 'low',
      };
    });
  }

  /** Where the reference last sold units of the variant (the location they shipped from), if anywhere. */
  async soldFrom(manager: EntityManager, reference: string, variantId: string): Promise<string | null> {
    const [row] = await manager.query<Array<{ location_id: string }>>(
      `SELECT location_id FROM inventory_movements
        WHERE reference = ? AND variant_id = ? AND reason = 'sold' ORDER BY id DESC LIMIT 1`,
      [reference, variantId],
    );
    return row?.location_id ?? null;
  }

  /** Whether the location exists (active or not). */
  async locationExists(manager: EntityManager, locationId: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>('SELECT 1 FROM stock_locations WHERE id = ?', [locationId]);
    return rows.length > 0;
  }

  /** Locations that serve reservations, best first. */
  async activeLocationPriorities(manager: EntityManager): Promise<Map<string, number>> {
    const rows = await manager.query<Array<{ id: string; priority: number }>>(
      'SELECT id, priority FROM stock_locations WHERE active = 1',
    );
    return new Map(rows.map((row) => [row.id, Number(row.priority)]));
  }

  async levels(filter: LevelFilter, manager: EntityManager = this.dataSource.manager): Promise<LevelView[]> {
    const { where, params } = equalities([
      ['l.variant_id', filter.variantId],
      ['l.location_id', filter.locationId],
      ['v.sku', filter.sku],
    ]);
    if (filter.after) {
      where.push('(l.variant_id > ? OR (l.variant_id = ? AND l.location_id > ?))');
      params.push(filter.after.variantId, filter.after.variantId, filter.after.locationId);
    }
    const rows = await manager.query<
      Array<{
        variant_id: string;
        sku: string;
        location_id: string;
        code: string;
        on_hand: number;
        reserved: number;
      }>
    >(
      `SELECT l.variant_id, v.sku, l.location_id, sl.code, l.on_hand, l.reserved
         FROM inventory_levels l
         JOIN product_variants v ON v.id = l.variant_id
         JOIN stock_locations sl ON sl.id = l.location_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY l.variant_id, l.location_id LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map((row) => ({
      variantId: row.variant_id,
      sku: row.sku,
      locationId: row.location_id,
      locationCode: row.code,
      onHand: Number(row.on_hand),
      reserved: Number(row.reserved),
    }));
  }

  async movements(filter: MovementFilter): Promise<MovementView[]> {
    const { where, params } = equalities([
      ['variant_id', filter.variantId],
      ['location_id', filter.locationId],
      ['reference', filter.reference],
    ]);
    if (filter.beforeId) {
      where.push('id < ?');
      params.push(filter.beforeId);
    }
    const rows = await this.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT id, variant_id, location_id, reason, on_hand_delta, reserved_delta, reference, note, actor, created_at
         FROM inventory_movements ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map((row) => ({
      id: String(row.id),
      variantId: row.variant_id as string,
      locationId: row.location_id as string,
      reason: row.reason as MovementReason,
      onHandDelta: Number(row.on_hand_delta),
      reservedDelta: Number(row.reserved_delta),
      reference: row.reference as string | null,
      note: row.note as string | null,
      actor: row.actor as string,
      createdAt: row.created_at as Date,
    }));
  }
}
