import type { CsvReportOptions } from './csv-report.interceptor';
import { type CsvColumn, fieldColumns } from './csv-response';
import type { StockReportDto, StockRowDto } from './dto/stock-report.dto';

/** stock.csv: the variants' rows, every field, in the JSON's order. */
export const STOCK_REPORT_CSV: CsvReportOptions<StockReportDto, StockRowDto> = {
  filename: 'stock.csv',
  columns: [
    ...fieldColumns<StockRowDto>(['variantId', 'sku', 'productId', 'productName', 'available', 'status']),
    // snakeCase would say units_sold_last30_days: the digits get their own word.
    { header: 'units_sold_last_30_days', value: (row) => row.unitsSoldLast30Days },
    ...fieldColumns<StockRowDto>(['daysOfCover']),
  ] satisfies ReadonlyArray<CsvColumn<StockRowDto>>,
  rows: (report) => report.data,
};
