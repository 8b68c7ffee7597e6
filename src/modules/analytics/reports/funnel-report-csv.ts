import type { CsvReportOptions } from './csv-report.interceptor';
import { fieldColumns } from './csv-response';
import type { FunnelReportDto } from './dto/funnel-report.dto';

/** funnel.csv: one row, the JSON's fields in its order. */
export const FUNNEL_REPORT_CSV: CsvReportOptions<FunnelReportDto, FunnelReportDto> = {
  filename: 'funnel.csv',
  columns: fieldColumns<FunnelReportDto>([
    'from',
    'to',
    'timeZone',
    'cartsCreated',
    'checkedOut',
    'paid',
    'checkoutRate',
    'paymentRate',
  ]),
  rows: (report) => [report],
};
