import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ReportRangeQueryDto } from './report-range.query.dto';
import { SalesReportQueryDto } from './sales-report.query.dto';

const problems = <T extends object>(type: new () => T, query: Record<string, string>) =>
  validateSync(plainToInstance(type, query)).map((error) => [
    error.property,
    Object.values(error.constraints ?? {}).join('; '),
  ]);

describe('report range queries', () => {
  it('accepts a range of up to 366 days, both ends counted', () => {
    expect(problems(ReportRangeQueryDto, { from: '2028-01-01', to: '2028-12-31' })).toEqual([]);
    expect(problems(ReportRangeQueryDto, { from: '2026-10-25', to: '2026-10-25' })).toEqual([]);
  });

  it('refuses a backwards or too long range on `to`, and bad dates on their own field only', () => {
    expect(problems(ReportRangeQueryDto, { from: '2026-10-02', to: '2026-10-01' })).toEqual([
      ['to', 'to (2026-10-01) must not be before from (2026-10-02)'],
    ]);
    expect(problems(ReportRangeQueryDto, { from: '2026-01-01', to: '2027-01-02' })).toEqual([
      ['to', 'the range is 367 days; at most 366 are allowed here'],
    ]);
    expect(problems(ReportRangeQueryDto, { from: '2026-02-29', to: '2026-03-01' })).toEqual([
      ['from', expect.stringContaining('must be a calendar date YYYY-MM-DD')],
    ]);
    expect(problems(ReportRangeQueryDto, { from: '0099-01-01', to: '2026-03-01' })).toEqual([
      ['from', expect.stringContaining('from 1970-01-01 to 2999-12-31')],
    ]);
  });

  it('the sales report allows longer ranges by week and month, and defaults to days', () => {
    const query = { from: '2020-01-01', to: '2025-01-03' }; // 1,830 days
    expect(problems(SalesReportQueryDto, query)).toEqual([['to', expect.stringContaining('at most 366')]]);
    expect(problems(SalesReportQueryDto, { ...query, interval: 'week' })).toEqual([]);
    expect(problems(SalesReportQueryDto, { ...query, to: '2025-01-04', interval: 'week' })).toEqual([
      ['to', 'the range is 1831 days; at most 1830 are allowed here'],
    ]);
    expect(problems(SalesReportQueryDto, { ...query, interval: 'quarter' })).toEqual([
      ['to', expect.stringContaining('at most 366')],
      ['interval', expect.stringContaining('interval must be one of')],
    ]);
    expect(plainToInstance(SalesReportQueryDto, { from: '2026-01-01', to: '2026-01-02' }).interval).toBe('day');
  });
});
