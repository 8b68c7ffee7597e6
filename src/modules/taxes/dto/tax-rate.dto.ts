import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsISO31661Alpha2, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import type { TaxRate } from '../entities/tax-rate.entity';

/** 100 % in basis points. */
export const MAX_RATE_BP = 10_000;
/** An ISO 3166-2 subdivision code is the country, a dash and one to three letters or digits. */
export const REGION_PATTERN = /^[A-Z0-9]{1,3}$/;

const upperCase = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toUpperCase() : value;
/** null, '' and absent all mean the whole country, stored as ''. */
const regionOrEmpty = ({ value }: { value: unknown }): unknown =>
  value === null || value === undefined ? '' : upperCase({ value });

export class CreateTaxRateDto {
  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2 (case-insensitive; stored upper-case).' })
  @Transform(upperCase)
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code' })
  country: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'CA',
    description:
      'ISO 3166-2 subdivision code without the country prefix (CA for US-CA); absent, null or "" for the whole ' +
      'country. A region rate takes precedence over the country-wide one.',
  })
  @Transform(regionOrEmpty)
  @IsString()
  @Matches(/^(?:[A-Z0-9]{1,3})?$/, {
    message:
      'region must be an ISO 3166-2 subdivision code without the country prefix (CA for US-CA), or empty',
  })
  region: string = '';

  @ApiProperty({ example: 'California sales tax', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: 825, minimum: 0, maximum: MAX_RATE_BP, description: 'Basis points: 1900 = 19 %.' })
  @IsInt()
  @Min(0)
  @Max(MAX_RATE_BP)
  rateBp: number;
}

export class UpdateTaxRateDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_RATE_BP, description: 'Basis points: 1900 = 19 %.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_RATE_BP)
  rateBp?: number;

  @ApiProperty({ description: 'The version you read; a stale version gets 409.' })
  @IsInt()
  @Min(1)
  version: number;
}

export class ListTaxRatesQueryDto {
  @ApiPropertyOptional({ description: 'Only this country’s rates (ISO 3166-1 alpha-2), e.g. `US`.' })
  @IsOptional()
  @Transform(upperCase)
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code' })
  country?: string;
}

export class TaxRateDto {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: 'US' })
  country: string;

  @ApiProperty({ type: String, nullable: true, example: 'CA', description: 'null for the whole country.' })
  region: string | null;

  @ApiProperty()
  name: string;

  @ApiProperty({ example: 825, description: 'Basis points: 1900 = 19 %.' })
  rateBp: number;

  @ApiProperty({ description: 'Send it back with a change (optimistic concurrency).' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class TaxRateListDto {
  @ApiProperty({ type: [TaxRateDto] })
  data: TaxRateDto[];
}

export function toTaxRateDto(rate: TaxRate): TaxRateDto {
  return {
    id: rate.id,
    country: rate.country,
    region: rate.region === '' ? null : rate.region,
    name: rate.name,
    rateBp: rate.rateBp,
    version: rate.version,
    createdAt: rate.createdAt.toISOString(),
    updatedAt: rate.updatedAt.toISOString(),
  };
}
