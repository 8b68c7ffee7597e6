import { TransactionRunner } from '@app/database';
import { TestEnvironment } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/** Resolves once `parties` callers have arrived. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    arrived++;
    if (arrived === parties) release();
    return all;
  };
}

describe('TransactionRunner on real MySQL', () => {
  let env: TestEnvironment;
  let worker: INestApplicationContext;
  let transactions: TransactionRunner;
  let dataSource: DataSource;

  beforeAll(async () => {
    env = await TestEnvironment.create();
    worker = await env.startWorker();
    transactions = worker.get(TransactionRunner);
    dataSource = worker.get<DataSource>(getDataSourceToken());
    await dataSource.query('CREATE TABLE tx_probe (id INT PRIMARY KEY, counter INT NOT NULL) ENGINE=InnoDB');
  });
  beforeEach(async () => {
    await dataSource.query('DELETE FROM tx_probe');
    await dataSource.query('INSERT INTO tx_probe VALUES (1, 0), (2, 0)');
  });
  afterAll(() => env.cleanup());

  /** Two transactions that lock rows 1 and 2 in opposite orders: a guaranteed deadlock on the first try. */
  function crossedTransactions(maxAttempts: number) {
    const bothHoldFirstLock = barrier(2);
    const attempts = [0, 0];
    const work = (index: number, first: number, second: number) => async (manager: EntityManager) => {
      attempts[index]++;
      await manager.query('SELECT counter FROM tx_probe WHERE id = ? FOR UPDATE', [first]);
      await bothHoldFirstLock();
      await manager.query('UPDATE tx_probe SET counter = counter + 1 WHERE id = ?', [second]);
      await manager.query('UPDATE tx_probe SET counter = counter + 1 WHERE id = ?', [first]);
    };
    return {
      attempts,
      results: Promise.allSettled([
        transactions.run(work(0, 1, 2), { maxAttempts }),
        transactions.run(work(1, 2, 1), { maxAttempts }),
      ]),
    };
  }

  it('retries the deadlock victim so both transactions take effect once', async () => {
    const { attempts, results } = crossedTransactions(5);
    const settled = await results;
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(attempts[0] + attempts[1]).toBeGreaterThanOrEqual(3); // the victim ran again
    const rows = await dataSource.query<Array<{ counter: number }>>(
      'SELECT id, counter FROM tx_probe ORDER BY id',
    );
    // Each transaction added 1 to each row exactly once: the rolled-back attempt left nothing behind.
    expect(rows.map((row) => Number(row.counter))).toEqual([2, 2]);
  });

  it('gives up after the bounded number of attempts and surfaces the deadlock', async () => {
    const { results } = crossedTransactions(1);
    const settled = await results;
    const rejected = settled.filter(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    expect(rejected).toHaveLength(1);
    const error = rejected[0].reason as QueryFailedError;
    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error.driverError as unknown as { errno: number }).errno).toBe(1213);
  });

  it('does not retry an error that is not transient', async () => {
    let attempts = 0;
    await expect(
      transactions.run(async (manager) => {
        attempts++;
        await manager.query('INSERT INTO tx_probe VALUES (1, 0)');
      }),
    ).rejects.toBeInstanceOf(QueryFailedError);
    expect(attempts).toBe(1);
  });
});
