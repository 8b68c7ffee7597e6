import type { RequestActor } from '@app/common';
import type { TransactionRunner } from '@app/database';
import type { Job, Queue } from 'bull';
import type { AuditService } from '../../audit';
import type { QueueRegistry } from '../../../queues/queue.registry';
import { JobNotFailedError, JobNotFoundError } from './failed-jobs.errors';
import { FailedJobsService } from './failed-jobs.service';

/**
 * A failed job that another request takes between the state check and the act (a double click, a
 * second admin): Bull then throws a plain Error, which must become the 409/404 it stands for.
 */
function raced(after: 'waiting' | 'removed') {
  const job = {
    id: '7',
    name: 'mail.send',
    data: {},
    opts: { attempts: 5 },
    attemptsMade: 5,
    timestamp: Date.now(),
    finishedOn: Date.now(),
    failedReason: 'boom',
    getState: jest.fn().mockResolvedValueOnce('failed').mockResolvedValue(after),
    retry: jest.fn().mockRejectedValue(new Error("Couldn't retry job: The job is not in the failed state")),
    remove: jest.fn().mockRejectedValue(new Error('Could not remove job 7')),
  } as unknown as Job;
  let reads = 0;
  const queue = {
    name: 'mail',
    getJob: jest.fn(() => Promise.resolve(after === 'removed' && reads++ > 0 ? null : job)),
  } as unknown as Queue;
  const registry = { names: ['mail'], get: () => queue, all: () => [queue] } as unknown as QueueRegistry;
  const audit = { record: jest.fn() } as unknown as AuditService;
  const transactions = { run: jest.fn() } as unknown as TransactionRunner;
  return { service: new FailedJobsService(registry, transactions, audit), audit };
}

const actor = {} as RequestActor;

describe('FailedJobsService (a job taken meanwhile)', () => {
  it('retry of a job retried meanwhile is 409 job-not-failed, and nothing is audited', async () => {
    const { service, audit } = raced('waiting');
    await expect(service.retry(actor, 'mail', '7')).rejects.toBeInstanceOf(JobNotFailedError);
    expect(audit.record).not.toHaveBeenCalled();
  });

  it('discard of a job retried meanwhile is 409, of one removed meanwhile 404', async () => {
    await expect(raced('waiting').service.discard(actor, 'mail', '7')).rejects.toBeInstanceOf(
      JobNotFailedError,
    );
    await expect(raced('removed').service.discard(actor, 'mail', '7')).rejects.toBeInstanceOf(
      JobNotFoundError,
    );
  });
});
