import { ApiProperty } from '@nestjs/swagger';
import {
  CATALOG_JOB_KINDS,
  CATALOG_JOB_STATES,
  type CatalogJob,
  type CatalogJobKind,
  type CatalogJobState,
  MAX_REPORTED_ERRORS,
} from '../entities/catalog-job.entity';

export class CatalogJobLinksDto {
  @ApiProperty({ example: '/v1/admin/jobs/0192f1d4-6f1e-7c3a-9b1a-3f2d1c0b9a87' })
  self: string;
}

/** The answer to an upload: the job exists and is queued. */
export class CatalogJobAcceptedDto {
  @ApiProperty({ example: '0192f1d4-6f1e-7c3a-9b1a-3f2d1c0b9a87' })
  id: string;

  @ApiProperty({ enum: CATALOG_JOB_STATES, example: 'queued' })
  state: CatalogJobState;

  @ApiProperty({ type: CatalogJobLinksDto })
  links: CatalogJobLinksDto;
}

export class CatalogJobRowErrorDto {
  @ApiProperty({ example: 42, description: 'The CSV line the row starts on; the header is line 1.' })
  line: number;

  @ApiProperty({ type: String, nullable: true, example: 'LIN-SHIRT-M' })
  sku: string | null;

  @ApiProperty({ example: 'price must be a whole number from 0 to 1000000000 (got "-5")' })
  reason: string;
}

export class CatalogJobResponseDto {
  @ApiProperty()
  id: string;

  @ApiProperty({ enum: CATALOG_JOB_KINDS })
  kind: CatalogJobKind;

  @ApiProperty({ enum: CATALOG_JOB_STATES })
  state: CatalogJobState;

  @ApiProperty({ type: Number, nullable: true, description: 'Data rows in the file; null until counted.' })
  totalRows: number | null;

  @ApiProperty({ description: 'Rows applied or already up to date.' })
  rowsDone: number;

  @ApiProperty({ description: 'Bad rows, skipped.' })
  rowsFailed: number;

  @ApiProperty({ description: 'Of rowsDone: rows that created their variant.' })
  rowsCreated: number;

  @ApiProperty({ description: 'Of rowsDone: rows that changed a variant, its product or its stock.' })
  rowsUpdated: number;

  @ApiProperty({ description: 'Of rowsDone: rows that matched the catalog already (nothing written).' })
  rowsUnchanged: number;

  @ApiProperty({ minimum: 0, maximum: 100, description: 'Rows processed, in percent of totalRows.' })
  percent: number;

  @ApiProperty({
    type: [CatalogJobRowErrorDto],
    description: `The first ${MAX_REPORTED_ERRORS} bad rows, in line order.`,
  })
  errors: CatalogJobRowErrorDto[];

  @ApiProperty({ description: 'How many bad rows there are in all (errors lists at most the first 1,000).' })
  errorCount: number;

  @ApiProperty({ type: String, nullable: true, description: 'Why the whole job failed, when it did.' })
  failure: string | null;

  @ApiProperty({ description: 'SHA-256 of the uploaded file (hex).' })
  fileSha256: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;
}

export const catalogJobPath = (id: string): string => `/v1/admin/jobs/${id}`;

export function toCatalogJobResponse(job: CatalogJob): CatalogJobResponseDto {
  const processed = job.rowsDone + job.rowsFailed;
  const percent =
    job.state === 'completed'
      ? 100
      : job.totalRows
        ? Math.min(100, Math.floor((processed * 100) / job.totalRows))
        : 0;
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    totalRows: job.totalRows,
    rowsDone: job.rowsDone,
    rowsFailed: job.rowsFailed,
    rowsCreated: job.rowsCreated,
    rowsUpdated: job.rowsUpdated,
    rowsUnchanged: job.rowsDone - job.rowsCreated - job.rowsUpdated,
    percent,
    errors: job.errors,
    errorCount: job.rowsFailed,
    failure: job.failure,
    fileSha256: job.fileSha256,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
