import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class CreateEventTicketDto {
  @ApiPropertyOptional({
    description:
      'A guest follows one order: its id, with the order token in `X-Order-Token` (or the cart token in `X-Cart-Token`). Ignored for a signed-in person, whose ticket opens their own feed.',
    maxLength: 64,
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'orderId must be an order id' })
  orderId?: string;
}

export class EventTicketResponseDto {
  @ApiProperty({
    description: 'Single-use: pass it once as `GET /v1/events?ticket=…`. Treat it as a secret.',
  })
  ticket: string;

  @ApiProperty({ example: 60, description: 'Seconds until the ticket expires unused.' })
  expiresIn: number;
}

export class ListenToEventsQueryDto {
  @ApiPropertyOptional({
    description:
      'A ticket from `POST /v1/events/tickets` (browsers: EventSource cannot send an Authorization header). Single-use.',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  ticket?: string;

  @ApiPropertyOptional({
    description:
      'Resume after this event id, such as `1765000000000-0` (as `Last-Event-ID` would; use it when reconnecting with a new ticket).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  lastEventId?: string;
}
