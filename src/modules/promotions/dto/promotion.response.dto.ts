import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type Promotion, PROMOTION_KINDS, type PromotionKind } from '../entities/promotion.entity';

export class PromotionDto {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: 'SPRING-20' })
  code: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ enum: PROMOTION_KINDS })
  kind: PromotionKind;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Basis points (2000 = 20%).' })
  percentBp: number | null;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency of `amount` and `minSubtotal`' })
  currency: string;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    example: 500,
    description: 'Off the subtotal (fixed_amount); minor units of `currency`.',
  })
  amount: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    example: 5000,
    description: 'The subtotal the code needs; minor units of `currency`.',
  })
  minSubtotal: number | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  startsAt: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  endsAt: string | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Null: unlimited.' })
  usageLimit: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Null: unlimited.' })
  perCustomerLimit: number | null;

  @ApiProperty({ description: 'Uses held by orders now (released uses are given back).' })
  timesUsed: number;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Uses left; null when unlimited.' })
  remainingUses: number | null;

  @ApiProperty()
  active: boolean;

  @ApiProperty({ description: 'Send it back (or as If-Match) with your next change.' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', description: 'The last staff change (redemptions do not touch it).' })
  updatedAt: string;
}

export class PromotionPageDto {
  @ApiProperty({ type: [PromotionDto] })
  data: PromotionDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export function toPromotionResponse(promotion: Promotion, currency: string): PromotionDto {
  return {
    id: promotion.id,
    code: promotion.code,
    description: promotion.description,
    kind: promotion.kind,
    percentBp: promotion.percentBp,
    currency,
    amount: promotion.amount,
    minSubtotal: promotion.minSubtotal,
    startsAt: promotion.startsAt?.toISOString() ?? null,
    endsAt: promotion.endsAt?.toISOString() ?? null,
    usageLimit: promotion.usageLimit,
    perCustomerLimit: promotion.perCustomerLimit,
    timesUsed: promotion.timesUsed,
    remainingUses:
      promotion.usageLimit === null ? null : Math.max(0, promotion.usageLimit - promotion.timesUsed),
    active: promotion.active,
    version: promotion.version,
    createdAt: promotion.createdAt.toISOString(),
    updatedAt: promotion.updatedAt.toISOString(),
  };
}
