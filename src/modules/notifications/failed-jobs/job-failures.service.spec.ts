import { FakeTransactions, mockOf } from '@app/testing/unit-fixture';
import type { Job, Queue } from 'bull';
import type { OutboxService } from '../../outbox';
import type { QueueRegistry } from '../../../queues/queue.registry';
import type { JobFailureCounterService } from './job-failure-counter.service';
import { isFinalFailure, JobFailuresService } from './job-failures.service';

const job = (fields: Partial<Job>): Job =>
  ({
    id: '7',
    name: 'mail.send',
    attemptsMade: 5,
    opts: { attempts: 5 },
    failedReason: 'boom',
    ...fields,
  }) as Job;
const queue = (name: string) => ({ name }) as Queue;

describe('JobFailuresService', () => {
  let transactions: FakeTransactions;
  let outbox: jest.Mocked<OutboxService>;
  let counter: jest.Mocked<JobFailureCounterService>;
  let service: JobFailuresService;

  beforeEach(() => {
    transactions = new FakeTransactions();
    outbox = mockOf<OutboxService>({ enqueue: () => Promise.resolve() });
    counter = mockOf<JobFailureCounterService>({ increment: () => Promise.resolve() });
    service = new JobFailuresService(mockOf<QueueRegistry>(), transactions.runner, outbox, counter);
  });

  it('counts a job that failed for good and announces it as job.failed', async () => {
    await service.failedForGood(queue('mail'), job({}), new Error('boom'));
    expect(counter.increment).toHaveBeenCalledWith('mail', 'mail.send');
    expect(outbox.enqueue).toHaveBeenCalledWith(transactions.tx, {
      jobName: 'job.failed',
      payload: { queue: 'mail', jobId: '7', name: 'mail.send', failedReason: 'boom', attemptsMade: 5 },
    });
  });

  it('never announces the failure of a job.failed event (it would announce itself forever)', async () => {
    await service.failedForGood(queue('events'), job({ name: 'job.failed' }), undefined);
    expect(counter.increment).toHaveBeenCalledWith('events', 'job.failed');
    expect(outbox.enqueue).not.toHaveBeenCalled();
    // Other events that fail are announced.
    await service.failedForGood(queue('events'), job({ name: 'order.placed' }), undefined);
    expect(outbox.enqueue).toHaveBeenCalledTimes(1);
  });
});

describe('isFinalFailure', () => {
  it('is true once the attempts are used up, or when Bull finished the job early (discarded)', () => {
    expect(isFinalFailure(job({ attemptsMade: 5 }))).toBe(true);
    expect(isFinalFailure(job({ attemptsMade: 1, opts: { attempts: 1 } }))).toBe(true);
    expect(isFinalFailure(job({ attemptsMade: 2, processedOn: 100, finishedOn: 150 }))).toBe(true);
  });

  it('is false for an attempt Bull will retry, even with a stale finishedOn from before a retry', () => {
    expect(isFinalFailure(job({ attemptsMade: 2, processedOn: 100 }))).toBe(false);
    expect(isFinalFailure(job({ attemptsMade: 2, processedOn: 200, finishedOn: 150 }))).toBe(false);
  });
});
