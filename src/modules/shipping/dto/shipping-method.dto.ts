import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import type { ShippingMethod } from '../entities/shipping-method.entity';

/** Amounts are integer minor units; the ceiling (as for product prices) keeps them inside the column. */
export const MAX_SHIPPING_AMOUNT = 1_000_000_000;

export class CreateShippingMethodDto {
  @ApiProperty({ example: 'Standard (3–5 days)', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({
    example: 490,
    minimum: 0,
    maximum: MAX_SHIPPING_AMOUNT,
    description: 'Integer minor units of the store currency, in the same price mode as product prices.',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_SHIPPING_AMOUNT)
  rate: number;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 5000,
    minimum: 0,
    maximum: MAX_SHIPPING_AMOUNT,
    description:
      'Free when the discounted subtotal is at least this (minor units); null or absent = never free.',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(0)
  @Max(MAX_SHIPPING_AMOUNT)
  freeOver?: number | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ example: 0, default: 0, description: 'Methods are offered in ascending position.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  position?: number;
}

export class UpdateShippingMethodDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_SHIPPING_AMOUNT })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SHIPPING_AMOUNT)
  rate?: number;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: MAX_SHIPPING_AMOUNT,
    description: 'null makes the method never free.',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(0)
  @Max(MAX_SHIPPING_AMOUNT)
  freeOver?: number | null;

  @ApiPropertyOptional({ description: 'false stops offering it (as DELETE does); true offers it again.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  position?: number;

  @ApiProperty({ description: 'The version you read; a stale version gets 409.' })
  @IsInt()
  @Min(1)
  version: number;
}

export class ShippingMethodDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  zoneId: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency of `rate` and `freeOver`' })
  currency: string;

  @ApiProperty({ type: 'integer', example: 490, description: 'minor units of `currency`' })
  rate: number;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    example: 5000,
    description: 'Free from this discounted subtotal on; minor units of `currency`.',
  })
  freeOver: number | null;

  @ApiProperty()
  active: boolean;

  @ApiProperty()
  position: number;

  @ApiProperty({ description: 'Send it back with a change (optimistic concurrency).' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** What the storefront sees of a method: no versions, no inactive ones. */
export class OfferedShippingMethodDto {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: 'Standard (3–5 days)' })
  name: string;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency of `rate` and `freeOver`' })
  currency: string;

  @ApiProperty({ type: 'integer', example: 490, description: 'minor units of `currency`' })
  rate: number;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    example: 5000,
    description: 'Free from this discounted subtotal on; minor units of `currency`.',
  })
  freeOver: number | null;
}

export class OfferedShippingMethodListDto {
  @ApiProperty({ type: [OfferedShippingMethodDto] })
  data: OfferedShippingMethodDto[];
}

export class ShippingMethodsQueryDto {
  @ApiProperty({ description: 'Destination country, ISO 3166-1 alpha-2 (case-insensitive), e.g. `DE`.' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toUpperCase() : value,
  )
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code' })
  country: string;
}

export function toShippingMethodDto(method: ShippingMethod, currency: string): ShippingMethodDto {
  return {
    id: method.id,
    zoneId: method.zoneId,
    name: method.name,
    currency,
    rate: method.rate,
    freeOver: method.freeOver,
    active: method.active,
    position: method.position,
    version: method.version,
    createdAt: method.createdAt.toISOString(),
    updatedAt: method.updatedAt.toISOString(),
  };
}

export function toOfferedShippingMethodDto(
  method: Pick<ShippingMethod, 'id' | 'name' | 'rate' | 'freeOver'>,
  currency: string,
): OfferedShippingMethodDto {
  return {
    id: method.id,
    name: method.name,
    currency,
    rate: method.rate,
    freeOver: method.freeOver,
  };
}
