import { PageQueryDto } from '@app/common';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { WEBHOOK_DELIVERY_STATUSES, type WebhookDeliveryStatus } from '../entities/webhook-delivery.entity';
import { isValidEventFilter, WEBHOOK_EVENT_TYPES } from '../webhook-event-types';

const FILTERS_DESCRIPTION =
  'Event types to receive: `*` (all), a group such as `order.*`, `payment.*`, `inventory.*`, `job.*`, or one type: ' +
  WEBHOOK_EVENT_TYPES.map((type) => `\`${type}\``).join(', ') +
  '.';

const IsEventFilters = () =>
  applyDecorators(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(50),
    IsString({ each: true }),
    ValidateBy(
      {
        name: 'isEventFilter',
        validator: {
          validate: (value: unknown) => typeof value === 'string' && isValidEventFilter(value),
          defaultMessage: () =>
            'each of $property must be *, a group like order.* or a known event type such as order.paid',
        },
      },
      { each: true },
    ),
  );
/** Optional, but never null: absent leaves the value as it is. */
const IsPresentIfGiven = () => ValidateIf((_: object, value: unknown) => value !== undefined);

export class CreateWebhookEndpointDto {
  @ApiProperty({ maxLength: 2048, example: 'https://hooks.example.com/storekeep' })
  @IsString()
  @MaxLength(2048)
  url: string;

  @ApiProperty({
    type: [String],
    example: ['order.*', 'payment.succeeded'],
    description: FILTERS_DESCRIPTION,
  })
  @IsEventFilters()
  eventTypes: string[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, example: 'ERP order sync' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ maxLength: 2048 })
  @IsPresentIfGiven()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ type: [String], description: FILTERS_DESCRIPTION })
  @IsPresentIfGiven()
  @IsEventFilters()
  eventTypes?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({
    description: 'false pauses deliveries; true re-enables an endpoint that was disabled.',
  })
  @IsPresentIfGiven()
  @IsBoolean()
  enabled?: boolean;
}

export class ListWebhookDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: WEBHOOK_DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(WEBHOOK_DELIVERY_STATUSES)
  status?: WebhookDeliveryStatus;
}

export class ReplayFailedDeliveriesDto {
  @ApiProperty({
    format: 'date-time',
    description: 'Replay failed deliveries created at or after this time.',
  })
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(/T.*(Z|[+-]\d{2}:\d{2})$/, { message: '$property must be a date-time with Z or an offset' })
  since: string;
}
