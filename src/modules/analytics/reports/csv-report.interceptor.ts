import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  StreamableFile,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { CSV_CONTENT_TYPE, csvStream, prefersCsv, type CsvColumn } from './csv-response';

export const CSV_REPORT = 'storekeep:csv-report';

/** How a report's JSON answer becomes CSV: the file name, the columns, the rows of the answer. */
export interface CsvReportOptions<Report = never, Row = never> {
  /** `sales.csv`: the download's name (Content-Disposition). */
  filename: string;
  columns: ReadonlyArray<CsvColumn<Row>>;
  rows: (report: Report) => Iterable<Row> | AsyncIterable<Row>;
}

export interface CsvReportMetadata {
  csv: CsvReportOptions<unknown, unknown>;
  /** `always`: the `.csv` route; `negotiated`: the JSON route, CSV when `Accept` prefers it. */
  mode: 'always' | 'negotiated';
}

/**
 * Turns a report route's answer into a CSV download when the route is a `.csv` one or the client's
 * `Accept` prefers text/csv; otherwise the answer goes out as JSON, with `Vary: Accept`. Errors
 * (validation, permissions) stay problem+json: they never reach the mapping.
 */
@Injectable()
export class CsvReportInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const metadata = this.reflector.get<CsvReportMetadata | undefined>(CSV_REPORT, context.getHandler());
    if (!metadata) return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (metadata.mode === 'negotiated') addVary(reply, 'Accept');
    if (metadata.mode === 'negotiated' && !prefersCsv(request.headers.accept)) return next.handle();
    const { filename, columns, rows } = metadata.csv;
    return next.handle().pipe(
      map(
        (report: unknown) =>
          new StreamableFile(csvStream(columns, rows(report)), {
            type: CSV_CONTENT_TYPE,
            disposition: `attachment; filename="${filename}"`,
          }),
      ),
    );
  }
}

function addVary(reply: FastifyReply, field: string): void {
  const current = reply.getHeader('vary');
  const fields = String(current ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  if (!fields.some((value) => value.toLowerCase() === field.toLowerCase() || value === '*'))
    void reply.header('vary', [...fields, field].join(', '));
}
