import { checkedFetch, request } from '@app/testing';
import { TestEnvironment } from '../support/test-environment';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { MAINTENANCE_QUEUE } from '../../src/modules/outbox/jobs/outbox.jobs';
import { ProbeModule, slowProbe } from '../support/probe.module';
import { waitFor } from '../support/wait-for';

describe('graceful shutdown', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await TestEnvironment.create();
  });
  afterAll(() => env.cleanup());

  it('API: finishes an in-flight request (which still uses the pool), then refuses new connections', async () => {
    const api = await env.startApi([ProbeModule]);
    const before = slowProbe.started;
    const inFlight = request(`${api.baseUrl}/v1/probe/slow?ms=700`);
    await waitFor(
      () => Promise.resolve(slowProbe.started > before),
      5_000,
      'the slow request to reach its handler',
    );

    const closed = api.close();
    const response = await inFlight;
    await closed;

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ done: true });
    await expect(checkedFetch(`${api.baseUrl}/health/live`)).rejects.toThrow();
  });

  it('worker: lets a running job finish before closing', async () => {
    const worker = await env.startWorker([], { worker: { shutdownTimeoutMs: 5_000 } });
    const queue = worker.get<Queue>(getQueueToken(MAINTENANCE_QUEUE), { strict: false });
    let finished = false;
    let started!: () => void;
    const jobStarted = new Promise<void>((resolve) => (started = resolve));
    const processing = queue.process('test.slow', async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 800)); // the job's own work, not a wait
      finished = true;
      return 'ok';
    });
    processing.catch(() => undefined); // settles when the queue closes
    const job = await queue.add('test.slow', {});
    await jobStarted;

    await env.closeApp(worker);

    expect(finished).toBe(true);
    // The completion was recorded in Redis before the connections closed.
    const fresh = await env.startWorker();
    const stored = await fresh.get<Queue>(getQueueToken(MAINTENANCE_QUEUE), { strict: false }).getJob(job.id);
    expect(await stored?.isCompleted()).toBe(true);
    await env.closeApp(fresh);
  });

  it('worker: gives up on a job that outlives the deadline instead of hanging', async () => {
    const worker = await env.startWorker([], { worker: { shutdownTimeoutMs: 300 } });
    const queue = worker.get<Queue>(getQueueToken(MAINTENANCE_QUEUE), { strict: false });
    let started!: () => void;
    const jobStarted = new Promise<void>((resolve) => (started = resolve));
    const processing = queue.process('test.stuck', async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 3_000).unref()); // a job that outlives the deadline
    });
    processing.catch(() => undefined); // settles when the queue closes
    await queue.add('test.stuck', {});
    await jobStarted;

    const began = Date.now();
    await env.closeApp(worker);
    expect(Date.now() - began).toBeLessThan(2_500);
  });
});
