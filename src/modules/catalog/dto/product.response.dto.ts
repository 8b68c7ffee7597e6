import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Product, PRODUCT_STATUSES, type ProductStatus } from '../entities/product.entity';
import { ProductVariant, VARIANT_STATUSES, type VariantStatus } from '../entities/product-variant.entity';

export class MoneyDto {
  @ApiProperty({ example: 4990, description: 'Integer minor units.' })
  amount: number;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217.' })
  currency: string;
}

export class PriceRangeDto {
  @ApiProperty({ type: MoneyDto })
  min: MoneyDto;

  @ApiProperty({ type: MoneyDto })
  max: MoneyDto;
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

  @ApiProperty({ type: MoneyDto })
  price: MoneyDto;

  @ApiPropertyOptional({ type: MoneyDto, nullable: true })
  compareAtPrice: MoneyDto | null;

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

  @ApiProperty({ type: MoneyDto })
  price: MoneyDto;

  @ApiPropertyOptional({ type: MoneyDto, nullable: true })
  compareAtPrice: MoneyDto | null;

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
  const money = (amount: number): MoneyDto => ({ amount, currency });
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
    variants: variants.map((variant) => ({
      id: variant.id,
      sku: variant.sku,
      title: variant.title,
      optionValues: variant.optionValues,
      price: money(variant.price),
      compareAtPrice: variant.compareAtPrice === null ? null : money(variant.compareAtPrice),
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
