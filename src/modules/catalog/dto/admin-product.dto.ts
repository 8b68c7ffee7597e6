import { ApiProperty, ApiPropertyOptional, PartialType, OmitType } from '@nestjs/swagger';
import { blankAsAbsent, PageQueryDto } from '@app/common';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PRODUCT_STATUSES, type ProductStatus } from '../entities/product.entity';
import { IsStringRecord } from './string-record.validator';

/** Prices are integer minor units; this ceiling keeps them far inside a signed 32-bit column. */
export const MAX_PRICE = 1_000_000_000;
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Sanitised descriptions are stored up to this many characters (about a 40-page document). */
export const MAX_DESCRIPTION_LENGTH = 100_000;

export class ProductOptionDto {
  @ApiProperty({ example: 'size', maxLength: 50 })
  @IsString()
  @Length(1, 50)
  name: string;

  @ApiProperty({ example: ['S', 'M', 'L'], maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  values: string[];
}

export class ProductImageDto {
  @ApiProperty({ example: 'https://images.example.com/linen-shirt-1.jpg' })
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true })
  @MaxLength(2000)
  url: string;

  @ApiProperty({ example: 'Linen shirt, front', maxLength: 300 })
  @IsString()
  @MaxLength(300)
  alt: string;
}

export class CreateVariantDto {
  @ApiProperty({ example: 'LIN-SHIRT-M-WHITE', pattern: SKU_PATTERN.source })
  @Matches(SKU_PATTERN, { message: 'sku must be 1-64 letters, digits, dots, dashes or underscores' })
  sku: string;

  @ApiPropertyOptional({
    example: 'M / white',
    description: 'Defaults to the option values joined by " / ".',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  title?: string;

  @ApiPropertyOptional({
    example: { size: 'M', colour: 'white' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsOptional()
  @IsStringRecord({ maxKeys: 5, maxKeyLength: 50, maxValueLength: 100 })
  optionValues?: Record<string, string>;

  @ApiProperty({ example: 4990, description: 'Integer minor units of the catalog currency.', minimum: 0 })
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  price: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: 5990,
    nullable: true,
    description: 'The "was" price; above `price`.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  compareAtPrice?: number | null;

  @ApiPropertyOptional({ type: 'integer', example: 220, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  weightGrams?: number | null;

  @ApiPropertyOptional({
    type: String,
    example: '4006381333931',
    nullable: true,
    pattern: '^[0-9A-Za-z-]{1,64}$',
  })
  @IsOptional()
  @Matches(/^[0-9A-Za-z-]{1,64}$/, { message: 'barcode must be 1-64 letters, digits or dashes' })
  barcode?: string | null;

  @ApiPropertyOptional({ example: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  position?: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: 5,
    nullable: true,
    description: 'Available stock below this raises a low-stock alert.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  lowStockThreshold?: number | null;
}

export class UpdateVariantDto extends PartialType(CreateVariantDto) {
  @ApiProperty({ description: 'The version you read; a stale version gets 409.', example: 1 })
  @IsInt()
  @Min(1)
  version: number;
}

export class CreateProductDto {
  @ApiProperty({ example: 'Classic Linen Shirt', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiPropertyOptional({
    example: 'classic-linen-shirt',
    description: 'Defaults to the title in kebab-case.',
  })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters and digits separated by single dashes' })
  @MaxLength(120)
  slug?: string;

  @ApiPropertyOptional({
    description: 'HTML; kept only through an allow-list (scripts and event handlers are removed).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_DESCRIPTION_LENGTH)
  description?: string;

  @ApiPropertyOptional({ enum: PRODUCT_STATUSES, default: 'draft' })
  @IsOptional()
  @IsIn(PRODUCT_STATUSES)
  status?: ProductStatus;

  @ApiPropertyOptional({ type: [String], description: 'Category ids.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  categoryIds?: string[];

  @ApiPropertyOptional({
    example: { material: 'linen' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsOptional()
  @IsStringRecord({ maxKeys: 50, maxKeyLength: 50, maxValueLength: 500 })
  attributes?: Record<string, string>;

  @ApiPropertyOptional({ type: [ProductOptionDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => ProductOptionDto)
  options?: ProductOptionDto[];

  @ApiPropertyOptional({ type: [ProductImageDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ProductImageDto)
  images?: ProductImageDto[];

  @ApiPropertyOptional({ type: [CreateVariantDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CreateVariantDto)
  variants?: CreateVariantDto[];
}

export class UpdateProductDto extends PartialType(OmitType(CreateProductDto, ['variants'] as const)) {
  @ApiProperty({
    description: 'The version you read; a stale version gets 409 (or 412 with If-Match).',
    example: 1,
  })
  @IsInt()
  @Min(1)
  version: number;
}

export class ListAdminProductsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PRODUCT_STATUSES })
  @IsOptional()
  @IsIn(PRODUCT_STATUSES)
  status?: ProductStatus;

  @ApiPropertyOptional({ description: 'Matches the start of the title or a SKU exactly.', maxLength: 200 })
  @Transform(blankAsAbsent)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}
