import type { PostalAddress } from '@app/common';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { SellableVariant } from '../catalog';
import type { PromotionRule } from '../promotions';
import type { ShippingMethodRule } from '../shipping';
import { Cart, CartItem } from './entities/cart.entity';

/** Everything a cart is priced from, as one read found it (see CartsRepository.findForPricing). */
export interface CartPricingRead {
  cart: Cart;
  items: CartItem[];
  /** The variants of the items (and the one asked for), whether sellable or not; missing ones are gone. */
  variants: Map<string, SellableVariant>;
  /** Stock free to sell now per variant of `variants` (0 without stock). */
  available: Map<string, number>;
  /** The cart's promotion code's promotion if it is usable at the time of the read, else null. */
  promotion: PromotionRule | null;
  /** The methods offered to the shipping address, ordered by position ([] without an address). */
  shippingMethods: ShippingMethodRule[];
  taxRate: { id: string; name: string; rateBp: number } | null;
}

export interface PricingReadOptions {
  /** Lock the cart row (FOR UPDATE; only the cart row: MariaDB and MySQL lock no subquery's rows). */
  lock?: boolean;
  /** A variant not (yet) in the cart to read too: the one being added. */
  variantId?: string;
  now?: Date;
}

type JsonColumn<T> = string | T | null;

interface PricingRow extends CartRow {
  items: JsonColumn<Array<{ id: string; variantId: string; quantity: number; createdAt: string }>>;
  variants: JsonColumn<VariantJson[]>;
  variant: JsonColumn<VariantJson>;
  promotion: JsonColumn<
    Omit<PromotionRule, 'startsAt' | 'endsAt'> & { startsAt: string | null; endsAt: string | null }
  >;
  shipping_methods: JsonColumn<Array<ShippingMethodRule & { position: number }>>;
  tax_rate: JsonColumn<{ id: string; name: string; rateBp: number }>;
}

/**
 * The version a client sees: the stored counter plus the number of lines. Adding a line then needs no
 * statement on the cart row (the add stays one INSERT inside its lock); every other write bumps the
 * counter, and removing a line bumps it by 2. It only ever grows, and every write moves it.
 */
export const cartVersion = (cart: Cart, items: readonly CartItem[]): number => cart.version + items.length;

/** When the cart last changed: its own row or its newest line. */
export const cartUpdatedAt = (cart: Cart, items: readonly CartItem[]): Date =>
  items.reduce((latest, item) => (item.createdAt > latest ? item.createdAt : latest), cart.updatedAt);

/** What SellableVariantsService.findMany reads of a variant `v` of product `p`, and its free stock. */
const VARIANT_JSON = `JSON_OBJECT(
  'id', v.id, 'productId', v.product_id, 'slug', p.slug, 'productTitle', p.title, 'title', v.title,
  'sku', v.sku, 'price', v.price, 'status', v.status, 'productStatus', p.status,
  'imageUrl', JSON_UNQUOTE(JSON_EXTRACT(p.images, '$[0].url')),
  'available', COALESCE((SELECT SUM(l.on_hand - l.reserved)
                           FROM inventory_levels l JOIN stock_locations s ON s.id = l.location_id AND s.active = 1
                          WHERE l.variant_id = v.id), 0))`;

type VariantJson = {
  id: string;
  productId: string;
  slug: string;
  productTitle: string;
  title: string;
  sku: string;
  price: number;
  imageUrl: string | null;
  status: string;
  productStatus: string;
  available: number | string;
};

/** MariaDB hands JSON over as text, MySQL parsed. */
const parsed = <T>(value: JsonColumn<T>): T | null =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

/** A DATETIME inside JSON ('2026-12-08 01:03:47.457', UTC as every stored time). */
const jsonDate = (value: string): Date => new Date(`${value.replace(' ', 'T')}Z`);

/** A JSON string member of the stored address, upper-cased (JSON null is SQL NULL). */
const addressPart = (member: string) =>
  `UPPER(TRIM(NULLIF(JSON_UNQUOTE(JSON_EXTRACT(c.shipping_address, '$.${member}')), 'null')))`;

export type CartFields = Partial<
  Pick<
    Cart,
    | 'email'
    | 'promotionCode'
    | 'shippingMethodId'
    | 'shippingAddress'
    | 'billingAddress'
    | 'customerId'
    | 'tokenHash'
    | 'status'
    | 'orderId'
    | 'mergedIntoId'
  >
>;

