import { DomainError } from '@app/common';

export class UnknownQueueError extends DomainError {
  readonly kind = 'malformed';
  readonly type = 'unknown-queue';
  readonly title = 'There is no such queue';
  constructor(queue: string) {
    super(`There is no queue "${queue.slice(0, 64)}"; GET /v1/admin/jobs lists each failed job's queue.`);
  }
}

export class JobNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'job-not-found';
  readonly title = 'Job not found';
  constructor(queue: string, id: string) {
    super(`Queue ${queue} holds no job ${id.slice(0, 64)}.`);
  }
}

export class JobNotFailedError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'job-not-failed';
  readonly title = 'The job has not failed';
  constructor(queue: string, id: string, state: string) {
    super(`Job ${id} of queue ${queue} is ${state}: only failed jobs can be retried or discarded.`);
  }
}
