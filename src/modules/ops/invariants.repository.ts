import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** How many rows broke one invariant, and the ids of a few of them for an operator to look at. */
export interface ViolationRows {
  count: number;
  samples: string[];
}

/** Payment states in which the provider holds the customer's money (on hold or taken). */
const MONEY_HELD = ['authorized', 'captured', 'partially_refunded'];
/** Payment states that mean the money was held at some point (a refund follows a capture). */
const MONEY_EVER_HELD = [...MONEY_HELD, 'refunded'];
const SAMPLES = 10;

/**
 * The read-only queries of the invariant checker (issue 19): each counts the rows, across the
 * features' tables, that break a rule the system must keep however it was interrupted. Every query is
 * an indexed scan or an aggregate over open work only (active reservations, unpublished outbox rows,
 * payments holding money), so an operator may run it against production.
 */
@Injectable()
export class InvariantsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Active reservations still holding stock `graceSeconds` after their deadline (the sweep missed them). */
  reservationsPastDeadline(graceSeconds: number): Promise<ViolationRows> {
    return this.violations(
      `SELECT id FROM inventory_reservations
        WHERE status = 'active' AND expires_at < CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND`,
      [graceSeconds],
    );
  }

  /** Orders still awaiting payment `graceSeconds` after their payment deadline (never expired). */
  ordersPastDeadline(graceSeconds: number): Promise<ViolationRows> {
    return this.violations(
      `SELECT id FROM orders
        WHERE status = 'pending_payment' AND expires_at < CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND`,
      [graceSeconds],
    );
  }

  /** Stock levels below zero or reserving more than is on hand (the CHECK constraints should refuse them). */
  impossibleStock(): Promise<ViolationRows> {
    return this.violations(
      `SELECT CONCAT(variant_id, '@', location_id) AS id FROM inventory_levels
        WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand`,
    );
  }

  /** Stock reserved at a level that differs from what its active reservations hold. */
  reservedStockAdrift(): Promise<ViolationRows> {
    return this.violations(
      `SELECT CONCAT(l.variant_id, '@', l.location_id) AS id
         FROM inventory_levels l
         LEFT JOIN (SELECT rl.variant_id, rl.location_id, SUM(rl.quantity) AS held
                      FROM inventory_reservation_lines rl
                      JOIN inventory_reservations r ON r.id = rl.reservation_id AND r.status = 'active'
                     GROUP BY rl.variant_id, rl.location_id) h
           ON h.variant_id = l.variant_id AND h.location_id = l.location_id
        WHERE l.reserved <> COALESCE(h.held, 0)`,
    );
  }

  /** Outbox rows written more than `ageMs` ago and still not relayed to their queue (parked ones too). */
  outboxUnpublishedOlderThan(ageMs: number): Promise<ViolationRows> {
    return this.violations(
      `SELECT id FROM outbox
        WHERE published_at IS NULL AND created_at < CURRENT_TIMESTAMP(3) - INTERVAL ? MICROSECOND`,
      [Math.round(ageMs * 1000)],
    );
  }

  /**
   * Orders where more than one payment made in the last `windowHours` holds money that is not being
   * given back: a double charge. (The window keeps the scan to recent payments on a shop with years of them.)
   */
  ordersChargedTwice(windowHours: number): Promise<ViolationRows> {
    return this.violations(
      `SELECT order_id AS id FROM payments
        WHERE state IN (?) AND given_back_at IS NULL AND created_at > CURRENT_TIMESTAMP(3) - INTERVAL ? HOUR
        GROUP BY order_id HAVING COUNT(*) > 1`,
      [MONEY_HELD, windowHours],
    );
  }

  /**
   * Payments of the last `windowHours` holding money for an order that is missing or not paid, and
   * not being given back: an orphan charge (the order is marked paid in the payment's own transaction).
   */
  chargesWithoutPaidOrder(windowHours: number): Promise<ViolationRows> {
    return this.violations(
      `SELECT p.id FROM payments p LEFT JOIN orders o ON o.id = p.order_id
        WHERE p.state IN (?) AND p.given_back_at IS NULL
          AND p.created_at > CURRENT_TIMESTAMP(3) - INTERVAL ? HOUR
          AND (o.id IS NULL OR o.paid_at IS NULL)`,
      [MONEY_HELD, windowHours],
    );
  }

  /** Orders marked paid in the last `windowHours` with no payment that ever held their money. */
  paidOrdersWithoutPayment(windowHours: number): Promise<ViolationRows> {
    return this.violations(
      `SELECT o.id FROM orders o
        WHERE o.paid_at > CURRENT_TIMESTAMP(3) - INTERVAL ? HOUR
          AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.state IN (?))`,
      [windowHours, MONEY_EVER_HELD],
    );
  }

  /** The count of a query's rows and the first few of its `id` column. */
  private async violations(sql: string, parameters: unknown[] = []): Promise<ViolationRows> {
    const rows = await this.dataSource.query<Array<{ id: string | number }>>(sql, parameters);
    return { count: rows.length, samples: rows.slice(0, SAMPLES).map((row) => String(row.id)) };
  }
}
