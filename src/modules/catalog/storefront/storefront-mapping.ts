import type { ProductDetailDto, ProductSummaryDto, StorefrontVariantDto } from '../dto/product.response.dto';
import type { ProductDetailRow, ProductSummaryRow, StorefrontVariantRow } from './storefront.repository';

/** What shoppers see of a product, from its stored rows: the one mapping the read model is built with. */
export class StorefrontMapping {
  constructor(private readonly currency: string) {}

  summary(row: ProductSummaryRow): ProductSummaryDto {
    return {
      id: row.id,
      slug: row.slug,
      title: row.title,
      image: row.images[0] ?? null,
      currency: this.currency,
      priceRange: { min: row.minPrice, max: row.maxPrice },
      inStock: row.variants.some((variant) => variant.inStock),
      variants: row.variants.map((variant) => this.variant(variant)),
    };
  }

  detail(row: ProductDetailRow): ProductDetailDto {
    return {
      ...this.summary(row),
      description: row.description,
      attributes: row.attributes,
      options: row.options,
      images: row.images,
      categories: row.categories,
    };
  }

  private variant(variant: StorefrontVariantRow): StorefrontVariantDto {
    return {
      id: variant.id,
      sku: variant.sku,
      title: variant.title,
      optionValues: variant.optionValues,
      price: variant.price,
      compareAtPrice: variant.compareAtPrice,
      inStock: variant.inStock,
    };
  }
}
