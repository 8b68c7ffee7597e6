import { applyDecorators, SetMetadata, type Type, UseInterceptors } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProduces, getSchemaPath } from '@nestjs/swagger';
import { CSV_MEDIA_TYPE } from './csv-response';
import {
  CSV_REPORT,
  CsvReportInterceptor,
  type CsvReportMetadata,
  type CsvReportOptions,
} from './csv-report.interceptor';

const CSV_SCHEMA = {
  type: 'string',
  description: 'CSV (RFC 4180, UTF-8): a header row of snake_case column names, then one record per row.',
} as const;

/**
 * A report route answering JSON (`type`), or the same report as CSV when `Accept` prefers
 * `text/csv`. Documents both media types of the 200.
 */
export function ReportJsonOrCsv<Report, Row>(
  type: Type<Report>,
  csv: CsvReportOptions<Report, Row>,
): MethodDecorator {
  return applyDecorators(
    SetMetadata(CSV_REPORT, { csv, mode: 'negotiated' } as CsvReportMetadata),
    UseInterceptors(CsvReportInterceptor),
    ApiExtraModels(type),
    ApiOkResponse({
      description: `The report as JSON, or with \`Accept: ${CSV_MEDIA_TYPE}\` as the CSV download \`${csv.filename}\` (the \`data\` rows). The answer varies by Accept.`,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(type) } },
        [CSV_MEDIA_TYPE]: { schema: CSV_SCHEMA },
      },
    }),
  );
}

/** The `<report>.csv` route: the same report, always as a CSV download (streamed). */
export function ReportCsv<Report, Row>(csv: CsvReportOptions<Report, Row>): MethodDecorator {
  return applyDecorators(
    SetMetadata(CSV_REPORT, { csv, mode: 'always' } as CsvReportMetadata),
    UseInterceptors(CsvReportInterceptor),
    ApiProduces(CSV_MEDIA_TYPE),
    ApiOkResponse({
      description: `The CSV download \`${csv.filename}\`: the same rows and numbers as the JSON report's \`data\`.`,
      content: { [CSV_MEDIA_TYPE]: { schema: CSV_SCHEMA } },
    }),
  );
}
