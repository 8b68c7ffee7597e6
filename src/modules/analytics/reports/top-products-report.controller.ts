import { ApiProblemResponses, RequirePermission } from '@app/common';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NET_DEFINITION, TopProductsQueryDto, TopProductsReportDto } from './dto/top-products.dto';
import { ReportCsv, ReportJsonOrCsv } from './csv-report.decorator';
import { TOP_PRODUCTS_CSV } from './top-products-report-csv';
import { TopProductsReportService } from './top-products-report.service';

const DESCRIPTION =
  'From the hourly product rollups, over local dates in the store time zone (at most 366 days). ' +
  'Each currency is ranked on its own: rank 1 is the first of its currency; ties go to the other ' +
  `measure, then the id. ${NET_DEFINITION}`;

@ApiTags('admin: reports')
@Controller({ path: 'admin/reports' })
export class TopProductsReportController {
  constructor(private readonly reports: TopProductsReportService) {}

  @Get('top-products')
  @RequirePermission('reports:read')
  @ApiOperation({
    summary: 'Top products or variants by units or net revenue',
    description: `${DESCRIPTION} With \`Accept: text/csv\`: the same rows as CSV.`,
  })
  @ReportJsonOrCsv(TopProductsReportDto, TOP_PRODUCTS_CSV)
  @ApiProblemResponses(400, 401, 403)
  topProducts(@Query() query: TopProductsQueryDto): Promise<TopProductsReportDto> {
    return this.reports.report(query);
  }

  @Get('top-products.csv')
  @RequirePermission('reports:read')
  @ApiOperation({ summary: 'Top products or variants as CSV (streamed)', description: DESCRIPTION })
  @ReportCsv(TOP_PRODUCTS_CSV)
  @ApiProblemResponses(400, 401, 403)
  topProductsCsv(@Query() query: TopProductsQueryDto): Promise<TopProductsReportDto> {
    return this.reports.report(query);
  }
}
