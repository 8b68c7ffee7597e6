import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { MAX_RANGE_DAYS, REPORT_INTERVALS, type ReportInterval } from '../report-periods';
import { IsReportCurrency, IsReportDate, IsReportRangeEnd } from './report-range.query.dto';

const intervalOf = (dto: Record<string, unknown>): ReportInterval =>
  (REPORT_INTERVALS as readonly unknown[]).includes(dto.interval) ? (dto.interval as ReportInterval) : 'day';

export class SalesReportQueryDto {
  @ApiProperty({
    format: 'date',
    description: 'First local date of the range (YYYY-MM-DD, in the store time zone), included.',
  })
  @IsReportDate()
  from: string;

  @ApiProperty({
    format: 'date',
    description:
      'Last local date of the range (YYYY-MM-DD), included; not before `from`. The range (both ends ' +
      `counted) is at most ${MAX_RANGE_DAYS.day} days with \`interval=day\`, ${MAX_RANGE_DAYS.week} with ` +
      `\`week\` and ${MAX_RANGE_DAYS.month} with \`month\`.`,
  })
  @IsReportDate()
  @IsReportRangeEnd((dto) => MAX_RANGE_DAYS[intervalOf(dto)])
  to: string;

  @ApiPropertyOptional({
    enum: REPORT_INTERVALS,
    default: 'day',
    description:
      'One row per local day, per ISO week (Monday to Sunday) or per calendar month, in the store time ' +
      'zone (DST included). The first and last periods are clipped to the range.',
  })
  @IsOptional()
  @IsIn(REPORT_INTERVALS)
  interval: ReportInterval = 'day';

  @ApiPropertyOptional({
    pattern: '^[A-Z]{3}$',
    description:
      'Only this ISO 4217 currency (rows for it even if nothing happened). Without it: every currency ' +
      'with any activity in the range.',
  })
  @IsOptional()
  @IsReportCurrency()
  currency?: string;
}
