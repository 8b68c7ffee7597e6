import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const STOCK_STATUSES = ['sold-out', 'low'] as const;

export class StockReportQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 1_000_000,
    description:
      "Low means available below this, for every variant. Without it, each variant's own low-stock " +
      'threshold (the one that raises the low-stock alert) applies, and a variant without one is listed ' +
      'only when sold out.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  lowStockThreshold?: number;
}

export class StockRowDto {
  @ApiProperty()
  variantId: string;

  @ApiProperty({ example: 'CUP-RED' })
  sku: string;

  @ApiProperty()
  productId: string;

  @ApiProperty({ example: 'Espresso cup' })
  productName: string;

  @ApiProperty({ type: 'integer', example: 3, description: 'Free to sell now (on hand − reserved), over active locations.' })
  available: number;

  @ApiProperty({ enum: STOCK_STATUSES, description: 'sold-out: nothing available; low: below the threshold.' })
  status: (typeof STOCK_STATUSES)[number];

  @ApiProperty({
    type: 'integer',
    example: 12,
    description: 'Units of orders paid since the start of this hour 30 days ago (the product sales rollups).',
  })
  unitsSoldLast30Days: number;

  @ApiProperty({
    type: 'number',
    format: 'double',
    nullable: true,
    example: 7.5,
    description: 'available ÷ (unitsSoldLast30Days ÷ 30), one decimal, half up; null when nothing sold.',
  })
  daysOfCover: number | null;
}

export class StockReportDto {
  @ApiProperty({ example: '2026-03-31T09:00:00.000Z', description: 'When this live state was read.' })
  generatedAt: string;

  @ApiProperty({
    type: [StockRowDto],
    description:
      'Sellable variants (active, of an active product) sold out or low: sold out first (most sold ' +
      'first), then low by days of cover ascending (unknown cover last).',
  })
  data: StockRowDto[];
}
