import { RequestActor } from '@app/common';
import { TransactionRunner } from '@app/database';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { OutboxService } from '../../outbox';
import { CatalogJobNotFoundError, InvalidImportFileError } from './catalog-import.errors';
import { CatalogJobsRepository } from './catalog-jobs.repository';
import { readHeader, readHeaderFields } from './csv-format';
import {
  CatalogJobAcceptedDto,
  catalogJobPath,
  CatalogJobResponseDto,
  toCatalogJobResponse,
} from './dto/catalog-job.response.dto';
import { CatalogImportJobs, type ImportCatalogPayload } from './jobs/catalog-import.jobs';

/** `user:<id>` or `api-key:<id>`: how the ledger and the job name who acted. */
export const actorReference = (actor: RequestActor): string =>
  actor.principal.kind === 'user' ? `user:${actor.principal.userId}` : `api-key:${actor.principal.apiKeyId}`;

/** Staff side of imports: accept a file as a job (the worker imports it), report on jobs. */
@Injectable()
export class CatalogImportsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly jobs: CatalogJobsRepository,
    private readonly outbox: OutboxService,
  ) {}

  /** Checks the header (the only check that refuses the whole file), stores the file, queues the job. */
  async upload(actor: RequestActor, file: Buffer): Promise<CatalogJobAcceptedDto> {
    await assertImportableHeader(file);
    const id = uuidv7();
    await this.transactions.run(async (manager) => {
      await this.jobs.insertImport(
        manager,
        {
          id,
          fileSha256: createHash('sha256').update(file).digest('hex'),
          fileBytes: file.length,
          createdBy: actorReference(actor),
        },
        file,
      );
      await this.outbox.enqueue(manager, {
        jobName: CatalogImportJobs.import,
        payload: { jobId: id } satisfies ImportCatalogPayload,
      });
    });
    return { id, state: 'queued', links: { self: catalogJobPath(id) } };
  }

  async get(id: string): Promise<CatalogJobResponseDto> {
    const job = await this.jobs.findById(id);
    if (!job) throw new CatalogJobNotFoundError(id);
    return toCatalogJobResponse(job);
  }
}

async function assertImportableHeader(file: Buffer): Promise<void> {
  let fields: string[] | null;
  try {
    fields = await readHeaderFields(file);
  } catch (error) {
    throw new InvalidImportFileError([`the header row is not valid CSV (${(error as Error).message})`]);
  }
  if (!fields) throw new InvalidImportFileError(['the file is empty; it needs a header row']);
  const { problems } = readHeader(fields);
  if (problems.length > 0) throw new InvalidImportFileError(problems);
}
