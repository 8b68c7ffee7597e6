import { ApiProblemResponses, RequirePermission } from '@app/common';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { FunnelQueryDto, FunnelReportDto } from './dto/funnel-report.dto';
import { FunnelReportService } from './funnel-report.service';
import { ReportCsv, ReportJsonOrCsv } from './csv-report.decorator';
import { FUNNEL_REPORT_CSV } from './funnel-report-csv';

const DESCRIPTION =
  'A cohort: the carts created on the local dates from..to (store time zone, at most 366 days), and how ' +
  'many of them became an order and a paid order since. Counted from the carts and orders, which are ' +
  'never deleted, so a past range keeps its cartsCreated.';

@ApiTags('admin: reports')
@Controller({ path: 'admin/reports' })
export class FunnelReportController {
  constructor(private readonly reports: FunnelReportService) {}

  @Get('funnel')
  @RequirePermission('reports:read')
  @ApiOperation({
    summary: 'Cart funnel: created → checked out → paid',
    description: `${DESCRIPTION} With \`Accept: text/csv\`: the same numbers as CSV.`,
  })
  @ReportJsonOrCsv(FunnelReportDto, FUNNEL_REPORT_CSV)
  @ApiProblemResponses(400, 401, 403)
  funnel(@Query() query: FunnelQueryDto): Promise<FunnelReportDto> {
    return this.reports.report(query);
  }

  @Get('funnel.csv')
  @RequirePermission('reports:read')
  @ApiOperation({ summary: 'Cart funnel as CSV (streamed)', description: DESCRIPTION })
  @ReportCsv(FUNNEL_REPORT_CSV)
  @ApiProblemResponses(400, 401, 403)
  funnelCsv(@Query() query: FunnelQueryDto): Promise<FunnelReportDto> {
    return this.reports.report(query);
  }
}
