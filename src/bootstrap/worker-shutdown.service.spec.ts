import { EventEmitter } from 'node:events';
import type { AppConfig } from '@app/config';
import type { Job, Queue } from 'bull';
import type { QueueRegistry } from '../queues/queue.registry';
import { WorkerShutdownService } from './worker-shutdown.service';

/** A queue that only emits Bull's local events and records pause/close. */
class FakeQueue extends EventEmitter {
  closedWithoutWaiting = false;
  constructor(readonly name: string) {
    super();
  }
  pause(): Promise<void> {
    return Promise.resolve();
  }
  close(doNotWaitJobs?: boolean): Promise<void> {
    this.closedWithoutWaiting = doNotWaitJobs === true;
    return Promise.resolve();
  }
}

const job = (id: string) => ({ id }) as unknown as Job;

function serviceFor(queues: FakeQueue[], shutdownTimeoutMs: number): WorkerShutdownService {
  const config = { worker: { shutdownTimeoutMs } } as unknown as AppConfig;
  const registry = { all: () => queues as unknown as Queue[] } as unknown as QueueRegistry;
  const service = new WorkerShutdownService(config, registry);
  service.onApplicationBootstrap();
  return service;
}

describe('WorkerShutdownService', () => {
  it('returns at once when no job runs', async () => {
    const queue = new FakeQueue('a');
    await serviceFor([queue], 10_000).beforeApplicationShutdown();
    expect(queue.closedWithoutWaiting).toBe(false);
  });

  it('waits for a running job to finish', async () => {
    const queue = new FakeQueue('a');
    const service = serviceFor([queue], 10_000);
    queue.emit('active', job('1'));
    const shutdown = service.beforeApplicationShutdown();
    queue.emit('completed', job('1'));
    await shutdown;
    expect(queue.closedWithoutWaiting).toBe(false);
  });

  it('still gives up on a stuck job when a job it never saw start completes (went active before bootstrap)', async () => {
    const analytics = new FakeQueue('analytics');
    const maintenance = new FakeQueue('maintenance');
    const service = serviceFor([analytics, maintenance], 50);
    maintenance.emit('active', job('stuck'));
    analytics.emit('completed', job('early')); // its 'active' fired before the listeners existed
    await service.beforeApplicationShutdown();
    expect(maintenance.closedWithoutWaiting).toBe(true);
  });

  it('tells jobs of different queues with the same id apart', async () => {
    const first = new FakeQueue('first');
    const second = new FakeQueue('second');
    const service = serviceFor([first, second], 50);
    first.emit('active', job('7'));
    second.emit('active', job('7'));
    second.emit('failed', job('7'));
    await service.beforeApplicationShutdown();
    expect(first.closedWithoutWaiting).toBe(true);
  });
});
