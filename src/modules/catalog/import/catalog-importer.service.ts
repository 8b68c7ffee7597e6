import { RequestActor } from '@app/common';
import { TransactionContext, TransactionRunner } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { CsvError, parse } from 'csv-parse';
import { pipeline, Readable } from 'node:stream';
import { AuditService } from '../../audit';
import { CatalogChangesService } from '../storefront/catalog-changes.service';
import { ImportRunSupersededError } from './catalog-import.errors';
import { BatchKeys, CatalogImportRepository } from './catalog-import.repository';
import { CatalogJobsRepository, JobProgress } from './catalog-jobs.repository';
import { CSV_PARSE_OPTIONS, readHeader, recordStartLine } from './csv-format';
import { CatalogJobRowError, MAX_REPORTED_ERRORS } from './entities/catalog-job.entity';
import { ImportBatchPlan, RowOutcome } from './import-batch-plan';
import { ImportBatchWriterService, ImportContext } from './import-batch-writer.service';
import { ImportRow, ImportRowReader } from './import-row';

/** Rows per batch (one transaction each); a batch ends between two products when it can. */
export const BATCH_ROWS = 500;
const MAX_BATCH_ROWS = 2 * BATCH_ROWS;

export type ImportResult = 'completed' | 'failed' | 'already-finished' | 'superseded';

interface CsvRecord {
  fields: string[];
  line: number;
}

/** One run of a job: its attempt number and what it has done so far. */
interface Run {
  jobId: string;
  attempt: number;
  context: ImportContext;
  progress: Required<JobProgress>;
}

/**
 * Imports a stored CSV file (worker side). A run claims the job, counts the rows (an unreadable file
 * fails the job before anything is written), then reads the file again as a stream and applies it in
 * batches of about BATCH_ROWS rows, each in one transaction with the job's progress. Bull delivers at
 * least once: a finished job is not run again, and a run that a newer one replaced stops at its next
 * batch. A restarted job begins again from the top, which is safe because importing is idempotent.
 */
@Injectable()
export class CatalogImporterService {
  private readonly logger = new Logger(CatalogImporterService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly jobs: CatalogJobsRepository,
    private readonly imports: CatalogImportRepository,
    private readonly writer: ImportBatchWriterService,
    private readonly changes: CatalogChangesService,
    private readonly audit: AuditService,
  ) {}

  /** `finalAttempt`: no retry follows, so an error fails the job for good. */
  async run(jobId: string, finalAttempt = true): Promise<ImportResult> {
    try {
      return await this.runOnce(jobId);
    } catch (error) {
      if (error instanceof ImportRunSupersededError) return 'superseded';
      if (finalAttempt) await this.markFailed(jobId, `the import stopped: ${(error as Error).message}`);
      throw error;
    }
  }

  private async runOnce(jobId: string): Promise<ImportResult> {
    const claim = await this.transactions.run((manager) => this.jobs.claim(manager, jobId));
    if (!claim) return 'already-finished';
    const run: Run = {
      jobId,
      attempt: claim.attempt,
      context: {
        jobId,
        actor: jobActor(claim.createdBy, jobId),
        actorReference: claim.createdBy,
      },
      progress: { totalRows: null, rowsDone: 0, rowsFailed: 0, rowsCreated: 0, rowsUpdated: 0, errors: [] },
    };

    const counted = await this.countRows(jobId);
    if (typeof counted === 'string') {
      await this.finish(run, 'failed', counted);
      return 'failed';
    }
    run.progress.totalRows = counted;
    await this.inRun(run, (manager) =>
      this.jobs.saveProgress(manager, jobId, { ...run.progress, errors: [] }),
    );

    let reader: ImportRowReader | undefined;
    let batch: ImportRow[] = [];
    for await (const { fields, line } of this.records(jobId)) {
      if (!reader) {
        reader = new ImportRowReader(readHeader(fields).header);
        continue;
      }
      const row = reader.read(fields, line);
      if (
        batch.length >= BATCH_ROWS &&
        (batch.length >= MAX_BATCH_ROWS || slugOf(row) !== slugOf(batch.at(-1)!))
      ) {
        await this.applyBatch(run, reader, batch);
        batch = [];
      }
      batch.push(row);
    }
    if (reader && batch.length > 0) await this.applyBatch(run, reader, batch);
    await this.finish(run, 'completed', null);
    return 'completed';
  }

  /** Marks a job failed whatever run it is in (called when no retry is left). */
  async markFailed(jobId: string, failure: string): Promise<void> {
    await this.transactions
      .run(async (manager) => {
        if (await this.jobs.claimForFailure(manager, jobId))
          await this.jobs.finish(manager, jobId, 'failed', failure);
      })
      .catch((error: unknown) =>
        this.logger.error({ err: error, jobId }, 'could not mark the import failed'),
      );
  }

  private async applyBatch(run: Run, reader: ImportRowReader, rows: ImportRow[]): Promise<void> {
    const { progress } = await this.inRun(run, async (manager) => {
      const snapshot = await this.imports.loadSnapshot(manager, batchKeys(rows));
      const plan = new ImportBatchPlan(snapshot, (slug) => reader.firstLineOf(slug)).apply(rows);
      await this.writer.write(manager, plan, run.context);
      if (plan.changesSomething) await this.changes.invalidateOnCommit(manager);
      const progress = advance(run.progress, plan.outcomes);
      await this.jobs.saveProgress(
        manager,
        run.jobId,
        progress.errors.length > run.progress.errors.length ? progress : { ...progress, errors: undefined },
      );
      return { progress };
    });
    run.progress = progress;
  }

