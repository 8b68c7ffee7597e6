import { blankAsAbsent, PageQueryDto } from '@app/common';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { PROMOTION_KINDS, type PromotionKind } from '../entities/promotion.entity';
import { CODE_PATTERN, MAX_MONEY, MAX_PERCENT_BP, normalizeCode } from '../promotion-terms';

const MAX_COUNT = 1_000_000_000;
const CODE_MESSAGE = 'code must be 3 to 50 letters, digits, "_" or "-"';
const toCode = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? normalizeCode(value) : value;
const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;
/** A date-time with its offset: a time without one would be read in the server's zone. */
const IsInstant = () =>
  applyDecorators(
    IsISO8601({ strict: true, strictSeparator: true }),
    Matches(/T.*(Z|[+-]\d{2}:\d{2})$/, { message: '$property must be a date-time with Z or an offset' }),
  );
/** Optional, but never null: absent leaves the value as it is. */
const IsPresentIfGiven = () => ValidateIf((_: object, value: unknown) => value !== undefined);

/** The terms every write may set; null clears an optional one. */
abstract class PromotionTermsDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, example: 'Spring sale, 20% off' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: MAX_PERCENT_BP,
    example: 2000,
    description: 'Basis points off the subtotal (2000 = 20%); required for, and only for, `percentage`.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PERCENT_BP)
  percentBp?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: MAX_MONEY,
    example: 500,
    description:
      'Integer minor units of the store currency off the subtotal; required for, and only for, `fixed_amount`.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_MONEY)
  amount?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: MAX_MONEY,
    description: 'Integer minor units: the code applies only to subtotals of at least this.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_MONEY)
  minSubtotal?: number | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Valid from (inclusive).',
  })
  @IsOptional()
  @IsInstant()
  startsAt?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Valid until (exclusive); must be after startsAt.',
  })
  @IsOptional()
  @IsInstant()
  endsAt?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: MAX_COUNT,
    description: 'Uses in all (null: unlimited).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_COUNT)
  usageLimit?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: MAX_COUNT,
    description: 'Uses per customer (null: unlimited).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_COUNT)
  perCustomerLimit?: number | null;

  @ApiPropertyOptional({ default: true, description: 'Inactive codes cannot be redeemed.' })
  @IsPresentIfGiven()
  @IsBoolean()
  active?: boolean;
}

export class CreatePromotionDto extends PromotionTermsDto {
  @ApiProperty({
    example: 'SPRING-20',
    pattern: CODE_PATTERN.source,
    description: 'Stored trimmed and upper-cased; codes are matched case-insensitively.',
  })
  @Transform(toCode)
  @IsString()
  @Matches(CODE_PATTERN, { message: CODE_MESSAGE })
  code: string;

  @ApiProperty({ enum: PROMOTION_KINDS })
  @IsIn(PROMOTION_KINDS)
  kind: PromotionKind;
}

export class UpdatePromotionDto extends PromotionTermsDto {
  @ApiPropertyOptional({ example: 'SPRING-25', pattern: CODE_PATTERN.source })
  @IsPresentIfGiven()
  @Transform(toCode)
  @IsString()
  @Matches(CODE_PATTERN, { message: CODE_MESSAGE })
  code?: string;

  @ApiPropertyOptional({
    enum: PROMOTION_KINDS,
    description: 'Changing the kind clears the other kind’s terms unless you send them (then 400).',
  })
  @IsPresentIfGiven()
  @IsIn(PROMOTION_KINDS)
  kind?: PromotionKind;

  @ApiPropertyOptional({
    example: 1,
    description: 'The version you read; a stale one gets 409. Required unless you send If-Match (412).',
  })
  @IsPresentIfGiven()
  @IsInt()
  @Min(1)
  version?: number;
}

export class ListPromotionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Codes starting with this (case-insensitive).', maxLength: 50 })
  @Transform(blankAsAbsent)
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,50}$/, { message: 'code must be letters, digits, "_" or "-"' })
  code?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  active?: boolean;
}
