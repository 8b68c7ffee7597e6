import { ApiProperty } from '@nestjs/swagger';
import { REPORT_INTERVALS, type ReportInterval } from '../report-periods';

const MINOR = 'integer minor units of `currency`';

/** The measures of a sales report row (one period) or total (the whole range), for one currency. */
export class SalesMeasuresDto {
  @ApiProperty({ example: 'EUR', description: 'ISO 4217 currency of every amount in the row.' })
  currency: string;

  @ApiProperty({ type: 'integer', example: 42, description: 'Orders placed (checked out) in the period.' })
  ordersPlaced: number;

  @ApiProperty({ type: 'integer', example: 39, description: 'Orders paid in the period (whenever placed).' })
  ordersPaid: number;

  @ApiProperty({
    type: 'integer',
    example: 2,
    description: 'Orders cancelled in the period (whenever placed).',
  })
  ordersCancelled: number;

  @ApiProperty({ type: 'integer', example: 97, description: 'Units on the orders placed in the period.' })
  units: number;

  @ApiProperty({
    type: 'integer',
    example: 250000,
    description: `Line subtotals (before discounts) of the orders placed, ${MINOR}.`,
  })
  gross: number;

  @ApiProperty({ type: 'integer', example: 12500, description: `Discounts on the orders placed, ${MINOR}.` })
  discounts: number;

  @ApiProperty({ type: 'integer', example: 19600, description: `Shipping charged on the orders placed, ${MINOR}.` })
  shipping: number;

  @ApiProperty({
    type: 'integer',
    example: 40180,
    description: `Tax on the orders placed (included or added, as priced), ${MINOR}.`,
  })
  tax: number;

  @ApiProperty({
    type: 'integer',
    example: 5000,
    description: `Refunds that succeeded, dated when asked for, ${MINOR}.`,
  })
  refunds: number;

  @ApiProperty({
    type: 'integer',
    example: 280000,
    description: `Money kept: totals of the orders paid in the period less the refunds in it, ${MINOR}; may be negative.`,
  })
  net: number;

  @ApiProperty({
    type: 'integer',
    example: 6790,
    description: `Average order value: the placed orders' totals divided by \`ordersPlaced\`, rounded half up to the minor unit (0 without orders), ${MINOR}.`,
  })
  averageOrderValue: number;

  @ApiProperty({
    type: 'integer',
    example: 30,
    description:
      "Orders placed whose customer (the account, or a guest's email) had placed no order before: " +
      'new customers. With `returningCustomers` it makes `ordersPlaced`.',
  })
  newCustomers: number;

  @ApiProperty({
    type: 'integer',
    example: 12,
    description: 'Orders placed whose customer had placed an order before: returning customers.',
  })
  returningCustomers: number;
}

export class SalesReportRowDto extends SalesMeasuresDto {
  @ApiProperty({
    format: 'date',
    example: '2026-03-02',
    description: 'The first local date of the period (a day, a Monday, the 1st), or `from` for the first one.',
  })
  period: string;
}

export class SalesReportResponseDto {
  @ApiProperty({ example: 'Europe/Berlin', description: "The store's IANA time zone: where days begin." })
  timeZone: string;

  @ApiProperty({ enum: REPORT_INTERVALS, example: 'day' })
  interval: ReportInterval;

  @ApiProperty({ format: 'date', example: '2026-03-01', description: 'First local date of the range.' })
  from: string;

  @ApiProperty({ format: 'date', example: '2026-03-31', description: 'Last local date of the range (included).' })
  to: string;

  @ApiProperty({
    type: [SalesReportRowDto],
    description:
      'One row per period per currency, by period then currency: every period of the range, with zeros ' +
      'where nothing happened, for each currency with activity in the range (or the one asked for).',
  })
  data: SalesReportRowDto[];

  @ApiProperty({
    type: [SalesMeasuresDto],
    description: 'The whole range per currency (the sums of `data`; the average order value of the range).',
  })
  totals: SalesMeasuresDto[];
}
