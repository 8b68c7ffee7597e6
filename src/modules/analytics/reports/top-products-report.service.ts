import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
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
    private readonly dataSource: DataSource,
  ) {}

  async report(query: TopProductsQueryDto): Promise<TopProductsReportDto> {
    const timeZone = this.config.analytics.storeTimeZone;
    const { start, end } = localRangeInUtc(query.from, query.to, timeZone);
    const manager = this.dataSource.manager;
    const ranked = await this.rollups.ranking(manager, {
      from: start,
      to: end,
      by: query.by,
      level: query.level,
      limit: query.limit,
      currency: query.currency,
    });
    const names = await this.variants.findMany(manager, [...new Set(ranked.map((row) => row.variantId))]);
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
