import { AppConfig } from '@app/config';
import { ReplicaReads } from '@app/database';
import { Injectable } from '@nestjs/common';
import { SellableVariantsService } from '../../catalog';
import { ProductSalesRollupsRepository } from '../product-sales-rollups.repository';
import { localRangeInUtc } from '../store-calendar';
import type { TopProductRowDto, TopProductsQueryDto, TopProductsReportDto } from './dto/top-products.dto';

/** A product no longer in the catalog (variants are archived, never deleted: only by hand). */
const UNKNOWN_PRODUCT = '(unknown product)';

/** Top products and variants over local dates, from the hourly product rollups (never from the orders). */
@Injectable()
export class TopProductsReportService {
  constructor(
    private readonly config: AppConfig,
    private readonly rollups: ProductSalesRollupsRepository,
    private readonly variants: SellableVariantsService,
    private readonly reads: ReplicaReads,
  ) {}

  async report(query: TopProductsQueryDto): Promise<TopProductsReportDto> {
    const timeZone = this.config.analytics.storeTimeZone;
    const { start, end } = localRangeInUtc(query.from, query.to, timeZone);
    // On the read replica when there is one (the rollups trail the orders anyway).
    const { ranked, names } = await this.reads.lagging(async (manager) => {
      const rows = await this.rollups.ranking(manager, {
        from: start,
        to: end,
        by: query.by,
        level: query.level,
        limit: query.limit,
        currency: query.currency,
      });
      const variants = await this.variants.findMany(manager, [...new Set(rows.map((row) => row.variantId))]);
      return { ranked: rows, names: variants };
    });
    const byVariant = query.level === 'variant';
    const data: TopProductRowDto[] = ranked.map((row) => {
      const variant = names.get(row.variantId);
      return {
        rank: row.rank,
        productId: row.productId,
        productName: variant?.productTitle ?? UNKNOWN_PRODUCT,
        variantId: byVariant ? row.variantId : null,
        sku: byVariant ? (variant?.sku ?? null) : null,
        currency: row.currency,
        units: row.units,
        net: row.net,
      };
    });
    return { timeZone, from: query.from, to: query.to, by: query.by, level: query.level, data };
  }
}
