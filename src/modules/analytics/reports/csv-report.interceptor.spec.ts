import { type ExecutionContext, StreamableFile } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of } from 'rxjs';
import { fieldColumns } from './csv-response';
import { CSV_REPORT, CsvReportInterceptor, type CsvReportMetadata } from './csv-report.interceptor';

interface Report {
  data: Array<{ period: string; net: number }>;
}
const REPORT: Report = { data: [{ period: '2026-03-02', net: -5 }] };
const CSV: CsvReportMetadata['csv'] = {
  filename: 'sales.csv',
  columns: fieldColumns<Report['data'][number]>(['period', 'net']) as CsvReportMetadata['csv']['columns'],
  rows: (report) => (report as Report).data,
};

function run(mode: CsvReportMetadata['mode'] | null, accept?: string, vary?: string) {
  const headers = new Map<string, string>(vary ? [['vary', vary]] : []);
  const reply = {
    getHeader: (name: string) => headers.get(name),
    header: (name: string, value: string) => (headers.set(name, value), reply),
  };
  const handler = function report() {};
  const context = {
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => ({ headers: { accept } }), getResponse: () => reply }),
  } as unknown as ExecutionContext;
  if (mode) Reflect.defineMetadata(CSV_REPORT, { csv: CSV, mode } satisfies CsvReportMetadata, handler);
  const result = lastValueFrom(
    new CsvReportInterceptor(new Reflector()).intercept(context, { handle: () => of(REPORT) }),
  );
  return { result, headers };
}

const text = async (file: StreamableFile): Promise<string> => {
  let out = '';
  for await (const chunk of file.getStream()) out += String(chunk);
  return out;
};

describe('CsvReportInterceptor', () => {
  it('leaves a route without @ReportJsonOrCsv/@ReportCsv alone', async () => {
    const { result, headers } = run(null, 'text/csv');
    expect(await result).toBe(REPORT);
    expect(headers.size).toBe(0);
  });

  it('the JSON route answers JSON unless Accept prefers CSV, and says it varies by Accept (kept beside Origin)', async () => {
    const json = run('negotiated', 'application/json', 'Origin');
    expect(await json.result).toBe(REPORT);
    expect(json.headers.get('vary')).toBe('Origin, Accept');
    const csv = run('negotiated', 'text/csv');
    const file = (await csv.result) as StreamableFile;
    expect(file).toBeInstanceOf(StreamableFile);
    expect(file.getHeaders()).toEqual(
      expect.objectContaining({
        type: 'text/csv; charset=utf-8',
        disposition: 'attachment; filename="sales.csv"',
      }),
    );
    expect(await text(file)).toBe('period,net\n2026-03-02,-5\n');
    expect(csv.headers.get('vary')).toBe('Accept');
  });

  it('the .csv route is CSV whatever Accept says, and does not vary', async () => {
    const { result, headers } = run('always', 'application/json');
    expect(await text((await result) as StreamableFile)).toBe('period,net\n2026-03-02,-5\n');
    expect(headers.has('vary')).toBe(false);
  });
});
