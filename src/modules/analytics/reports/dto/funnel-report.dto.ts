import { ApiProperty } from '@nestjs/swagger';
import { ReportRangeQueryDto } from './report-range.query.dto';

export class FunnelQueryDto extends ReportRangeQueryDto {}

export class FunnelReportDto {
  @ApiProperty({ example: '2026-03-01', format: 'date' })
  from: string;

  @ApiProperty({ example: '2026-03-31', format: 'date' })
  to: string;

  @ApiProperty({ example: 'Europe/Berlin', description: 'The store time zone `from` and `to` are dates in.' })
  timeZone: string;

  @ApiProperty({
    type: 'integer',
    example: 1200,
    description:
      'Carts created in the range (guest carts later merged into a customer cart included). Carts are never ' +
      'deleted, so the number for a past range does not change.',
  })
  cartsCreated: number;

  @ApiProperty({ type: 'integer', example: 300, description: 'Of those carts, the ones that became an order (at any time since).' })
  checkedOut: number;

  @ApiProperty({
    type: 'integer',
    example: 240,
    description: 'Of those carts, the ones whose order has been paid (refunds and cancellations after payment do not undo it).',
  })
  paid: number;

  @ApiProperty({ type: 'number', format: 'double', example: 0.25, description: 'checkedOut ÷ cartsCreated, 4 decimals half up; 0 without carts.' })
  checkoutRate: number;

  @ApiProperty({ type: 'number', format: 'double', example: 0.8, description: 'paid ÷ checkedOut, 4 decimals half up; 0 without checkouts.' })
  paymentRate: number;
}
