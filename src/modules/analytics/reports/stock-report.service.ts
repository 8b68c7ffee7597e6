import { ReplicaReads } from '@app/database';
import { Injectable } from '@nestjs/common';
import { StockShortageService } from '../../inventory';
import { ProductSalesRollupsRepository } from '../product-sales-rollups.repository';
import { hourBucket } from '../store-calendar';
import type { StockReportDto, StockReportQueryDto, StockRowDto } from './dto/stock-report.dto';
import { compareStockRows, daysOfCover, SALES_RATE_DAYS } from './report-arithmetic';

const DAY_MS = 86_400_000;

/**
 * Sold-out and low-stock variants now (inventory's live levels), each with its sales rate of the
 * last 30 days from the product rollups and the days its stock covers at that rate.
 */
@Injectable()
export class StockReportService {
  constructor(
    private readonly stock: StockShortageService,
    private readonly rollups: ProductSalesRollupsRepository,
    private readonly reads: ReplicaReads,
  ) {}

  async report(query: StockReportQueryDto, now = new Date()): Promise<StockReportDto> {
    const short = await this.stock.shortVariants(query.lowStockThreshold ?? null);
    const since = new Date(hourBucket(now).getTime() - SALES_RATE_DAYS * DAY_MS);
    const sold = await this.reads.lagging((manager) =>
      this.rollups.unitsSince(
        manager,
        short.map((variant) => variant.variantId),
        since,
      ),
    );
    const data: StockRowDto[] = short.map((variant) => {
      const unitsSoldLast30Days = sold.get(variant.variantId) ?? 0;
      return {
        variantId: variant.variantId,
        sku: variant.sku,
        productId: variant.productId,
        productName: variant.productTitle,
        available: variant.available,
        status: variant.status,
        unitsSoldLast30Days,
        daysOfCover: daysOfCover(variant.available, unitsSoldLast30Days),
      };
    });
    return { generatedAt: now.toISOString(), data: data.sort(compareStockRows) };
  }
}
