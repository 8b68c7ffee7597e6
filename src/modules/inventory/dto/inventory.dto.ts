import { PageQueryDto } from '@app/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  NotEquals,
  ValidateNested,
} from 'class-validator';
import { MOVEMENT_REASONS, type MovementReason } from '../entities/inventory-movement.entity';
import { RESERVATION_STATUSES, type ReservationStatus } from '../entities/inventory-reservation.entity';

/** Reasons staff may record by hand; reservation, release and transfer are made by their own use cases. */
export const ADJUSTMENT_REASONS = ['received', 'sold', 'returned', 'damaged', 'correction'] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];
const MAX_QUANTITY = 1_000_000;

export class CreateLocationDto {
  @ApiProperty({ example: 'main', description: 'Short unique code (letters, digits, dashes).' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,49}$/, { message: 'code must be 1-50 lower-case letters, digits or dashes' })
  code: string;

  @ApiProperty({ example: 'Main warehouse' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ example: 0, description: 'Reservations draw from lower priorities first.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  priority?: number;
}

export class UpdateLocationDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  priority?: number;

  @ApiPropertyOptional({ description: 'Inactive locations keep their stock but serve no reservation.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiProperty({ description: 'The version you read; a stale version gets 409.' })
  @IsInt()
  @Min(1)
  version: number;
}

export class LocationDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  code: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  priority: number;

  @ApiProperty()
  active: boolean;

  @ApiProperty()
  version: number;
}

export class LocationListDto {
  @ApiProperty({ type: [LocationDto] })
  data: LocationDto[];
}

export class AdjustStockDto {
  @ApiProperty()
  @IsUUID()
  variantId: string;

  @ApiProperty()
  @IsUUID()
  locationId: string;

  @ApiProperty({
    example: 10,
    description: 'Change to on-hand: positive for received/returned, negative for sold/damaged.',
  })
  @IsInt()
  @NotEquals(0)
  @Min(-MAX_QUANTITY)
  @Max(MAX_QUANTITY)
  delta: number;

  @ApiProperty({ enum: ADJUSTMENT_REASONS })
  @IsIn(ADJUSTMENT_REASONS)
  reason: AdjustmentReason;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class TransferStockDto {
  @ApiProperty()
  @IsUUID()
  variantId: string;

  @ApiProperty()
  @IsUUID()
  fromLocationId: string;

  @ApiProperty()
  @IsUUID()
  toLocationId: string;

  @ApiProperty({ example: 5, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity: number;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class LevelDto {
  @ApiProperty()
  variantId: string;

  @ApiProperty()
  sku: string;

  @ApiProperty()
  locationId: string;

  @ApiProperty()
  locationCode: string;

  @ApiProperty()
  onHand: number;

  @ApiProperty()
  reserved: number;

  @ApiProperty({ description: 'onHand − reserved' })
  available: number;
}

export class LevelPageDto {
  @ApiProperty({ type: [LevelDto] })
  data: LevelDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export class ListLevelsQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  variantId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  locationId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  sku?: string;
}

export class MovementDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  variantId: string;

  @ApiProperty()
  locationId: string;

  @ApiProperty({ enum: MOVEMENT_REASONS })
  reason: MovementReason;

  @ApiProperty()
  onHandDelta: number;

  @ApiProperty()
  reservedDelta: number;

  @ApiPropertyOptional({ type: String, nullable: true })
  reference: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ example: 'user:0192…' })
  actor: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class MovementPageDto {
  @ApiProperty({ type: [MovementDto] })
  data: MovementDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export class ListMovementsQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  variantId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  locationId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  reference?: string;
}

export class StockChangeResultDto {
  @ApiProperty({ type: [LevelDto], description: 'The levels after the change.' })
  levels: LevelDto[];
}

export class ReserveLineDto {
  @ApiProperty()
  @IsUUID()
  variantId: string;

  @ApiProperty({ minimum: 1, maximum: 999 })
  @IsInt()
  @Min(1)
  @Max(999)
  quantity: number;
}

export class CreateReservationDto {
  @ApiProperty({
    example: 'order:1001',
    description: 'Your id for what the stock is held for; one reservation each (retries are idempotent).',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9:._-]{1,100}$/, { message: 'reference must be 1-100 letters, digits or : . _ -' })
  reference: string;

  @ApiProperty({ type: [ReserveLineDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ReserveLineDto)
  lines: ReserveLineDto[];

  @ApiPropertyOptional({
    description: 'Seconds until it may be released as expired (kept until committed or released).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(30 * 24 * 3600)
  expiresInSeconds?: number;
}

export class ReservationLineDto {
  @ApiProperty()
  variantId: string;

  @ApiProperty()
  locationId: string;

  @ApiProperty()
  quantity: number;
}

export class ReservationDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  reference: string;

  @ApiProperty({ enum: RESERVATION_STATUSES })
  status: ReservationStatus;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;

  @ApiProperty({ type: [ReservationLineDto] })
  lines: ReservationLineDto[];
}
