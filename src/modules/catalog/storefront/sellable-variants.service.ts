import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** What a cart or an order needs to know of a variant: what it is called, what it costs, whether it is for sale. */
export interface SellableVariant {
  variantId: string;
  productId: string;
  productSlug: string;
  productTitle: string;
  variantTitle: string;
  sku: string;
  /** Current price in minor units of the catalog currency. */
  price: number;
  imageUrl: string | null;
  /** The product is active and so is the variant. */
  sellable: boolean;
}

interface Row {
  id: string;
  product_id: string;
  slug: string;
  product_title: string;
  title: string;
  sku: string;
  price: number;
  image_url: string | null;
  status: string;
  product_status: string;
}

/**
 * The catalog's answer to carts and checkout, in one statement for any number of variants: what
 * other features may read of a variant (its SQL stays with the catalog).
 */
@Injectable()
export class SellableVariantsService {
  async findMany(manager: EntityManager, variantIds: string[]): Promise<Map<string, SellableVariant>> {
    if (variantIds.length === 0) return new Map();
    const rows = await manager.query<Row[]>(
      `SELECT v.id, v.product_id, p.slug, p.title AS product_title, v.title, v.sku, v.price, v.status,
              p.status AS product_status, JSON_UNQUOTE(JSON_EXTRACT(p.images, '$[0].url')) AS image_url
         FROM product_variants v JOIN products p ON p.id = v.product_id
        WHERE v.id IN (?)`,
      [variantIds],
    );
    return new Map(
      rows.map((row) => [
        row.id,
        {
          variantId: row.id,
          productId: row.product_id,
          productSlug: row.slug,
          productTitle: row.product_title,
          variantTitle: row.title,
          sku: row.sku,
          price: Number(row.price),
          imageUrl: row.image_url,
          sellable: row.status === 'active' && row.product_status === 'active',
        },
      ]),
    );
  }
}
