import { fieldColumns } from './csv-response';
import type { CsvReportOptions } from './csv-report.interceptor';
import type { SalesReportResponseDto, SalesReportRowDto } from './dto/sales-report.response.dto';

/** sales.csv: the report's `data` rows, every measure, in the JSON's order. */
export const SALES_REPORT_CSV: CsvReportOptions<SalesReportResponseDto, SalesReportRowDto> = {
  filename: 'sales.csv',
  columns: fieldColumns<SalesReportRowDto>([
    'period',
    'currency',
    'ordersPlaced',
    'ordersPaid',
    'ordersCancelled',
    'units',
    'gross',
    'discounts',
    'shipping',
    'tax',
    'refunds',
    'net',
    'averageOrderValue',
    'newCustomers',
    'returningCustomers',
  ]),
  rows: (report) => report.data,
};
