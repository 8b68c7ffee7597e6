import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CatalogJob, CatalogJobRowError, CatalogJobState } from './entities/catalog-job.entity';
import { CatalogJobFile, FILE_CHUNK_BYTES } from './entities/catalog-job-file.entity';

export type NewImportJob = Pick<CatalogJob, 'id' | 'fileSha256' | 'fileBytes' | 'createdBy'>;

/** What a run has done so far; written with each batch (absolute values: a restart starts at zero). */
export interface JobProgress {
  totalRows: number | null;
  rowsDone: number;
  rowsFailed: number;
  rowsCreated: number;
  rowsUpdated: number;
  /** Written only when given (the list changes only when a batch had bad rows). */
  errors?: CatalogJobRowError[];
}

export interface ClaimedJob {
  attempt: number;
  createdBy: string;
}

/** Catalog jobs and their files. */
@Injectable()
export class CatalogJobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The job row and its file, in chunks small enough for any `max_allowed_packet`. */
  async insertImport(manager: EntityManager, job: NewImportJob, file: Buffer): Promise<void> {
    await manager.insert(CatalogJob, { ...job, kind: 'import', state: 'queued', errors: [] });
    for (let seq = 0, offset = 0; offset < file.length; seq++, offset += FILE_CHUNK_BYTES)
      await manager.insert(CatalogJobFile, {
        jobId: job.id,
        seq,
        data: file.subarray(offset, offset + FILE_CHUNK_BYTES),
      });
  }

  findById(id: string): Promise<CatalogJob | null> {
    return this.dataSource.manager.findOneBy(CatalogJob, { id });
  }

  /** One chunk of a job's file (null past the last one); read by the worker as it parses. */
  async readChunk(jobId: string, seq: number): Promise<Buffer | null> {
    const rows = await this.dataSource.query<Array<{ data: Buffer }>>(
      'SELECT data FROM catalog_job_files WHERE job_id = ? AND seq = ?',
      [jobId, seq],
    );
    return rows[0]?.data ?? null;
  }

  /**
   * Starts a run of a queued or interrupted job: a new attempt number, progress back to zero. Null
   * when the job is unknown or already finished (a redelivered job does nothing).
   */
  async claim(manager: EntityManager, id: string): Promise<ClaimedJob | null> {
    const job = await manager.findOne(CatalogJob, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!job || job.state === 'completed' || job.state === 'failed') return null;
    const attempt = job.attempts + 1;
    await manager.update(
      CatalogJob,
      { id },
      {
        state: 'running',
        attempts: attempt,
        startedAt: () => 'CURRENT_TIMESTAMP(3)',
        totalRows: null,
        rowsDone: 0,
        rowsFailed: 0,
        rowsCreated: 0,
        rowsUpdated: 0,
        errors: [],
        failure: null,
      },
    );
    return { attempt, createdBy: job.createdBy };
  }

  /** Locks the job row; true while `attempt` is its latest run and it is still running. */
  async holdRun(manager: EntityManager, id: string, attempt: number): Promise<boolean> {
    const rows = await manager.query<Array<{ state: CatalogJobState; attempts: number }>>(
      'SELECT state, attempts FROM catalog_jobs WHERE id = ? FOR UPDATE',
      [id],
    );
    return rows[0]?.state === 'running' && Number(rows[0].attempts) === attempt;
  }

  /** Locks the job row; true when it has not finished (so it may be marked failed). */
  async claimForFailure(manager: EntityManager, id: string): Promise<boolean> {
    const rows = await manager.query<Array<{ state: CatalogJobState }>>(
      'SELECT state FROM catalog_jobs WHERE id = ? FOR UPDATE',
      [id],
    );
    return rows[0]?.state === 'queued' || rows[0]?.state === 'running';
  }

  async saveProgress(manager: EntityManager, id: string, progress: JobProgress): Promise<void> {
    const { errors, ...counts } = progress;
    await manager.update(CatalogJob, { id }, errors ? { ...counts, errors } : counts);
  }

  async finish(
    manager: EntityManager,
    id: string,
    state: Extract<CatalogJobState, 'completed' | 'failed'>,
    failure: string | null,
  ): Promise<void> {
    await manager.update(
      CatalogJob,
      { id },
      { state, failure: failure?.slice(0, 500) ?? null, finishedAt: () => 'CURRENT_TIMESTAMP(3)' },
    );
  }

  /** A finished job's file is not read again: only its hash and size stay, on the job. */
  async deleteFile(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(CatalogJobFile, { jobId: id });
  }
}
