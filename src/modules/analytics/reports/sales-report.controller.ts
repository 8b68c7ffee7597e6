import { ApiProblemResponses, RequirePermission } from '@app/common';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReportCsv, ReportJsonOrCsv } from './csv-report.decorator';
import { SalesReportQueryDto } from './dto/sales-report.query.dto';
import { SalesReportResponseDto } from './dto/sales-report.response.dto';
import { SALES_REPORT_CSV } from './sales-report-csv';
import { SalesReportService } from './sales-report.service';

const SALES_DESCRIPTION =
  'Sales per local day, ISO week or calendar month of the store time zone (DST included), per currency, ' +
  'from the sales rollups (per local day, kept beside the hourly ones). Every period of the range is present (zeros where nothing happened). ' +
  'Placed measures (orders, units, gross, discounts, shipping, tax, customers) count orders by when they ' +
  'were placed; paid and cancelled orders by when that happened; refunds by when they were asked for.';

@ApiTags('admin: reports')
@Controller({ path: 'admin/reports' })
export class SalesReportController {
  constructor(private readonly sales: SalesReportService) {}

  @Get('sales')
  @RequirePermission('reports:read')
  @ApiOperation({ summary: 'Sales report (JSON, or CSV with Accept: text/csv)', description: SALES_DESCRIPTION })
  @ReportJsonOrCsv(SalesReportResponseDto, SALES_REPORT_CSV)
  @ApiProblemResponses(400, 401, 403)
  report(@Query() query: SalesReportQueryDto): Promise<SalesReportResponseDto> {
    return this.sales.report(query);
  }

  /** The same report; the interceptor of @ReportCsv streams it out as CSV. */
  @Get('sales.csv')
  @RequirePermission('reports:read')
  @ApiOperation({ summary: 'Sales report as a CSV download (streamed)', description: SALES_DESCRIPTION })
  @ReportCsv(SALES_REPORT_CSV)
  @ApiProblemResponses(400, 401, 403)
  csv(@Query() query: SalesReportQueryDto): Promise<SalesReportResponseDto> {
    return this.sales.report(query);
  }
}
