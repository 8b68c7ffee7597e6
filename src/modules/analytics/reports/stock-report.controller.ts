import { ApiProblemResponses, RequirePermission } from '@app/common';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { StockReportDto, StockReportQueryDto } from './dto/stock-report.dto';
import { ReportCsv, ReportJsonOrCsv } from './csv-report.decorator';
import { STOCK_REPORT_CSV } from './stock-report-csv';
import { StockReportService } from './stock-report.service';

const DESCRIPTION =
  'Live stock, not a range: sellable variants that are sold out or low, with units sold in the last 30 ' +
  'days (orders paid, from the product rollups) and days of cover = available ÷ (units ÷ 30), null when ' +
  'nothing sold.';

@ApiTags('admin: reports')
@Controller({ path: 'admin/reports' })
export class StockReportController {
  constructor(private readonly reports: StockReportService) {}

  @Get('stock')
  @RequirePermission('reports:read')
  @ApiOperation({
    summary: 'Sold-out and low-stock variants with days of cover',
    description: `${DESCRIPTION} With \`Accept: text/csv\`: the same rows as CSV.`,
  })
  @ReportJsonOrCsv(StockReportDto, STOCK_REPORT_CSV)
  @ApiProblemResponses(400, 401, 403)
  stock(@Query() query: StockReportQueryDto): Promise<StockReportDto> {
    return this.reports.report(query);
  }

  @Get('stock.csv')
  @RequirePermission('reports:read')
  @ApiOperation({ summary: 'Sold-out and low-stock variants as CSV (streamed)', description: DESCRIPTION })
  @ReportCsv(STOCK_REPORT_CSV)
  @ApiProblemResponses(400, 401, 403)
  stockCsv(@Query() query: StockReportQueryDto): Promise<StockReportDto> {
    return this.reports.report(query);
  }
}
