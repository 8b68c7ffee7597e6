import { AppConfig } from '@app/config';
import { ReplicaReads } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type SalesMeasures, zeroMeasures, SALES_MEASURES } from '../sales-measures';
import { SalesRollupsRepository } from '../sales-rollups.repository';
import type { SalesReportQueryDto } from './dto/sales-report.query.dto';
import type { SalesMeasuresDto, SalesReportResponseDto } from './dto/sales-report.response.dto';
import { epochDays, nextPeriodStart, reportPeriods } from './report-periods';

/** Total ÷ count rounded half up to the minor unit (amounts here are never negative); 0 for no count. */
export function averageHalfUp(total: number, count: number): number {
  return count === 0 ? 0 : Math.floor((2 * total + count) / (2 * count));
}

export function toSalesMeasuresDto(currency: string, measures: SalesMeasures): SalesMeasuresDto {
  return {
    currency,
    ordersPlaced: measures.ordersPlaced,
    ordersPaid: measures.ordersPaid,
    ordersCancelled: measures.ordersCancelled,
    units: measures.units,
    gross: measures.gross,
    discounts: measures.discounts,
    shipping: measures.shipping,
    tax: measures.tax,
    refunds: measures.refunds,
    net: measures.net,
    averageOrderValue: averageHalfUp(measures.placedTotal, measures.ordersPlaced),
    newCustomers: measures.newCustomers,
    returningCustomers: measures.returningCustomers,
  };
}

const add = (sum: SalesMeasures, more: SalesMeasures): void => {
  for (const measure of SALES_MEASURES) sum[measure] += more[measure];
};

/**
 * The sales report: the rollups summed into the store's days, weeks or months, never the orders. It
 * reads `sales_daily` (a year is ~730 rows) when that is built for the store's time zone, else sums
 * `sales_hourly` between the local midnights (the same numbers: sales_daily is their per-day sum).
 * Either way one indexed range, grouped in MySQL, on the read replica when there is one (the
 * rollups trail the orders anyway: ReplicaReads.lagging).
 */
@Injectable()
export class SalesReportService {
  constructor(
    private readonly config: AppConfig,
    private readonly rollups: SalesRollupsRepository,
    private readonly reads: ReplicaReads,
  ) {}

  async report(query: SalesReportQueryDto): Promise<SalesReportResponseDto> {
    const { from, to, interval, currency } = query;
    const timeZone = this.config.analytics.storeTimeZone;
    const periods = reportPeriods(from, to, interval, timeZone);
    const sums = await this.reads.lagging((manager) => this.sums(manager, query, periods));

    const currencies = currency ? [currency] : [...new Set(sums.map((row) => row.currency))].sort();
    const byKey = new Map(sums.map((row) => [`${row.period}|${row.currency}`, row.measures]));
    const totals = new Map(currencies.map((code) => [code, zeroMeasures()]));
    const data = periods.flatMap(({ period }, index) =>
      currencies.map((code) => {
        const measures = byKey.get(`${index}|${code}`) ?? zeroMeasures();
        add(totals.get(code)!, measures);
        return { period, ...toSalesMeasuresDto(code, measures) };
      }),
    );
    return {
      timeZone,
      interval,
      from,
      to,
      data,
      totals: currencies.map((code) => toSalesMeasuresDto(code, totals.get(code)!)),
    };
  }

  /** The rollups summed per period (and currency): from `sales_daily` when it fits the store's zone. */
  private async sums(
    manager: EntityManager,
    { to, currency }: SalesReportQueryDto,
    periods: ReturnType<typeof reportPeriods>,
  ) {
    return (await this.rollups.dailyTimeZone(manager)) === this.config.analytics.storeTimeZone
      ? this.rollups.sumDailyByPeriod(
          manager,
          [...periods.map(({ period }) => epochDays(period)), epochDays(nextPeriodStart(to, 'day'))],
          currency,
        )
      : this.rollups.sumByPeriod(
          manager,
          [...periods.map((period) => period.start), periods[periods.length - 1].end],
          currency,
        );
  }
}
