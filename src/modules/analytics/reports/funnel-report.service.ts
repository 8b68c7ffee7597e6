import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { CartFunnelService } from '../../carts';
import { localRangeInUtc } from '../store-calendar';
import type { FunnelQueryDto, FunnelReportDto } from './dto/funnel-report.dto';
import { rate } from './report-arithmetic';

/**
 * The cart funnel as a cohort: the carts created on the local dates asked for, and what became of
 * them since (an order, a paid order). Counted from the carts and orders, which are never deleted.
 */
@Injectable()
export class FunnelReportService {
  constructor(
    private readonly config: AppConfig,
    private readonly carts: CartFunnelService,
  ) {}

  async report(query: FunnelQueryDto): Promise<FunnelReportDto> {
    const timeZone = this.config.analytics.storeTimeZone;
    const { start, end } = localRangeInUtc(query.from, query.to, timeZone);
    const cohort = await this.carts.cohort(start, end);
    return {
      from: query.from,
      to: query.to,
      timeZone,
      cartsCreated: cohort.created,
      checkedOut: cohort.checkedOut,
      paid: cohort.paid,
      checkoutRate: rate(cohort.checkedOut, cohort.created),
      paymentRate: rate(cohort.paid, cohort.checkedOut),
    };
  }
}
