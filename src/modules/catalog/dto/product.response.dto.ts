import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Product, PRODUCT_STATUSES, type ProductStatus } from '../entities/product.entity';
import { ProductVariant, VARIANT_STATUSES, type VariantStatus } from '../entities/product-variant.entity';

/** Every amount of a resource is an integer in minor units of the resource's one `currency`. */
export const MINOR_UNITS = 'minor units of `currency`';

export class PriceRangeDto {
  @ApiProperty({ type: 'integer', example: 4990, description: `The lowest variant price, ${MINOR_UNITS}` })
  min: number;

  @ApiProperty({ type: 'integer', example: 5990, description: `The highest variant price, ${MINOR_UNITS}` })
  max: number;
}

export class ImageDto {
  @ApiProperty()
  url: string;

  @ApiProperty()
  alt: string;
}

export class OptionDto {
  @ApiProperty()
  name: string;

  @ApiProperty({ type: [String] })
  values: string[];
}

export class CategoryRefDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  slug: string;

  @ApiProperty()
  name: string;
}

/** A variant as shoppers see it. Availability is whether it can be bought now, not a count. */
export class StorefrontVariantDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  sku: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { size: 'M' } })
  optionValues: Record<string, string>;

  @ApiProperty({ type: 'integer', example: 4990, description: MINOR_UNITS })
  price: number;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 5990, description: MINOR_UNITS })
  compareAtPrice: number | null;

  @ApiProperty()
  inStock: boolean;
}

export class ProductSummaryDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  slug: string;

  @ApiProperty()
  title: string;

  @ApiPropertyOptional({ type: ImageDto, nullable: true })
  image: ImageDto | null;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency of every amount of the product' })
  currency: string;

  @ApiProperty({ type: PriceRangeDto })
  priceRange: PriceRangeDto;

  @ApiProperty({ description: 'At least one variant can be bought now.' })
  inStock: boolean;

  @ApiProperty({ type: [StorefrontVariantDto] })
  variants: StorefrontVariantDto[];
}

export class ProductPageDto {
  @ApiProperty({ type: [ProductSummaryDto] })
  data: ProductSummaryDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export class ProductDetailDto extends ProductSummaryDto {
  @ApiProperty({ description: 'Sanitised HTML.' })
  description: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  attributes: Record<string, string>;

  @ApiProperty({ type: [OptionDto] })
  options: OptionDto[];

  @ApiProperty({ type: [ImageDto] })
  images: ImageDto[];

  @ApiProperty({ type: [CategoryRefDto] })
  categories: CategoryRefDto[];
}

export class AdminVariantDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  sku: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  optionValues: Record<string, string>;

  @ApiProperty({ type: 'integer', example: 4990, description: MINOR_UNITS })
  price: number;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 5990, description: MINOR_UNITS })
  compareAtPrice: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true })
  weightGrams: number | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  barcode: string | null;

  @ApiProperty()
  position: number;

  @ApiProperty({ enum: VARIANT_STATUSES })
  status: VariantStatus;

  @ApiPropertyOptional({ type: Number, nullable: true })
  lowStockThreshold: number | null;

  @ApiProperty()
  version: number;
}

export class AdminProductDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  slug: string;

  @ApiProperty()
  title: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ enum: PRODUCT_STATUSES })
  status: ProductStatus;

  @ApiProperty({ type: [String] })
  categoryIds: string[];

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  attributes: Record<string, string>;

  @ApiProperty({ type: [OptionDto] })
  options: OptionDto[];

  @ApiProperty({ type: [ImageDto] })
  images: ImageDto[];

  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency of every amount of the product' })
  currency: string;

  @ApiProperty({ type: [AdminVariantDto] })
  variants: AdminVariantDto[];

  @ApiProperty({ description: 'Send it back with a change (optimistic concurrency); also the ETag.' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class AdminProductPageDto {
  @ApiProperty({ type: [AdminProductDto] })
  data: AdminProductDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export function toAdminProduct(
  product: Product,
  variants: ProductVariant[],
  categoryIds: string[],
  currency: string,
): AdminProductDto {
  return {
    id: product.id,
    slug: product.slug,
    title: product.title,
    description: product.description,
    status: product.status,
    categoryIds,
    attributes: product.attributes,
    options: product.options,
    images: product.images,
    currency,
    variants: variants.map((variant) => ({
      id: variant.id,
      sku: variant.sku,
      title: variant.title,
      optionValues: variant.optionValues,
      price: variant.price,
      compareAtPrice: variant.compareAtPrice,
      weightGrams: variant.weightGrams,
      barcode: variant.barcode,
      position: variant.position,
      status: variant.status,
      lowStockThreshold: variant.lowStockThreshold,
      version: variant.version,
    })),
    version: product.version,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}
