import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An uploaded file, in chunks of at most FILE_CHUNK_BYTES: each INSERT stays far below
 * `max_allowed_packet` (16 MiB by default, the same as the largest upload) and the worker streams
 * the file a chunk at a time instead of holding it whole.
 */
@Entity({ name: 'catalog_job_files' })
export class CatalogJobFile {
  @PrimaryColumn({ type: 'char', length: 36, name: 'job_id' })
  jobId: string;

  @PrimaryColumn({ type: 'int', unsigned: true, name: 'seq' })
  seq: number;

  @Column({ type: 'mediumblob', name: 'data' })
  data: Buffer;
}

export const FILE_CHUNK_BYTES = 1024 * 1024;
