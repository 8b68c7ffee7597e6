import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { validate as isUuid, v7 as uuidv7 } from 'uuid';
import {
  Fulfilment,
  FulfilmentLine,
  Order,
  OrderHistoryEntry,
  OrderLine,
  OrderNumber,
  type OrderStatus,
  type PaymentMethod,
} from './entities/order.entity';

export interface OrderFilter {
  customerId?: string;
  status?: OrderStatus;
  createdFrom?: Date;
  createdTo?: Date;
  minTotal?: number;
  maxTotal?: number;
  email?: string;
  /** Keyset position: rows strictly older than this (created_at DESC, id DESC). */
  before?: { createdAt: Date; id: string };
  limit: number;
}

export type NewOrder = Omit<
  Order,
  'id' | 'number' | 'version' | 'createdAt' | 'updatedAt' | 'paidAt' | 'cancelledAt' | 'paymentReminderSentAt'
>;
export type NewOrderLine = Omit<OrderLine, 'id' | 'orderId' | 'fulfilledQuantity' | 'restockedQuantity'>;

/** What sales rollups count of one order: its amounts, units and the times it moved. */
export interface OrderSalesFacts {
  orderId: string;
  currency: string;
  placedAt: Date;
  paidAt: Date | null;
  cancelledAt: Date | null;
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  total: number;
  units: number;
  /**
   * The customer (the account, or the email of a guest) had placed an order before this one
   * (earlier `created_at`, ties broken by id): a returning customer's order, else a new customer's.
   */
  returningCustomer: boolean;
}

/** What product rollups count of one order line: the variant, its units and its amounts as charged. */
export interface OrderLineSalesFacts {
  orderId: string;
  variantId: string;
  productId: string;
  quantity: number;
  /** unitPrice × quantity, in the order's price mode. */
  subtotal: number;
  /** The line's share of the order discount. */
  discount: number;
  /** The tax of the line: added on top (tax_exclusive) or contained in the price (tax_inclusive). */
  tax: number;
  /** What the customer pays for the line: subtotal − discount (+ tax when exclusive). */
  total: number;
}

interface OrderSalesFactsRow {
  id: string;
  currency: string;
  created_at: Date;
  paid_at: Date | null;
  cancelled_at: Date | null;
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  total: number;
  units: string | number;
  returning_customer: string | number;
}

// An earlier order of the same customer: by account (ix_orders_customer_created), or for a guest by
// email among guest orders (ix_orders_email_created). Ties on created_at are broken by id, so of two
// orders placed in the same millisecond exactly one is the customer's first.
const EARLIER_ORDER = `(e.created_at < o.created_at OR (e.created_at = o.created_at AND e.id < o.id))`;
const SALES_FACTS_SELECT = `
  SELECT o.id, o.currency, o.created_at, o.paid_at, o.cancelled_at, o.subtotal, o.discount, o.shipping,
         o.tax, o.total, (SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l WHERE l.order_id = o.id) AS units,
         CASE WHEN o.customer_id IS NOT NULL
           THEN EXISTS (SELECT 1 FROM orders e WHERE e.customer_id = o.customer_id AND ${EARLIER_ORDER})
           ELSE EXISTS (SELECT 1 FROM orders e WHERE e.email = o.email AND e.customer_id IS NULL AND ${EARLIER_ORDER})
         END AS returning_customer
  FROM orders o`;

const toSalesFacts = (row: OrderSalesFactsRow): OrderSalesFacts => ({
  orderId: row.id,
  currency: row.currency,
  placedAt: row.created_at,
  paidAt: row.paid_at,
  cancelledAt: row.cancelled_at,
  subtotal: Number(row.subtotal),
  discount: Number(row.discount),
  shipping: Number(row.shipping),
  tax: Number(row.tax),
  total: Number(row.total),
  units: Number(row.units),
  returningCustomer: Number(row.returning_customer) === 1,
});

/** An order with everything its detail shows. */
export interface OrderDetail {
  order: Order;
  lines: OrderLine[];
  history: OrderHistoryEntry[];
  fulfilments: Array<Fulfilment & { lines: FulfilmentLine[] }>;
}

