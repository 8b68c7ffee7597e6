import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsReportCurrency, ReportRangeQueryDto } from './report-range.query.dto';

export const TOP_PRODUCTS_BY = ['units', 'net'] as const;
export const TOP_PRODUCTS_LEVELS = ['product', 'variant'] as const;
export const MAX_TOP_PRODUCTS = 100;

/** How `net` is defined: the OpenAPI description of the report and of the field. */
export const NET_DEFINITION =
  '`net` is revenue less refunds, in minor units of `currency`. Revenue: the line amount of orders paid ' +
  "in the range, after the line's share of the order discount and without tax (line total − line tax, " +
  'in either price mode); shipping is no product\'s revenue. Refunds are amounts per payment, not per ' +
  "line: each succeeded refund asked for in the range is shared by its order's lines in proportion to " +
  'their revenue, with shipping and tax as one more share that belongs to no product (largest remainder; ' +
  "refunding a whole order takes back exactly each line's revenue). `units` are the units of orders paid " +
  'in the range; a refund does not take units back (it says how much, not which units). Unpaid orders, ' +
  'cancelled before payment, never count; a paid order cancelled later counts its refund.';

export class TopProductsQueryDto extends ReportRangeQueryDto {
  @ApiPropertyOptional({ enum: TOP_PRODUCTS_BY, default: 'units', description: 'Rank by units or by net.' })
  @IsOptional()
  @IsIn(TOP_PRODUCTS_BY)
  by: (typeof TOP_PRODUCTS_BY)[number] = 'units';

  @ApiPropertyOptional({
    enum: TOP_PRODUCTS_LEVELS,
    default: 'product',
    description: 'Rank products (their variants added up) or variants.',
  })
  @IsOptional()
  @IsIn(TOP_PRODUCTS_LEVELS)
  level: (typeof TOP_PRODUCTS_LEVELS)[number] = 'product';

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_TOP_PRODUCTS,
    default: 10,
    description: 'Rows per currency.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_TOP_PRODUCTS)
  limit: number = 10;

  @ApiPropertyOptional({
    pattern: '^[A-Z]{3}$',
    description:
      'Only this currency (ISO 4217, e.g. EUR). Without it, each currency that sold is ranked on its own.',
  })
  @IsOptional()
  @IsReportCurrency()
  currency?: string;
}

export class TopProductRowDto {
  @ApiProperty({ type: 'integer', example: 1, description: 'Place within its currency, from 1.' })
  rank: number;

  @ApiProperty({ example: '0199a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b' })
  productId: string;

  @ApiProperty({ example: 'Espresso cup', description: "The product's current title." })
  productName: string;

  @ApiProperty({ type: String, nullable: true, description: 'The variant; null when level=product.' })
  variantId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'CUP-RED', description: 'Null when level=product.' })
  sku: string | null;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency of `net`.' })
  currency: string;

  @ApiProperty({ type: 'integer', example: 42, description: 'Units of orders paid in the range.' })
  units: number;

  @ApiProperty({ type: 'integer', example: 104958, description: `Minor units of \`currency\`. ${NET_DEFINITION}` })
  net: number;
}

export class TopProductsReportDto {
  @ApiProperty({ example: 'Europe/Berlin', description: 'The store time zone `from` and `to` are dates in.' })
  timeZone: string;

  @ApiProperty({ example: '2026-03-01', format: 'date' })
  from: string;

  @ApiProperty({ example: '2026-03-31', format: 'date' })
  to: string;

  @ApiProperty({ enum: TOP_PRODUCTS_BY })
  by: (typeof TOP_PRODUCTS_BY)[number];

  @ApiProperty({ enum: TOP_PRODUCTS_LEVELS })
  level: (typeof TOP_PRODUCTS_LEVELS)[number];

  @ApiProperty({
    type: [TopProductRowDto],
    description: 'Per currency (alphabetical), the best `limit` rows, rank 1 first.',
  })
  data: TopProductRowDto[];
}