  private async finish(run: Run, state: 'completed' | 'failed', failure: string | null): Promise<void> {
    await this.inRun(run, async (manager) => {
      await this.jobs.saveProgress(manager, run.jobId, run.progress);
      await this.jobs.finish(manager, run.jobId, state, failure);
      await this.jobs.deleteFile(manager, run.jobId);
      const { totalRows, rowsDone, rowsFailed, rowsCreated, rowsUpdated } = run.progress;
      await this.audit.record(manager, run.context.actor, {
        action: state === 'completed' ? 'catalog.imported' : 'catalog.import-failed',
        target: { type: 'catalog-job', id: run.jobId },
        details: {
          totalRows,
          rowsDone,
          rowsFailed,
          rowsCreated,
          rowsUpdated,
          rowsUnchanged: rowsDone - rowsCreated - rowsUpdated,
          ...(failure ? { failure } : {}),
        },
      });
    });
  }

  /** A transaction that commits only while this run is still the job's latest. */
  private inRun<T>(run: Run, work: (tx: TransactionContext) => Promise<T>): Promise<T> {
    return this.transactions.run(async (manager) => {
      if (!(await this.jobs.holdRun(manager, run.jobId, run.attempt)))
        throw new ImportRunSupersededError(run.jobId, run.attempt);
      return work(manager);
    });
  }

  /** Data rows in the file, or why the file cannot be read as CSV of this format. */
  private async countRows(jobId: string): Promise<number | string> {
    let rows = -1;
    try {
      for await (const { fields } of this.records(jobId)) {
        if (rows === -1) {
          const { problems } = readHeader(fields);
          if (problems.length > 0) return `The header is not valid: ${problems.join('; ')}`;
        }
        rows++;
      }
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      return `The file is not valid CSV (line ${(error as CsvError & { lines?: number }).lines ?? '?'}): ${error.message}`;
    }
    return rows === -1 ? 'The file is empty; it needs a header row' : rows;
  }

  /** The stored file's records, parsed as they are read from the database a chunk at a time. */
  private async *records(jobId: string): AsyncGenerator<CsvRecord> {
    const jobs = this.jobs;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let seq = 0; ; seq++) {
        const chunk = await jobs.readChunk(jobId, seq);
        if (!chunk) return;
        yield chunk;
      }
    }
    const parser = pipeline(Readable.from(chunks()), parse(CSV_PARSE_OPTIONS), () => undefined);
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>)
      yield { fields: record, line: recordStartLine(info.lines, record) };
  }
}

function slugOf(row: ImportRow): string | undefined {
  return row.kind === 'rejected' ? undefined : row.slug;
}

function batchKeys(rows: ImportRow[]): BatchKeys {
  const slugs = new Set<string>();
  const skus = new Set<string>();
  const categorySlugs = new Set<string>();
  const stockSkus = new Set<string>();
  for (const row of rows) {
    if (row.kind === 'rejected') continue;
    slugs.add(row.slug);
    const sku = row.kind === 'variant' ? row.variant.sku : row.sku;
    skus.add(sku);
    if (row.kind === 'variant') for (const slug of row.product?.categorySlugs ?? []) categorySlugs.add(slug);
    if (row.stock) stockSkus.add(sku);
  }
  return { slugs: [...slugs], skus: [...skus], categorySlugs: [...categorySlugs], stockSkus: [...stockSkus] };
}

/** The run's progress after a batch's outcomes (a new object: the run adopts it once committed). */
function advance(progress: Required<JobProgress>, outcomes: RowOutcome[]): Required<JobProgress> {
  const next = { ...progress, errors: progress.errors };
  const errors: CatalogJobRowError[] = [];
  for (const outcome of outcomes) {
    if (outcome.result === 'rejected') {
      next.rowsFailed++;
      if (progress.errors.length + errors.length < MAX_REPORTED_ERRORS)
        errors.push({ line: outcome.line, sku: outcome.sku, reason: outcome.reason });
      continue;
    }
    next.rowsDone++;
    if (outcome.result === 'created') next.rowsCreated++;
    if (outcome.result === 'updated') next.rowsUpdated++;
  }
  if (errors.length > 0) next.errors = [...progress.errors, ...errors];
  return next;
}

/**
 * The uploader as the audit log's actor. Only the kind and id are recorded; the role and permissions
 * are not known here and not needed (the upload was authorised when it was accepted).
 */
function jobActor(createdBy: string, jobId: string): RequestActor {
  const separator = createdBy.indexOf(':');
  const kind = createdBy.slice(0, separator);
  const id = createdBy.slice(separator + 1);
  return {
    principal:
      kind === 'api-key'
        ? { kind: 'api-key', apiKeyId: id, permissions: new Set() }
        : { kind: 'user', userId: id, sessionId: '', role: 'staff', permissions: new Set() },
    requestId: `job:${jobId}`,
    ip: '',
    userAgent: 'catalog-import',
  };
}