// An order's children as JSON arrays beside its row, so a detail is one statement (and one snapshot).
// No ORDER BY inside JSON_ARRAYAGG (MySQL 8 has none): the rows are sorted after parsing.
const DETAIL_CHILDREN: Array<[alias: string, sql: string]> = [
  [
    'lines_json',
    `(SELECT JSON_ARRAYAGG(JSON_OBJECT('id', l.id, 'position', l.position, 'variantId', l.variant_id,
        'productId', l.product_id, 'sku', l.sku, 'title', l.title, 'variantTitle', l.variant_title,
        'unitPrice', l.unit_price, 'quantity', l.quantity, 'subtotal', l.subtotal, 'discount', l.discount,
        'tax', l.tax, 'total', l.total, 'fulfilledQuantity', l.fulfilled_quantity,
        'restockedQuantity', l.restocked_quantity)) FROM order_lines l WHERE l.order_id = o.id)`,
  ],
  [
    'history_json',
    `(SELECT JSON_ARRAYAGG(JSON_OBJECT('id', h.id, 'fromStatus', h.from_status, 'toStatus', h.to_status,
        'actor', h.actor, 'reason', h.reason, 'createdAt', h.created_at))
        FROM order_history h WHERE h.order_id = o.id)`,
  ],
  [
    'fulfilments_json',
    // The lines go through JSON_EXTRACT so that MariaDB nests them as JSON, not as a quoted string.
    `(SELECT JSON_ARRAYAGG(JSON_OBJECT('id', f.id, 'carrier', f.carrier, 'trackingNumber', f.tracking_number,
        'actor', f.actor, 'createdAt', f.created_at, 'lines', JSON_EXTRACT(
          (SELECT JSON_ARRAYAGG(JSON_OBJECT('orderLineId', fl.order_line_id, 'quantity', fl.quantity))
             FROM fulfilment_lines fl WHERE fl.fulfilment_id = f.id), '$')))
        FROM fulfilments f WHERE f.order_id = o.id)`,
  ],
];

/** A JSON column as the driver hands it: parsed already (MySQL's JSON type) or as text (MariaDB). */
function parsedJson<T>(value: unknown): T[] {
  if (value === null || value === undefined) return [];
  return (typeof value === 'string' ? JSON.parse(value) : value) as T[];
}

/** A DATETIME inside JSON ('2026-12-08 01:01:59.515', MySQL with six digits): UTC, as the driver reads it. */
const jsonDate = (value: string): Date => new Date(`${value.replace(' ', 'T')}Z`);

