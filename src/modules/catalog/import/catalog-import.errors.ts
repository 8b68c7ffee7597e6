import { DomainError } from '@app/common';

export class CatalogJobNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'catalog-job-not-found';
  readonly title = 'Job not found';
  constructor(id: string) {
    super(`There is no catalog job ${JSON.stringify(id)}.`);
  }
}

/** The file as a whole cannot be imported (bad header): refused before any job exists. */
export class InvalidImportFileError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'invalid-import-file';
  readonly title = 'The file cannot be imported';
  constructor(problems: string[]) {
    super(`The CSV file cannot be imported: ${problems.join('; ')}.`, { problems });
  }
}

/** A newer run of the same job took over (Bull redelivered it): this run stops without writing. */
export class ImportRunSupersededError extends Error {
  constructor(jobId: string, attempt: number) {
    super(`Run ${attempt} of catalog job ${jobId} was superseded by a newer run`);
    this.name = 'ImportRunSupersededError';
  }
}
