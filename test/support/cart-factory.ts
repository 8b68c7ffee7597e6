import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ADDRESS } from './shop-client';

/**
 * Guest carts ready for checkout, written straight to the database (a factory, not a seed): the
 * concurrency tests need hundreds per round, and building each through four API calls would
 * measure the set-up rather than checkout. Returns each cart's id and token.
 */
export async function insertReadyCarts(
  db: DataSource,
  count: number,
  options: {
    lines: Array<{ variantId: string; quantity: number }>;
    shippingMethodId: string;
    promotionCode?: string;
    currency?: string;
  },
): Promise<Array<{ id: string; token: string }>> {
  const carts = Array.from({ length: count }, () => ({ id: randomUUID(), token: randomUUID() }));
  const address = JSON.stringify(ADDRESS);
  await db.query(
    `INSERT INTO carts (id, token_hash, status, email, currency, promotion_code, shipping_method_id,
                        shipping_address, billing_address, version)
     VALUES ${carts.map(() => "(?, ?, 'active', ?, ?, ?, ?, ?, ?, 1)").join(', ')}`,
    carts.flatMap((cart, index) => [
      cart.id,
      createHash('sha256').update(cart.token).digest('hex'),
      `buyer-${index}-${cart.id.slice(0, 8)}@example.test`,
      options.currency ?? 'EUR',
      options.promotionCode ?? null,
      options.shippingMethodId,
      address,
      address,
    ]),
  );
  await db.query(
    `INSERT INTO cart_items (id, cart_id, variant_id, quantity)
     VALUES ${carts.flatMap(() => options.lines.map(() => '(?, ?, ?, ?)')).join(', ')}`,
    carts.flatMap((cart) =>
      options.lines.flatMap((line) => [randomUUID(), cart.id, line.variantId, line.quantity]),
    ),
  );
  return carts;
}