/** IN lists of at most 1,000 ids: one statement per thousand orders, never one per order. */
function chunks<T>(items: readonly T[], size = 1000): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** Orders, their lines, history and fulfilments: the only place that builds their SQL. */
@Injectable()
export class OrdersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The next order number; an AUTO_INCREMENT takes no lock held to commit. */
  async nextNumber(manager: EntityManager): Promise<number> {
    const result = await manager.insert(OrderNumber, {});
    return Number(result.identifiers[0].id);
  }

  async insert(
    manager: EntityManager,
    id: string,
    number: string,
    order: NewOrder,
    lines: NewOrderLine[],
    at: Date,
  ): Promise<{ order: Order; lines: OrderLine[] }> {
    const row: Order = {
      ...order,
      id,
      number,
      version: 1,
      paidAt: null,
      cancelledAt: null,
      paymentReminderSentAt: null,
      createdAt: at,
      updatedAt: at,
    };
    const lineRows: OrderLine[] = lines.map((line) => ({
      ...line,
      id: uuidv7(),
      orderId: id,
      fulfilledQuantity: 0,
      restockedQuantity: 0,
    }));
    await manager.insert(Order, row);
    await manager.insert(OrderLine, lineRows);
    return { order: row, lines: lineRows };
  }

  findById(manager: EntityManager, id: string): Promise<Order | null> {
    return manager.findOne(Order, { where: { id } });
  }

  /** By id, or by the number the customer sees (`SK-10001`): ids are UUIDs, numbers never are. */
  findByIdOrNumber(manager: EntityManager, idOrNumber: string): Promise<Order | null> {
    return manager.findOne(Order, {
      where: isUuid(idOrNumber) ? { id: idOrNumber } : { number: idOrNumber },
    });
  }

  /**
   * The order by id or number with its lines, history and fulfilments, in one statement; outside a
   * transaction by default (a single statement reads one consistent snapshot by itself).
   */
  async findDetail(
    idOrNumber: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<OrderDetail | null> {
    const query = manager
      .createQueryBuilder(Order, 'o')
      .where(isUuid(idOrNumber) ? 'o.id = :key' : 'o.number = :key', { key: idOrNumber });
    for (const [alias, sql] of DETAIL_CHILDREN) query.addSelect(sql, alias);
    const { entities, raw } = await query.getRawAndEntities<Record<string, unknown>>();
    const order = entities[0];
    if (!order) return null;
    const row = raw[0];
    const lines = parsedJson<Omit<OrderLine, 'orderId'>>(row.lines_json)
      .map((line) => ({ ...line, orderId: order.id }))
      .sort((a, b) => a.position - b.position);
    const history = parsedJson<Omit<OrderHistoryEntry, 'orderId' | 'createdAt'> & { createdAt: string }>(
      row.history_json,
    )
      .map((entry) => ({
        ...entry,
        id: String(entry.id),
        orderId: order.id,
        createdAt: jsonDate(entry.createdAt),
      }))
      .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
    type FulfilmentJson = Omit<Fulfilment, 'orderId' | 'createdAt'> & {
      createdAt: string;
      lines: Array<Pick<FulfilmentLine, 'orderLineId' | 'quantity'>> | null;
    };
    const fulfilments = parsedJson<FulfilmentJson>(row.fulfilments_json)
      .map((fulfilment) => ({
        ...fulfilment,
        orderId: order.id,
        createdAt: jsonDate(fulfilment.createdAt),
        lines: (fulfilment.lines ?? []).map((line) => ({ ...line, fulfilmentId: fulfilment.id })),
      }))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
    return { order, lines, history, fulfilments };
  }

  lockById(manager: EntityManager, id: string): Promise<Order | null> {
    return manager
      .createQueryBuilder(Order, 'o')
      .setLock('pessimistic_write')
      .where('o.id = :id', { id })
      .getOne();
  }

  async salesFactsOf(manager: EntityManager, orderId: string): Promise<OrderSalesFacts | null> {
    const rows = await manager.query<OrderSalesFactsRow[]>(`${SALES_FACTS_SELECT} WHERE o.id = ?`, [orderId]);
    return rows.length > 0 ? toSalesFacts(rows[0]) : null;
  }

  /** Orders placed, paid or cancelled in [from, to): each once. Three range reads, each on its index. */
  async salesFactsMovedBetween(manager: EntityManager, from: Date, to: Date): Promise<OrderSalesFacts[]> {
    const found = new Map<string, OrderSalesFacts>();
    for (const column of ['created_at', 'paid_at', 'cancelled_at'] as const) {
      const rows = await manager.query<OrderSalesFactsRow[]>(
        `${SALES_FACTS_SELECT} WHERE o.${column} >= ? AND o.${column} < ?`,
        [from, to],
      );
      for (const row of rows) found.set(row.id, toSalesFacts(row));
    }
    return [...found.values()];
  }

  /** Sales facts of these orders (any number; read in chunks). */
  async salesFactsOfMany(manager: EntityManager, orderIds: readonly string[]): Promise<OrderSalesFacts[]> {
    const facts: OrderSalesFacts[] = [];
    for (const ids of chunks(orderIds))
      for (const row of await manager.query<OrderSalesFactsRow[]>(`${SALES_FACTS_SELECT} WHERE o.id IN (?)`, [
        ids,
      ]))
        facts.push(toSalesFacts(row));
    return facts;
  }

  /** The lines of these orders as product rollups count them, in order and line position. */
  async lineSalesFactsOf(
    manager: EntityManager,
    orderIds: readonly string[],
  ): Promise<OrderLineSalesFacts[]> {
    const facts: OrderLineSalesFacts[] = [];
    for (const ids of chunks(orderIds)) {
      const rows = await manager.query<
        Array<{
          order_id: string;
          variant_id: string;
          product_id: string;
          quantity: number;
          subtotal: number;
          discount: number;
          tax: number;
          total: number;
        }>
      >(
        `SELECT order_id, variant_id, product_id, quantity, subtotal, discount, tax, total
           FROM order_lines WHERE order_id IN (?) ORDER BY order_id, position`,
        [ids],
      );
      for (const row of rows)
        facts.push({
          orderId: row.order_id,
          variantId: row.variant_id,
          productId: row.product_id,
          quantity: Number(row.quantity),
          subtotal: Number(row.subtotal),
          discount: Number(row.discount),
          tax: Number(row.tax),
          total: Number(row.total),
        });
    }
    return facts;
  }

  linesOf(manager: EntityManager, orderId: string): Promise<OrderLine[]> {
    return manager.find(OrderLine, { where: { orderId }, order: { position: 'ASC' } });
  }

  async fulfilmentsOf(
    manager: EntityManager,
    orderId: string,
  ): Promise<Array<Fulfilment & { lines: FulfilmentLine[] }>> {
    const fulfilments = await manager.find(Fulfilment, {
      where: { orderId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    if (fulfilments.length === 0) return [];
    const lines = await manager
      .createQueryBuilder(FulfilmentLine, 'l')
      .where('l.fulfilment_id IN (:...ids)', { ids: fulfilments.map((f) => f.id) })
      .getMany();
    return fulfilments.map((f) => ({ ...f, lines: lines.filter((line) => line.fulfilmentId === f.id) }));
  }

  /**
   * Sets the status. With `whileStatus`, only if the order still has that status (compare-and-set
   * instead of a locking read); answers whether the row changed.
   */
  async setStatus(
    manager: EntityManager,
    id: string,
    status: OrderStatus,
    extra: Partial<Pick<Order, 'paidAt' | 'cancelledAt' | 'expiresAt'>> = {},
    whileStatus?: OrderStatus,
  ): Promise<boolean> {
    const query = manager
      .createQueryBuilder()
      .update(Order)
      .set({ status, ...extra, version: () => 'version + 1' })
      .where('id = :id', { id });
    if (whileStatus) query.andWhere('status = :whileStatus', { whileStatus });
    return (await query.execute()).affected === 1;
  }

  async appendHistory(
    manager: EntityManager,
    entry: Pick<OrderHistoryEntry, 'orderId' | 'fromStatus' | 'toStatus' | 'actor' | 'reason'> &
      Partial<Pick<OrderHistoryEntry, 'createdAt'>>,
  ): Promise<void> {
    await manager.insert(OrderHistoryEntry, entry);
  }

  async insertFulfilment(
    manager: EntityManager,
    orderId: string,
    fields: Pick<Fulfilment, 'carrier' | 'trackingNumber' | 'actor'>,
    lines: Array<{ orderLineId: string; quantity: number }>,
  ): Promise<string> {
    const id = uuidv7();
    await manager.insert(Fulfilment, { id, orderId, ...fields });
    await manager.insert(
      FulfilmentLine,
      lines.map((line) => ({ ...line, fulfilmentId: id })),
    );
    return id;
  }

  async addFulfilled(manager: EntityManager, lineId: string, quantity: number): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(OrderLine)
      .set({ fulfilledQuantity: () => `fulfilled_quantity + ${Number(quantity)}` })
      .where('id = :id', { id: lineId })
      .execute();
  }

  /**
   * Counts units of a line as back in stock — only while shipped units remain that have not come
   * back already (a CHECK says the same). False when it refused.
   */
  async addRestocked(manager: EntityManager, lineId: string, quantity: number): Promise<boolean> {
    const result = await manager.query<{ affectedRows: number }>(
      `UPDATE order_lines SET restocked_quantity = restocked_quantity + ?
        WHERE id = ? AND restocked_quantity + ? <= fulfilled_quantity`,
      [quantity, lineId, quantity],
    );
    return Number(result.affectedRows) === 1;
  }

  /** Unpaid orders whose hold ran out, oldest first, after the given position (keyset). */
  async overdue(
    manager: EntityManager,
    now: Date,
    limit: number,
    after?: { expiresAt: Date; id: string },
  ): Promise<Array<{ id: string; expiresAt: Date }>> {
    const query = manager
      .createQueryBuilder(Order, 'o')
      .select(['o.id', 'o.expiresAt'])
      .where("o.status = 'pending_payment' AND o.expires_at <= :now", { now });
    return this.pageByDeadline(query, limit, after);
  }

  /**
   * Marks the order's payment reminder as sent — only for an unpaid order of `method` that was never
   * reminded and whose deadline lies between `now` and `dueBy`. One conditional UPDATE: of two
   * concurrent callers exactly one gets true, so the reminder is written once.
   */
  async claimPaymentReminder(
    manager: EntityManager,
    id: string,
    method: PaymentMethod,
    now: Date,
    dueBy: Date,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Order)
      .set({ paymentReminderSentAt: now })
      .where('id = :id', { id })
      .andWhere("status = 'pending_payment' AND payment_method = :method", { method })
      .andWhere('payment_reminder_sent_at IS NULL')
      .andWhere('expires_at > :now AND expires_at <= :dueBy', { now, dueBy })
      .execute();
    return result.affected === 1;
  }

  /** Unpaid orders of `method` never reminded whose deadline lies between `now` and `dueBy`, soonest first. */
  async paymentRemindersDue(
    manager: EntityManager,
    method: PaymentMethod,
    now: Date,
    dueBy: Date,
    limit: number,
    after?: { expiresAt: Date; id: string },
  ): Promise<Array<{ id: string; expiresAt: Date }>> {
    const query = manager
      .createQueryBuilder(Order, 'o')
      .select(['o.id', 'o.expiresAt'])
      .where("o.status = 'pending_payment' AND o.expires_at > :now AND o.expires_at <= :dueBy", {
        now,
        dueBy,
      })
      .andWhere('o.payment_method = :method AND o.payment_reminder_sent_at IS NULL', { method });
    return this.pageByDeadline(query, limit, after);
  }

  /** Keyset page of `query` (alias `o`) by deadline, soonest first: ids and deadlines only. */
  private async pageByDeadline(
    query: SelectQueryBuilder<Order>,
    limit: number,
    after?: { expiresAt: Date; id: string },
  ): Promise<Array<{ id: string; expiresAt: Date }>> {
    if (after)
      query.andWhere('(o.expires_at > :afterAt OR (o.expires_at = :afterAt AND o.id > :afterId))', {
        afterAt: after.expiresAt,
        afterId: after.id,
      });
    const rows = await query.orderBy('o.expires_at', 'ASC').addOrderBy('o.id', 'ASC').limit(limit).getMany();
    return rows.map((row) => ({ id: row.id, expiresAt: row.expiresAt! }));
  }

  /** A page of orders, newest first (keyset on created_at, id). */
  list(manager: EntityManager, filter: OrderFilter): Promise<Order[]> {
    const query = manager.createQueryBuilder(Order, 'o');
    this.applyFilter(query, filter);
    return query
      .orderBy('o.created_at', 'DESC')
      .addOrderBy('o.id', 'DESC')
      .limit(filter.limit + 1)
      .getMany();
  }

  /** How many lines each order has (for list rows), in one statement. */
  async lineCounts(manager: EntityManager, orderIds: string[]): Promise<Map<string, number>> {
    if (orderIds.length === 0) return new Map();
    const rows = await manager
      .createQueryBuilder(OrderLine, 'l')
      .select('l.order_id', 'orderId')
      .addSelect('SUM(l.quantity)', 'items')
      .where('l.order_id IN (:...orderIds)', { orderIds })
      .groupBy('l.order_id')
      .getRawMany<{ orderId: string; items: string }>();
    return new Map(rows.map((row) => [row.orderId, Number(row.items)]));
  }

  private applyFilter(query: SelectQueryBuilder<Order>, filter: OrderFilter): void {
    if (filter.customerId) query.andWhere('o.customer_id = :customerId', { customerId: filter.customerId });
    if (filter.status) query.andWhere('o.status = :status', { status: filter.status });
    if (filter.email) query.andWhere('o.email = :email', { email: filter.email });
    if (filter.createdFrom) query.andWhere('o.created_at >= :from', { from: filter.createdFrom });
    if (filter.createdTo) query.andWhere('o.created_at < :to', { to: filter.createdTo });
    if (filter.minTotal !== undefined) query.andWhere('o.total >= :minTotal', { minTotal: filter.minTotal });
    if (filter.maxTotal !== undefined) query.andWhere('o.total <= :maxTotal', { maxTotal: filter.maxTotal });
    if (filter.before)
      query.andWhere('(o.created_at < :beforeAt OR (o.created_at = :beforeAt AND o.id < :beforeId))', {
        beforeAt: filter.before.createdAt,
        beforeId: filter.before.id,
      });
  }
}
