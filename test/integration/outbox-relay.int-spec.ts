import { TransactionRunner } from '@app/database';
import { TestEnvironment } from '../support/test-environment';
import { BullModule, getQueueToken } from '@nestjs/bull';
import { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { OutboxModule } from '../../src/modules/outbox/outbox.module';
import { OutboxRepository } from '../../src/modules/outbox/outbox.repository';
import { OutboxService } from '../../src/modules/outbox/outbox.service';
import { QueueRegistry } from '../../src/queues/queue.registry';

const TEST_QUEUE = 'outbox-race';
const ROWS = 1_000;
const WRITERS = 50;

type AddBulk = Queue['addBulk'];

/** Puts `around` between the worker's relay and Bull's addBulk on the test queue. */
function interceptAddBulk(
  worker: INestApplicationContext,
  around: (jobs: Parameters<AddBulk>[0], addBulk: AddBulk) => ReturnType<AddBulk>,
): void {
  const registry = worker.get(QueueRegistry);
  const original = registry.get.bind(registry);
  registry.get = (name: string) => {
    const queue = original(name);
    if (!queue || name !== TEST_QUEUE) return queue;
    return new Proxy(queue, {
      get(target, property, receiver) {
        if (property !== 'addBulk') return Reflect.get(target, property, receiver) as unknown;
        return (jobs: Parameters<AddBulk>[0]) => around(jobs, target.addBulk.bind(target));
      },
    });
  };
}

/** Records every job a relay hands to Bull, so a double publication cannot hide behind jobId dedup. */
function recordPublications(worker: INestApplicationContext, log: string[]): void {
  interceptAddBulk(worker, (jobs, addBulk) => {
    for (const job of jobs) log.push(String(job.opts?.jobId));
    return addBulk(jobs);
  });
}

describe('outbox relay', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await TestEnvironment.create({ outbox: { batchSize: 25, pollIntervalMs: 5 } });
  });
  afterAll(() => env.cleanup());

  it('publishes each of 1,000 concurrently written rows exactly once with two relays racing', async () => {
    const extra = [BullModule.registerQueue({ name: TEST_QUEUE }), OutboxModule];
    // Two worker instances, each with its own MySQL pool and Redis connections, as two processes have.
    const workers = [await env.startWorker(extra), await env.startWorker(extra)];
    const publishedBy: string[][] = [[], []];
    workers.forEach((worker, index) => recordPublications(worker, publishedBy[index]));

    const consumer = workers[0].get<Queue>(getQueueToken(TEST_QUEUE), { strict: false });
    const consumed = new Map<string, number>();
    void consumer
      .process('test.record', 4, (job: { data: { n: number } }) => {
        consumed.set(String(job.data.n), (consumed.get(String(job.data.n)) ?? 0) + 1);
        return Promise.resolve();
      })
      .catch(() => undefined);

    // 50 transactions of 20 rows each, all at once, while both relays poll. Rows for a test queue that
    // no job of the OutboxJobs map goes to: written below the typed OutboxService, as raw rows.
    const transactions = workers[0].get(TransactionRunner);
    const outbox = workers[0].get(OutboxRepository);
    await Promise.all(
      Array.from({ length: WRITERS }, (_, writer) =>
        transactions.run((manager) =>
          outbox.insert(
            manager,
            Array.from({ length: ROWS / WRITERS }, (_, i) => ({
              queue: TEST_QUEUE,
              jobName: 'test.record',
              payload: { n: writer * (ROWS / WRITERS) + i },
            })),
          ),
        ),
      ),
    );

    const dataSource = workers[0].get<DataSource>(getDataSourceToken());
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const [{ pending }] = await dataSource.query<Array<{ pending: string }>>(
        'SELECT COUNT(*) AS pending FROM outbox WHERE published_at IS NULL',
      );
      if (Number(pending) === 0 && consumed.size === ROWS) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const all = [...publishedBy[0], ...publishedBy[1]];
    expect(all).toHaveLength(ROWS);
    expect(new Set(all).size).toBe(ROWS);
    // Both relays did take part: the test exercises the race, not one relay alone.
    expect(publishedBy[0].length).toBeGreaterThan(0);
    expect(publishedBy[1].length).toBeGreaterThan(0);
    expect(consumed.size).toBe(ROWS);
    expect([...consumed.values()].every((count) => count === 1)).toBe(true);
    const [{ unpublished }] = await dataSource.query<Array<{ unpublished: string }>>(
      'SELECT COUNT(*) AS unpublished FROM outbox WHERE published_at IS NULL',
    );
    expect(Number(unpublished)).toBe(0);
  });

  it('writes nothing when the business transaction rolls back', async () => {
    const worker = await env.startWorker([OutboxModule]);
    const transactions = worker.get(TransactionRunner);
    const outbox = worker.get(OutboxService);
    const dataSource = worker.get<DataSource>(getDataSourceToken());
    const before = await dataSource.query<Array<{ n: string }>>('SELECT COUNT(*) AS n FROM outbox');
    await expect(
      transactions.run(async (manager) => {
        await outbox.enqueue(manager, { jobName: 'orders.expire', payload: { orderId: 'rolled-back' } });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const after = await dataSource.query<Array<{ n: string }>>('SELECT COUNT(*) AS n FROM outbox');
    expect(after[0].n).toBe(before[0].n);
  });

  it('writes a typed message as the same row as before: the queue of its route, job name, JSON payload', async () => {
    const worker = await env.startWorker([OutboxModule]);
    const dataSource = worker.get<DataSource>(getDataSourceToken());
    await worker.get(TransactionRunner).run((manager) =>
      worker.get(OutboxService).enqueue(manager, {
        jobName: 'orders.remind-payment',
        payload: { orderId: 'row-format' },
        delayMs: 60_000,
      }),
    );
    const rows = await dataSource.query<
      Array<{ queue: string; job_name: string; payload: unknown; delay_ms: number }>
    >(
      "SELECT queue, job_name, payload, delay_ms FROM outbox WHERE JSON_VALUE(payload, '$.orderId') = 'row-format'",
    );
    expect(
      rows.map((row) => ({
        ...row,
        payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
      })),
    ).toEqual([
      {
        queue: 'orders',
        job_name: 'orders.remind-payment',
        payload: { orderId: 'row-format' },
        delay_ms: 60_000,
      },
    ]);
  });
});

describe('outbox relay and the writers appending meanwhile', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await TestEnvironment.create({ outbox: { batchSize: 25, pollIntervalMs: 5 } });
  });
  afterAll(() => env.cleanup());

  it('a business transaction writing to the outbox never waits for a batch on its way to Bull', async () => {
    const worker = await env.startWorker([BullModule.registerQueue({ name: TEST_QUEUE }), OutboxModule]);
    // The relay's Bull round trip is held open, as a slow Redis would, while its batch is locked.
    let entered!: () => void;
    const inFlight = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    interceptAddBulk(worker, async (jobs, addBulk) => {
      entered();
      await gate;
      return addBulk(jobs);
    });
    const dataSource = worker.get<DataSource>(getDataSourceToken());
    const append = (n: number) =>
      dataSource.query("INSERT INTO outbox (queue, job_name, payload) VALUES (?, 'test.record', ?)", [
        TEST_QUEUE,
        JSON.stringify({ n }),
      ]);
    await append(1);
    await inFlight;
    const writer = dataSource.createQueryRunner();
    await writer.connect();
    try {
      // A second's wait is a failure here: under REPEATABLE READ the relay's locking read also locks
      // the gap where new rows go, and this insert would wait for the whole Bull round trip.
      await writer.query('SET SESSION innodb_lock_wait_timeout = 1');
      await writer.startTransaction();
      await writer.query("INSERT INTO outbox (queue, job_name, payload) VALUES (?, 'test.record', '{}')", [
        TEST_QUEUE,
      ]);
      await writer.commitTransaction();
    } finally {
      if (writer.isTransactionActive) await writer.rollbackTransaction();
      await writer.release();
      release();
    }
    const deadline = Date.now() + 10_000;
    let pending = -1;
    while (Date.now() < deadline && pending !== 0) {
      pending = Number(
        (
          await dataSource.query<Array<{ n: string }>>(
            'SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL',
          )
        )[0].n,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(pending).toBe(0);
  });
});
