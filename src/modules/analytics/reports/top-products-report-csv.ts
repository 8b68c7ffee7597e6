import type { CsvReportOptions } from './csv-report.interceptor';
import { fieldColumns } from './csv-response';
import type { TopProductRowDto, TopProductsReportDto } from './dto/top-products.dto';

/** top-products.csv: the ranking's rows, every field, in the JSON's order. */
export const TOP_PRODUCTS_CSV: CsvReportOptions<TopProductsReportDto, TopProductRowDto> = {
  filename: 'top-products.csv',
  columns: fieldColumns<TopProductRowDto>([
    'rank',
    'productId',
    'productName',
    'variantId',
    'sku',
    'currency',
    'units',
    'net',
  ]),
  rows: (report) => report.data,
};
