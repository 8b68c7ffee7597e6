import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const CATALOG_JOB_KINDS = ['import', 'export'] as const;
export type CatalogJobKind = (typeof CATALOG_JOB_KINDS)[number];

export const CATALOG_JOB_STATES = ['queued', 'running', 'completed', 'failed'] as const;
export type CatalogJobState = (typeof CATALOG_JOB_STATES)[number];

/** A bad row of an import file: its CSV line (the header is line 1), its SKU cell and why. */
export interface CatalogJobRowError {
  line: number;
  sku: string | null;
  reason: string;
}

/** At most this many bad rows are kept on the job; `rows_failed` still counts them all. */
export const MAX_REPORTED_ERRORS = 1_000;

/**
 * A bulk catalog job (a CSV import; `export` is reserved for asynchronous exports — the product
 * export streams and needs no job). The uploaded file lives in `catalog_job_files`.
 */
@Entity({ name: 'catalog_jobs' })
export class CatalogJob {
  /** UUIDv7. */
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'enum', enum: CATALOG_JOB_KINDS, name: 'kind' })
  kind: CatalogJobKind;

  @Column({ type: 'enum', enum: CATALOG_JOB_STATES, name: 'state', default: 'queued' })
  state: CatalogJobState;

  /** Data rows of the file (header excluded); null until the worker has counted them. */
  @Column({ type: 'int', unsigned: true, name: 'total_rows', nullable: true })
  totalRows: number | null;

  /** Rows applied or found already up to date. */
  @Column({ type: 'int', unsigned: true, name: 'rows_done', default: 0 })
  rowsDone: number;

  @Column({ type: 'int', unsigned: true, name: 'rows_failed', default: 0 })
  rowsFailed: number;

  /** Of `rows_done`: rows that created their variant. */
  @Column({ type: 'int', unsigned: true, name: 'rows_created', default: 0 })
  rowsCreated: number;

  /** Of `rows_done`: rows that changed an existing variant, its product or its stock. */
  @Column({ type: 'int', unsigned: true, name: 'rows_updated', default: 0 })
  rowsUpdated: number;

  /** The first MAX_REPORTED_ERRORS bad rows, in line order. */
  @Column({ type: 'json', name: 'errors' })
  errors: CatalogJobRowError[];

  /** Why the whole job failed (unreadable CSV, or out of retries); null otherwise. */
  @Column({ type: 'varchar', length: 500, name: 'failure', nullable: true })
  failure: string | null;

  /** Runs started; a batch commits only while its run is the latest (at-least-once delivery). */
  @Column({ type: 'int', unsigned: true, name: 'attempts', default: 0 })
  attempts: number;

  @Column({ type: 'char', length: 64, name: 'file_sha256', charset: 'ascii', collation: 'ascii_bin' })
  fileSha256: string;

  @Column({ type: 'int', unsigned: true, name: 'file_bytes' })
  fileBytes: number;

  /** `user:<id>` or `api-key:<id>`: who uploaded it (and in whose name the rows are written). */
  @Column({ type: 'varchar', length: 64, name: 'created_by' })
  createdBy: string;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn('started_at', { nullable: true })
  startedAt: Date | null;

  @TimestampColumn('finished_at', { nullable: true })
  finishedAt: Date | null;

  @UpdatedAtColumn()
  updatedAt: Date;
}
