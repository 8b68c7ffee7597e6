import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  Length,
  Min,
} from 'class-validator';
import type { ShippingZone } from '../entities/shipping-zone.entity';
import { ShippingMethodDto } from './shipping-method.dto';

/** Countries are matched upper-case; staff may type them in either case. */
const upperCaseEach = ({ value }: { value: unknown }): unknown =>
  Array.isArray(value)
    ? (value as unknown[]).map((item) => (typeof item === 'string' ? item.trim().toUpperCase() : item))
    : value;

const COUNTRIES_RULE =
  'ISO 3166-1 alpha-2 codes (case-insensitive; stored upper-case, repeats ignored). A country belongs to one ' +
  'zone at most: one already in another zone gets 409.';

export class CreateShippingZoneDto {
  @ApiProperty({ example: 'EU', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ type: [String], example: ['DE', 'AT', 'FR'], description: COUNTRIES_RULE })
  @Transform(upperCaseEach)
  @IsArray()
  @ArrayMaxSize(250)
  @IsISO31661Alpha2({ each: true, message: 'each value in countries must be an ISO 3166-1 alpha-2 code' })
  countries: string[];

  @ApiPropertyOptional({ default: true, description: 'An inactive zone offers no method to anyone.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateShippingZoneDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['DE', 'AT'],
    description: `Replaces the zone's countries. ${COUNTRIES_RULE}`,
  })
  @IsOptional()
  @Transform(upperCaseEach)
  @IsArray()
  @ArrayMaxSize(250)
  @IsISO31661Alpha2({ each: true, message: 'each value in countries must be an ISO 3166-1 alpha-2 code' })
  countries?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiProperty({ description: 'The version you read; a stale version gets 409.' })
  @IsInt()
  @Min(1)
  version: number;
}

export class ShippingZoneDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: [String], example: ['AT', 'DE', 'FR'], description: 'Sorted, upper-case.' })
  countries: string[];

  @ApiProperty()
  active: boolean;

  @ApiProperty({ description: 'Send it back with a change (optimistic concurrency).' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ShippingZoneDetailDto extends ShippingZoneDto {
  @ApiProperty({
    type: [ShippingMethodDto],
    description: 'Every method of the zone, inactive ones too, by position.',
  })
  methods: ShippingMethodDto[];
}

export class ShippingZoneListDto {
  @ApiProperty({ type: [ShippingZoneDto] })
  data: ShippingZoneDto[];
}

export function toShippingZoneDto(zone: ShippingZone, countries: string[]): ShippingZoneDto {
  return {
    id: zone.id,
    name: zone.name,
    countries,
    active: zone.active,
    version: zone.version,
    createdAt: zone.createdAt.toISOString(),
    updatedAt: zone.updatedAt.toISOString(),
  };
}