interface CartRow {
  id: string;
  customer_id: string | null;
  token_hash: string | null;
  status: Cart['status'];
  email: string | null;
  currency: string;
  promotion_code: string | null;
  shipping_method_id: string | null;
  shipping_address: string | PostalAddress | null;
  billing_address: string | PostalAddress | null;
  order_id: string | null;
  merged_into_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const CART_COLUMNS =
  'id, customer_id, token_hash, status, email, currency, promotion_code, shipping_method_id, shipping_address, ' +
  'billing_address, order_id, merged_into_id, version, created_at, updated_at';

/** MariaDB keeps JSON as text, MySQL hands it over parsed: accept both. */
const json = (value: string | PostalAddress | null): PostalAddress | null =>
  typeof value === 'string' ? (JSON.parse(value) as PostalAddress) : value;

const toCart = (row: CartRow): Cart => ({
  id: row.id,
  customerId: row.customer_id,
  tokenHash: row.token_hash,
  status: row.status,
  email: row.email,
  currency: row.currency,
  promotionCode: row.promotion_code,
  shippingMethodId: row.shipping_method_id,
  shippingAddress: json(row.shipping_address),
  billingAddress: json(row.billing_address),
  orderId: row.order_id,
  mergedIntoId: row.merged_into_id,
  version: Number(row.version),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

function toPricingRead(row: PricingRow): CartPricingRead {
  const items = (parsed(row.items) ?? [])
    .map((item) => ({
      id: item.id,
      cartId: row.id,
      variantId: item.variantId,
      quantity: Number(item.quantity),
      createdAt: jsonDate(item.createdAt),
    }))
    // As itemsOf orders them: the order they were added in.
    .sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  const variants = new Map<string, SellableVariant>();
  const available = new Map(items.map((item) => [item.variantId, 0]));
  const candidate = parsed(row.variant);
  for (const variant of [...(parsed(row.variants) ?? []), ...(candidate ? [candidate] : [])]) {
    variants.set(variant.id, {
      variantId: variant.id,
      productId: variant.productId,
      productSlug: variant.slug,
      productTitle: variant.productTitle,
      variantTitle: variant.title,
      sku: variant.sku,
      price: Number(variant.price),
      imageUrl: variant.imageUrl,
      sellable: variant.status === 'active' && variant.productStatus === 'active',
    });
    available.set(variant.id, Number(variant.available));
  }
  const promotion = parsed(row.promotion);
  const taxRate = parsed(row.tax_rate);
  return {
    cart: toCart(row),
    items,
    variants,
    available,
    promotion: promotion && {
      ...promotion,
      startsAt: promotion.startsAt === null ? null : jsonDate(promotion.startsAt),
      endsAt: promotion.endsAt === null ? null : jsonDate(promotion.endsAt),
    },
    shippingMethods: (parsed(row.shipping_methods) ?? [])
      .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((method) => ({
        id: method.id,
        zoneId: method.zoneId,
        name: method.name,
        rate: Number(method.rate),
        freeOver: method.freeOver === null ? null : Number(method.freeOver),
      })),
    taxRate: taxRate && { id: taxRate.id, name: taxRate.name, rateBp: Number(taxRate.rateBp) },
  };
}

/**
 * Carts and their items: the only place that builds their SQL. The statements of every cart
 * request (read, lock, items, bump) are plain SQL: they run on each storefront call, and TypeORM's
 * query building cost more CPU than the database spent on them (BENCHMARKS.md, commerce).
 */
@Injectable()
export class CartsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** For statements that are atomic on their own: no transaction around them. */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /**
   * The cart and everything it is priced from in one statement: its row, its items, their variants
   * and free stock, its usable promotion, the shipping methods and the tax rate of its shipping address.
   * The rules are those of SellableVariantsService.findMany, ReservationsService.available,
   * PromotionRedemptionsService.findUsable, ShippingRatesService.methodsFor and TaxRatesService.rateFor
   * (their specs and the carts/pricing e2e keep them equal); each of those costs a statement apiece,
   * and every cart request prices the cart.
   */
  async findForPricing(
    manager: EntityManager,
    id: string,
    options: PricingReadOptions = {},
  ): Promise<CartPricingRead | null> {
    const now = options.now ?? new Date();
    // The shipping address's country and subdivision, normalised as TaxRatesService.rateFor does
    // (a region may be given as 'US-CA' as well as 'CA').
    const country = addressPart('country');
    const region = `COALESCE(${addressPart('region')}, '')`;
    const subdivision = `IF(LEFT(${region}, 3) = CONCAT(${country}, '-'), SUBSTRING(${region}, 4), ${region})`;
    // Locked, the lines are read as they are once the lock is ours: a plain (snapshot) read could
    // miss a line that the write we waited for added (seen when several adds raced).
    const current = options.lock ? ' LOCK IN SHARE MODE' : '';
    const [row] = await manager.query<PricingRow[]>(
      `SELECT ${CART_COLUMNS},
         (SELECT JSON_ARRAYAGG(JSON_OBJECT('id', i.id, 'variantId', i.variant_id, 'quantity', i.quantity,
                                           'createdAt', i.created_at))
            FROM cart_items i WHERE i.cart_id = c.id${current}) AS items,
         (SELECT JSON_ARRAYAGG(${VARIANT_JSON})
            FROM cart_items i
            JOIN product_variants v ON v.id = i.variant_id JOIN products p ON p.id = v.product_id
           WHERE i.cart_id = c.id${current}) AS variants,
         (SELECT ${VARIANT_JSON} FROM product_variants v JOIN products p ON p.id = v.product_id
           WHERE v.id = ?) AS variant,
         (SELECT JSON_OBJECT('id', pr.id, 'code', pr.code, 'kind', pr.kind, 'percentBp', pr.percent_bp,
                             'amount', pr.amount, 'minSubtotal', pr.min_subtotal, 'startsAt', pr.starts_at,
                             'endsAt', pr.ends_at, 'usageLimit', pr.usage_limit,
                             'perCustomerLimit', pr.per_customer_limit, 'timesUsed', pr.times_used)
            FROM promotions pr
           -- promotions.code is ascii_bin: compared as such, its unique index finds the row
           WHERE pr.code = CONVERT(c.promotion_code USING ascii) COLLATE ascii_bin AND pr.active = 1
             AND (pr.starts_at IS NULL OR pr.starts_at <= ?) AND (pr.ends_at IS NULL OR ? < pr.ends_at)
             AND (pr.usage_limit IS NULL OR pr.times_used < pr.usage_limit)) AS promotion,
         (SELECT JSON_ARRAYAGG(JSON_OBJECT('id', m.id, 'zoneId', m.zone_id, 'name', m.name, 'rate', m.rate,
                                           'freeOver', m.free_over, 'position', m.position))
            FROM shipping_methods m
            JOIN shipping_zones z ON z.id = m.zone_id AND z.active = 1
            JOIN shipping_zone_countries zc ON zc.zone_id = z.id AND zc.country_code = ${country}
           WHERE m.active = 1) AS shipping_methods,
         (SELECT JSON_OBJECT('id', t.id, 'name', t.name, 'rateBp', t.rate_bp)
            FROM tax_rates t
           WHERE t.country = ${country} AND t.region IN (${subdivision}, '')
           ORDER BY t.region DESC LIMIT 1) AS tax_rate
       FROM carts c WHERE c.id = ?${options.lock ? ' FOR UPDATE' : ''}`,
      [options.variantId ?? null, now, now, id],
    );
    if (!row) return null;
    return toPricingRead(row);
  }
  async insert(
    manager: EntityManager,
    fields: { customerId: string | null; tokenHash: string | null; currency: string; email: string | null },
  ): Promise<Cart> {
    const now = new Date();
    const cart: Cart = {
      id: uuidv7(),
      ...fields,
      status: 'active',
      promotionCode: null,
      shippingMethodId: null,
      shippingAddress: null,
      billingAddress: null,
      orderId: null,
      mergedIntoId: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    // Answered from what was written: a new cart is not read back.
    await manager.insert(Cart, cart);
    return cart;
  }

  async findById(manager: EntityManager, id: string): Promise<Cart | null> {
    const [row] = await manager.query<CartRow[]>(`SELECT ${CART_COLUMNS} FROM carts WHERE id = ?`, [id]);
    return row ? toCart(row) : null;
  }

  /** Locks the cart row: every write to a cart, and its checkout, queue on it. */
  async lockById(manager: EntityManager, id: string): Promise<Cart | null> {
    const [row] = await manager.query<CartRow[]>(
      `SELECT ${CART_COLUMNS} FROM carts WHERE id = ? FOR UPDATE`,
      [id],
    );
    return row ? toCart(row) : null;
  }

  /** The customer's open cart, locked (the newest, should there ever be two). */
  lockActiveOfCustomer(manager: EntityManager, customerId: string): Promise<Cart | null> {
    return manager
      .createQueryBuilder(Cart, 'cart')
      .setLock('pessimistic_write')
      .where('cart.customer_id = :customerId AND cart.status = :status', { customerId, status: 'active' })
      .orderBy('cart.created_at', 'DESC')
      .getOne();
  }

  /** Changes fields and bumps the stored version by `bump`; returns the new `updatedAt`. */
  async update(manager: EntityManager, id: string, fields: CartFields, bump = 1): Promise<Date> {
    const updatedAt = new Date();
    await manager
      .createQueryBuilder()
      .update(Cart)
      .set({ ...fields, updatedAt, version: () => `version + ${bump}` })
      .where('id = :id', { id })
      .execute();
    return updatedAt;
  }

  /**
   * Changes fields and bumps the version in one statement, only if the cart row is still active and
   * as `cart` found it (lines may have changed: they are not part of the row). Returns the new
   * `updatedAt`, or null when the row changed in between.
   */
  async updateIfUnchanged(cart: Cart, fields: CartFields): Promise<Date | null> {
    const updatedAt = new Date();
    const result = await this.manager
      .createQueryBuilder()
      .update(Cart)
      .set({ ...fields, updatedAt, version: () => 'version + 1' })
      .where("id = :id AND status = 'active' AND version = :version", { id: cart.id, version: cart.version })
      .execute();
    return result.affected ? updatedAt : null;
  }

  async itemsOf(manager: EntityManager, cartId: string): Promise<CartItem[]> {
    const rows = await manager.query<
      Array<{ id: string; cart_id: string; variant_id: string; quantity: number; created_at: Date }>
    >(
      'SELECT id, cart_id, variant_id, quantity, created_at FROM cart_items WHERE cart_id = ? ORDER BY created_at, id',
      [cartId],
    );
    return rows.map((row) => ({
      id: row.id,
      cartId: row.cart_id,
      variantId: row.variant_id,
      quantity: Number(row.quantity),
      createdAt: row.created_at,
    }));
  }

  async insertItem(
    manager: EntityManager,
    cartId: string,
    variantId: string,
    quantity: number,
  ): Promise<CartItem> {
    const item: CartItem = { id: uuidv7(), cartId, variantId, quantity, createdAt: new Date() };
    await manager.query(
      'INSERT INTO cart_items (id, cart_id, variant_id, quantity, created_at) VALUES (?, ?, ?, ?, ?)',
      [item.id, cartId, variantId, quantity, item.createdAt],
    );
    return item;
  }

  async setItemQuantity(manager: EntityManager, itemId: string, quantity: number): Promise<void> {
    await manager.query('UPDATE cart_items SET quantity = ? WHERE id = ?', [quantity, itemId]);
  }

  /** A line's new quantity and the cart's version bump, in one statement; returns the new `updatedAt`. */
  async setItemQuantityAndBump(
    manager: EntityManager,
    cartId: string,
    itemId: string,
    quantity: number,
  ): Promise<Date> {
    const updatedAt = new Date();
    await manager.query(
      `UPDATE carts c JOIN cart_items i ON i.cart_id = c.id
          SET i.quantity = ?, c.version = c.version + 1, c.updated_at = ?
        WHERE c.id = ? AND i.id = ?`,
      [quantity, updatedAt, cartId, itemId],
    );
    return updatedAt;
  }

  async deleteItem(manager: EntityManager, itemId: string): Promise<void> {
    await manager.delete(CartItem, { id: itemId });
  }

  /**
   * The carts created in [from, to) and what became of them: an order (checked out), a paid order.
   * Carts and orders are never deleted, so a range counts the same whenever it is asked; the carts
   * are read on ix_carts_created (created_at, order_id) alone, each order by its primary key.
   */
  async cohort(
    manager: EntityManager,
    from: Date,
    to: Date,
  ): Promise<{ created: number; checkedOut: number; paid: number }> {
    const [row] = await manager.query<Array<{ created: string; checked_out: string; paid: string }>>(
      `SELECT COUNT(*) AS created, COUNT(c.order_id) AS checked_out, COUNT(o.paid_at) AS paid
         FROM carts c LEFT JOIN orders o ON o.id = c.order_id
        WHERE c.created_at >= ? AND c.created_at < ?`,
      [from, to],
    );
    return { created: Number(row.created), checkedOut: Number(row.checked_out), paid: Number(row.paid) };
  }
}
