import { loadConfig } from '@app/config';
import { TransactionRunner } from '@app/database';
import type { Job, Queue } from 'bull';
import { EntityManager } from 'typeorm';
import { OutboxRedriveService } from './outbox-redrive.service';
import { OutboxRelayService, outboxJobId } from './outbox-relay.service';
import { OutboxRepository, PendingOutboxMessage } from './outbox.repository';

const manager = {} as EntityManager;
const message = (id: string, queue = 'mail'): PendingOutboxMessage => ({
  id,
  queue,
  jobName: 'send',
  payload: { id },
  delayMs: 0,
  traceContext: null,
});

function relayWith(messages: PendingOutboxMessage[], queue: Partial<Queue> | undefined) {
  const outbox = {
    lockNextUnpublished: jest.fn().mockResolvedValue(messages),
    markPublished: jest.fn().mockResolvedValue(undefined),
    recordFailure: jest.fn().mockResolvedValue(undefined),
  };
  const transactions = { run: (work: (m: EntityManager) => Promise<unknown>) => work(manager) };
  const queues = { get: jest.fn().mockReturnValue(queue) };
  const relay = new OutboxRelayService(
    loadConfig({}),
    transactions as unknown as TransactionRunner,
    outbox as unknown as OutboxRepository,
    queues,
    { guard: jest.fn().mockResolvedValue(0) } as unknown as OutboxRedriveService,
  );
  return { relay, outbox };
}

describe('OutboxRelayService.publishBatch', () => {
  it('adds each row with its outbox id as job id and marks exactly those rows published', async () => {
    const addBulk = jest.fn((jobs: Array<{ opts: { jobId: string } }>) =>
      Promise.resolve(jobs.map((job) => ({ id: job.opts.jobId }) as unknown as Job)),
    );
    const { relay, outbox } = relayWith([message('1'), message('2')], { addBulk } as unknown as Queue);
    await expect(relay.publishBatch()).resolves.toBe(2);
    expect(addBulk.mock.calls[0][0].map((job) => job.opts.jobId)).toEqual([
      outboxJobId('1'),
      outboxJobId('2'),
    ]);
    expect(outbox.markPublished).toHaveBeenCalledWith(manager, ['1', '2']);
  });

  it("puts a row's trace context on its job as an option, outside the payload", async () => {
    const traced = {
      ...message('3'),
      traceContext: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    };
    const addBulk = jest.fn((jobs: Array<{ opts: { jobId: string } }>) =>
      Promise.resolve(jobs.map((job) => ({ id: job.opts.jobId }) as unknown as Job)),
    );
    const { relay } = relayWith([traced, message('4')], { addBulk } as unknown as Queue);
    await relay.publishBatch();
    const [withContext, without] = addBulk.mock.calls[0][0] as unknown as Array<{
      data: unknown;
      opts: Record<string, unknown>;
    }>;
    expect(withContext).toEqual({
      name: 'send',
      data: { id: '3' },
      opts: { jobId: outboxJobId('3'), delay: undefined, traceContext: traced.traceContext },
    });
    expect(without.opts).not.toHaveProperty('traceContext');
  });

  it('does not mark rows published when Bull silently refused a job (addBulk resolves without an id)', async () => {
    const addBulk = jest.fn().mockResolvedValue([{ id: outboxJobId('1') }, { id: undefined }]);
    const { relay, outbox } = relayWith([message('1'), message('2')], { addBulk });
    await expect(relay.publishBatch()).rejects.toThrow(/refused 1 job/);
    expect(outbox.markPublished).not.toHaveBeenCalled();
  });

  it('records a failure for rows naming a queue this worker does not know, and publishes nothing', async () => {
    const { relay, outbox } = relayWith([message('7', 'no-such-queue')], undefined);
    await expect(relay.publishBatch()).resolves.toBe(0);
    expect(outbox.recordFailure).toHaveBeenCalledWith(manager, ['7'], 'Unknown queue "no-such-queue"');
    expect(outbox.markPublished).toHaveBeenCalledWith(manager, []);
  });
});
